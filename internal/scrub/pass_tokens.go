package scrub

import (
	"iter"
	"sort"
	"strings"
)

// tokenPrefixes start credentials that identify themselves, so they are found without a key:
// GitHub, GitLab, Slack, Stripe, Google, npm, PyPI, SendGrid, Shopify, DigitalOcean, Hugging Face,
// and the agent tokens below.
var tokenPrefixes = []string{
	"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "xoxb-", "xoxp-", "xoxa-",
	"xoxr-", "xoxs-", "xapp-", "sk_live_", "rk_live_", "sk_test_", "rk_test_", "whsec_", "AIza",
	"npm_", "pypi-", "SG.", "shpat_", "shpss_", "dop_v1_", "hf_",
	// Agent and API tokens gitleaks' rules do not know: Tailscale auth keys, Docker Hub PATs,
	// Buildkite user tokens, Render and PostHog personal API keys.
	"tskey-", "dckr_pat_", "bkua_", "rnd_", "phx_",
}

// minTokenBody is how many token characters must follow a prefix: "hf_" or "SG." in prose are
// not credentials.
const minTokenBody = 16

// knownTokens replaces the body of self-identifying credentials (keeping the prefix, which is not
// secret and tells the reader what the value stands for).
func (sc *scrubber) knownTokens(s string) string {
	var spans []span
	for p, body := range tokenBodies(s) {
		if body.end-body.start >= minTokenBody && sc.fresh(s[body.start:body.end]) {
			spans = append(spans, span{body.start, body.end, sc.value(s[body.start:body.end], "token", p)})
		}
	}
	sort.Slice(spans, func(a, b int) bool { return spans[a].start < spans[b].start })
	return applySpans(s, spans)
}

// tokenBodies yields each token prefix found where a token starts (not inside a word), with the
// span of the token characters after it.
func tokenBodies(s string) iter.Seq2[string, span] {
	return func(yield func(string, span) bool) {
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
				if !yield(p, span{start: i, end: e}) {
					return
				}
				i = e // a prefix inside the body follows a token character: never a token's start
			}
		}
	}
}

func isKnownTokenChar(c byte) bool { return isAlnum(c) || c == '_' || c == '-' || c == '.' }

// hasTokenPrefix reports text holding a self-identifying token: a prefix where a token starts,
// followed by what a token's body has, digits or capitals, or a body as long as knownTokens wants.
// A word that only begins like one names something (a package index pypi-internal, a cache
// directory hf_cache, npm_config_cache).
func hasTokenPrefix(s string) bool {
	for _, body := range tokenBodies(s) {
		b := s[body.start:body.end]
		if len(b) >= minTokenBody || strings.IndexFunc(b, func(r rune) bool { return (r >= '0' && r <= '9') || (r >= 'A' && r <= 'Z') }) >= 0 {
			return true
		}
	}
	return false
}
