package scrub

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// The second blind set: whole documents (excerpts) taken from public projects' sample
// configuration, labelled by hand before the scrubber ran on them (corpus_blind2_docs*_test.go).
// Unlike the corpus's cases, a document holds many values, so it measures what a user meets: every
// credential in it must go, and every other line must come out byte-identical.
//
// A document's credentials are marked ⟦like this⟧. Its harmless units are its other non-blank
// lines (for env and args: its other values), and the frame of each line that holds a credential
// (the text around the credential: "password = " must survive the credential's replacement).

// blindDoc is one document of the set: a ConfigMap file (where "cm", with key), a container's env
// (env, as NAME=value) or its args.
type blindDoc struct {
	name, format, source string
	where, key           string
	text                 string
	env                  []string
	args                 []string
}

const credOpen, credClose = "⟦", "⟧"

var credMark = regexp.MustCompile(`⟦((?s).*?)⟧`)

// unmark drops the marks of s.
func unmark(s string) string { return credMark.ReplaceAllString(s, "$1") }

// credsOf lists the credentials s marks.
func credsOf(s string) []string {
	var out []string
	for _, m := range credMark.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// harmlessOf is s with each credential replaced by a byte no output holds, so that counting a
// credential's forms in it counts only their harmless occurrences.
func harmlessOf(s string) string { return credMark.ReplaceAllString(s, "\x00") }

// leakedIn reports whether out holds cred (or a window or encoding of it) more often than the
// harmless text around it does: "nextcloud" may stay as the user's name but not as the password.
func leakedIn(cred, harmless, out string) bool {
	for _, f := range forms(cred) {
		if strings.Count(out, f) > strings.Count(harmless, f) {
			return true
		}
	}
	return false
}

// frameOf is a pattern for a marked line's text around its credentials, or nil when there is
// none to keep. open/closed say whether the line starts inside a credential and ends inside one.
func frameOf(line string) *regexp.Regexp {
	startsInside := strings.Index(line, credClose) >= 0 && (strings.Index(line, credOpen) < 0 || strings.Index(line, credClose) < strings.Index(line, credOpen))
	endsInside := strings.LastIndex(line, credOpen) > strings.LastIndex(line, credClose)
	work := line
	if startsInside {
		work = credOpen + work
	}
	if endsInside {
		work += credClose
	}
	parts := credMark.Split(work, -1)
	if strings.TrimSpace(strings.Join(parts, "")) == "" {
		return nil
	}
	quoted := make([]string, len(parts))
	for i, p := range parts {
		quoted[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(quoted, "(?s:.*?)") + "$")
}

// blindScore counts one format's (or one document's) outcomes.
type blindScore struct {
	docs, creds, leaked, leakedStrict, harmless, changed int
	details                                              []string
}

func (s *blindScore) add(o blindScore) {
	s.docs += o.docs
	s.creds += o.creds
	s.leaked += o.leaked
	s.leakedStrict += o.leakedStrict
	s.harmless += o.harmless
	s.changed += o.changed
	s.details = append(s.details, o.details...)
}

// runBlind copies a document through the API its place calls, in mode, and returns its units as
// marked in the input and as they came out (one unit a line for files, a value for env and args).
func runBlind(d blindDoc, mode PlainMode) (in, out []string) {
	pin := plainCanaryInput()
	pin.KeepPlain = nil
	pin.Mode = mode
	switch d.where {
	case "cm":
		res, _, _ := ConfigMap("app", map[string]string{d.key: unmark(d.text)}, nil, pin)
		return strings.Split(d.text, "\n"), strings.Split(res[d.key], "\n")
	case "env":
		var vars []corev1.EnvVar
		for _, kv := range d.env {
			name, value, _ := strings.Cut(kv, "=")
			vars = append(vars, corev1.EnvVar{Name: name, Value: unmark(value)})
			in = append(in, value)
		}
		res, _ := Env("api", "app", vars, pin)
		for _, v := range res {
			out = append(out, v.Value)
		}
		return in, out
	case "args":
		plain := make([]string, len(d.args))
		for i, a := range d.args {
			plain[i] = unmark(a)
		}
		res, _ := Args("api", "app", plain, pin)
		return d.args, res
	}
	panic("unknown place " + d.where)
}

// scoreBlindDoc scores one document: leaks in both modes, harmless units in the default mode.
func scoreBlindDoc(d blindDoc) blindScore {
	s := blindScore{docs: 1}
	in, out := runBlind(d, PlainScrub)
	_, outStrict := runBlind(d, PlainStrict)
	marked := strings.Join(in, "\n")
	creds := credsOf(marked)
	s.creds = len(creds)
	aligned := len(in) == len(out) && len(in) == len(outStrict)
	for i, line := range in {
		for _, cred := range credsOf(line) {
			harmless, o, os := harmlessOf(marked), strings.Join(out, "\n"), strings.Join(outStrict, "\n")
			if aligned {
				harmless, o, os = harmlessOf(line), out[i], outStrict[i]
			}
			if leakedIn(cred, harmless, o) {
				s.leaked++
				s.details = append(s.details, fmt.Sprintf("LEAK   %s: %q in %q", d.name, cred, o))
			}
			if leakedIn(cred, harmless, os) {
				s.leakedStrict++
				s.details = append(s.details, fmt.Sprintf("STRICT %s: %q in %q", d.name, cred, os))
			}
		}
	}
	// Credentials that span lines (PEM blocks) are judged on the whole output.
	for _, cred := range creds {
		if strings.Contains(cred, "\n") {
			if leakedIn(cred, harmlessOf(marked), strings.Join(out, "\n")) {
				s.leaked++
				s.details = append(s.details, fmt.Sprintf("LEAK   %s: %q", d.name, cred))
			}
			if leakedIn(cred, harmlessOf(marked), strings.Join(outStrict, "\n")) {
				s.leakedStrict++
				s.details = append(s.details, fmt.Sprintf("STRICT %s: %q", d.name, cred))
			}
		}
	}
	s.harmless, s.changed = scoreHarmlessUnits(d.name, in, out, &s.details)
	return s
}

// scoreHarmlessUnits counts the harmless units of a document and those that did not survive:
// lines without a credential by multiset (a line may move, not vanish or change), frames by match.
func scoreHarmlessUnits(name string, in, out []string, details *[]string) (total, changed int) {
	outCount := map[string]int{}
	for _, o := range out {
		outCount[o]++
	}
	inside := false
	for _, line := range in {
		hasMark := strings.Contains(line, credOpen) || strings.Contains(line, credClose)
		switch {
		case inside && !hasMark:
			continue // a line within a multi-line credential
		case !hasMark:
			if strings.TrimSpace(line) == "" {
				continue
			}
			total++
			if outCount[line] > 0 {
				outCount[line]--
			} else {
				changed++
				*details = append(*details, fmt.Sprintf("CHANGED %s: %q", name, line))
			}
		default:
			inside = strings.LastIndex(line, credOpen) > strings.LastIndex(line, credClose)
			frame := frameOf(line)
			if frame == nil {
				continue
			}
			total++
			if !slices.ContainsFunc(out, frame.MatchString) {
				changed++
				*details = append(*details, fmt.Sprintf("FRAME  %s: %q", name, line))
			}
		}
	}
	return total, changed
}

// allBlindDocs is the whole second blind set.
func allBlindDocs() []blindDoc { return slices.Concat(blindDocsA, blindDocsB) }

// scoreBlind scores the set by format.
func scoreBlind() map[string]*blindScore {
	scores := map[string]*blindScore{}
	for _, d := range allBlindDocs() {
		if scores[d.format] == nil {
			scores[d.format] = &blindScore{}
		}
		scores[d.format].add(scoreBlindDoc(d))
	}
	return scores
}

// blindTable renders the scores by format, with a total.
func blindTable(scores map[string]*blindScore) (string, blindScore) {
	formats := make([]string, 0, len(scores))
	for f := range scores {
		formats = append(formats, f)
	}
	sort.Strings(formats)
	var b strings.Builder
	fmt.Fprintf(&b, "%-12s %4s %5s %6s %6s %8s %7s\n", "format", "docs", "creds", "leaked", "strict", "harmless", "changed")
	var total blindScore
	for _, f := range formats {
		s := scores[f]
		fmt.Fprintf(&b, "%-12s %4d %5d %6d %6d %8d %7d\n", f, s.docs, s.creds, s.leaked, s.leakedStrict, s.harmless, s.changed)
		total.add(*s)
	}
	fmt.Fprintf(&b, "%-12s %4d %5d %6d %6d %8d %7d\n", "total", total.docs, total.creds, total.leaked, total.leakedStrict, total.harmless, total.changed)
	return b.String(), total
}

// TestBlind2Report prints the second blind set's figures by format, and each leak and change:
// go test ./internal/scrub -run TestBlind2Report -v. "leaked" counts credentials that reached the
// copy in the default mode, "strict" those that reached it in Strict mode; "changed" counts
// harmless units (lines, values, frames) that did not come out byte-identical in the default mode.
//
// Measured blind, before the scrubber was changed for it: 2 of 113 credentials leaked in the
// default mode (none in Strict mode) and 26 of 759 harmless units changed. The scrubber has been
// fixed on this set since, so its figures are no longer blind.
func TestBlind2Report(t *testing.T) {
	table, total := blindTable(scoreBlind())
	t.Log("\n" + table)
	for _, d := range total.details {
		t.Log(d)
	}
}

// failClosedName: the password equals the names around it (MYSQL_PASSWORD=nextcloud): a password
// is replaced wherever it appears, since keeping the same word as a name would show it
// (TestMissedByParserFailsClosed).
const failClosedName = "the password is the same word as these names, and is replaced wherever it appears"

// blind2Left are the harmless units of the set the scrubber still changes, each with why it is
// left.
var blind2Left = map[string]string{
	"CHANGED nextcloud compose: \"    image: nextcloud:apache\"":      failClosedName,
	"CHANGED nextcloud compose: \"      - MYSQL_DATABASE=nextcloud\"": failClosedName,
	"CHANGED nextcloud compose: \"      - MYSQL_USER=nextcloud\"":     failClosedName,
	"FRAME  discourse database.yml: \"  # password: ⟦itisagooddaytovi⟧\\t# if using username/password auth\"": "a value after " +
		"a colon that is not at a line's start runs to the line's end, blanks and '#' included: a password may hold \" #\", " +
		"and a commented-out line's trailing remark is the cheaper loss",
}

// TestBlind2NoRegression: no credential of the set reaches the copy in either mode, and no
// harmless unit changes but those blind2Left names. (The set has been tuned on: this guards the
// fixes, it no longer measures the scrubber blind.)
func TestBlind2NoRegression(t *testing.T) {
	_, total := blindTable(scoreBlind())
	seen := map[string]bool{}
	for _, d := range total.details {
		seen[d] = true
		if _, ok := blind2Left[d]; !ok {
			t.Error(d)
		}
	}
	for d := range blind2Left {
		if !seen[d] {
			t.Errorf("no longer changed, drop it from blind2Left: %s", d)
		}
	}
}

// TestBlind2Set: the set is what it claims to be: at least 40 documents in at least 10 formats,
// every mark closed, every credential present in the input given to the scrubber (so that each
// can leak), and every document with a source.
func TestBlind2Set(t *testing.T) {
	docs := allBlindDocs()
	formats := map[string]bool{}
	for _, d := range docs {
		formats[d.format] = true
		in, _ := runBlind(d, PlainScrub)
		marked := strings.Join(in, "\n")
		if strings.Count(marked, credOpen) != strings.Count(marked, credClose) || strings.Count(marked, credOpen) != len(credsOf(marked)) {
			t.Errorf("%s: unbalanced marks", d.name)
		}
		for _, c := range credsOf(marked) {
			if c == "" || !strings.Contains(unmark(marked), c) {
				t.Errorf("%s: credential %q is not in the input", d.name, c)
			}
		}
		if d.source == "" {
			t.Errorf("%s: no source", d.name)
		}
	}
	if len(docs) < 40 || len(formats) < 10 {
		t.Errorf("%d documents in %d formats; the set needs at least 40 in 10", len(docs), len(formats))
	}
}
