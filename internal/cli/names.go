package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/envmirror/envmirror/internal/mirror"
)

// MaxNameLength bounds derived environment names. The operator names the copy's namespace
// "<source>-<name>" (shortened to 63 characters with a hash) and labels every object with the
// name, so a name well under 63 keeps both readable.
const MaxNameLength = 40

// hashLength is the number of hex digits of the branch hash a changed name carries: 32 bits,
// so that two branches of one repository colliding is a one-in-four-billion event.
const hashLength = 8

// EnvironmentName derives a MirrorEnvironment name from a git branch. It is:
//   - DNS-safe: lower-case letters, digits and dashes, starting and ending with a letter or digit,
//     at most MaxNameLength characters (accents are dropped: "é" becomes "e");
//   - stable: the same branch always gives the same name, on every machine;
//   - collision-free: a branch that is already a valid name is used as it is, and any branch
//     that had to be changed gets a hash of its exact spelling appended, so "feature/x",
//     "feature-x" and "Feature/X" get three different names.
//
// The slug is the one the operator uses for {{ .Branch }} in ingress hosts (mirror.DNSLabel).
func EnvironmentName(branch string) string {
	slug := collapseDashes(mirror.DNSLabel(foldAccents(branch)))
	if slug != "" && slug == branch && len(slug) <= MaxNameLength {
		return slug
	}
	sum := sha256.Sum256([]byte(branch))
	suffix := hex.EncodeToString(sum[:])[:hashLength]
	head := slug
	if max := MaxNameLength - hashLength - 1; len(head) > max {
		head = strings.TrimRight(head[:max], "-")
	}
	if head == "" {
		head = "branch" // nothing of the branch survived (e.g. only CJK characters)
	}
	return head + "-" + suffix
}

// foldAccents removes combining marks after canonical decomposition: "Überfix" -> "Uberfix".
func foldAccents(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		return s
	}
	return out
}

func collapseDashes(s string) string {
	for strings.Contains(s, "--") {
		s = strings.ReplaceAll(s, "--", "-")
	}
	return s
}
