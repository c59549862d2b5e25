package scrub

import (
	"strings"
	"testing"
)

// TestStrictArgsKeepFlagNames: Strict replaces what is not provably harmless, but an option's
// name is the program's vocabulary: replacing "-c" or "--port=8080" broke the command. Values
// after "=" are still judged, and anything that may hold an attached value still is.
func TestStrictArgsKeepFlagNames(t *testing.T) {
	const random = "Zq8tT3kwP9zLm2xAb7cD4eF"
	tests := []struct {
		arg  string
		kept bool
	}{
		{"-c", true},
		{"-ec", true},
		{"--port=8080", true},
		{"--log-level", true},
		{"--config=/etc/app/config.yaml", true},
		{"--token=" + random, false},
		{"--ref=" + random, false},
		{"-pS3cr3tPassw0rd", false}, // an attached value, not a flag's name
		{random, false},
	}
	in := PlainInput{Keyring: testKeyring(9), Mode: PlainStrict}
	for _, tt := range tests {
		out, _ := Args("w", "c", []string{"/app", tt.arg}, in)
		if kept := out[1] == tt.arg; kept != tt.kept {
			t.Errorf("Strict %q -> %q: kept %v, want %v", tt.arg, out[1], kept, tt.kept)
		}
		if !tt.kept && strings.Contains(out[1], random) {
			t.Errorf("Strict %q -> %q: the value leaked", tt.arg, out[1])
		}
		if name, _, ok := strings.Cut(tt.arg, "="); ok && strings.HasPrefix(tt.arg, "--") && !strings.HasPrefix(out[1], name+"=") {
			t.Errorf("Strict %q -> %q: the flag's name was lost", tt.arg, out[1])
		}
	}
	out, _ := Args("w", "c", []string{"/bin/sh", "-c", "exec /app"}, in)
	if out[1] != "-c" {
		t.Errorf("the shell's -c: %q", out)
	}
}

// TestStrictShellScriptKeepsFlagNames: the same holds inside a "sh -c" script, whose words are
// judged one by one: Strict replaced "--port=8080" and "-v" whole, which broke the command.
func TestStrictShellScriptKeepsFlagNames(t *testing.T) {
	const random = "Zq8tT3kwP9zLm2xAb7cD4eF"
	script := "exec /app/server --port=8080 -v --log-level debug --config=/etc/app/config.yaml --token=" + random + " && echo done"
	for _, mode := range []PlainMode{PlainScrub, PlainStrict} {
		out, _ := Args("w", "c", []string{"/bin/sh", "-c", script}, PlainInput{Keyring: testKeyring(9), Mode: mode})
		got := out[2]
		if strings.Contains(got, random) {
			t.Errorf("%s: the token leaked: %q", mode, got)
		}
		for _, kept := range []string{"exec /app/server --port=8080 -v --log-level debug --config=/etc/app/config.yaml --token=", " && echo done"} {
			if !strings.Contains(got, kept) {
				t.Errorf("%s: %q lost %q", mode, got, kept)
			}
		}
	}
}
