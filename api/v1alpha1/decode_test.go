package v1alpha1

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// The operator's cache decodes lists of MirrorEnvironments: one object whose stored spec does not
// fit the types must neither fail the list nor lose its identity.

func TestUnmarshalKeepsWhatDoesNotFit(t *testing.T) {
	cases := []struct {
		name, doc   string
		decodeError string // "" for an object that fits
		err         bool
	}{
		{"fits", `{"apiVersion":"envmirror.io/v1alpha1","kind":"MirrorEnvironment","metadata":{"name":"a","namespace":"dev","uid":"u1"},
			"spec":{"source":{"namespace":"shop"},"workloads":{"replicas":2}},"status":{"phase":"Ready"}}`, "", false},
		{"replicas as a word", `{"metadata":{"name":"a","namespace":"dev","uid":"u1"},
			"spec":{"source":{"namespace":"shop"},"workloads":{"replicas":"many"}},"status":{"phase":"Ready"}}`, "replicas", false},
		{"a list where a map belongs", `{"metadata":{"name":"a","namespace":"dev","uid":"u1"},"spec":{"source":[]},"status":{"phase":"Ready"}}`,
			"source", false},
		{"a seed past int64", `{"metadata":{"name":"a","namespace":"dev","uid":"u1"},
			"spec":{"source":{"namespace":"shop"},"data":[{"name":"db","seed":1e30}]},"status":{"phase":"Ready"}}`, "seed", false},
		{"metadata that does not fit", `{"metadata":{"name":7},"spec":{}}`, "", true},
		{"not JSON", `{"metadata":`, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var e MirrorEnvironment
			err := json.Unmarshal([]byte(c.doc), &e)
			if c.err {
				if err == nil {
					t.Fatalf("decoded %+v, want an error", e)
				}
				return
			}
			if err != nil {
				t.Fatalf("error %v", err)
			}
			if e.Name != "a" || e.Namespace != "dev" || e.UID != "u1" || e.Status.Phase != "Ready" {
				t.Errorf("metadata or status lost: %+v", e)
			}
			switch {
			case c.decodeError == "" && e.DecodeError != "":
				t.Errorf("DecodeError %q for an object that fits", e.DecodeError)
			case c.decodeError == "" && e.Spec.Source.Namespace != "shop":
				t.Errorf("spec lost: %+v", e.Spec)
			case c.decodeError != "" && !strings.Contains(e.DecodeError, c.decodeError):
				t.Errorf("DecodeError = %q, want it to name %q", e.DecodeError, c.decodeError)
			case c.decodeError != "" && !reflect.DeepEqual(e.Spec, MirrorEnvironmentSpec{}):
				t.Errorf("a spec that did not fit was half decoded: %+v", e.Spec)
			}
		})
	}
}

func TestUnmarshalListWithOneObjectThatDoesNotFit(t *testing.T) {
	doc := `{"items":[
		{"metadata":{"name":"good"},"spec":{"source":{"namespace":"shop"}}},
		{"metadata":{"name":"bad"},"spec":{"source":{"namespace":"shop"},"ttl":48}},
		{"metadata":{"name":"also-good"},"spec":{"source":{"namespace":"shop"},"ttl":"48h"}}]}`
	var l MirrorEnvironmentList
	if err := json.Unmarshal([]byte(doc), &l); err != nil {
		t.Fatalf("the list failed: %v", err)
	}
	if len(l.Items) != 3 || l.Items[1].DecodeError == "" || l.Items[0].DecodeError != "" || l.Items[2].DecodeError != "" ||
		*l.Items[2].Spec.TTL != "48h" {
		t.Fatalf("items: %+v", l.Items)
	}
}

// FuzzUnmarshal: whatever is stored, decoding either fails (metadata that does not fit) or gives
// an object whose spec is all of it or none of it.
func FuzzUnmarshal(f *testing.F) {
	f.Add([]byte(`{"metadata":{"name":"a"},"spec":{"source":{"namespace":"shop"},"workloads":{"replicas":"many"}}}`))
	f.Add([]byte(`{"metadata":{"name":"a"},"spec":{"ttl":"48h","data":[{"name":"db","rows":{"tables":{"t":5}}}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var e MirrorEnvironment
		if err := json.Unmarshal(data, &e); err != nil {
			return
		}
		if e.DecodeError != "" && !reflect.DeepEqual(e.Spec, MirrorEnvironmentSpec{}) {
			t.Fatalf("DecodeError %q with a spec %+v", e.DecodeError, e.Spec)
		}
	})
}
