package gen

import (
	"strings"

	"github.com/brianvoe/gofakeit/v7/data"
)

// Fast producers for the text semantics that fill most columns. They draw from gofakeit's own
// word lists, looked up once here: gofakeit's generic lookups (a map access per word, templates
// for sentences) cost several microseconds per value, which at 100,000 rows per second is the
// whole budget.

// textFn appends a generated value (unescaped) to dst.
type textFn func(rr *rowRand, dst []byte) []byte

type wordList []string

func (w wordList) pick(rr *rowRand) string { return w[rr.intn(int64(len(w)))] }

func words(lists ...[]string) wordList {
	var out wordList
	seen := map[string]bool{}
	for _, l := range lists {
		for _, w := range l {
			if w != "" && !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	if len(out) == 0 {
		out = wordList{"value"}
	}
	return out
}

// lowerASCII drops everything but letters and digits, lower-cased: "O'Kon" -> "okon".
func lowerASCII(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			b.WriteByte(c)
		}
	}
	return b.String()
}

func lowered(w wordList) wordList {
	out := make(wordList, len(w))
	for i, s := range w {
		out[i] = lowerASCII(s)
		if out[i] == "" {
			out[i] = "x"
		}
	}
	return out
}

var (
	lexFirst         = words(data.Person["first"])
	lexLast          = words(data.Person["last"])
	lexFirstLower    = lowered(lexFirst)
	lexLastLower     = lowered(lexLast)
	lexDomainSuffix  = words(data.Internet["domain_suffix"])
	lexStreetName    = words(data.Address["street_name"])
	lexStreetSuffix  = words(data.Address["street_suffix"])
	lexCity          = words(data.Address["city"])
	lexState         = words(data.Address["state"])
	lexStateAbr      = words(data.Address["state_abr"])
	lexCountry       = words(data.Address["country"])
	lexCountryAbr    = words(data.Address["country_abr"])
	lexCompanySuffix = words(data.Company["suffix"])
	lexJobDescriptor = words(data.Job["descriptor"])
	lexJobLevel      = words(data.Job["level"])
	lexJobTitle      = words(data.Job["title"])
	lexProductAdj    = words(data.Product["adjective"])
	lexProductName   = words(data.Product["name"])
	lexProductSuffix = words(data.Product["suffix"])
	lexNoun          = words(data.Word["noun_common"], data.Word["noun_concrete"], data.Word["noun_abstract"], data.Word["noun_countable"])
	lexAdjective     = words(data.Word["adjective_descriptive"])
	lexVerb          = words(data.Word["verb_transitive"])
	lexAdverb        = words(data.Word["adverb_manner"])
	lexPreposition   = words(data.Word["preposition_simple"])
	lexDeterminer    = wordList{"the", "a", "this", "that", "every", "our", "their", "some"}
)

func appendCapitalized(dst []byte, s string) []byte {
	if s == "" {
		return dst
	}
	c := s[0]
	if c >= 'a' && c <= 'z' {
		c -= 'a' - 'A'
	}
	dst = append(dst, c)
	return append(dst, s[1:]...)
}

func appendDigits(dst []byte, rr *rowRand, n int) []byte {
	for i := 0; i < n; i++ {
		dst = append(dst, byte('0'+rr.intn(10)))
	}
	return dst
}

func fastFirstName(rr *rowRand, dst []byte) []byte { return append(dst, lexFirst.pick(rr)...) }
func fastLastName(rr *rowRand, dst []byte) []byte  { return append(dst, lexLast.pick(rr)...) }

func fastFullName(rr *rowRand, dst []byte) []byte {
	dst = append(dst, lexFirst.pick(rr)...)
	dst = append(dst, ' ')
	return append(dst, lexLast.pick(rr)...)
}

// fastEmail makes first.last@lastname.suffix style addresses.
func fastEmail(rr *rowRand, dst []byte) []byte {
	switch rr.intn(3) {
	case 0:
		dst = append(dst, lexFirstLower.pick(rr)...)
		dst = append(dst, '.')
		dst = append(dst, lexLastLower.pick(rr)...)
	case 1:
		dst = append(dst, lexFirstLower.pick(rr)[0])
		dst = append(dst, lexLastLower.pick(rr)...)
	default:
		dst = append(dst, lexFirstLower.pick(rr)...)
		dst = append(dst, '_')
		dst = append(dst, lexLastLower.pick(rr)...)
	}
	dst = append(dst, '@')
	dst = append(dst, lexLastLower.pick(rr)...)
	dst = append(dst, '.')
	return append(dst, lexDomainSuffix.pick(rr)...)
}

func fastUsername(rr *rowRand, dst []byte) []byte {
	dst = append(dst, lexFirstLower.pick(rr)...)
	dst = append(dst, lexLastLower.pick(rr)...)
	return appendDigits(dst, rr, int(rr.between(0, 3)))
}

func fastPhone(rr *rowRand, dst []byte) []byte {
	dst = append(dst, '+', '1', ' ')
	dst = appendDigits(dst, rr, 3)
	dst = append(dst, '-')
	dst = appendDigits(dst, rr, 3)
	dst = append(dst, '-')
	return appendDigits(dst, rr, 4)
}

func fastStreet(rr *rowRand, dst []byte) []byte {
	dst = appendDigits(dst, rr, int(rr.between(1, 5)))
	if dst[len(dst)-1] == '0' && len(dst) == 1 {
		dst[0] = '1'
	}
	dst = append(dst, ' ')
	dst = append(dst, lexStreetName.pick(rr)...)
	dst = append(dst, ' ')
	return append(dst, lexStreetSuffix.pick(rr)...)
}

func fastPostcode(rr *rowRand, dst []byte) []byte { return appendDigits(dst, rr, 5) }

func fastCompany(rr *rowRand, dst []byte) []byte {
	dst = append(dst, lexLast.pick(rr)...)
	dst = append(dst, ' ')
	return append(dst, lexCompanySuffix.pick(rr)...)
}

func fastJobTitle(rr *rowRand, dst []byte) []byte {
	dst = append(dst, lexJobDescriptor.pick(rr)...)
	dst = append(dst, ' ')
	dst = append(dst, lexJobLevel.pick(rr)...)
	dst = append(dst, ' ')
	return append(dst, lexJobTitle.pick(rr)...)
}

func fastProductName(rr *rowRand, dst []byte) []byte {
	dst = append(dst, lexProductAdj.pick(rr)...)
	dst = append(dst, ' ')
	dst = append(dst, lexProductName.pick(rr)...)
	if rr.intn(3) == 0 {
		dst = append(dst, ' ')
		dst = append(dst, lexProductSuffix.pick(rr)...)
	}
	return dst
}

func fastWord(rr *rowRand, dst []byte) []byte { return append(dst, lexNoun.pick(rr)...) }

func fastCategory(rr *rowRand, dst []byte) []byte {
	return appendCapitalized(dst, lexNoun.pick(rr))
}

// fastSentence writes a short grammatical-looking sentence.
func fastSentence(rr *rowRand, dst []byte) []byte {
	dst = appendCapitalized(dst, lexDeterminer.pick(rr))
	dst = append(dst, ' ')
	if rr.intn(2) == 0 {
		dst = append(dst, lexAdjective.pick(rr)...)
		dst = append(dst, ' ')
	}
	dst = append(dst, lexNoun.pick(rr)...)
	dst = append(dst, ' ')
	dst = append(dst, lexAdverb.pick(rr)...)
	dst = append(dst, ' ')
	dst = append(dst, lexVerb.pick(rr)...)
	dst = append(dst, "s "...)
	dst = append(dst, lexDeterminer.pick(rr)...)
	dst = append(dst, ' ')
	dst = append(dst, lexNoun.pick(rr)...)
	if rr.intn(2) == 0 {
		dst = append(dst, ' ')
		dst = append(dst, lexPreposition.pick(rr)...)
		dst = append(dst, " the "...)
		dst = append(dst, lexNoun.pick(rr)...)
	}
	return append(dst, '.')
}

func fastParagraph(rr *rowRand, dst []byte) []byte {
	n := int(rr.between(2, 5))
	for i := 0; i < n; i++ {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = fastSentence(rr, dst)
	}
	return dst
}

func fastTitle(rr *rowRand, dst []byte) []byte {
	dst = appendCapitalized(dst, lexAdjective.pick(rr))
	dst = append(dst, ' ')
	dst = append(dst, lexNoun.pick(rr)...)
	if rr.intn(2) == 0 {
		dst = append(dst, ' ')
		dst = append(dst, lexPreposition.pick(rr)...)
		dst = append(dst, ' ')
		dst = append(dst, lexNoun.pick(rr)...)
	}
	return dst
}

func fastSlug(rr *rowRand, dst []byte) []byte {
	dst = append(dst, lowerASCII(lexAdjective.pick(rr))...)
	dst = append(dst, '-')
	return append(dst, lowerASCII(lexNoun.pick(rr))...)
}

func fastSKU(rr *rowRand, dst []byte) []byte {
	for i := 0; i < 3; i++ {
		dst = append(dst, byte('A'+rr.intn(26)))
	}
	dst = append(dst, '-')
	return appendDigits(dst, rr, 6)
}

func fastDomain(rr *rowRand, dst []byte) []byte {
	dst = append(dst, lexLastLower.pick(rr)...)
	dst = append(dst, '.')
	return append(dst, lexDomainSuffix.pick(rr)...)
}

func fastURL(rr *rowRand, dst []byte) []byte {
	dst = append(dst, "https://www."...)
	dst = fastDomain(rr, dst)
	dst = append(dst, '/')
	return fastSlug(rr, dst)
}

func pickFn(list wordList) textFn {
	return func(rr *rowRand, dst []byte) []byte { return append(dst, list.pick(rr)...) }
}

// stringFn adapts a gofakeit generator (for the rarer semantics).
func stringFn(gen func(rr *rowRand) string) textFn {
	return func(rr *rowRand, dst []byte) []byte { return append(dst, gen(rr)...) }
}
