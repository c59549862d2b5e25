package scrub

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"strings"
)

// escapings lists the escaped forms of v a paste into a URL, a JSON, YAML, XML or HTML document
// or a shell script writes (see sweepTransformations).
func escapings(v string) []string {
	if !strings.ContainsFunc(v, func(r rune) bool { return !(r < 128 && (isAlnum(byte(r)) || strings.ContainsRune("-_.~", r))) }) {
		return nil // nothing to escape: every form is the value itself
	}
	js := jsonEscaped(v, true)
	plainJS := jsonEscaped(v, false)
	return []string{
		url.QueryEscape(v), url.PathEscape(v),
		js, plainJS, strings.ReplaceAll(js, "/", `\/`), strings.ReplaceAll(plainJS, "/", `\/`),
		asciiJSON(plainJS),
		strings.ReplaceAll(v, "'", "''"),   // YAML (and SQL) single-quoted
		strings.ReplaceAll(v, "'", `'\''`), // shell single-quoted
		xmlEscaped(v), html.EscapeString(v),
	}
}

// jsonEscaped is v inside a JSON string, with or without HTML characters escaped (Go escapes
// them by default, most encoders do not).
func jsonEscaped(v string, escapeHTML bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(v)
	s := strings.TrimSuffix(b.String(), "\n")
	return s[1 : len(s)-1]
}

// asciiJSON writes every non-ASCII character of a JSON string as \uXXXX, as Python's json.dumps
// does by default.
func asciiJSON(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x80:
			b.WriteRune(r)
		case r > 0xffff:
			r -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// xmlEscaped is v as XML text or attribute, the five predefined entities used.
func xmlEscaped(v string) string { return xmlEscaper.Replace(v) }

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")
