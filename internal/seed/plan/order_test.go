package plan

import (
	"strings"
	"testing"

	"github.com/envmirror/envmirror/internal/seed/catalog"
)

// schemaOf builds tables with foreign keys from "child.col->parent" specs; "!" marks a NOT NULL
// column ("orders.customer_id!->customers").
func schemaOf(names []string, fks ...string) ([]*catalog.Table, map[string]*catalog.Table) {
	byName := map[string]*catalog.Table{}
	var tables []*catalog.Table
	for _, n := range names {
		t := &catalog.Table{Schema: "public", Name: n}
		t.Columns = append(t.Columns, &catalog.Column{Table: t, Name: "id", NotNull: true})
		byName[n] = t
		tables = append(tables, t)
	}
	for _, fk := range fks {
		left, parent, _ := strings.Cut(fk, "->")
		child, col, _ := strings.Cut(left, ".")
		notNull := strings.HasSuffix(col, "!")
		col = strings.TrimSuffix(col, "!")
		t := byName[child]
		c := &catalog.Column{Table: t, Name: col, NotNull: notNull}
		t.Columns = append(t.Columns, c)
		ref := byName[parent]
		t.ForeignKeys = append(t.ForeignKeys, &catalog.ForeignKey{Name: child + "_" + col + "_fkey", Table: t,
			Columns: []*catalog.Column{c}, RefTable: ref, RefColumns: ref.Columns[:1]})
	}
	return tables, byName
}

func names(ts []*catalog.Table) string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return strings.Join(out, ",")
}

func TestOrderTables(t *testing.T) {
	tests := []struct {
		name     string
		tables   []string
		fks      []string
		order    string
		deferred []string
		err      string
	}{
		{name: "chain", tables: []string{"a_items", "b_orders", "c_customers"},
			fks:   []string{"a_items.order_id!->b_orders", "b_orders.customer_id!->c_customers"},
			order: "c_customers,b_orders,a_items"},
		{name: "self reference does not constrain", tables: []string{"categories", "products"},
			fks:   []string{"categories.parent_id->categories", "products.category_id!->categories"},
			order: "categories,products"},
		{name: "cycle broken at the nullable key", tables: []string{"addresses", "customers"},
			fks:      []string{"customers.default_address_id->addresses", "addresses.customer_id!->customers"},
			order:    "customers,addresses",
			deferred: []string{"customers_default_address_id_fkey"}},
		{name: "cycle of nullable keys is broken deterministically", tables: []string{"x", "y"},
			fks:      []string{"x.y_id->y", "y.x_id->x"},
			order:    "x,y",
			deferred: []string{"x_y_id_fkey"}},
		{name: "three-table cycle", tables: []string{"p", "q", "r"},
			fks:      []string{"p.q_id!->q", "q.r_id!->r", "r.p_id->p"},
			order:    "p,r,q",
			deferred: []string{"r_p_id_fkey"}},
		{name: "NOT NULL cycle is an error naming the tables", tables: []string{"left_t", "right_t"},
			fks: []string{"left_t.r!->right_t", "right_t.l!->left_t"},
			err: "public.left_t, public.right_t"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tables, _ := schemaOf(tt.tables, tt.fks...)
			order, deferred, err := orderTables(tables)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error = %v, want one naming %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.order != "" && names(order) != tt.order {
				// The three-table case accepts any order where the NOT NULL keys go forward.
				if tt.name != "three-table cycle" || !validOrder(order, deferred) {
					t.Errorf("order = %s, want %s", names(order), tt.order)
				}
			}
			var got []string
			for fk := range deferred {
				got = append(got, fk.Name)
			}
			if strings.Join(got, ",") != strings.Join(tt.deferred, ",") {
				t.Errorf("deferred = %v, want %v", got, tt.deferred)
			}
			if !validOrder(order, deferred) {
				t.Errorf("order %s loads a table before a parent", names(order))
			}
		})
	}
}

func validOrder(order []*catalog.Table, deferred map[*catalog.ForeignKey]bool) bool {
	pos := map[*catalog.Table]int{}
	for i, t := range order {
		pos[t] = i
	}
	for _, t := range order {
		for _, fk := range t.ForeignKeys {
			if fk.RefTable != t && !deferred[fk] && pos[fk.RefTable] > pos[t] {
				return false
			}
			if deferred[fk] && !fkNullable(fk) {
				return false
			}
		}
	}
	return true
}
