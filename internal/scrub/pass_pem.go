package scrub

import (
	"strconv"
	"strings"
)

// privateKeys replaces PEM private key blocks of any kind (PKCS#1, PKCS#8, EC, OpenSSH, PGP,
// encrypted) with a generated P-256 PKCS#8 key, keeping the block's indentation and newline style
// (real or JSON-escaped "\n"). A block without an END line is replaced to the end of the text.
func (sc *scrubber) privateKeys(s string) string {
	if !strings.Contains(s, "PRIVATE KEY") {
		return s
	}
	const begin = "-----BEGIN "
	var spans []span
	for i := 0; ; {
		p := strings.Index(s[i:], begin)
		if p < 0 {
			break
		}
		p += i
		labelStart := p + len(begin)
		q := strings.Index(s[labelStart:], "-----")
		if q < 0 {
			break
		}
		label := s[labelStart : labelStart+q]
		if !strings.Contains(label, "PRIVATE KEY") || strings.ContainsAny(label, "\r\n") {
			i = labelStart
			continue
		}
		body := labelStart + q + len("-----")
		end := len(s)
		endLine := "-----END " + label + "-----"
		if e := strings.Index(s[body:], endLine); e >= 0 {
			end = body + e + len(endLine)
		}
		sc.n++
		if sc.seen != nil {
			sc.seen(s[p:end])
		}
		key := string(sc.k.PrivateKeyPEM(sc.scoped("pem", strconv.Itoa(len(spans)))...))
		if sc.pems == nil {
			sc.pems = map[string]bool{}
		}
		sc.pems[squash(key)] = true
		spans = append(spans, span{p, end, reflowPEM(key, s, p, end)})
		i = end
	}
	return applySpans(s, spans)
}

// reflowPEM lays out a generated PEM block like the block it replaces at s[start:end].
func reflowPEM(key, s string, start, end int) string {
	lines := strings.Split(strings.TrimRight(key, "\n"), "\n")
	old := s[start:end]
	switch {
	case strings.Contains(old, "\n"):
		ls := strings.LastIndexByte(s[:start], '\n') + 1
		indent := s[ls:start]
		if strings.Trim(indent, " \t") != "" {
			indent = ""
		}
		nl := "\n"
		if strings.Contains(old, "\r\n") {
			nl = "\r\n"
		}
		return strings.Join(lines, nl+indent)
	case strings.Contains(old, `\n`):
		return strings.Join(lines, `\n`)
	}
	return strings.Join(lines, " ")
}

// isGeneratedPEM reports whether v is exactly a private key the privateKeys pass generated (as
// laid out in the text), which needs no second replacement.
func (sc *scrubber) isGeneratedPEM(v string) bool {
	if len(sc.pems) == 0 || !strings.Contains(v, "PRIVATE KEY") {
		return false
	}
	return sc.pems[squash(v)]
}

// squash drops whitespace and escaped newlines, so a PEM block compares equal however it is
// indented or escaped.
func squash(v string) string {
	v = strings.NewReplacer(`\n`, "", `\r`, "").Replace(v)
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, v)
}

// separatorAt checks that s[i] ('=' or ':') separates a key from a value, returning where the

// puttyKeys replaces the private part of PuTTY key files (PuTTY-User-Key-File-2/3): the base64
// lines after "Private-Lines: N" and the Private-MAC. The public part stays.
func (sc *scrubber) puttyKeys(s string) string {
	if !strings.Contains(s, "PuTTY-User-Key-File-") {
		return s
	}
	var spans []span
	lines := splitLines(s)
	for i := 0; i < len(lines); i++ {
		t := strings.TrimSpace(s[lines[i].start:lines[i].end])
		switch {
		case strings.HasPrefix(t, "Private-Lines:"):
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(t, "Private-Lines:")))
			if err != nil {
				continue
			}
			for j := i + 1; j <= i+n && j < len(lines); j++ {
				if v := s[lines[j].start:lines[j].end]; strings.TrimSpace(v) != "" && sc.fresh(v) {
					spans = append(spans, span{lines[j].start, lines[j].end, sc.value(v, "putty", strconv.Itoa(j-i))})
				}
			}
		case strings.HasPrefix(t, "Private-MAC:"), strings.HasPrefix(t, "Private-Hash:"):
			c := lines[i].start + strings.IndexByte(s[lines[i].start:lines[i].end], ':') + 1
			c = skipBlanks(s, c)
			if v := s[c:lines[i].end]; v != "" && sc.fresh(v) {
				spans = append(spans, span{c, lines[i].end, sc.value(v, "putty", "mac")})
			}
		}
	}
	return applySpans(s, spans)
}
