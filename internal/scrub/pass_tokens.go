package scrub

import (
	"sort"
	"strings"
)

// tokenPrefixes start credentials that identify themselves, so they are found without a key:
// GitHub, GitLab, Slack, Stripe, Google, npm, PyPI, SendGrid, Shopify, DigitalOcean, Hugging Face.
var tokenPrefixes = []string{
	"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "xoxb-", "xoxp-", "xoxa-",
	"xoxr-", "xoxs-", "xapp-", "sk_live_", "rk_live_", "sk_test_", "rk_test_", "whsec_", "AIza",
	"npm_", "pypi-", "SG.", "shpat_", "shpss_", "dop_v1_", "hf_",
}

// minTokenBody is how many token characters must follow a prefix: "hf_" or "SG." in prose are
// not credentials.
const minTokenBody = 16

// knownTokens replaces the body of self-identifying credentials (keeping the prefix, which is not
// secret and tells the reader what the value stands for).
func (sc *scrubber) knownTokens(s string) string {
	var spans []span
	for _, p := range tokenPrefixes {
		for i := 0; ; {
			j := strings.Index(s[i:], p)
			if j < 0 {
				break
			}
			start := i + j
			i = start + len(p)
			if start > 0 && isKnownTokenChar(s[start-1]) {
				continue
			}
			e := i
			for e < len(s) && isKnownTokenChar(s[e]) {
				e++
			}
			if e-i < minTokenBody || !sc.fresh(s[i:e]) {
				continue
			}
			spans = append(spans, span{i, e, sc.value(s[i:e], "token", p)})
			i = e
		}
	}
	sort.Slice(spans, func(a, b int) bool { return spans[a].start < spans[b].start })
	return applySpans(s, spans)
}

func isKnownTokenChar(c byte) bool { return isAlnum(c) || c == '_' || c == '-' || c == '.' }

// hasTokenPrefix reports text holding a self-identifying token's prefix.
func hasTokenPrefix(s string) bool {
	for _, p := range tokenPrefixes {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}
