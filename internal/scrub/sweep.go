package scrub

import (
	"encoding/base64"
	"encoding/hex"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// minSweepLen: values (and encodings) shorter than this are not looked for. Shorter values are
// too likely to occur by chance for a blind replacement to be safe.
const minSweepLen = 6

// maxSweepDepth bounds how deep encodings are unwrapped (base64 of hex of a value...).
const maxSweepDepth = 2

// Sweep replaces every known prod Secret value wherever it appears in the copy. It is the
// guarantee behind "no prod Secret value in the copy": whatever the scrubbers recognise or miss, a
// value the operator read from a prod Secret is looked for in every string of every object.
//
// The transformations it covers, each alone (the encoded ones also nested, up to two levels):
//   - the value as it is, and in any ASCII case (upper, lower, capitalised, mixed) when it holds
//     a digit or a symbol or is 16 bytes or longer (see foldable);
//   - hex, either case; base64, standard and URL alphabets, padded or not, at any alignment
//     inside a longer encoding (user:value, a whole docker config, the value and a newline as
//     echo | base64 writes it), and base64 of the value's own base64;
//   - URL query and path escaping (percent escapes in either case);
//   - JSON string escaping (HTML characters escaped or not, slashes escaped as \/ or not,
//     non-ASCII as \uXXXX), YAML's and SQL's single quotes (”), shell single quotes ('\”),
//     XML's five entities and HTML escaping;
//   - line folding: the value (or its base64) broken over lines, indented or not, with \n or
//     \r\n, a backslash continuation, or JSON's \n escape between the pieces (sweep_fold.go).
//
// Besides each whole value, its parts are looked for: trimmed lines, the values of KEY=VALUE and
// key: value lines, the string leaves of JSON and YAML documents (docker config auths decoded),
// URL passwords, private PEM blocks and their bodies, and whatever the text scanner would replace.
// What is not looked for, and why, is listed in sweep_exempt.go (sweepExemption): values shorter
// than six bytes, numbers of up to six digits, well-known default passwords, PEM armour lines,
// public key material, values harmless whatever their key, and plain settings (host and user
// names, URLs without credentials, enum-like words) under keys that name no secret. Values of
// keys kept by an explicit Keep rule are exempt as well: the copy carries them on purpose.
//
// Replacements come from the Keyring, scoped by the first Secret and key (in name order) that
// holds the value, so repeated reconciles write the same bytes and nothing is derived from the
// prod value itself; a value found in another case gets its stand-in in that case.
type Sweep struct {
	values   []sweptValue
	forms    []sweepForm // per matcher pattern
	m        *matcher
	kept     map[string]bool // "secret/key" kept by rule
	keyring  Keyring
	maxDepth int
}

// sweptValue is one prod value (or part) the sweep looks for.
type sweptValue struct {
	plain string
	repl  string
}

type formKind uint8

const (
	formPlain formKind = iota
	formHexLower
	formHexUpper
	formBase64Std
	formBase64URL
	formEscaped
)

type sweepForm struct {
	value int32
	kind  formKind
}

// NewSweep collects the values of prod's Secrets. kept lists the "secret/key"s whose prod value
// the copy carries on purpose (SecretsResult.Verbatim); their values, and every part of them,
// are not looked for.
func NewSweep(prod []corev1.Secret, keyring Keyring, kept []string) *Sweep {
	sw := &Sweep{kept: map[string]bool{}, keyring: keyring, maxDepth: maxSweepDepth}
	for _, k := range kept {
		sw.kept[k] = true
	}
	secrets := make([]*corev1.Secret, len(prod))
	for i := range prod {
		secrets[i] = &prod[i]
	}
	sort.SliceStable(secrets, func(i, j int) bool { return secrets[i].Name < secrets[j].Name })

	keptText := map[string]bool{}
	index := map[string]int{}
	for _, sec := range secrets {
		for _, key := range sortedKeys(sec.Data) {
			isKept := sw.kept[sec.Name+"/"+key]
			for _, p := range secretParts(key, sec.Data[key], keyring) {
				if exemptFromSweep(p) {
					continue
				}
				if isKept {
					keptText[p.text] = true
					continue
				}
				if _, seen := index[p.text]; seen {
					continue
				}
				index[p.text] = len(sw.values)
				sw.values = append(sw.values, sweptValue{plain: p.text, repl: sweepReplacement(keyring, p.text, sec.Name, key, p.id)})
			}
		}
	}
	var patterns []string
	var fold []bool
	for i, v := range sw.values {
		if keptText[v.plain] {
			continue
		}
		for _, f := range encodings(v.plain) {
			patterns = append(patterns, f.text)
			fold = append(fold, f.fold)
			sw.forms = append(sw.forms, sweepForm{value: int32(i), kind: f.kind})
		}
	}
	sw.m = newMatcher(patterns, fold)
	return sw
}

// Len is how many distinct values the sweep looks for.
func (sw *Sweep) Len() int { return len(sw.values) }

// sweepReplacement is the stand-in for a prod value: digits for digits (so numbers stay numbers),
// else a Keyring value.
func sweepReplacement(k Keyring, plain string, scope ...string) string {
	scope = append([]string{"sweep"}, scope...)
	if allDigits(plain) && len(plain) <= 64 {
		return k.digits(len(plain), scope...)
	}
	return k.Value(scope...)
}

type encoded struct {
	text string
	kind formKind
	fold bool // may match in another ASCII case
}

// encodings lists the forms of v the sweep looks for (see sweepTransformations). For base64,
// the groups that lie wholly inside v are encoded at each of the three alignments v can have
// inside a longer encoded text, so "user:" + v or a whole docker config is caught as well.
func encodings(v string) []encoded {
	fold := foldable(v)
	out := []encoded{{v, formPlain, fold}, {hex.EncodeToString([]byte(v)), formHexLower, true}}
	out = append(out, base64Forms(v)...)
	if b := base64.StdEncoding.EncodeToString([]byte(v)); len(b) >= 9 {
		// base64 of the value's own base64 (a value encoded twice): the outer encoding's groups.
		out = append(out, encoded{base64.RawStdEncoding.EncodeToString([]byte(b[:len(b)/3*3])), formBase64Std, false})
	}
	seen := map[string]bool{v: true}
	for _, e := range escapings(v) {
		if !seen[e] {
			seen[e] = true
			out = append(out, encoded{e, formEscaped, fold})
		}
	}
	kept := out[:0]
	for _, e := range out {
		if len(e.text) >= minSweepLen {
			kept = append(kept, e)
		}
	}
	return kept
}

// base64Forms: the groups wholly inside v, at the three alignments, in both alphabets.
func base64Forms(v string) []encoded {
	var out []encoded
	for s := 0; s < 3 && s < len(v); s++ {
		n := (len(v) - s) / 3 * 3
		if n < 6 {
			continue
		}
		std := base64.RawStdEncoding.EncodeToString([]byte(v[s : s+n]))
		out = append(out, encoded{std, formBase64Std, false})
		if u := base64.RawURLEncoding.EncodeToString([]byte(v[s : s+n])); u != std {
			out = append(out, encoded{u, formBase64URL, false})
		}
	}
	return out
}

// foldable reports a value looked for in any ASCII case: one with a digit or a symbol, or of 16
// bytes or more. A short value of letters only is a word ("Production"), which ordinary text
// holds in another case too often for a blind replacement.
func foldable(v string) bool {
	if len(v) >= 16 {
		return true
	}
	for i := 0; i < len(v); i++ {
		if !isLetter(v[i]) {
			return true
		}
	}
	return false
}

// String returns s with every known value replaced, and how many replacements were made.
func (sw *Sweep) String(s string) (string, int) { return sw.sweep(s, 0) }

func (sw *Sweep) sweep(s string, depth int) (string, int) {
	if sw == nil {
		return s, 0
	}
	occ := sw.m.find(s)
	var folded []span
	if depth == 0 {
		folded = sw.foldedSpans(s, depth)
	}
	if len(occ) == 0 && len(folded) == 0 {
		return s, 0
	}
	spans := make([]span, 0, len(occ)+len(folded))
	runs := map[int]span{} // encoded runs already re-encoded, by start: one decode per run
	for _, o := range occ {
		spans = append(spans, sw.replacement(s, o, depth, runs))
	}
	spans = append(spans, folded...)
	sort.SliceStable(spans, func(i, j int) bool {
		if spans[i].start != spans[j].start {
			return spans[i].start < spans[j].start
		}
		return spans[i].end > spans[j].end
	})
	return applySpans(s, spans), countDisjoint(spans)
}

func countDisjoint(spans []span) int {
	n, end := 0, -1
	for _, sp := range spans {
		if sp.start >= end {
			n++
		}
		end = max(end, sp.end)
	}
	return n
}

// replacement is the span replacing occurrence o: the value's stand-in in the same encoding.
// Base64 and hex occurrences are replaced by re-encoding the whole encoded run they sit in, swept
// in decoded form, so the text stays decodable (a docker config's auth becomes base64 of
// "user:<stand-in>"); when the run cannot be decoded to the value, the occurrence alone is
// replaced by stand-in characters of the same alphabet and length.
func (sw *Sweep) replacement(s string, o occurrence, depth int, runs map[int]span) span {
	f := sw.forms[o.pattern]
	v := &sw.values[f.value]
	switch f.kind {
	case formHexLower, formHexUpper:
		upper := f.kind == formHexUpper || strings.ToUpper(s[o.start:o.end]) == s[o.start:o.end]
		h := hex.EncodeToString([]byte(v.repl))
		if upper {
			h = strings.ToUpper(h)
		}
		return sw.recode(s, o, depth, runs, hexCodec(upper), h)
	case formBase64Std, formBase64URL:
		return sw.recode(s, o, depth, runs, base64Codec(f.kind == formBase64URL), sameLength(v.repl, o.end-o.start))
	}
	if o.folded {
		return span{o.start, o.end, matchCase(v.repl, s[o.start:o.end])}
	}
	return span{o.start, o.end, v.repl}
}

// matchCase writes a stand-in in the case an occurrence was written in: upper- or lower-cased
// text gets an upper- or lower-cased stand-in.
func matchCase(repl, like string) string {
	switch {
	case strings.ToUpper(like) == like:
		return strings.ToUpper(repl)
	case strings.ToLower(like) == like:
		return strings.ToLower(repl)
	}
	return repl
}

// Object sweeps an object in unstructured form (as runtime.DefaultUnstructuredConverter makes
// it) in place: every string value at any depth, and every map key, labels and annotations
// included. The data of a v1 Secret is skipped for the keys a Keep rule names (the copy carries
// that value on purpose), matched by the Secret's name and key. It returns how many replacements
// were made.
func (sw *Sweep) Object(u map[string]any) int {
	if sw == nil || u == nil {
		return 0
	}
	name := ""
	if md, ok := u["metadata"].(map[string]any); ok {
		name, _ = md["name"].(string)
	}
	skip := func(string) bool { return false }
	if u["kind"] == "Secret" && u["apiVersion"] == "v1" {
		skip = func(key string) bool { return sw.kept[name+"/"+key] }
	}
	n := 0
	for k, v := range u {
		if k == "data" || k == "stringData" {
			if m, ok := v.(map[string]any); ok {
				n += sw.mapValues(m, skip)
				continue
			}
		}
		u[k], n = sw.any(v, n)
	}
	return n
}

// mapValues sweeps a map's keys and values in place, leaving the entries skip names alone.
func (sw *Sweep) mapValues(m map[string]any, skip func(key string) bool) int {
	n := 0
	for _, k := range sortedKeys(m) {
		if skip(k) {
			continue
		}
		v := m[k]
		nk, c := sw.String(k)
		n += c
		if nk != k {
			delete(m, k)
		}
		m[nk], n = sw.any(v, n)
	}
	return n
}

// any sweeps one unstructured value, adding its replacements to n.
func (sw *Sweep) any(v any, n int) (any, int) {
	switch x := v.(type) {
	case string:
		out, c := sw.String(x)
		return out, n + c
	case map[string]any:
		return x, n + sw.mapValues(x, func(string) bool { return false })
	case []any:
		for i := range x {
			x[i], n = sw.any(x[i], n)
		}
		return x, n
	}
	return v, n
}
