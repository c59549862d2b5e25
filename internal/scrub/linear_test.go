package scrub

import (
	"strings"
	"testing"
	"time"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// TestScrubPathologicalInputIsFast feeds text built to make naive scanners quadratic (each value
// running to the end of a long line, each URL or tag searching to the end): a prod ConfigMap of
// that kind must not stall the operator. Before the scanners were made linear (or budgeted), the
// slowest of these took over 20 s; each must now finish far below the bound, and still not leak.
func TestScrubPathologicalInputIsFast(t *testing.T) {
	const n = 20000 // about 200 KB per input
	const canary = "Pq7CanaryPathological9Zx"
	cases := map[string]string{
		"separators":       strings.Repeat("a=", n),
		"sensitive =":      strings.Repeat("password=", n),
		"sensitive :":      strings.Repeat("password: ", n),
		"unclosed quotes":  strings.Repeat("password=\"", n),
		"flow brackets":    strings.Repeat("password: {", n),
		"brackets =":       strings.Repeat("password={", n),
		"var refs":         strings.Repeat("password=$(", n),
		"schemes":          strings.Repeat("://", n),
		"userinfo":         strings.Repeat("a://b:c", n) + "@h",
		"pem begins":       strings.Repeat("-----BEGIN PRIVATE KEY-----", n),
		"pem labels":       strings.Repeat("-----BEGIN ", n),
		"open tags":        strings.Repeat("<password>", n) + "</password",
		"tags":             strings.Repeat("<password> </password", n),
		"flags":            strings.Repeat(" --password ", n),
		"continued flags":  strings.Repeat(" --password \\\n", n),
		"bearers":          strings.Repeat("Bearer ", n),
		"jwt heads":        strings.Repeat("eyJaaaaaaaaaaaa.", n),
		"block":            "password: |\n" + strings.Repeat("  x\n", n),
		"blocks":           strings.Repeat("password: |\n", n),
		"next-line values": strings.Repeat("token:\n\n", n),
		"long key":         strings.Repeat("a", 10*n) + "=",
		"dots":             strings.Repeat(".a", n),
	}
	for name, s := range cases {
		s = "password=" + canary + " " + s + " token: " + canary
		start := time.Now()
		sc := scrubber{k: testKeyring(1), scope: []string{"x"}}
		out := sc.text(s)
		NewRewriter("a", "b", nil).Rewrite(s)
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("%s: %v for %d bytes", name, d, len(s))
		}
		if strings.Contains(out, canary) {
			t.Errorf("%s: canary leaked", name)
		}
	}
}

// TestRewritePathologicalRulesAreFast: long rules that almost match everywhere must not make
// Rewrite compare every rule at every position (100 rules of 1 KiB over 1 MiB would take minutes).
func TestRewritePathologicalRulesAreFast(t *testing.T) {
	var rules []v1alpha1.RewriteRule
	for i := 0; i < 100; i++ {
		rules = append(rules, v1alpha1.RewriteRule{From: strings.Repeat("a", 1000+i) + "b", To: "x"})
	}
	s := strings.Repeat("a", 1<<20) + ".shop-prod"
	start := time.Now()
	out := NewRewriter("shop-prod", "shop-copy", rules).Rewrite(s)
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Rewrite took %v", d)
	}
	if !strings.HasSuffix(out, "a.shop-copy") {
		t.Errorf("Rewrite result ends with %q", out[len(out)-20:])
	}
}
