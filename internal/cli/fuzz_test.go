package cli

import (
	"strings"
	"testing"
	"time"
)

// FuzzParseOverride: an accepted --set names a workload, maybe a container, and an image, and
// nothing of the input is lost or invented.
func FuzzParseOverride(f *testing.F) {
	for _, s := range []string{"api=registry.example/api:1", "api=app=nginx@sha256:abcd", "=", "a==b", "a=b=c=d", " a=b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseOverride(s)
		if err != nil {
			return
		}
		if o.Workload == "" || o.Image == "" {
			t.Fatalf("ParseOverride(%q) = %+v: an empty workload or image", s, o)
		}
		parts := []string{o.Workload, string(o.Image)}
		if o.Container != "" {
			parts = []string{o.Workload, o.Container, string(o.Image)}
		}
		if strings.Join(parts, "=") != s {
			t.Fatalf("ParseOverride(%q) = %+v does not rebuild the input", s, o)
		}
	})
}

// FuzzParseExpiry: an accepted expiry is always in the future and whole seconds.
func FuzzParseExpiry(f *testing.F) {
	for _, s := range []string{"+24h", "90m", "-1h", "0", "2026-12-01T18:00:00Z", "+1ns", "9999999h"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		at, err := ParseExpiry(s, now)
		if err != nil {
			return
		}
		if !at.After(now) || at.Nanosecond() != 0 {
			t.Fatalf("ParseExpiry(%q) = %v: not a whole second after %v", s, at, now)
		}
	})
}
