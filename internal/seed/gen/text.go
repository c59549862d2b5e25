package gen

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"
)

// TextRecipe generates strings from a producer, fitted to length limits; with unique, a suffix
// derived from the row number makes every value distinct (see appendUnique).
type TextRecipe struct {
	Seed     uint64
	Produce  textFn
	MinLen   int
	MaxLen   int // 0: unlimited
	MaxBytes int // 0: unlimited (octet_length bounds)
	// Width is the average length in bytes to aim for (prod's), 0 for the producer's own: each
	// row aims at a length between half and one and a half times it.
	Width        int
	Unique       bool
	EmailStyle   bool // unique suffix before the '@'
	NullPermille int
}

type textGen struct {
	r       *TextRecipe
	rr      *rowRand
	scratch []byte
}

func (r *TextRecipe) Instantiate(*InstContext) ValueGen {
	return &textGen{r: r, rr: newRowRand(r.Seed)}
}

func (g *textGen) AppendValue(dst []byte, row int64) []byte {
	rr := g.rr
	rr.at(row)
	if rr.chance(g.r.NullPermille) {
		return append(dst, nullText...)
	}
	s := g.r.Produce(rr, g.scratch[:0])
	if g.r.Width > 0 {
		s = fitWidth(s, rr, rr.between(int64(g.r.Width)/2, int64(g.r.Width)*3/2))
	}
	for i := 0; i < 64 && utf8.RuneCount(s) < g.r.MinLen; i++ {
		s = append(s, ' ')
		s = fastWord(rr, s)
	}
	if g.r.Unique {
		s = appendUnique(s, row, g.r.MaxLen, g.r.EmailStyle)
	} else if g.r.MaxLen > 0 {
		s = truncateRuneBytes(s, g.r.MaxLen)
	}
	if g.r.MaxBytes > 0 && len(s) > g.r.MaxBytes {
		s = truncateBytes(s, g.r.MaxBytes)
	}
	g.scratch = s
	return appendEscapedBytes(dst, s)
}

func appendEscapedBytes(dst, s []byte) []byte {
	for _, c := range s {
		if c == '\\' || c == '\t' || c == '\n' || c == '\r' {
			return appendEscaped(dst, string(s))
		}
	}
	return append(dst, s...)
}

// truncateRuneBytes cuts s to at most n characters.
func truncateRuneBytes(s []byte, n int) []byte {
	if len(s) <= n {
		return s
	}
	count := 0
	for i := 0; i < len(s); {
		if count == n {
			return s[:i]
		}
		_, size := utf8.DecodeRune(s[i:])
		i += size
		count++
	}
	return s
}

// fitWidth brings s to about target bytes: more words when it is shorter, cut at a word's end
// when it is longer.
func fitWidth(s []byte, rr *rowRand, target int64) []byte {
	for int64(len(s)) < target {
		s = append(s, ' ')
		s = fastWord(rr, s)
	}
	if int64(len(s)) > target {
		cut := truncateBytes(s, int(target))
		if sp := bytes.LastIndexByte(cut, ' '); sp > 0 {
			cut = cut[:sp]
		}
		s = cut
	}
	return s
}

// truncateBytes cuts s to at most n bytes without splitting a character.
func truncateBytes(s []byte, n int) []byte {
	for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

const base36 = "0123456789abcdefghijklmnopqrstuvwxyz"

// appendUnique makes s distinct for each row: it appends "-" and the row number in base 36 (for
// emails "+row" before the '@'). The suffix is the text after the last separator and holds no
// separator itself, so two rows never collide whatever the base strings are, even after case
// folding (lower(email) indexes). When the limit leaves no room for a suffix, the value is the
// row number alone, padded to the limit.
func appendUnique(s []byte, row int64, maxLen int, emailStyle bool) []byte {
	var sufBuf [16]byte
	suffix := strconv.AppendInt(sufBuf[:0], row, 36)
	if emailStyle {
		if at := bytes.LastIndexByte(s, '@'); at > 0 {
			var domBuf [128]byte
			domain := append(domBuf[:0], s[at:]...)
			local := s[:at]
			if maxLen > 0 {
				room := maxLen - utf8.RuneCount(domain) - len(suffix) - 1
				if room < 1 {
					return appendRowCode(s[:0], row, maxLen)
				}
				local = truncateRuneBytes(local, room)
			}
			out := append(local, '+')
			out = append(out, suffix...)
			return append(out, domain...)
		}
	}
	if maxLen > 0 {
		room := maxLen - len(suffix) - 1
		if room < 1 {
			return appendRowCode(s[:0], row, maxLen)
		}
		s = truncateRuneBytes(s, room)
	}
	s = append(s, '-')
	return append(s, suffix...)
}

func appendRowCode(dst []byte, row int64, width int) []byte {
	start := len(dst)
	for i := 0; i < width; i++ {
		dst = append(dst, '0')
	}
	for i := len(dst) - 1; i >= start; i-- {
		dst[i] = base36[row%36]
		row /= 36
	}
	return dst
}

// TSVectorRecipe derives a tsvector from the row's own text columns (a search column follows
// the title and description it indexes): their words, lower-cased, each once. A row whose
// sources are all NULL gets a few words of its own.
type TSVectorRecipe struct {
	Seed         uint64
	Sources      []Recipe
	NullPermille int
}

type tsvectorGen struct {
	r       *TSVectorRecipe
	rr      *rowRand
	sources []ValueGen
	scratch []byte
	seen    map[string]bool
}

func (r *TSVectorRecipe) Instantiate(ctx *InstContext) ValueGen {
	g := &tsvectorGen{r: r, rr: newRowRand(r.Seed), seen: map[string]bool{}}
	for _, s := range r.Sources {
		g.sources = append(g.sources, ctx.Gen(s))
	}
	return g
}

func (g *tsvectorGen) AppendValue(dst []byte, row int64) []byte {
	g.rr.at(row)
	if g.rr.chance(g.r.NullPermille) {
		return append(dst, nullText...)
	}
	clear(g.seen)
	start := len(dst)
	for _, src := range g.sources {
		g.scratch = src.AppendValue(g.scratch[:0], row)
		if string(g.scratch) == nullText {
			continue
		}
		dst = g.appendWords(dst, start, g.scratch)
	}
	if len(dst) == start {
		for i := 0; i < 3; i++ {
			dst = g.appendWords(dst, start, []byte(lexNoun.pick(g.rr)))
		}
	}
	return dst
}

// appendWords writes the words of s (runs of ASCII letters, lower-cased, two letters or more)
// not written yet, quoted as tsvector lexemes.
func (g *tsvectorGen) appendWords(dst []byte, start int, s []byte) []byte {
	for i := 0; i < len(s); {
		for i < len(s) && !isLetter(s[i]) {
			i++
		}
		j := i
		for j < len(s) && isLetter(s[j]) {
			j++
		}
		if j-i >= 2 {
			word := strings.ToLower(string(s[i:j]))
			if !g.seen[word] {
				g.seen[word] = true
				if len(dst) > start {
					dst = append(dst, ' ')
				}
				dst = append(dst, '\'')
				dst = append(dst, word...)
				dst = append(dst, '\'')
			}
		}
		i = j
	}
	return dst
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
