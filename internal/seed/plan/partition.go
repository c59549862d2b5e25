package plan

import (
	"fmt"
	"strings"
	"time"

	"github.com/envmirror/envmirror/internal/seed/catalog"
	"github.com/envmirror/envmirror/internal/seed/gen"
	"github.com/envmirror/envmirror/internal/seed/pgexpr"
)

// planPartitions reads the leaves' bounds into value ranges for the partition key columns.
func (b *builder) planPartitions(tb *tableBuild) {
	t := tb.tp.Table
	if !t.Partitioned {
		return
	}
	if t.PartitionProblem != "" {
		b.warnf("%s: partition bounds not used (%s); rows may find no partition", t.QualifiedName(), t.PartitionProblem)
		return
	}
	pr := &gen.PartitionRecipe{Seed: gen.DeriveSeed(b.spec.Seed, t.QualifiedName(), "partition")}
	var defaults []gen.LeafValues
	for _, leaf := range t.Leaves {
		lv := gen.LeafValues{Name: leaf.Name, Cols: map[string]gen.KeyRange{}}
		isDefault := false
		usable := true
		for _, step := range leaf.Steps {
			if step.Bound.IsDefault {
				isDefault = true
				continue
			}
			if step.Bound.Hash {
				continue
			}
			for i, colName := range step.Columns {
				c := t.Column(colName)
				if c == nil {
					usable = false
					break
				}
				kr, ok := keyRangeOf(step.Bound, i, b.slots[c].info)
				if !ok {
					usable = false
					break
				}
				lv.Cols[colName] = kr
				tb.partKeys[colName] = true
			}
		}
		switch {
		case !usable:
			b.warnf("%s: bounds of partition %s are not understood; no rows are generated for it", t.QualifiedName(), leaf.Name)
		case isDefault:
			defaults = append(defaults, lv)
		default:
			pr.Leaves = append(pr.Leaves, lv)
		}
	}
	if len(pr.Leaves) == 0 {
		pr.Leaves = defaults
	}
	if len(pr.Leaves) > 0 {
		tb.partition = pr
		tb.tp.Partition = pr
	}
}

// referenceLeaf makes a foreign key that references one partition pick its parents among the
// rows routed there.
func (b *builder) referenceLeaf(fk *catalog.ForeignKey, r *gen.FKRecipe) error {
	if fk.RefLeaf == "" {
		return nil
	}
	if part := b.plan.ByTable[fk.RefTable].Partition; part != nil {
		for i, l := range part.Leaves {
			if l.Name == fk.RefLeaf {
				r.ParentPart, r.ParentLeaf = part, i
				return nil
			}
		}
	}
	return fmt.Errorf("foreign key %s of %s references the partition %s, but the rows of %s are not steered to it "+
		"(its bounds are not read, or it is a default partition): the key cannot be met; give %s a columns rule",
		fk.Name, fk.Table.QualifiedName(), fk.RefLeaf, fk.RefTable.QualifiedName(), catalog.DescribeColumns(fk.Columns))
}

// keyRangeOf turns the bound of the i-th key column into the values to generate. For range
// bounds with several columns only the first column whose bounds differ is constrained to the
// interval; the columns before it take the common value.
func keyRangeOf(bd pgexpr.Bound, i int, info gen.TypeInfo) (gen.KeyRange, bool) {
	if len(bd.In) > 0 {
		var values []string
		for _, v := range bd.In {
			if !v.Null {
				values = append(values, v.Text)
			}
		}
		if i > 0 || len(values) == 0 {
			return gen.KeyRange{}, false
		}
		return gen.KeyRange{Values: values}, true
	}
	if i >= len(bd.From) || i >= len(bd.To) {
		return gen.KeyRange{}, false
	}
	from, to := bd.From[i], bd.To[i]
	// Columns after the first differing one are free within that bound: take the lower one.
	for j := 0; j < i; j++ {
		if bd.From[j].Text != bd.To[j].Text || bd.From[j].MinValue || bd.To[j].MaxValue {
			if from.MinValue || from.MaxValue {
				return gen.KeyRange{}, false
			}
			return gen.KeyRange{Values: []string{from.Text}}, true
		}
	}
	if !info.IsOrdinal() {
		if from.MinValue || from.MaxValue {
			return gen.KeyRange{}, false
		}
		return gen.KeyRange{Values: []string{from.Text}}, true
	}
	lo, okLo := ordinalOfLiteral(from.Text, info)
	hi, okHi := ordinalOfLiteral(to.Text, info)
	switch {
	case from.MinValue && okHi:
		lo, okLo = hi-gen.DefaultSpan(info), true
	case to.MaxValue && okLo:
		hi, okHi = lo+gen.DefaultSpan(info), true
	}
	if !okLo || !okHi {
		return gen.KeyRange{}, false
	}
	if from.Text == to.Text && !from.MinValue && !to.MaxValue {
		return gen.KeyRange{Ordinal: true, Lo: lo, Hi: lo}, true
	}
	return gen.KeyRange{Ordinal: true, Lo: lo, Hi: hi - 1}, hi > lo
}

// ordinalOfLiteral reads a literal in the unit of an ordinal type.
func ordinalOfLiteral(text string, info gen.TypeInfo) (int64, bool) {
	switch info.Kind {
	case gen.KindInt, gen.KindNumeric, gen.KindFloat, gen.KindMoney:
		return gen.ParseDecimalUnits(strings.TrimPrefix(text, "$"), info.OrdinalScale())
	case gen.KindDate:
		t, ok := parseTimeLiteral(text)
		if !ok {
			return 0, false
		}
		return t.Unix() / gen.SecondsPerDay, true
	case gen.KindTimestamp, gen.KindTimestamptz:
		t, ok := parseTimeLiteral(text)
		if !ok {
			return 0, false
		}
		return t.Unix(), true
	case gen.KindTime:
		t, err := time.Parse("15:04:05", strings.TrimSpace(text))
		if err != nil {
			return 0, false
		}
		return int64(t.Hour()*3600 + t.Minute()*60 + t.Second()), true
	}
	return 0, false
}

var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999-07",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02",
}

// parseTimeLiteral reads dates and timestamps as PostgreSQL prints them with DateStyle ISO
// (seeding sessions set it). Timestamps without a zone are taken as UTC.
func parseTimeLiteral(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
