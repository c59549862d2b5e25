package gen

import (
	"strconv"
	"time"
)

// OrdRef relates a column to another ordinal column of the same row.
type OrdRef struct {
	Ref    Recipe
	Strict bool
}

// OrdinalRecipe generates ordered values in [lo, hi] (in the unit's terms). With unique, row i
// gets lo + i*step. lower/upper relate the value to other columns of the row: above every lower
// reference and below every upper reference.
type OrdinalRecipe struct {
	Seed         uint64
	Info         TypeInfo
	Unit         OrdinalUnit
	Lo, Hi       int64
	Unique       bool
	Step         int64
	NullPermille int
	Lower, Upper []OrdRef
	// spread is the usual distance from a related column (e.g. 30 days for shipped_at).
	Spread int64
	// Grid keeps values on the points a CHECK allows (nil: any value).
	Grid *Grid
}

type ordinalGen struct {
	r            *OrdinalRecipe
	rr           *rowRand
	lower, upper []orderedGen
	cachedRow    int64
	cachedV      int64
	cachedOK     bool
}

func (r *OrdinalRecipe) Instantiate(ctx *InstContext) ValueGen {
	g := &ordinalGen{r: r, rr: newRowRand(r.Seed), cachedRow: -1}
	// Register before resolving references, so a relation back to this column finds it.
	ctx.gens[r] = g
	for _, l := range r.Lower {
		if og, ok := ctx.Gen(l.Ref).(orderedGen); ok {
			g.lower = append(g.lower, og)
		}
	}
	for _, u := range r.Upper {
		if og, ok := ctx.Gen(u.Ref).(orderedGen); ok {
			g.upper = append(g.upper, og)
		}
	}
	return g
}

func (g *ordinalGen) unit() OrdinalUnit { return g.r.Unit }

func (g *ordinalGen) ordinal(row int64) (int64, bool) {
	if row == g.cachedRow {
		return g.cachedV, g.cachedOK
	}
	v, ok := g.compute(row)
	if ok && g.r.Grid != nil {
		v = g.r.Grid.Snap(v)
	}
	g.cachedRow, g.cachedV, g.cachedOK = row, v, ok
	return v, ok
}

func (g *ordinalGen) compute(row int64) (int64, bool) {
	r := g.r
	if r.Unique {
		return r.Lo + row*r.Step, true
	}
	// Read the related columns first: they re-seed their own streams, not ours.
	var lowest, highest int64
	haveLower, haveUpper := false, false
	for i, l := range g.lower {
		if v, ok := l.ordinal(row); ok {
			v = convertOrdinal(v, l.unit(), r.Unit)
			if r.Lower[i].Strict {
				v++
			}
			if !haveLower || v > lowest {
				lowest = v
			}
			haveLower = true
		}
	}
	for i, u := range g.upper {
		if v, ok := u.ordinal(row); ok {
			v = convertOrdinal(v, u.unit(), r.Unit)
			if r.Upper[i].Strict {
				v--
			}
			if !haveUpper || v < highest {
				highest = v
			}
			haveUpper = true
		}
	}
	g.rr.at(row)
	if g.rr.chance(r.NullPermille) {
		return 0, false
	}
	switch {
	case haveLower && haveUpper:
		return g.rr.between(lowest, highest), true
	case haveLower:
		top := SatAdd(lowest, r.Spread)
		if r.Hi >= lowest && top > r.Hi {
			top = r.Hi
		}
		return g.rr.between(lowest, top), true
	case haveUpper:
		bottom := SatAdd(highest, -r.Spread)
		if r.Lo <= highest && bottom < r.Lo {
			bottom = r.Lo
		}
		return g.rr.between(bottom, highest), true
	}
	return g.rr.between(r.Lo, r.Hi), true
}

func SatAdd(a, b int64) int64 {
	s := a + b
	if b > 0 && s < a {
		return 1<<63 - 1
	}
	if b < 0 && s > a {
		return -1 << 63
	}
	return s
}

func (g *ordinalGen) AppendValue(dst []byte, row int64) []byte {
	v, ok := g.ordinal(row)
	if !ok {
		return append(dst, nullText...)
	}
	return AppendOrdinal(dst, v, g.r.Info)
}

// convertOrdinal rescales a value between units of the same family (numeric scales).
func convertOrdinal(v int64, from, to OrdinalUnit) int64 {
	for s := from.Scale; s < to.Scale; s++ {
		v *= 10
	}
	for s := from.Scale; s > to.Scale; s-- {
		v /= 10
	}
	return v
}

// epoch anchors generated times: data never depends on when it was generated.
var epoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

const SecondsPerDay = 86400

// AppendOrdinal writes an ordinal in the text input of its type.
func AppendOrdinal(dst []byte, v int64, t TypeInfo) []byte {
	switch t.Kind {
	case KindInt:
		return strconv.AppendInt(dst, v, 10)
	case KindNumeric, KindFloat, KindMoney:
		return appendDecimal(dst, v, t.OrdinalScale())
	case KindDate:
		return appendDate(dst, v)
	case KindTimestamp:
		return appendDateTime(dst, v)
	case KindTimestamptz:
		return append(appendDateTime(dst, v), '+', '0', '0')
	case KindTime:
		return appendClock(dst, v)
	}
	return strconv.AppendInt(dst, v, 10)
}

// appendDecimal writes v / 10^scale with exactly scale decimals.
func appendDecimal(dst []byte, v int64, scale int) []byte {
	if scale == 0 {
		return strconv.AppendInt(dst, v, 10)
	}
	neg := v < 0
	u := uint64(v)
	if neg {
		u = uint64(-v)
		dst = append(dst, '-')
	}
	var pow uint64 = 1
	for i := 0; i < scale; i++ {
		pow *= 10
	}
	dst = strconv.AppendUint(dst, u/pow, 10)
	dst = append(dst, '.')
	frac := u % pow
	for p := pow / 10; p > 0; p /= 10 {
		dst = append(dst, byte('0'+frac/p%10))
	}
	return dst
}

// appendDate writes days since 1970-01-01 as YYYY-MM-DD (proleptic Gregorian, years 1-9999;
// outside them, through package time).
func appendDate(dst []byte, days int64) []byte {
	y, m, d := civilFromDays(days)
	if y < 1 || y > 9999 {
		return time.Unix(days*SecondsPerDay, 0).UTC().AppendFormat(dst, "2006-01-02")
	}
	dst = append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-')
	dst = append(dst, byte('0'+m/10), byte('0'+m%10), '-')
	return append(dst, byte('0'+d/10), byte('0'+d%10))
}

func appendDateTime(dst []byte, seconds int64) []byte {
	days := seconds / SecondsPerDay
	rem := seconds % SecondsPerDay
	if rem < 0 {
		days--
		rem += SecondsPerDay
	}
	dst = appendDate(dst, days)
	dst = append(dst, ' ')
	return appendClock(dst, rem)
}

func appendClock(dst []byte, s int64) []byte {
	h, m, sec := s/3600, s/60%60, s%60
	return append(dst, byte('0'+h/10), byte('0'+h%10), ':', byte('0'+m/10), byte('0'+m%10), ':', byte('0'+sec/10), byte('0'+sec%10))
}

// civilFromDays converts days since 1970-01-01 to a Gregorian date (Howard Hinnant's algorithm).
func civilFromDays(z int64) (year, month, day int64) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}
