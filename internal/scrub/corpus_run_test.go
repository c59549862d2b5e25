package scrub

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// runLeakCase copies one case's input through the API its place calls and returns every output
// string.
func runLeakCase(lc leakCase, canary string, in PlainInput) []string {
	switch lc.where {
	case "cm", "ann":
		out, _, _ := ConfigMap("app", map[string]string{lc.key: lc.in(canary)}, nil, in)
		return []string{out[lc.key]}
	case "bin":
		_, out, _ := ConfigMap("app", nil, map[string][]byte{lc.key: []byte(lc.in(canary))}, in)
		return []string{string(out[lc.key])}
	case "env":
		out, _ := Env("api", "app", []corev1.EnvVar{{Name: lc.key, Value: lc.in(canary)}}, in)
		return []string{out[0].Value}
	case "args":
		out, _ := Args("api", "app", lc.args(canary), in)
		return out
	case "label":
		return []string{runLabel(lc.key, lc.in(canary), in)}
	}
	panic("unknown place " + lc.where)
}

// canaryOf is the canary of the i-th case.
func (lc leakCase) canaryOf(c *canaries, i int) string {
	canary := c.next()
	if lc.human {
		canary = humanCanary(i)
	}
	return canary
}

// leaksOf returns what of the case's canary (or its secret) out holds, also once opened.
func (lc leakCase) leaksOf(canary, out string) []string {
	probe := &canaries{}
	probe.add(canary)
	if lc.secret != nil {
		probe.add(lc.secret(canary))
	}
	views := []string{out}
	if lc.open != nil {
		views = append(views, lc.open(out))
	}
	var leaks []string
	for _, v := range views {
		leaks = append(leaks, probe.leaks(v)...)
		if q := url.QueryEscape(canary); q != canary && strings.Contains(v, q) {
			leaks = append(leaks, q)
		}
	}
	return leaks
}

// TestLeakCorpus: no case's canary survives, in plain, windowed, hex, base64 or URL-encoded
// form, in either mode.
func TestLeakCorpus(t *testing.T) {
	cases := allLeakCases()
	if len(cases) < 240 {
		t.Fatalf("the corpus has %d leak cases; issue 21 asks for twice issue 10's corpus", len(cases))
	}
	t.Logf("%d leak cases", len(cases))
	c := &canaries{seed: "corpus"}
	for _, mode := range []PlainMode{PlainScrub, PlainStrict} {
		in := plainCanaryInput()
		in.Mode = mode
		for i, lc := range cases {
			canary := lc.canaryOf(c, i)
			if len(lc.leaksOf(canary, lc.in2(canary))) == 0 {
				t.Fatalf("%s: the input does not hold its canary, so the case could not fail", lc.name)
			}
			for _, out := range runLeakCase(lc, canary, in) {
				if leaks := lc.leaksOf(canary, out); len(leaks) > 0 {
					t.Errorf("%s [%s/%s]: %s %q leaks %v:\n in: %q\nout: %q", mode, lc.cat, lc.where, lc.name, lc.key, leaks, lc.in2(canary), out)
				}
			}
		}
	}
}

// in2 renders a case's input for messages.
func (lc leakCase) in2(c string) string {
	if lc.args != nil {
		return fmt.Sprint(lc.args(c))
	}
	return lc.in(c)
}
