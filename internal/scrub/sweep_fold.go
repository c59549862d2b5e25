package scrub

import "strings"

// A long value pasted into configuration is often broken over lines: wrapped at a width (base64,
// PEM-like blobs), continued with a backslash (properties, shell), indented under a YAML key, or
// split with JSON's \n escape. The sweep joins such lines before looking: a fold point is a line
// break (\n or \r\n, possibly after a backslash) with the next line's indentation, or a \n (\r\n)
// escape with the blanks after it. Only pieces that are one token each are joined (a line
// holding blanks is prose or a key: value, not part of a folded value), each run with the last
// token of the line before it.

// foldPiece is a piece of a folded run: s[start:end], the run's text.
type foldPiece struct{ start, end int }

// foldRuns returns the runs of pieces of s that fold points separate, each of two or more
// pieces, the first starting at the last token of its line.
func foldRuns(s string) [][]foldPiece {
	var runs [][]foldPiece
	var run []foldPiece // reused: runs are rare, most lines hold blanks
	prevStart, prevEnd := 0, 0
	for pos := 0; pos <= len(s); {
		end, next := nextFold(s, pos)
		switch {
		case !foldedPiece(s[pos:end]):
			if len(run) > 1 {
				runs = append(runs, append([]foldPiece(nil), run...))
			}
			run = run[:0]
		case len(run) == 0:
			if t := lastToken(s[prevStart:prevEnd]); t != "" {
				run = append(run, foldPiece{prevEnd - len(t), prevEnd})
			}
			run = append(run, foldPiece{pos, end})
		default:
			run = append(run, foldPiece{pos, end})
		}
		prevStart, prevEnd = pos, end
		if next < 0 {
			break
		}
		pos = next
	}
	if len(run) > 1 {
		runs = append(runs, run)
	}
	return runs
}

// nextFold finds the fold point after pos: it returns where the piece before it ends and where
// the next piece starts (-1 at the end of s).
func nextFold(s string, pos int) (int, int) {
	for i := pos; i < len(s); i++ {
		nl := strings.IndexByte(s[i:], '\n')
		lim := len(s)
		if nl >= 0 {
			lim = i + nl + 1
		}
		if bs := strings.IndexByte(s[i:lim], '\\'); bs >= 0 {
			i += bs
		} else if nl >= 0 {
			i += nl
		} else {
			break
		}
		switch {
		case s[i] == '\n':
			end := i
			if end > pos && s[end-1] == '\r' {
				end--
			}
			if end > pos && s[end-1] == '\\' {
				end--
			}
			return end, skipBlanks(s, i+1)
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == 'n':
			next := i + 2
			return trimEscapedCR(s, pos, i), skipBlanks(s, next)
		}
	}
	return len(s), -1
}

// trimEscapedCR drops a \r escape before a \n escape.
func trimEscapedCR(s string, pos, i int) int {
	if i-2 >= pos && s[i-2:i] == `\r` {
		return i - 2
	}
	return i
}

// lastToken returns the end of a piece after its last blank, quote or separator: where a value
// that continues on the next line starts.
func lastToken(piece string) string {
	i := len(piece)
	for i > 0 && !isTokenStop(piece[i-1]) {
		i--
	}
	return piece[i:]
}

func isTokenStop(c byte) bool {
	switch c {
	case ' ', '\t', '"', '\'', '=', ':', ',', ';', '(', '[', '{':
		return true
	}
	return false
}

// foldedSpans finds known values across the fold points of s and returns their replacements,
// spread over the pieces they cover so that the lines keep their layout.
func (sw *Sweep) foldedSpans(s string, depth int) []span {
	if !strings.Contains(s, "\n") && !strings.Contains(s, `\n`) {
		return nil
	}
	var spans []span
	for _, run := range foldRuns(s) {
		var b strings.Builder
		at := make([]int, 0, 64) // at[i]: the index in s of the joined text's byte i
		for _, p := range run {
			b.WriteString(s[p.start:p.end])
			for j := p.start; j < p.end; j++ {
				at = append(at, j)
			}
		}
		joined := b.String()
		occ := sw.m.find(joined)
		runsDone := map[int]span{}
		for _, o := range occ {
			if at[o.end-1]-at[o.start] == o.end-1-o.start {
				continue // within one piece: the direct search found it
			}
			sp := sw.replacement(joined, o, depth, runsDone)
			spans = append(spans, spread(s, run, at, sp)...)
		}
	}
	return spans
}

// spread writes a replacement of joined[sp.start:sp.end] over the pieces of s it covers: each
// piece gets as many bytes as it had, the last one the rest.
func spread(s string, run []foldPiece, at []int, sp span) []span {
	first, last := at[sp.start], at[sp.end-1]+1
	var segs []foldPiece
	for _, p := range run {
		if start, end := max(p.start, first), min(p.end, last); start < end {
			segs = append(segs, foldPiece{start, end})
		}
	}
	out := make([]span, 0, len(segs))
	repl := sp.repl
	for i, seg := range segs {
		n := min(seg.end-seg.start, len(repl))
		if i == len(segs)-1 {
			n = len(repl)
		}
		out = append(out, span{seg.start, seg.end, repl[:n]})
		repl = repl[n:]
	}
	return out
}

// foldedPiece reports a line that can continue a folded value: one token of the characters
// values and their encodings are written with, not a YAML key ("database:") or a brace.
func foldedPiece(p string) bool {
	for len(p) > 0 && strings.IndexByte(`"'}]),;`, p[len(p)-1]) >= 0 {
		p = p[:len(p)-1] // the last piece may close a string or a collection
	}
	if p == "" || p[len(p)-1] == ':' {
		return false
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; !isAlnum(c) && strings.IndexByte("+/=_-.~%:@!*&?", c) < 0 {
			return false
		}
	}
	return true
}
