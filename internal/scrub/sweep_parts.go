package scrub

import (
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// part is a piece of a prod Secret value the sweep looks for: the value itself or something it
// holds. key is the name the piece is stored under (the Secret key, a JSON/YAML field, the KEY
// of KEY=VALUE), which decides whether a harmless-looking piece is exempt.
type part struct {
	id, key, text string
}

// maxPartsInput bounds the values whose structure is examined; longer values are still looked
// for whole (and by their lines).
const maxPartsInput = 1 << 20

// secretParts lists value and its parts: the whole value and its trimmed form, each trimmed line
// and the value of KEY=VALUE / key: value lines, JSON and YAML string leaves (docker config auths
// decoded to user:password), PEM blocks and their body lines, and the values the text scanner
// would replace (URL passwords and token users among them).
func secretParts(key string, value []byte, k Keyring) []part {
	s := string(value)
	out := []part{{"", key, s}, {"trim", key, strings.TrimSpace(s)}}
	if len(s) > maxPartsInput || publicMaterial(s) {
		return out
	}
	if strings.ContainsAny(s, "\n") {
		inPEM := false
		for i, line := range strings.Split(s, "\n") {
			t := strings.TrimSpace(line)
			// A private key's body lines are looked for joined (pemSweepParts): one line of
			// it can be a line of its certificate, which holds the same public key.
			switch {
			case strings.HasPrefix(t, "-----BEGIN "):
				inPEM = true
				continue
			case strings.HasPrefix(t, "-----END "):
				inPEM = false
				continue
			case inPEM:
				continue
			}
			out = append(out, part{"line/" + strconv.Itoa(i), key, t})
			if name, val, ok := cutLinePair(t); ok {
				out = append(out, part{"line/" + strconv.Itoa(i) + "/value", name, val})
			}
		}
	} else if name, val, ok := cutLinePair(strings.TrimSpace(s)); ok && !strings.Contains(s, "://") {
		out = append(out, part{"pair", name, val})
	}
	out = append(out, documentLeaves(key, s)...)
	out = append(out, pemSweepParts(s)...)
	// Whatever the text scanner would replace in the value (URL passwords, pairs, flags,
	// headers, tokens) is a part too.
	n := 0
	sc := &scrubber{k: k, scope: []string{"parts"}, seen: func(orig string) {
		out = append(out, part{"text/" + strconv.Itoa(n), "secret", orig})
		n++
	}}
	sc.textPasses(s, false)
	return out
}

// cutLinePair splits "KEY=VALUE", "export KEY=VALUE", "key: value" and "user:password" (one
// token, one colon), unquoting the value.
func cutLinePair(line string) (string, string, bool) {
	line = strings.TrimPrefix(line, "export ")
	if i := strings.IndexAny(line, "=:"); i > 0 {
		name := strings.TrimSpace(line[:i])
		val := strings.TrimSpace(line[i+1:])
		if strings.ContainsAny(name, " \t") || val == "" {
			return "", "", false
		}
		if uq, err := strconv.Unquote(val); err == nil {
			val = uq
		} else if len(val) >= 2 && val[0] == '\'' && val[len(val)-1] == '\'' {
			val = val[1 : len(val)-1]
		}
		return name, val, true
	}
	return "", "", false
}

// documentLeaves returns the scalar leaves of a JSON or YAML document, each under its own field
// name; an "auth" leaf that is base64 of user:password (docker configs) adds both.
func documentLeaves(key, s string) []part {
	t := strings.TrimSpace(s)
	if t == "" || !(t[0] == '{' || t[0] == '[' || strings.Contains(t, ":\n") || strings.Contains(t, ": ")) {
		return nil
	}
	var doc any
	if err := yaml.Unmarshal([]byte(s), &doc); err != nil {
		return nil
	}
	var out []part
	var walk func(path, name string, v any)
	walk = func(path, name string, v any) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(path+"/"+k, k, x[k])
			}
		case []any:
			for i, e := range x {
				walk(path+"/"+strconv.Itoa(i), name, e)
			}
		case string:
			out = append(out, part{"doc" + path, name, x})
			if name == "auth" {
				if dec, err := base64.StdEncoding.DecodeString(x); err == nil {
					out = append(out, part{"doc" + path + "/decoded", "auth", string(dec)})
					if _, pw, ok := strings.Cut(string(dec), ":"); ok {
						out = append(out, part{"doc" + path + "/password", "password", pw})
					}
				}
			}
		case nil, bool:
		default:
			out = append(out, part{"doc" + path, name, fmt.Sprint(x)})
		}
	}
	walk("", key, doc)
	return out
}

// privatePEMBlocks returns the PEM blocks of s that are not public key material (a block
// labelled a certificate that does not parse as one counts as private).
func privatePEMBlocks(s string) []string {
	var out []string
	const begin = "-----BEGIN "
	for i := 0; ; {
		p := strings.Index(s[i:], begin)
		if p < 0 {
			return out
		}
		p += i
		label, _, ok := strings.Cut(s[p+len(begin):], "-----")
		if !ok {
			return out
		}
		endLine := "-----END " + label + "-----"
		e := strings.Index(s[p:], endLine)
		if e < 0 {
			return out
		}
		block := s[p : p+e+len(endLine)]
		i = p + e + len(endLine)
		if !parsedPublicPEM(block) {
			out = append(out, block)
		}
	}
}

// pemParts returns each private PEM block and the base64 lines of its body: what the text
// scanner's safety net replaces wherever a misread document left it.
func pemParts(s string) []part {
	var out []part
	for n, block := range privatePEMBlocks(s) {
		id := "pem/" + strconv.Itoa(n)
		out = append(out, part{id, "private.key", block})
		for j, line := range strings.Split(block, "\n") {
			if t := strings.TrimSpace(line); len(t) >= 16 && !strings.Contains(t, ":") && !strings.HasPrefix(t, "-----") {
				out = append(out, part{id + "/" + strconv.Itoa(j), "private.key", t})
			}
		}
	}
	return out
}

// pemSweepParts returns each private PEM block and its body joined into one line, which the
// sweep finds however the copy lays it out (re-indented, re-wrapped, JSON-escaped: see
// sweep_fold.go). Its lines are not looked for one by one: a private key's encoding holds its
// public key, and a line of it can be a line of the matching certificate's.
func pemSweepParts(s string) []part {
	var out []part
	for n, block := range privatePEMBlocks(s) {
		id := "pem/" + strconv.Itoa(n)
		var body strings.Builder
		for _, line := range strings.Split(block, "\n") {
			if t := strings.TrimSpace(line); t != "" && !strings.Contains(t, ":") && !strings.HasPrefix(t, "-----") {
				body.WriteString(t)
			}
		}
		out = append(out, part{id, "private.key", block}, part{id + "/body", "private.key", body.String()})
	}
	return out
}
