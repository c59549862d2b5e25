package main

import (
	"reflect"
	"testing"
)

func TestLeftovers(t *testing.T) {
	for _, tc := range []struct {
		name             string
		envs, namespaces []string
		want             []string
	}{
		{"a fresh cluster", nil, []string{"default", "kube-system", "dev-envs", "shop-prod", "shop-prod-2"}, nil},
		{"an environment of any name", []string{"dev-envs/bench-007", "team/mine"}, nil,
			[]string{"dev-envs/bench-007", "team/mine"}},
		{"target, floor and unrelated namespaces", nil,
			[]string{"default", "shop-prod-3-bench-012", "bench-floor-0003", "unrelated-042", "small-prod"},
			[]string{"namespace shop-prod-3-bench-012", "namespace bench-floor-0003", "namespace unrelated-042"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := leftovers(tc.envs, tc.namespaces); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("leftovers = %q, want %q", got, tc.want)
			}
		})
	}
}

// The names the benchmark makes are the names the check looks for.
func TestLeftoversKnowsTheBenchmarksNames(t *testing.T) {
	prods := []string{prod{}.namespace(0), prod{}.namespace(1)}
	made := []string{targetNamespace(0, prods), targetNamespace(1, prods), floorNamespace(0), unrelatedPrefix + "000"}
	if got := leftovers(nil, made); len(got) != len(made) {
		t.Errorf("leftovers(%q) = %q: some of the benchmark's own namespaces are not recognised", made, got)
	}
	if got := leftovers(nil, prods); len(got) != 0 {
		t.Errorf("prod namespaces %q taken for leftovers: %q", prods, got)
	}
}

func TestNamespacesToGo(t *testing.T) {
	prods := []string{"shop-prod", "shop-prod-2"}
	// bench-001 has not reported its namespace; one environment reports a namespace of its own.
	got := namespacesToGo([]string{"shop-prod-bench-000", "elsewhere"}, 2, prods)
	want := map[string]bool{"shop-prod-bench-000": true, "shop-prod-2-bench-001": true, "elsewhere": true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("namespacesToGo = %v, want %v", got, want)
	}
}
