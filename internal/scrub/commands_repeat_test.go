package scrub

import (
	"strings"
	"testing"
)

// TestRepeatedCredentialFlag: a credential flag given as its own value (`-a -a X`) must not
// leave X in the copy, whichever word the program takes as the password.
func TestRepeatedCredentialFlag(t *testing.T) {
	in := PlainInput{Keyring: testKeyring(12)}
	for _, argv := range [][]string{
		{"redis-cli", "-a", "-a", "mtNdxAX7B6CxUtAt", "0"},
		{"redis-cli", "-a", "-a", "-a", "mtNdxAX7B6CxUtAt"},
		{"sshpass", "-p", "-p", "mtNdxAX7B6CxUtAt", "ssh"},
	} {
		out, _ := Args("w", "c", argv, in)
		if strings.Contains(strings.Join(out, " "), "mtNdxAX7B6CxUtAt") {
			t.Errorf("%q -> %q: the password reached the copy", argv, out)
		}
	}
}
