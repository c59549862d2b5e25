package scrub

import "testing"

// A segment after a word that names a credential: words, versions and short numbers are paths;
// anything longer that could be a key is the key.
func TestURLTokenAfterCredentialWord(t *testing.T) {
	for _, c := range []struct {
		prev, piece string
		token       bool
	}{
		{"key", "refresh", false},
		{"token", "introspect", false},
		{"key", "v2", false},
		{"key", "1.2.3", false},
		{"token", "1700000000.123", false},
		{"key", "rotate-signing-keys", false},
		{"key", "v000000000000000", true},
		{"key", "3.0000000000002M", true}, // found by FuzzDotfileFormats: it passed as a version
		{"key", "12.000000000000001", true},
		{"key", "dGhpcy1pcy1hLWtleQ", true},
		{"data", "3.0000000000002M", false}, // not after a credential word: a number
	} {
		if _, got := urlToken(c.piece, c.prev, false); got != c.token {
			t.Errorf("/%s/%s: token = %v, want %v", c.prev, c.piece, got, c.token)
		}
	}
}
