package plan

import (
	"github.com/envmirror/envmirror/internal/seed/catalog"
	"github.com/envmirror/envmirror/internal/seed/gen"
)

// gridOf reads a grid CHECK in the column's ordinal unit (nil when it cannot).
func gridOf(g gridFact, info gen.TypeInfo) *gen.Grid {
	if g.mod != "" {
		mod, ok1 := gen.ParseDecimalUnits(g.mod, info.OrdinalScale())
		rem, ok2 := gen.ParseDecimalUnits(g.rem, info.OrdinalScale())
		if !ok1 || !ok2 || mod <= 0 || !info.IsOrdinal() || info.Kind == gen.KindFloat {
			return nil
		}
		return &gen.Grid{Mod: mod, Rem: rem}
	}
	days := info.Kind == gen.KindDate
	seconds := map[string]int64{"second": 1, "minute": 60, "hour": 3600, "day": gen.SecondsPerDay}[g.unit]
	switch {
	case info.Kind != gen.KindDate && info.Kind != gen.KindTimestamp && info.Kind != gen.KindTimestamptz:
		return nil
	case seconds > 0 && days:
		return nil // every date starts its day
	case seconds > 0:
		return &gen.Grid{Mod: seconds}
	case g.unit == "week" || g.unit == "month" || g.unit == "quarter" || g.unit == "year":
		return &gen.Grid{Calendar: g.unit, Days: days}
	}
	return nil
}

func lcm(a, b int64) int64 {
	x, y := a, b
	for y != 0 {
		x, y = y, x%y
	}
	return a / x * b
}

// timeCounter makes a key of foreign keys and one time cut to a unit (a report per person and
// day: (person_id, date_trunc('day', at)); a budget per team and month: (team_id, month) with
// CHECK (month = date_trunc('month', month))) hold by counting units per combination, from a
// start that differs between combinations, as the rows of a real application would be. It
// reports whether the column is such a time.
func (b *builder) timeCounter(tb *tableBuild, key *catalog.UniqueKey, groups []*gen.FKRecipe, c *catalog.Column, used map[*gen.FKRecipe]bool) bool {
	info := b.slots[c].info
	var grid *gen.Grid
	step := truncStep(key.Truncated[c], info)
	if f := tb.facts[c.Name]; f != nil {
		if g, ok := f.grid[c.Name]; ok {
			grid = gridOf(g, info)
			step = max(step, grid.Spacing())
		}
	}
	if step <= 0 || info.Kind != gen.KindDate && info.Kind != gen.KindTimestamp && info.Kind != gen.KindTimestamptz {
		return false
	}
	b.counterCombo(tb, key, groups, c, used)
	counter := tb.combo[c].(*gen.ComboCounterRecipe)
	lo, hi := ordinalDefaults(info, gen.GuessSemantic(c.Table.Name, c.Name))
	counter.Lo, counter.Step, counter.Grid = lo, step, grid
	counter.Spread = max((hi-lo)/step/2, 1) // starts over the first half of the usual range
	return true
}
