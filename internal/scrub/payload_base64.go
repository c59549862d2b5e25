package scrub

import (
	"encoding/base64"
	"strings"
)

// base64Payload opens a value that is base64 of a document or an archive (a configuration
// file kept encoded, a Helm release stored in a ConfigMap: base64 of gzip of JSON), scrubs what
// it holds, and encodes the result the way the value was encoded (alphabet, padding, line
// width). ok is false when the value is not such base64, or holds a single token or binary data:
// those are judged as the token they are.
func (d *docScrubber) base64Payload(v, name string) (string, bool) {
	t := strings.TrimSpace(v)
	if len(t) < 24 || d.depth >= maxDocDepth || !base64Text(t) {
		return "", false
	}
	enc, width := base64Shape(t)
	dec, err := enc.DecodeString(strings.Join(strings.Fields(t), ""))
	if err != nil {
		return "", false
	}
	switch kind := payloadKind(dec); kind {
	case "gzip", "tar", "zip":
	case "utf16":
		if !documentText(decodeUTF16(dec)) {
			return "", false
		}
	case "text", "latin1":
		if !documentText(latin1Text.decode(dec)) {
			return "", false
		}
	case "utf16 or latin1":
		if !documentText(decodeUTF16(dec)) && !documentText(latin1Text.decode(dec)) {
			return "", false
		}
	default:
		return "", false
	}
	mode := PlainScrub
	if d.strict {
		mode = PlainStrict
	}
	p := payloadScrubber{in: PlainInput{Keyring: d.sc.k, Mode: mode}, key: name, scope: d.sc.scoped("base64", name)}
	p.expanded = maxExpanded - maxExpanded/4 // a value inside a value gets a quarter of the bound
	out := p.bytes(dec, lastSegment(name), d.depth+1)
	d.sc.n += int(p.n)
	for _, u := range p.uncertain {
		u.Path = joinPath(name, u.Path)
		d.sc.uncertain = append(d.sc.uncertain, u)
	}
	if sameBytes(out, dec) {
		return v, true
	}
	return v[:strings.Index(v, t[:1])] + wrapLines(enc.EncodeToString(out), width, t) + v[len(strings.TrimRight(v, " \t\r\n")):], true
}

// base64Text: letters, digits and one alphabet's two symbols, '=' padding at the end only, and
// line breaks.
func base64Text(t string) bool {
	std, url := false, false
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case isAlnum(c), c == '\n', c == '\r':
		case c == '+' || c == '/':
			std = true
		case c == '-' || c == '_':
			url = true
		case c == '=':
			if strings.TrimRight(t[i:], "=\r\n") != "" {
				return false
			}
		default:
			return false
		}
	}
	return !(std && url)
}

// base64Shape returns the encoding a base64 text uses and the width of its lines (0: one line).
func base64Shape(t string) (*base64.Encoding, int) {
	url := strings.ContainsAny(t, "-_")
	padded := strings.HasSuffix(t, "=") || len(strings.Join(strings.Fields(t), ""))%4 == 0
	enc := base64.StdEncoding
	switch {
	case url && padded:
		enc = base64.URLEncoding
	case url:
		enc = base64.RawURLEncoding
	case !padded:
		enc = base64.RawStdEncoding
	}
	width := 0
	if nl := strings.IndexByte(t, '\n'); nl >= 0 {
		width = len(strings.TrimRight(t[:nl], "\r"))
	}
	return enc, width
}

// wrapLines breaks s into lines of width, with like's line ending.
func wrapLines(s string, width int, like string) string {
	if width <= 0 {
		return s
	}
	nl := "\n"
	if strings.Contains(like, "\r\n") {
		nl = "\r\n"
	}
	var b strings.Builder
	for len(s) > width {
		b.WriteString(s[:width] + nl)
		s = s[width:]
	}
	b.WriteString(s)
	return b.String()
}

// documentText reports decoded text that is a document (several lines, or a JSON, YAML, XML
// or properties shape) rather than a single token.
func documentText(s string) bool {
	t := strings.TrimSpace(s)
	if t == "" {
		return false
	}
	return strings.Contains(t, "\n") || structured(t) || t[0] == '<' || (strings.ContainsAny(t, "=:") && strings.Contains(t, " "))
}
