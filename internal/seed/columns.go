package seed

import (
	"fmt"
	"math"
	"strings"
)

// columnRecipe chooses how a column is generated. nil means the column is left out of COPY
// (its default, or NULL, applies).
func (b *builder) columnRecipe(tb *tableBuild, c *Column) (recipe, error) {
	if tb.deferred[c] && tb.fkOf[c] != nil {
		return &nullRecipe{}, nil // set by the second pass
	}
	if rule, ok := b.rules[c]; ok {
		return b.ruleRecipe(tb, c, rule)
	}
	if fk := tb.fkOf[c]; fk != nil {
		return &fkColumnRecipe{group: fk, index: tb.fkIndex[c]}, nil
	}
	if r, ok := tb.combo[c]; ok {
		return r, nil
	}
	if tb.nullOnly[c] {
		return &nullRecipe{}, nil
	}
	base, err := b.valueRecipe(tb, c, tb.rowUnique[c])
	if err != nil {
		return nil, err
	}
	if tb.partition != nil && tb.partKeys[c.Name] {
		info := b.slots[c].info
		return &partitionColumnRecipe{
			part: tb.partition, column: c.Name, info: info, fallback: base,
			seed: deriveSeed(b.spec.Seed, c.Table.QualifiedName(), c.Name, "partition-key"),
			u:    ordinalUnit{family: info.ordinalFamily(), scale: info.ordinalScale()},
		}, nil
	}
	if base == nil {
		if c.Default != "" || !b.notNull(tb, c) {
			b.warnf("%s: no generator for type %s; the column is left to its default", c, b.slots[c].info.name)
			return nil, nil
		}
		return nil, fmt.Errorf("%s: no generator for type %s, and the column is NOT NULL without a default: "+
			"add a columns rule for it (e.g. generator constant with a value)", c, b.slots[c].info.name)
	}
	return base, nil
}

func (b *builder) notNull(tb *tableBuild, c *Column) bool {
	_, _, _, domainNotNull := c.resolved()
	f := tb.facts[c.Name]
	return c.NotNull || domainNotNull || f != nil && f.notNull[c.Name]
}

// nullPermille is the share of NULLs in a nullable column: most rows of a deleted_at are NULL,
// a few of any other nullable column.
func (b *builder) nullPermille(tb *tableBuild, c *Column, sem semantic) int {
	if b.notNull(tb, c) || tb.inUnique[c] || tb.rowUnique[c] {
		return 0
	}
	switch sem {
	case semDeletedAt:
		return 900
	case semFutureAt:
		return 300
	}
	return 50
}

func (b *builder) seedOf(c *Column) uint64 {
	return deriveSeed(b.spec.Seed, c.Table.QualifiedName(), c.Name)
}

// valueRecipe generates a column from its type, its CHECKs and what its name suggests.
func (b *builder) valueRecipe(tb *tableBuild, c *Column, unique bool) (recipe, error) {
	info := b.slots[c].info
	sem := guessSemantic(c.Table.Name, c.Name)
	if dom := c.Type; dom != nil && dom.Kind == 'd' && sem == semNone {
		sem = guessSemantic(c.Table.Name, dom.Name) // a domain named email_address says it all
	}
	f := tb.facts[c.Name]
	if f == nil {
		f = newCheckFacts()
	}
	np := b.nullPermille(tb, c, sem)
	seed := b.seedOf(c)
	if allowed := f.allowed[c.Name]; len(allowed) > 0 && !unique {
		return &choiceRecipe{seed: seed, values: allowed, nullPermille: np}, nil
	}
	fn := func(fn appendFn) recipe { return &funcRecipe{seed: seed, nullPermille: np, fn: fn} }
	switch info.kind {
	case kEnum:
		return &choiceRecipe{seed: seed, values: info.labels, nullPermille: np}, nil
	case kBool:
		return &choiceRecipe{seed: seed, values: []string{"t", "f"}, nullPermille: np}, nil
	case kInt, kNumeric, kFloat, kMoney, kDate, kTimestamp, kTimestamptz, kTime:
		return b.ordinalRecipe(tb, c, info, sem, f, np, unique)
	case kText:
		return b.textRecipe(tb, c, info, sem, f, np, unique), nil
	case kUUID:
		return fn(uuidFn(unique, seed)), nil
	case kJSON:
		return fn(jsonFn()), nil
	case kInet:
		return fn(inetFn(info, unique, sem == semIPv6)), nil
	case kMacaddr:
		return fn(macFn(6)), nil
	case kMacaddr8:
		return fn(macFn(8)), nil
	case kBytea:
		return fn(byteaFn(unique)), nil
	case kBit:
		return fn(bitFn(info)), nil
	case kTSVector:
		return fn(tsvectorFn()), nil
	case kXML:
		return fn(xmlFn()), nil
	case kPoint:
		return fn(pointFn()), nil
	case kTimetz:
		return fn(timetzFn()), nil
	case kInterval:
		return fn(intervalFn()), nil
	case kArray:
		elemSem := sem
		if strings.Contains(strings.ToLower(c.Name), "tag") {
			elemSem = semNone // tags are single words
		}
		if elem := elementFn(*info.elem, elemSem); elem != nil {
			return fn(arrayFn(elem)), nil
		}
	case kRange:
		if r := rangeFn(*info.rangeSub); r != nil {
			return fn(r), nil
		}
	}
	return nil, nil
}

func (b *builder) textRecipe(tb *tableBuild, c *Column, info typeInfo, sem semantic, f *checkFacts, np int, unique bool) recipe {
	maxLen := info.maxLen
	if m, ok := f.maxLength[c.Name]; ok && (maxLen == 0 || m < maxLen) {
		maxLen = m
	}
	for _, p := range f.patterns[c.Name] {
		if strings.Contains(p, "@") {
			sem = semEmail
		}
	}
	if len(f.patterns[c.Name]) > 0 && sem != semEmail {
		b.warnf("%s: pattern CHECK %s is not generated for; values may violate it", c, strings.Join(f.patterns[c.Name], ", "))
	}
	return &textRecipe{
		seed:         b.seedOf(c),
		produce:      textProducer(sem, maxLen),
		minLen:       f.minLength[c.Name],
		maxLen:       maxLen,
		unique:       unique,
		emailStyle:   sem == semEmail,
		nullPermille: np,
	}
}

// ordinalRecipe generates numbers, dates and timestamps within the type's limits and the CHECK
// bounds, in the range the column's name suggests.
func (b *builder) ordinalRecipe(tb *tableBuild, c *Column, info typeInfo, sem semantic, f *checkFacts, np int, unique bool) (recipe, error) {
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
	r := &ordinalRecipe{
		seed: b.seedOf(c), info: info, lo: lo, hi: hi, nullPermille: np,
		u: ordinalUnit{family: info.ordinalFamily(), scale: info.ordinalScale()},
	}
	r.spread = relationSpread(info, lo, hi)
	if unique {
		r.unique, r.step = true, uniqueStep(info)
		switch {
		case c.SeqIncrement > 0:
			// Keys follow the sequence, as the application's inserts would.
			r.lo, r.step = max(hardLo, c.SeqStart), c.SeqIncrement
		case info.kind == kInt && sem == semNone:
			r.lo = max(hardLo, 1) // keys count from 1
		}
		rows := tb.tp.rows
		if rows > 0 && (hardHi-r.lo)/r.step < rows-1 {
			return nil, fmt.Errorf("%s (%s) must be unique but holds at most %d distinct values within its type and CHECKs, "+
				"and %d rows were asked for %s", c, info.name, (hardHi-r.lo)/r.step+1, rows, c.Table.QualifiedName())
		}
	}
	return r, nil
}

// ordinalLimits are the bounds of a type, in its ordinal unit.
func ordinalLimits(info typeInfo) (int64, int64) {
	switch info.kind {
	case kInt:
		return info.intMin, info.intMax
	case kNumeric:
		if info.precision > 0 {
			digits := info.precision - info.scale + info.ordinalScale()
			if digits < 18 {
				m := int64(math.Pow10(digits)) - 1
				return -m, m
			}
		}
		return -1e17, 1e17
	case kFloat, kMoney:
		return -1e15, 1e15
	case kDate:
		return -700000, 1000000
	case kTimestamp, kTimestamptz:
		return -60e9, 90e9
	case kTime:
		return 0, secondsPerDay - 1
	}
	return math.MinInt64 / 2, math.MaxInt64 / 2
}

// ordinalDefaults is the usual range of a column, from its semantic.
func ordinalDefaults(info typeInfo, sem semantic) (int64, int64) {
	switch info.kind {
	case kDate, kTimestamp, kTimestamptz:
		now := ordinalEpoch(info)
		day := int64(1)
		if info.kind != kDate {
			day = secondsPerDay
		}
		switch sem {
		case semBirthDate:
			lo, _ := ordinalOfLiteral("1950-01-01", info)
			hi, _ := ordinalOfLiteral("2006-12-31", info)
			return lo, hi
		case semFutureAt:
			return now, now + 365*day
		}
		return now - 730*day, now - 1
	case kTime:
		return 0, secondsPerDay - 1
	}
	loText, hiText := numberRange(sem)
	lo, _ := parseDecimalUnits(loText, info.ordinalScale())
	hi, _ := parseDecimalUnits(hiText, info.ordinalScale())
	return lo, hi
}

// fitRange moves the usual range [softLo, softHi] inside the allowed [hardLo, hardHi], keeping
// its width where it can.
func fitRange(softLo, softHi, hardLo, hardHi int64) (int64, int64) {
	width := softHi - softLo
	switch {
	case softHi < hardLo:
		return hardLo, min(hardHi, satAdd(hardLo, width))
	case softLo > hardHi:
		return max(hardLo, satAdd(hardHi, -width)), hardHi
	}
	return max(softLo, hardLo), min(softHi, hardHi)
}

func relationSpread(info typeInfo, lo, hi int64) int64 {
	switch info.kind {
	case kDate:
		return 30
	case kTimestamp, kTimestamptz:
		return 30 * secondsPerDay
	case kTime:
		return 3600
	}
	return max((hi-lo)/4, 1)
}

func uniqueStep(info typeInfo) int64 {
	switch info.kind {
	case kTimestamp, kTimestamptz:
		return 60
	case kNumeric, kFloat, kMoney:
		step := int64(1)
		for i := 0; i < info.ordinalScale(); i++ {
			step *= 10
		}
		return step
	}
	return 1
}

// ruleRecipe follows a column rule of the spec.
func (b *builder) ruleRecipe(tb *tableBuild, c *Column, rule ColumnRule) (recipe, error) {
	info := b.slots[c].info
	seed := b.seedOf(c)
	f := tb.facts[c.Name]
	if f == nil {
		f = newCheckFacts()
	}
	mismatch := func() error {
		return fmt.Errorf("columns rule for %s: generator %s does not produce values of the column's type %s",
			c, rule.Generator, info.name)
	}
	textual := info.kind == kText
	switch rule.Generator {
	case "null":
		if b.notNull(tb, c) {
			return nil, fmt.Errorf("columns rule for %s: generator null on a NOT NULL column", c)
		}
		return &nullRecipe{}, nil
	case "constant", "oneOf":
		return &choiceRecipe{seed: seed, values: rule.Values}, nil
	case "boolean":
		switch {
		case info.kind == kBool:
			return &choiceRecipe{seed: seed, values: []string{"t", "f"}}, nil
		case textual:
			return &choiceRecipe{seed: seed, values: []string{"true", "false"}}, nil
		}
		return nil, mismatch()
	case "integer", "decimal", "price", "date", "timestamp":
		want := map[string]typeInfo{
			"integer":   {kind: kInt, intMin: math.MinInt64, intMax: math.MaxInt64},
			"decimal":   {kind: kNumeric},
			"price":     {kind: kNumeric},
			"date":      {kind: kDate},
			"timestamp": {kind: kTimestamptz},
		}[rule.Generator]
		if !info.isOrdinal() || info.ordinalFamily() != want.ordinalFamily() && !(info.ordinalFamily() == 3 && want.kind == kDate) {
			if !textual {
				return nil, mismatch()
			}
			info = want
		}
		sem := semantic(rule.Generator)
		if rule.Generator == "integer" || rule.Generator == "decimal" {
			sem = semNone
		}
		return b.ordinalRecipe(tb, c, info, sem, f, 0, tb.rowUnique[c])
	case "uuid":
		if info.kind != kUUID && !textual {
			return nil, mismatch()
		}
		return &funcRecipe{seed: seed, fn: uuidFn(tb.rowUnique[c], seed)}, nil
	case "ipv4", "ipv6":
		if info.kind != kInet && !textual {
			return nil, mismatch()
		}
		return &funcRecipe{seed: seed, fn: inetFn(info, tb.rowUnique[c], rule.Generator == "ipv6")}, nil
	}
	if !textual {
		return nil, mismatch()
	}
	return b.textRecipe(tb, c, info, semantic(rule.Generator), f, 0, tb.rowUnique[c]), nil
}

// wireRelations makes columns follow the columns their CHECKs compare them with (shipped_at >
// created_at, sale_price <= price), and updated_at follow created_at.
func (b *builder) wireRelations(tb *tableBuild) {
	t := tb.tp.table
	rels := append([]relation(nil), tb.relations...)
	var created, updated *Column
	for _, c := range t.Columns {
		switch guessSemantic(t.Name, c.Name) {
		case semCreatedAt:
			if created == nil {
				created = c
			}
		case semUpdatedAt:
			if updated == nil {
				updated = c
			}
		}
	}
	if created != nil && updated != nil && !relatedPair(rels, created.Name, updated.Name) {
		rels = append(rels, relation{left: updated.Name, op: ">=", right: created.Name})
	}
	dependsOn := map[*Column][]*Column{}
	var reaches func(from, to *Column, depth int) bool
	reaches = func(from, to *Column, depth int) bool {
		if from == to {
			return true
		}
		if depth > 64 {
			return true
		}
		for _, d := range dependsOn[from] {
			if reaches(d, to, depth+1) {
				return true
			}
		}
		return false
	}
	free := func(c *Column) *ordinalRecipe {
		r, ok := b.slots[c].r.(*ordinalRecipe)
		if !ok || r.unique {
			return nil
		}
		return r
	}
	for _, rel := range rels {
		left, right := t.Column(rel.left), t.Column(rel.right)
		if left == nil || right == nil || left == right {
			continue
		}
		li, ri := b.slots[left].info, b.slots[right].info
		if li.ordinalFamily() == 0 || li.ordinalFamily() != ri.ordinalFamily() {
			b.warnf("%s: cannot relate %s %s %s (types %s and %s)", t.QualifiedName(), rel.left, rel.op, rel.right, li.name, ri.name)
			continue
		}
		dep, ref, op := left, right, rel.op
		if free(dep) == nil || reaches(ref, dep, 0) {
			dep, ref, op = right, left, flippedOp[rel.op]
		}
		r := free(dep)
		if r == nil || reaches(ref, dep, 0) || b.slots[ref].r == nil {
			b.warnf("%s: cannot honour %s %s %s: neither column is free to follow the other", t.QualifiedName(), rel.left, rel.op, rel.right)
			continue
		}
		dependsOn[dep] = append(dependsOn[dep], ref)
		switch op {
		case ">":
			r.lower = append(r.lower, ordRef{ref: b.slots[ref], strict: true})
		case ">=":
			r.lower = append(r.lower, ordRef{ref: b.slots[ref]})
		case "<":
			r.upper = append(r.upper, ordRef{ref: b.slots[ref], strict: true})
		case "<=":
			r.upper = append(r.upper, ordRef{ref: b.slots[ref]})
		}
	}
}

func relatedPair(rels []relation, a, b string) bool {
	for _, r := range rels {
		if r.left == a && r.right == b || r.left == b && r.right == a {
			return true
		}
	}
	return false
}

// planDeferred prepares the second pass of the foreign keys that close a cycle: rows are found
// by a key the generator wrote, and their foreign key columns set.
func (b *builder) planDeferred(tb *tableBuild) error {
	t := tb.tp.table
	for _, fk := range t.ForeignKeys {
		if !b.deferred[fk] {
			continue
		}
		key := b.rowKey(tb)
		if key == nil {
			return fmt.Errorf("foreign key %s of %s closes a cycle and is set after loading, which needs a primary key "+
				"or a NOT NULL unique key on %s that the generator writes", fk.Name, t.QualifiedName(), t.QualifiedName())
		}
		r := &fkRecipe{
			seed:         deriveSeed(b.spec.Seed, t.QualifiedName(), fk.Name, "fk"),
			parentRows:   b.rows[fk.RefTable],
			nullPermille: 50,
		}
		for _, rc := range fk.RefColumns {
			r.refs = append(r.refs, b.slots[rc])
		}
		d := &deferredFK{fk: fk, key: key.Columns}
		for _, c := range key.Columns {
			d.keyRecipes = append(d.keyRecipes, b.slots[c])
		}
		for i := range fk.Columns {
			d.fkRecipes = append(d.fkRecipes, &fkColumnRecipe{group: r, index: i})
		}
		tb.tp.deferred = append(tb.tp.deferred, d)
	}
	return nil
}

// rowKey is a unique key whose columns are all written by the generator, NOT NULL and not
// themselves set later: the primary key when it qualifies.
func (b *builder) rowKey(tb *tableBuild) *UniqueKey {
	written := map[*Column]bool{}
	for _, c := range tb.tp.columns {
		written[c] = true
	}
	keys := append([]*UniqueKey(nil), tb.tp.table.Uniques...)
	for _, primaryFirst := range []bool{true, false} {
		for _, k := range keys {
			if k.Primary != primaryFirst || k.Partial {
				continue
			}
			ok := true
			for _, c := range k.Columns {
				ok = ok && written[c] && !tb.deferred[c] && b.notNull(tb, c) && !tb.nullOnly[c]
			}
			if ok {
				return k
			}
		}
	}
	return nil
}
