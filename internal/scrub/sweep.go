package scrub

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/url"
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
// value the operator read from a prod Secret is looked for in every string of every object, as
// is, in base64 (standard and URL alphabets, padded or not, at any alignment inside a longer
// encoding), in hex (either case) and URL- or JSON-escaped.
//
// Besides each whole value, its parts are looked for: trimmed lines, the values of KEY=VALUE and
// key: value lines, the string leaves of JSON and YAML documents (docker config auths decoded),
// URL passwords, the body lines of PEM private keys, and whatever the text scanner would replace.
// Exempt by rule: values shorter than six bytes, booleans and null, numbers of up to six digits,
// a handful of well-known default passwords (guessable, and replacing "postgres" everywhere would
// break image names and URL schemes), public PEM blocks (certificates, public keys), and values
// of non-sensitive keys that are proven harmless by shape (host names, URLs without userinfo,
// paths, enum-like words): Secrets often carry a host or a user name beside the password. Values
// of keys kept by an explicit Keep rule are exempt as well: the copy carries them on purpose.
//
// Replacements come from the Keyring, scoped by the first Secret and key (in name order) that
// holds the value, so repeated reconciles write the same bytes and nothing is derived from the
// prod value itself.
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
	for i, v := range sw.values {
		if keptText[v.plain] {
			continue
		}
		for _, f := range encodings(v.plain) {
			patterns = append(patterns, f.text)
			sw.forms = append(sw.forms, sweepForm{value: int32(i), kind: f.kind})
		}
	}
	sw.m = newMatcher(patterns)
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
}

// encodings lists the forms of v the sweep looks for. For base64, the groups that lie wholly
// inside v are encoded at each of the three alignments v can have inside a longer encoded text,
// so "user:" + v or a whole docker config is caught as well.
func encodings(v string) []encoded {
	out := []encoded{{v, formPlain}}
	h := hex.EncodeToString([]byte(v))
	out = append(out, encoded{h, formHexLower})
	if up := strings.ToUpper(h); up != h {
		out = append(out, encoded{up, formHexUpper})
	}
	for s := 0; s < 3 && s < len(v); s++ {
		n := (len(v) - s) / 3 * 3
		if n < 6 {
			continue
		}
		std := base64.RawStdEncoding.EncodeToString([]byte(v[s : s+n]))
		out = append(out, encoded{std, formBase64Std})
		if u := base64.RawURLEncoding.EncodeToString([]byte(v[s : s+n])); u != std {
			out = append(out, encoded{u, formBase64URL})
		}
	}
	esc := map[string]bool{v: true}
	js, _ := json.Marshal(v)
	for _, e := range []string{url.QueryEscape(v), url.PathEscape(v), string(js[1 : len(js)-1]), strings.ToLower(url.QueryEscape(v))} {
		if !esc[e] {
			esc[e] = true
			out = append(out, encoded{e, formEscaped})
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

// String returns s with every known value replaced, and how many replacements were made.
func (sw *Sweep) String(s string) (string, int) { return sw.sweep(s, 0) }

func (sw *Sweep) sweep(s string, depth int) (string, int) {
	if sw == nil {
		return s, 0
	}
	occ := sw.m.find(s)
	if len(occ) == 0 {
		return s, 0
	}
	spans := make([]span, 0, len(occ))
	runs := map[int]span{} // encoded runs already re-encoded, by start: one decode per run
	for _, o := range occ {
		spans = append(spans, sw.replacement(s, o, depth, runs))
	}
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
	case formHexLower:
		return sw.recode(s, o, depth, runs, hexCodec(false), hex.EncodeToString([]byte(v.repl)))
	case formHexUpper:
		return sw.recode(s, o, depth, runs, hexCodec(true), strings.ToUpper(hex.EncodeToString([]byte(v.repl))))
	case formBase64Std, formBase64URL:
		return sw.recode(s, o, depth, runs, base64Codec(f.kind == formBase64URL), sameLength(v.repl, o.end-o.start))
	}
	return span{o.start, o.end, v.repl}
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
