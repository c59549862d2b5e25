package scrub

import (
	"strings"
	"testing"
)

// TestRuleURLKeepsShape: a webhook URL a rule finds keeps its scheme, host and word segments, so
// the copy's configuration still holds a URL (Alertmanager refuses a slack_api_url that is not
// one); its token path goes.
func TestRuleURLKeepsShape(t *testing.T) {
	const secret = "THUNLWD6E/B84L5N0Y8/e7s8xjyFXrxHyA33zkfZwJWM"
	out, _, _ := ConfigMap("app", map[string]string{"alertmanager.yml": "global:\n  slack_api_url: 'https://hooks.slack.com/services/" + secret + "'\n"}, nil, harmlessInput())
	got := out["alertmanager.yml"]
	if strings.Contains(got, "e7s8xjyFXrxHyA33zkfZwJWM") || !strings.Contains(got, "slack_api_url: 'https://hooks.slack.com/services/") {
		t.Errorf("webhook URL: %q", got)
	}
	for tok, want := range map[string]int{
		"https://hooks.slack.com/services/" + secret: len("https://hooks.slack.com/services/"),
		"https://user:pw@host.example.com/x/abc":     0,
		"https://hooks.example.com/services":         len("https://hooks.example.com/"),
		"https://hooks.example.com/":                 0,
	} {
		if got := urlSecretStart(tok); got != want {
			t.Errorf("urlSecretStart(%q) = %d, want %d", tok, got, want)
		}
	}
}
