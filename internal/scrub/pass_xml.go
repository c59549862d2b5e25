package scrub

import "strings"

// xmlElements replaces the text of XML elements with sensitive names (<password>x</password>).
// Elements holding other elements are left to the inner ones.
func (sc *scrubber) xmlElements(s string) string {
	if !strings.Contains(s, "</") {
		return s
	}
	var spans []span
	closeAt := map[string]int{} // tag -> position of its next closing tag (-1: none left)
	for i := 0; i < len(s); i++ {
		if s[i] != '<' {
			continue
		}
		j := i + 1
		for j < len(s) && (isKeyChar(s[j]) || s[j] == ':') {
			j++
		}
		if j == i+1 || j >= len(s) {
			continue
		}
		name := s[i+1 : j]
		gt := strings.IndexByte(s[j:], '>')
		if gt < 0 {
			break
		}
		gt += j
		if s[gt-1] == '/' || (j < gt && s[j] != ' ' && s[j] != '\t' && s[j] != '\n') {
			continue
		}
		if !IsSensitiveKey(localName(name)) {
			continue
		}
		c, known := closeAt[name]
		if !known || (c >= 0 && c <= gt) {
			// Search once per tag and position, not once per opening tag: "<password>" repeated
			// without a close would otherwise cost quadratic time.
			c = strings.Index(s[gt+1:], "</"+name)
			if c >= 0 {
				c += gt + 1
			}
			closeAt[name] = c
		}
		if c < 0 {
			continue
		}
		c -= gt + 1
		val := s[gt+1 : gt+1+c]
		if strings.Contains(val, "<") && !strings.HasPrefix(strings.TrimSpace(val), "<![CDATA[") {
			continue
		}
		vs, ve := gt+1, gt+1+c
		if t := strings.TrimSpace(val); strings.HasPrefix(t, "<![CDATA[") && strings.HasSuffix(t, "]]>") {
			vs = strings.Index(s[vs:], "<![CDATA[") + vs + len("<![CDATA[")
			ve = strings.LastIndex(s[:ve], "]]>")
			val = s[vs:ve] // the CDATA section stays, its content is judged
		}
		if !IsSensitive(localName(name), val) || !sc.fresh(val) {
			continue
		}
		spans = append(spans, span{vs, ve, sc.value(val, "xml", name)})
		i = gt + c
	}
	return applySpans(s, spans)
}

func localName(n string) string {
	if c := strings.LastIndexByte(n, ':'); c >= 0 {
		return n[c+1:]
	}
	return n
}
