package catalog

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
)

// readLeafConstraints adopts the constraints declared on partitions rather than on their
// partitioned table (pg_dump's ALTER TABLE ONLY payment_p2022_01 ADD CONSTRAINT ... FOREIGN KEY):
// rows are generated for the partitioned table, so its generator must honour them. A foreign key
// or unique key on any partition is honoured for every row (stricter than needed, never wrong);
// a CHECK is adopted when every partition declares it, since one that holds on some partitions
// only often restates their bounds. Verification checks each partition's own constraints.
func readLeafConstraints(ctx context.Context, conn *pgx.Conn, cat *Catalog, rels []relInfo, leafIdx leafIndex) error {
	root, leaves := partitionRoots(cat, rels)
	if len(root) == 0 {
		return nil
	}
	oids := make([]uint32, 0, len(root))
	for oid := range root {
		oids = append(oids, oid)
	}
	rows, err := conn.Query(ctx, `
SELECT k.conrelid, k.conname, k.contype::text, k.confrelid, pg_get_constraintdef(k.oid), k.convalidated,
       ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY u(num, i)
             JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.num ORDER BY u.i),
       ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY u(num, i)
             JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.num ORDER BY u.i)
FROM pg_constraint k
WHERE k.conrelid = ANY($1) AND k.conparentid = 0 AND k.conislocal AND k.contype IN ('p', 'u', 'f', 'c')
ORDER BY k.conname, k.conrelid`, oids)
	if err != nil {
		return fmt.Errorf("reading the constraints of partitions: %w", err)
	}
	defer rows.Close()
	leafName := map[uint32]string{}
	for _, r := range rels {
		leafName[r.oid] = r.schema + "." + r.name
	}
	checkLeaves := map[*Table]map[string][]string{}
	checkNames := map[*Table]map[string]string{}
	var order []*Table
	for rows.Next() {
		var rel, refRel uint32
		var name, kind, def string
		var validated bool
		var cols, refCols []string
		if err := rows.Scan(&rel, &name, &kind, &refRel, &def, &validated, &cols, &refCols); err != nil {
			return err
		}
		t := root[rel]
		switch kind {
		case "p", "u":
			adoptUnique(t, name, columnsByName(t, cols))
		case "c":
			if checkLeaves[t] == nil {
				checkLeaves[t], checkNames[t] = map[string][]string{}, map[string]string{}
				order = append(order, t)
			}
			if checkNames[t][def] == "" {
				checkNames[t][def] = name
			}
			checkLeaves[t][def] = append(checkLeaves[t][def], leafName[rel])
		case "f":
			if err := adoptForeignKey(cat, t, name, cols, refRel, refCols, validated, leafIdx); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	adoptLeafChecks(order, checkLeaves, checkNames, leaves)
	return nil
}

// adoptLeafChecks gives a partitioned table the CHECKs its partitions declare: as its own when
// every partition has it, otherwise with the partitions that do (Check.Leaves), for the rows
// routed there.
func adoptLeafChecks(tables []*Table, checkLeaves map[*Table]map[string][]string, names map[*Table]map[string]string, leaves map[*Table]int) {
	for _, t := range tables {
		defs := make([]string, 0, len(checkLeaves[t]))
		for def := range checkLeaves[t] {
			defs = append(defs, def)
		}
		sort.Strings(defs)
		for _, def := range defs {
			ck := &Check{Name: names[t][def], Def: def, Validated: true}
			if on := checkLeaves[t][def]; len(on) < leaves[t] {
				ck.Leaves = on
			}
			t.Checks = append(t.Checks, ck)
		}
	}
}

// partitionRoots maps every leaf partition to the seeded table its rows go through, and counts
// each such table's leaves.
func partitionRoots(cat *Catalog, rels []relInfo) (map[uint32]*Table, map[*Table]int) {
	parent := map[uint32]uint32{}
	for _, r := range rels {
		if r.isPartition {
			parent[r.oid] = r.parent
		}
	}
	root := map[uint32]*Table{}
	leaves := map[*Table]int{}
	for _, r := range rels {
		if !r.isPartition || r.kind != "r" {
			continue
		}
		top := r.oid
		for i := 0; i < 32 && parent[top] != 0; i++ {
			top = parent[top]
		}
		if t := cat.byOID[top]; t != nil {
			root[r.oid] = t
			leaves[t]++
		}
	}
	return root, leaves
}

func adoptUnique(t *Table, name string, cols []*Column) {
	if len(cols) == 0 {
		return
	}
	for _, u := range t.Uniques {
		if sameColumns(u.Columns, cols) {
			return
		}
	}
	t.Uniques = append(t.Uniques, &UniqueKey{Name: name, Columns: cols})
}

func adoptForeignKey(cat *Catalog, t *Table, name string, cols []string, refRel uint32, refCols []string, validated bool, leaves leafIndex) error {
	ref, leaf := cat.referenced(refRel, leaves)
	if ref == nil {
		return fmt.Errorf("foreign key %s of a partition of %s references a table that is not seeded "+
			"(an extension's table or a partition that is itself partitioned, oid %d): seeding it is not supported",
			name, t.QualifiedName(), refRel)
	}
	fk := &ForeignKey{Name: name, Table: t, Columns: columnsByName(t, cols), RefTable: ref,
		RefColumns: columnsByName(ref, refCols), Validated: validated, RefLeaf: leaf}
	if len(fk.Columns) != len(cols) || len(fk.RefColumns) != len(refCols) {
		return fmt.Errorf("foreign key %s of a partition of %s: columns %s not found", name, t.QualifiedName(), strings.Join(cols, ", "))
	}
	for _, other := range t.ForeignKeys {
		if other.RefTable == ref && other.RefLeaf == leaf && sameColumns(other.Columns, fk.Columns) && sameColumns(other.RefColumns, fk.RefColumns) {
			return nil // declared on several partitions: one foreign key of the table
		}
	}
	t.ForeignKeys = append(t.ForeignKeys, fk)
	return nil
}

func columnsByName(t *Table, names []string) []*Column {
	var out []*Column
	for _, n := range names {
		if c := t.Column(n); c != nil {
			out = append(out, c)
		}
	}
	return out
}

func sameColumns(a, b []*Column) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
