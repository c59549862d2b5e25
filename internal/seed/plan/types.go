package plan

import (
	"strings"

	"github.com/envmirror/envmirror/internal/seed/catalog"
	"github.com/envmirror/envmirror/internal/seed/gen"
)

// otherRecipe generates the types that are neither numbers, times nor text: identifiers,
// documents, network addresses, bits, arrays, ranges, PostGIS shapes, hstore, ltree.
func (b *builder) otherRecipe(tb *tableBuild, c *catalog.Column, info gen.TypeInfo, sem gen.Semantic, f *checkFacts, np int, unique bool) (gen.Recipe, error) {
	seed := b.seedOf(c)
	fn := func(fn gen.AppendFn) gen.Recipe { return &gen.FuncRecipe{Seed: seed, NullPermille: np, Fn: fn} }
	switch info.Kind {
	case gen.KindUUID:
		return fn(gen.UUIDFn(unique, seed)), nil
	case gen.KindJSON:
		return fn(gen.JSONFn(f.jsonShape[c.Name], sem, c.Name, seed)), nil
	case gen.KindInet:
		return fn(gen.InetFn(info, unique, sem == gen.SemIPv6)), nil
	case gen.KindMacaddr:
		return fn(gen.MACFn(6)), nil
	case gen.KindMacaddr8:
		return fn(gen.MACFn(8)), nil
	case gen.KindBytea:
		return fn(gen.ByteaFn(unique)), nil
	case gen.KindBit:
		return fn(gen.BitFn(info)), nil
	case gen.KindTSVector:
		return &gen.TSVectorRecipe{Seed: seed, Sources: b.searchSources(tb, c), NullPermille: np}, nil
	case gen.KindXML:
		return fn(gen.XMLFn()), nil
	case gen.KindPoint:
		return fn(gen.PointFn()), nil
	case gen.KindTimetz:
		return fn(gen.TimetzFn()), nil
	case gen.KindInterval:
		return fn(gen.IntervalFn()), nil
	case gen.KindGeo:
		return fn(gen.GeoFn(withGeoFacts(info.Geo, f.geo[c.Name]))), nil
	case gen.KindHstore:
		return fn(gen.HstoreFn(seed)), nil
	case gen.KindLtree:
		return fn(gen.LtreeFn()), nil
	case gen.KindVector:
		return fn(gen.VectorFn(info)), nil
	case gen.KindComposite:
		if r := gen.CompositeFn(info); r != nil {
			return fn(r), nil
		}
	case gen.KindArray:
		return b.arrayRecipe(tb, c, info, sem, f, np)
	case gen.KindRange:
		if r := gen.RangeFn(*info.RangeSub); r != nil {
			return fn(r), nil
		}
	case gen.KindMultirange:
		if r := gen.MultirangeFn(*info.RangeSub); r != nil {
			return fn(r), nil
		}
	}
	return nil, nil
}

// searchSources are the text columns a tsvector column indexes: the row's free text (titles,
// names, descriptions), not its codes, keys or addresses.
func (b *builder) searchSources(tb *tableBuild, search *catalog.Column) []gen.Recipe {
	var out []gen.Recipe
	for _, c := range tb.tp.Table.Columns {
		if c == search || c.Generated != 0 || tb.fkOf[c] != nil || b.slots[c].info.Kind != gen.KindText {
			continue
		}
		switch gen.GuessSemantic(c.Table.Name, c.Name) {
		case gen.SemNone, gen.SemTitle, gen.SemSentence, gen.SemParagraph, gen.SemProductName, gen.SemFullName,
			gen.SemCategory, gen.SemWord, gen.SemCompany, gen.SemJobTitle:
			out = append(out, b.slots[c])
		}
	}
	return out
}

// arrayRecipe makes one-dimensional arrays within the CHECKs' element counts. Elements of a
// domain with CHECKs are drawn from values the server judged (see elementPool).
func (b *builder) arrayRecipe(tb *tableBuild, c *catalog.Column, info gen.TypeInfo, sem gen.Semantic, f *checkFacts, np int) (gen.Recipe, error) {
	elemSem := sem
	if strings.Contains(strings.ToLower(c.Name), "tag") {
		elemSem = gen.SemNone // tags are single words
	}
	elem := gen.ElementFn(*info.Elem, elemSem)
	if elem == nil {
		return nil, nil
	}
	if pool := b.elementPool(tb, c, *info.Elem, elem); pool != nil {
		elem = gen.PickFn(pool)
	}
	lo, hi := f.minItems[c.Name], f.maxItems[c.Name]
	if hi <= 0 {
		hi = max(lo, 4)
	}
	return &gen.FuncRecipe{Seed: b.seedOf(c), NullPermille: np, Fn: gen.ArrayFn(elem, lo, max(lo, hi))}, nil
}

// elementPool returns the element values of an array of a domain with CHECKs that the server
// accepts, from samples of the element generator and the CHECKs' own literals; nil when the
// elements have no CHECK (or no server can be asked: then a warning says values may fail).
func (b *builder) elementPool(tb *tableBuild, c *catalog.Column, elemInfo gen.TypeInfo, elem gen.ElemFn) []string {
	base, _, _, _ := c.Resolved()
	if base == nil || base.Elem == nil {
		return nil
	}
	var conds []oracleCond
	for d := base.Elem; d != nil && d.Kind == 'd'; d = d.Base {
		for _, def := range d.DomainChecks {
			conds = append(conds, oracleCond{text: checkBody(def), source: "the CHECK of domain " + d.Display, valueType: d.BaseDisplay})
		}
	}
	if len(conds) == 0 {
		return nil
	}
	if b.oracle == nil {
		b.warnf("%s: the elements' domain CHECKs are not honoured; values may violate them", c)
		return nil
	}
	var texts []string
	for _, cond := range conds {
		texts = append(texts, cond.text)
	}
	candidates := gen.SampleElements(elem, gen.DeriveSeed(b.spec.Seed, c.String(), "elements"), naturalRows)
	candidates = append(candidates, literalsFor(elemInfo, candidateLiterals(strings.Join(texts, " "), b.calledBodies(texts)))...)
	rows := make([][]*string, len(candidates))
	for i := range candidates {
		rows[i] = []*string{&candidates[i]}
	}
	passed := make([]bool, len(rows))
	for i := range passed {
		passed[i] = true
	}
	for _, cond := range conds {
		ok, err := b.oracle.Accepts(cond.text, []string{"value"}, []string{cond.valueType}, rows)
		if err != nil {
			b.warnf("%s: %s condition %s could not be judged for the elements (%v); values may violate it", c, cond.source, cond.text, err)
			return nil
		}
		for i := range passed {
			passed[i] = passed[i] && ok[i]
		}
	}
	var pool []string
	seen := map[string]bool{}
	for i, ok := range passed {
		if ok && !seen[candidates[i]] {
			seen[candidates[i]] = true
			pool = append(pool, candidates[i])
		}
	}
	if len(pool) == 0 {
		b.warnf("%s: no element value passed the CHECKs of the elements' domain in the server; values may violate them: %s",
			c, ruleAdvice([]*catalog.Column{c}))
		return nil
	}
	return pool
}

// withGeoFacts applies what a column's CHECKs say (SRID, shape, dimensions) over its type modifier.
func withGeoFacts(g gen.GeoInfo, f *geoFacts) gen.GeoInfo {
	if f == nil {
		return g
	}
	if f.srid != nil {
		g.SRID = *f.srid
	}
	if f.shape != "" {
		g.Shape = f.shape
	}
	switch f.dims {
	case 2:
		g.Z, g.M = false, false
	case 3:
		g.Z, g.M = true, false
	case 4:
		g.Z, g.M = true, true
	}
	return g
}
