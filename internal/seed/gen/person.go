package gen

import (
	"strconv"
	"unicode/utf8"
)

// A row about a person names one person everywhere: Darien Evans has darien.evans@... and the
// username devans, not someone else's. PersonRecipe picks the person of each row; the row's name,
// email and username columns describe that pick.

// PersonPart is what a column says about the row's person.
type PersonPart int

const (
	PartFirstName PersonPart = iota
	PartLastName
	PartFullName
	PartEmail
	PartUsername
)

// PersonRecipe picks each row's person: a first name, a last name, and how the person writes
// them in an email address or a username.
type PersonRecipe struct {
	Seed uint64
	// Distinct gives every row another person (a unique index on a name): see distinctPerson.
	Distinct bool
}

type person struct {
	first, last           int // indexes into lexFirst and lexLast
	style                 int // first.last, flast, first_last, firstlast
	domainName, domainTLD int
	// layer tells apart the people who share a first and a last name (Distinct only): 0 for the
	// first of them, then a middle initial (1..26), then a number (27...).
	layer int64
}

type personPicker struct {
	rr        *rowRand
	cachedRow int64
	p         person
	distinct  bool
	pairs     affinePerm // over every (first, last) pair, when distinct
}

func (r *PersonRecipe) picker(ctx *InstContext) *personPicker {
	return ctx.shared(r, func() any {
		pp := &personPicker{rr: newRowRand(r.Seed), cachedRow: -1, distinct: r.Distinct}
		if r.Distinct {
			pp.pairs = newAffinePerm(uint64(len(lexFirst)*len(lexLast)), r.Seed)
		}
		return pp
	}).(*personPicker)
}

// distinctPerson names row's person so that no two rows share a full name, case folded or not:
// the rows walk every (first, last) pair in a scrambled order (the name lists hold no space and
// no two names that differ only by case, so a pair's "First Last" is its own), then again with
// a middle initial, then with a number. 800,000 rows get plain names, 21 million initials.
func (pp *personPicker) distinctPerson(row int64) {
	pairs := int64(len(lexFirst) * len(lexLast))
	i := int64(pp.pairs.apply(uint64(row % pairs)))
	pp.p.first, pp.p.last = int(i%int64(len(lexFirst))), int(i/int64(len(lexFirst)))
	pp.p.layer = row / pairs
}

func (pp *personPicker) at(row int64) *person {
	if row != pp.cachedRow {
		pp.cachedRow = row
		rr := pp.rr
		rr.at(row)
		pp.p = person{
			first: int(rr.intn(int64(len(lexFirst)))), last: int(rr.intn(int64(len(lexLast)))), style: int(rr.intn(4)),
			domainName: int(rr.intn(int64(len(lexLastLower)))), domainTLD: int(rr.intn(int64(len(lexDomainSuffix)))),
		}
		if pp.distinct {
			pp.distinctPerson(row)
		}
	}
	return &pp.p
}

// PersonColumnRecipe writes one part of the row's person. With Unique, emails and usernames end
// in the row number (names never end in a digit, so the digits are exactly the row: no two rows
// share a value, whatever the names).
type PersonColumnRecipe struct {
	Person       *PersonRecipe
	Part         PersonPart
	Unique       bool
	MaxLen       int
	NullPermille int
	Seed         uint64 // the column's own stream (NULLs, digits of non-unique usernames)
}

type personColumnGen struct {
	r  *PersonColumnRecipe
	pp *personPicker
	rr *rowRand
}

func (r *PersonColumnRecipe) Instantiate(ctx *InstContext) ValueGen {
	return &personColumnGen{r: r, pp: r.Person.picker(ctx), rr: newRowRand(r.Seed)}
}

func (g *personColumnGen) AppendValue(dst []byte, row int64) []byte {
	g.rr.at(row)
	if g.rr.chance(g.r.NullPermille) {
		return append(dst, nullText...)
	}
	p := g.pp.at(row)
	start := len(dst)
	switch g.r.Part {
	case PartFirstName:
		dst = append(dst, lexFirst[p.first]...)
	case PartLastName:
		dst = append(dst, lexLast[p.last]...)
	case PartFullName:
		dst = appendFullName(dst, p)
		if g.r.Unique && g.r.MaxLen > 0 && utf8.RuneCount(dst[start:]) > g.r.MaxLen {
			// Too narrow for a distinct name: the name, cut, ends in the row's code.
			return appendEscapedBytes(dst[:start], appendUnique(append([]byte(nil), dst[start:]...), row, g.r.MaxLen, false))
		}
	case PartEmail:
		return g.appendEmail(dst, p, row)
	case PartUsername:
		return g.appendUsername(dst, p, row)
	}
	if g.r.MaxLen > 0 {
		dst = dst[:start+len(truncateRuneBytes(dst[start:], g.r.MaxLen))]
	}
	return dst // names are plain words: nothing to escape
}

// appendFullName writes "First Last", with the person's middle initial or number when
// several people share the pair (see distinctPerson).
func appendFullName(dst []byte, p *person) []byte {
	dst = append(dst, lexFirst[p.first]...)
	switch {
	case p.layer == 0:
	case p.layer <= 26:
		dst = append(append(append(dst, ' '), byte('A'+p.layer-1)), '.')
	default:
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, p.layer-25, 10) // 2, 3, ...: never "1"
	}
	return append(append(dst, ' '), lexLast[p.last]...)
}

// localPart writes how the person writes their name in an address: darien.evans, devans, ...
func localPart(dst []byte, p *person, sep byte) []byte {
	first, last := lexFirstLower[p.first], lexLastLower[p.last]
	switch p.style {
	case 0:
		dst = append(append(append(dst, first...), sep), last...)
	case 1:
		dst = append(append(dst, first[0]), last...)
	case 2:
		dst = append(append(append(dst, first...), '_'), last...)
	default:
		dst = append(append(dst, first...), last...)
	}
	return dst
}

func (g *personColumnGen) appendEmail(dst []byte, p *person, row int64) []byte {
	var digits []byte
	if g.r.Unique {
		digits = strconv.AppendInt(nil, row, 10)
	}
	domain := make([]byte, 0, 32)
	domain = append(append(append(append(domain, '@'), lexLastLower[p.domainName]...), '.'), lexDomainSuffix[p.domainTLD]...)
	return g.appendHandle(dst, p, row, digits, domain)
}

func (g *personColumnGen) appendUsername(dst []byte, p *person, row int64) []byte {
	digits := appendDigits(nil, g.rr, int(g.rr.between(0, 2)))
	if g.r.Unique {
		digits = strconv.AppendInt(nil, row, 10)
	}
	return g.appendHandle(dst, p, row, digits, nil)
}

// appendHandle writes the person's name as an address or login writes it, then digits (the row
// number when unique) and a suffix (an email's domain), within the column's length: the name
// is cut, never the digits or the suffix; a column too narrow for them gets the row in base 36.
func (g *personColumnGen) appendHandle(dst []byte, p *person, row int64, digits, suffix []byte) []byte {
	start := len(dst)
	dst = localPart(dst, p, '.')
	if g.r.MaxLen > 0 {
		room := g.r.MaxLen - len(suffix) - len(digits) - 1
		if room < 1 {
			return appendRowCode(dst[:start], row, g.r.MaxLen)
		}
		if len(dst)-start > room {
			dst = dst[:start+room]
		}
	}
	if last := dst[len(dst)-1]; last >= '0' && last <= '9' && g.r.Unique {
		dst = append(dst, '.') // keep the row number the only trailing digits
	}
	return append(append(dst, digits...), suffix...)
}
