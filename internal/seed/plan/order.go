package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/envmirror/envmirror/internal/seed/catalog"
)

// orderTables returns the tables in an order where every table comes after the tables its
// foreign keys reference, and the foreign keys that cannot be honoured in that order (they close
// a cycle). Those are filled with NULL while loading and set by an UPDATE once every table is
// loaded, so they must be nullable: a cycle made only of NOT NULL foreign keys is an error naming
// its tables. Self-references do not constrain the order; the generator handles them.
//
// The result depends only on the schema: ties are broken by table and constraint name.
func orderTables(tables []*catalog.Table) ([]*catalog.Table, map[*catalog.ForeignKey]bool, error) {
	sorted := append([]*catalog.Table(nil), tables...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].QualifiedName() < sorted[j].QualifiedName() })

	deferred := map[*catalog.ForeignKey]bool{}
	for _, scc := range stronglyConnected(sorted) {
		if len(scc) < 2 {
			continue
		}
		inSCC := map[*catalog.Table]bool{}
		for _, t := range scc {
			inSCC[t] = true
		}
		// Within the cycle, order by the NOT NULL foreign keys only; nullable ones pointing
		// forward in that order are deferred.
		hard := func(fk *catalog.ForeignKey) bool {
			return inSCC[fk.RefTable] && fk.RefTable != fk.Table && !fkNullable(fk)
		}
		order, stuck := kahn(scc, hard)
		if len(stuck) > 0 {
			names := make([]string, len(stuck))
			for i, t := range stuck {
				names[i] = t.QualifiedName()
			}
			return nil, nil, fmt.Errorf("tables %s reference each other through NOT NULL foreign keys only, "+
				"so no loading order can satisfy them; make a column of one of these foreign keys nullable",
				strings.Join(names, ", "))
		}
		pos := map[*catalog.Table]int{}
		for i, t := range order {
			pos[t] = i
		}
		for _, t := range scc {
			for _, fk := range t.ForeignKeys {
				if inSCC[fk.RefTable] && fk.RefTable != t && pos[fk.RefTable] > pos[t] {
					deferred[fk] = true
				}
			}
		}
	}
	edge := func(fk *catalog.ForeignKey) bool { return fk.RefTable != fk.Table && !deferred[fk] }
	order, stuck := kahn(sorted, edge)
	if len(stuck) > 0 {
		// Cannot happen: every cycle lost a deferred edge above.
		return nil, nil, fmt.Errorf("internal error: no loading order for %d tables", len(stuck))
	}
	return order, deferred, nil
}

// fkNullable says whether every column of a foreign key may be NULL.
func fkNullable(fk *catalog.ForeignKey) bool {
	for _, c := range fk.Columns {
		if c.NotNull {
			return false
		}
		if _, _, _, domainNotNull := c.Resolved(); domainNotNull {
			return false
		}
	}
	return true
}

// kahn sorts tables so that for each foreign key accepted by edge the referenced table comes
// first. Among ready tables the first in the given order goes first. Tables left in a cycle are
// returned as stuck.
func kahn(tables []*catalog.Table, edge func(*catalog.ForeignKey) bool) (order, stuck []*catalog.Table) {
	in := map[*catalog.Table]bool{}
	for _, t := range tables {
		in[t] = true
	}
	done := map[*catalog.Table]bool{}
	for len(order) < len(tables) {
		progressed := false
		for _, t := range tables {
			if done[t] || !ready(t, in, done, edge) {
				continue
			}
			done[t] = true
			order = append(order, t)
			progressed = true
			break
		}
		if !progressed {
			for _, t := range tables {
				if !done[t] {
					stuck = append(stuck, t)
				}
			}
			return order, stuck
		}
	}
	return order, nil
}

func ready(t *catalog.Table, in, done map[*catalog.Table]bool, edge func(*catalog.ForeignKey) bool) bool {
	for _, fk := range t.ForeignKeys {
		if edge(fk) && in[fk.RefTable] && !done[fk.RefTable] {
			return false
		}
	}
	return true
}

// stronglyConnected returns the strongly connected components of the foreign key graph
// (Tarjan's algorithm), each sorted by name.
func stronglyConnected(tables []*catalog.Table) [][]*catalog.Table {
	index := map[*catalog.Table]int{}
	low := map[*catalog.Table]int{}
	onStack := map[*catalog.Table]bool{}
	var stack []*catalog.Table
	var out [][]*catalog.Table
	next := 0
	var visit func(t *catalog.Table)
	visit = func(t *catalog.Table) {
		index[t], low[t] = next, next
		next++
		stack = append(stack, t)
		onStack[t] = true
		for _, fk := range t.ForeignKeys {
			ref := fk.RefTable
			if _, seen := index[ref]; !seen {
				visit(ref)
				low[t] = min(low[t], low[ref])
			} else if onStack[ref] {
				low[t] = min(low[t], index[ref])
			}
		}
		if low[t] == index[t] {
			var scc []*catalog.Table
			for {
				top := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[top] = false
				scc = append(scc, top)
				if top == t {
					break
				}
			}
			sort.Slice(scc, func(i, j int) bool { return scc[i].QualifiedName() < scc[j].QualifiedName() })
			out = append(out, scc)
		}
	}
	for _, t := range tables {
		if _, seen := index[t]; !seen {
			visit(t)
		}
	}
	return out
}
