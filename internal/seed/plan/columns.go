package plan

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/envmirror/envmirror/internal/seed/catalog"
	"github.com/envmirror/envmirror/internal/seed/contract"
	"github.com/envmirror/envmirror/internal/seed/gen"
)

// columnRecipe chooses how a column is generated. nil means the column is left out of COPY
// (its default, or NULL, applies). A column steering unique keys (see cover) takes its own
// values only on the rows the steer gives them.
func (b *builder) columnRecipe(tb *tableBuild, c *catalog.Column) (gen.Recipe, error) {
	r, err := b.ownRecipe(tb, c)
	if r == nil || err != nil {
		return r, err
	}
	if cv := tb.cover[c]; cv != nil {
		r = coverRecipe(cv, r)
	}
	if m := tb.nullMask[c]; m != nil {
		r = &gen.NullMaskRecipe{Pattern: m.Pattern, Index: m.Index, Inner: r}
	}
	return r, nil
}

func (b *builder) ownRecipe(tb *tableBuild, c *catalog.Column) (gen.Recipe, error) {
	if tb.deferred[c] && tb.fkOf[c] != nil {
		return &gen.NullRecipe{}, nil // set by the second pass
	}
	if rule, ok := b.rules[c]; ok {
		return b.ruleRecipe(tb, c, rule)
	}
	if p := tb.pairs[c]; p != nil {
		return p, nil
	}
	if sp := tb.spans[c]; sp != nil {
		return sp, nil
	}
	if fk := tb.fkOf[c]; fk != nil {
		return &gen.FKColumnRecipe{Group: fk, Index: tb.fkIndex[c]}, nil
	}
	if r, ok := tb.combo[c]; ok {
		return r, nil
	}
	if tb.nullOnly[c] {
		return &gen.NullRecipe{}, nil
	}
	if part, ok := tb.personParts[c]; ok {
		return b.personRecipe(tb, c, part), nil
	}
	base, err := b.valueRecipe(tb, c, tb.rowUnique[c])
	if err != nil {
		return nil, err
	}
	if tb.partition != nil && tb.partKeys[c.Name] {
		info := b.slots[c].info
		return &gen.PartitionColumnRecipe{
			Part: tb.partition, Column: c.Name, Info: info, Fallback: base,
			Seed: gen.DeriveSeed(b.spec.Seed, c.Table.QualifiedName(), c.Name, "partition-key"),
			Unit: gen.OrdinalUnit{Family: info.OrdinalFamily(), Scale: info.OrdinalScale()},
		}, nil
	}
	if base == nil {
		if c.Default != "" || !b.notNull(tb, c) {
			b.warnf("%s: no generator for type %s; the column is left to its default", c, b.slots[c].info.Name)
			return nil, nil
		}
		return nil, fmt.Errorf("%s: no generator for type %s, and the column is NOT NULL without a default: "+
			"add a columns rule for it (e.g. generator constant with a value)", c, b.slots[c].info.Name)
	}
	return base, nil
}

func (b *builder) notNull(tb *tableBuild, c *catalog.Column) bool {
	_, _, _, domainNotNull := c.Resolved()
	f := tb.facts[c.Name]
	return c.NotNull || domainNotNull || f != nil && f.notNull[c.Name]
}

// nullPermille is the share of NULLs in a nullable column: most rows of a deleted_at are NULL,
// a few of any other nullable column.
func (b *builder) nullPermille(tb *tableBuild, c *catalog.Column, sem gen.Semantic) int {
	if b.notNull(tb, c) || tb.inUnique[c] || tb.rowUnique[c] || tb.cover[c] != nil || tb.nullMask[c] != nil {
		return 0 // (a column serving a partial key is NULL exactly on the rows it covers)
	}
	if st, ok := b.stats.Column(c); ok {
		return int(st.NullFrac*1000 + 0.5) // as many NULLs as prod has
	}
	switch sem {
	case gen.SemDeletedAt:
		return 900
	case gen.SemFutureAt:
		return 300
	}
	return 50
}

func (b *builder) seedOf(c *catalog.Column) uint64 {
	return gen.DeriveSeed(b.spec.Seed, c.Table.QualifiedName(), c.Name)
}

// valueRecipe generates a column from its type, its CHECKs and what its name suggests.
func (b *builder) valueRecipe(tb *tableBuild, c *catalog.Column, unique bool) (gen.Recipe, error) {
	r, err := b.typedRecipe(tb, c, unique)
	if err != nil || r == nil {
		return r, err
	}
	if !unique {
		r = b.followDistinct(tb, c, r)
	}
	return b.avoidExcluded(tb, c, r), nil
}

// avoidExcluded keeps a column off the values its CHECKs exclude (<>, NOT IN, <> ALL).
func (b *builder) avoidExcluded(tb *tableBuild, c *catalog.Column, r gen.Recipe) gen.Recipe {
	f := tb.facts[c.Name]
	if f == nil || len(f.excluded[c.Name]) == 0 {
		return r
	}
	if _, isChoice := r.(*gen.ChoiceRecipe); isChoice {
		return r // the choices were filtered already
	}
	info := b.slots[c].info
	values := make([]string, 0, len(f.excluded[c.Name]))
	for _, v := range f.excluded[c.Name] {
		if o, ok := ordinalOfLiteral(v, info); ok && info.IsOrdinal() {
			v = string(gen.AppendOrdinal(nil, o, info)) // as the generator writes it: 5 is 5.00
		}
		values = append(values, v)
	}
	return &gen.AvoidRecipe{Inner: r, Values: values, Stride: max(tb.tp.Rows, 1)}
}

// followDistinct gives a column prod's number of distinct values (n_distinct) when it has fewer
// than rows. Ordered values are left alone: other columns of the row may relate to them.
func (b *builder) followDistinct(tb *tableBuild, c *catalog.Column, r gen.Recipe) gen.Recipe {
	st, ok := b.stats.Column(c)
	if !ok || st.NDistinct == 0 || tb.inUnique[c] {
		return r
	}
	switch r.(type) {
	case *gen.TextRecipe, *gen.FuncRecipe:
	default:
		return r
	}
	distinct := int64(st.NDistinct)
	if st.NDistinct < 0 {
		distinct = int64(-st.NDistinct*float64(tb.tp.Rows) + 0.5)
	}
	if distinct <= 0 || distinct >= tb.tp.Rows {
		return r
	}
	return &gen.RepeatRecipe{Inner: r, Distinct: distinct, Seed: gen.DeriveSeed(b.spec.Seed, c.String(), "distinct")}
}

// typedRecipe generates a column from its type, its CHECKs and what its name suggests.
func (b *builder) typedRecipe(tb *tableBuild, c *catalog.Column, unique bool) (gen.Recipe, error) {
	info := b.slots[c].info
	sem := gen.GuessSemantic(c.Table.Name, c.Name)
	if dom := c.Type; dom != nil && dom.Kind == 'd' && sem == gen.SemNone {
		sem = gen.GuessSemantic(c.Table.Name, dom.Name) // a domain named email_address says it all
	}
	f := tb.facts[c.Name]
	if f == nil {
		f = newCheckFacts()
	}
	np := b.nullPermille(tb, c, sem)
	seed := b.seedOf(c)
	if allowed := without(f.allowed[c.Name], f.excluded[c.Name]); len(allowed) > 0 && !unique {
		return &gen.ChoiceRecipe{Seed: seed, Values: allowed, NullPermille: np}, nil
	}
	switch info.Kind {
	case gen.KindEnum:
		return &gen.ChoiceRecipe{Seed: seed, Values: without(info.Labels, f.excluded[c.Name]), NullPermille: np}, nil
	case gen.KindBool:
		return &gen.ChoiceRecipe{Seed: seed, Values: []string{"t", "f"}, NullPermille: np}, nil
	case gen.KindInt, gen.KindNumeric, gen.KindFloat, gen.KindMoney, gen.KindDate, gen.KindTimestamp, gen.KindTimestamptz, gen.KindTime:
		return b.ordinalRecipe(tb, c, info, sem, f, np, unique)
	case gen.KindText:
		// Columns whose names say they identify a row are made distinct too, when they can be.
		return b.textRecipe(tb, c, info, sem, f, np, unique || looksUnique(c) && b.freeText(tb, c)), nil
	}
	return b.otherRecipe(tb, c, info, sem, f, np, unique)
}

func (b *builder) textRecipe(tb *tableBuild, c *catalog.Column, info gen.TypeInfo, sem gen.Semantic, f *checkFacts, np int, unique bool) gen.Recipe {
	maxLen := info.MaxLen
	if m, ok := f.maxLength[c.Name]; ok && (maxLen == 0 || m < maxLen) {
		maxLen = m
	}
	for _, p := range f.patterns[c.Name] {
		if strings.Contains(p, "@") {
			sem = gen.SemEmail
		}
	}
	produce := gen.TextProducer(sem, maxLen)
	width := b.prodWidth(c, sem)
	if patterns := f.patterns[c.Name]; len(patterns) > 0 && sem != gen.SemEmail {
		p, err := gen.PatternProducer(patterns, unique)
		if err != nil {
			b.patternNotMet(tb, c, patterns, err)
		} else {
			produce, width = p, 0
			if unique {
				unique = false // the producer makes every row's value distinct itself
			}
		}
	}
	return &gen.TextRecipe{
		Width:        width,
		Seed:         b.seedOf(c),
		Produce:      produce,
		MinLen:       f.minLength[c.Name],
		MaxLen:       maxLen,
		MaxBytes:     f.maxBytes[c.Name],
		Unique:       unique,
		EmailStyle:   sem == gen.SemEmail,
		NullPermille: np,
	}
}

// prodWidth is the average length in bytes of a free-text column's values in prod (from
// pg_stats.avg_width, which counts the value's length header: one byte up to 126 bytes, four
// beyond), or 0 when unknown. Columns with a shape of their own (emails, names, codes) keep it.
func (b *builder) prodWidth(c *catalog.Column, sem gen.Semantic) int {
	st, ok := b.stats.Column(c)
	if !ok || st.AvgWidth <= 1 {
		return 0
	}
	switch sem {
	case gen.SemNone, gen.SemSentence, gen.SemParagraph, gen.SemTitle, gen.SemWord, gen.SemProductName, gen.SemCategory:
	default:
		return 0
	}
	if st.AvgWidth <= 127 {
		return st.AvgWidth - 1
	}
	return st.AvgWidth - 4
}

// patternNotMet hands the patterns the generator cannot match to the server (see applyOracle),
// or warns when there is no server to ask.
func (b *builder) patternNotMet(tb *tableBuild, c *catalog.Column, patterns []string, err error) {
	if b.oracle == nil {
		b.warnf("%s: %v; values may violate it: %s", c, err, ruleAdvice([]*catalog.Column{c}))
		return
	}
	for _, p := range patterns {
		// PostgreSQL's regular expressions read Go's syntax for these patterns, (?i) included.
		tb.oracleConds = append(tb.oracleConds, oracleCond{text: c.Ident() + " ~ " + quoteLiteral(p),
			source: "the pattern CHECK", cols: []*catalog.Column{c}})
	}
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// without returns the values not in excluded.
func without(values, excluded []string) []string {
	if len(excluded) == 0 {
		return values
	}
	var out []string
	for _, v := range values {
		if !slices.Contains(excluded, v) {
			out = append(out, v)
		}
	}
	return out
}

// OrdinalRecipe generates numbers, dates and timestamps within the type's limits and the CHECK
// bounds, in the range the column's name suggests.
func (b *builder) ordinalRecipe(tb *tableBuild, c *catalog.Column, info gen.TypeInfo, sem gen.Semantic, f *checkFacts, np int, unique bool) (gen.Recipe, error) {
	hardLo, hardHi := ordinalLimits(info)
	if bd := f.bounds[c.Name]; bd != nil {
		if v, ok := ordinalOfLiteral(bd.lo, info); bd.hasLo && ok {
			if bd.loStrict {
				v++
			}
			hardLo = max(hardLo, v)
		}
		if v, ok := ordinalOfLiteral(bd.hi, info); bd.hasHi && ok {
			if bd.hiStrict {
				v--
			}
			hardHi = min(hardHi, v)
		}
	}
	if hardLo > hardHi {
		return nil, fmt.Errorf("%s: its CHECK constraints allow no value", c)
	}
	softLo, softHi := ordinalDefaults(info, sem)
	lo, hi := fitRange(softLo, softHi, hardLo, hardHi)
	r := &gen.OrdinalRecipe{
		Seed: b.seedOf(c), Info: info, Lo: lo, Hi: hi, NullPermille: np,
		Unit: gen.OrdinalUnit{Family: info.OrdinalFamily(), Scale: info.OrdinalScale()},
	}
	r.Spread = relationSpread(info, lo, hi)
	if g, ok := f.grid[c.Name]; ok {
		r.Grid = gridOf(g, info)
		r.Lo = r.Grid.Snap(r.Lo)
	}
	if unique {
		r.Unique, r.Step = true, max(uniqueStep(info), tb.uniqueStep[c])
		if r.Grid != nil {
			r.Step = lcm(r.Step, r.Grid.Spacing())
		}
		switch {
		case c.SeqIncrement > 0:
			// Keys follow the sequence, as the application's inserts would.
			r.Lo, r.Step = max(hardLo, c.SeqStart), c.SeqIncrement
		case info.Kind == gen.KindInt && sem == gen.SemNone:
			r.Lo = max(hardLo, 1) // keys count from 1
		}
		rows := tb.tp.Rows
		if rows > 0 && (hardHi-r.Lo)/r.Step < rows-1 {
			return nil, contract.WithReason(contract.ReasonRowCountTooLarge, fmt.Errorf("%s (%s) must be unique but holds at most %d distinct values within its type and CHECKs, "+
				"and %d rows were asked for %s: ask for at most %d", c, info.Name, (hardHi-r.Lo)/r.Step+1, rows,
				c.Table.QualifiedName(), (hardHi-r.Lo)/r.Step+1))
		}
	}
	return r, nil
}

// ordinalLimits are the bounds of a type, in its ordinal unit.
func ordinalLimits(info gen.TypeInfo) (int64, int64) {
	switch info.Kind {
	case gen.KindInt:
		return info.IntMin, info.IntMax
	case gen.KindNumeric:
		if info.Precision > 0 {
			digits := info.Precision - info.Scale + info.OrdinalScale()
			if digits < 18 {
				m := int64(math.Pow10(digits)) - 1
				return -m, m
			}
		}
		return -1e17, 1e17
	case gen.KindFloat, gen.KindMoney:
		return -1e15, 1e15
	case gen.KindDate:
		return -700000, 1000000
	case gen.KindTimestamp, gen.KindTimestamptz:
		return -60e9, 90e9
	case gen.KindTime:
		return 0, gen.SecondsPerDay - 1
	}
	return math.MinInt64 / 2, math.MaxInt64 / 2
}

// ordinalDefaults is the usual range of a column, from its semantic.
func ordinalDefaults(info gen.TypeInfo, sem gen.Semantic) (int64, int64) {
	switch info.Kind {
	case gen.KindDate, gen.KindTimestamp, gen.KindTimestamptz:
		now := gen.OrdinalEpoch(info)
		day := int64(1)
		if info.Kind != gen.KindDate {
			day = gen.SecondsPerDay
		}
		switch sem {
		case gen.SemBirthDate:
			lo, _ := ordinalOfLiteral("1950-01-01", info)
			hi, _ := ordinalOfLiteral("2006-12-31", info)
			return lo, hi
		case gen.SemFutureAt:
			return now, now + 365*day
		}
		return now - 730*day, now - 1
	case gen.KindTime:
		return 0, gen.SecondsPerDay - 1
	}
	loText, hiText := gen.NumberRange(sem)
	lo, _ := gen.ParseDecimalUnits(loText, info.OrdinalScale())
	hi, _ := gen.ParseDecimalUnits(hiText, info.OrdinalScale())
	return lo, hi
}

// fitRange moves the usual range [softLo, softHi] inside the allowed [hardLo, hardHi], keeping
// its width where it can.
func fitRange(softLo, softHi, hardLo, hardHi int64) (int64, int64) {
	width := softHi - softLo
	switch {
	case softHi < hardLo:
		return hardLo, min(hardHi, gen.SatAdd(hardLo, width))
	case softLo > hardHi:
		return max(hardLo, gen.SatAdd(hardHi, -width)), hardHi
	}
	return max(softLo, hardLo), min(softHi, hardHi)
}

func relationSpread(info gen.TypeInfo, lo, hi int64) int64 {
	switch info.Kind {
	case gen.KindDate:
		return 30
	case gen.KindTimestamp, gen.KindTimestamptz:
		return 30 * gen.SecondsPerDay
	case gen.KindTime:
		return 3600
	}
	return max((hi-lo)/4, 1)
}

func uniqueStep(info gen.TypeInfo) int64 {
	switch info.Kind {
	case gen.KindTimestamp, gen.KindTimestamptz:
		return 60
	case gen.KindNumeric, gen.KindFloat, gen.KindMoney:
		step := int64(1)
		for i := 0; i < info.OrdinalScale(); i++ {
			step *= 10
		}
		return step
	}
	return 1
}

// ruleRecipe follows a column rule of the spec.
func (b *builder) ruleRecipe(tb *tableBuild, c *catalog.Column, rule contract.ColumnRule) (gen.Recipe, error) {
	info := b.slots[c].info
	seed := b.seedOf(c)
	f := tb.facts[c.Name]
	if f == nil {
		f = newCheckFacts()
	}
	mismatch := func() error {
		return fmt.Errorf("columns rule for %s: generator %s does not produce values of the column's type %s",
			c, rule.Generator, info.Name)
	}
	textual := info.Kind == gen.KindText
	switch rule.Generator {
	case "null":
		if b.notNull(tb, c) {
			return nil, fmt.Errorf("columns rule for %s: generator null on a NOT NULL column", c)
		}
		return &gen.NullRecipe{}, nil
	case "constant", "oneOf":
		return &gen.ChoiceRecipe{Seed: seed, Values: rule.Values}, nil
	case "boolean":
		switch {
		case info.Kind == gen.KindBool:
			return &gen.ChoiceRecipe{Seed: seed, Values: []string{"t", "f"}}, nil
		case textual:
			return &gen.ChoiceRecipe{Seed: seed, Values: []string{"true", "false"}}, nil
		}
		return nil, mismatch()
	case "integer", "decimal", "price", "date", "timestamp":
		want := map[string]gen.TypeInfo{
			"integer":   {Kind: gen.KindInt, IntMin: math.MinInt64, IntMax: math.MaxInt64},
			"decimal":   {Kind: gen.KindNumeric},
			"price":     {Kind: gen.KindNumeric},
			"date":      {Kind: gen.KindDate},
			"timestamp": {Kind: gen.KindTimestamptz},
		}[rule.Generator]
		if !info.IsOrdinal() || info.OrdinalFamily() != want.OrdinalFamily() && !(info.OrdinalFamily() == 3 && want.Kind == gen.KindDate) {
			if !textual {
				return nil, mismatch()
			}
			info = want
		}
		sem := gen.Semantic(rule.Generator)
		if rule.Generator == "integer" || rule.Generator == "decimal" {
			sem = gen.SemNone
		}
		return b.ordinalRecipe(tb, c, info, sem, f, 0, tb.rowUnique[c])
	case "uuid":
		if info.Kind != gen.KindUUID && !textual {
			return nil, mismatch()
		}
		return &gen.FuncRecipe{Seed: seed, Fn: gen.UUIDFn(tb.rowUnique[c], seed)}, nil
	case "ipv4", "ipv6":
		if info.Kind != gen.KindInet && !textual {
			return nil, mismatch()
		}
		return &gen.FuncRecipe{Seed: seed, Fn: gen.InetFn(info, tb.rowUnique[c], rule.Generator == "ipv6")}, nil
	}
	if !textual {
		return nil, mismatch()
	}
	return b.textRecipe(tb, c, info, gen.Semantic(rule.Generator), f, 0, tb.rowUnique[c]), nil
}
