package catalog

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/envmirror/envmirror/internal/seed/contract"
	"github.com/envmirror/envmirror/internal/seed/pgexpr"
	"github.com/jackc/pgx/v5"
)

// Read introspects the connected database.
func Read(ctx context.Context, conn *pgx.Conn) (*Catalog, error) {
	cat := &Catalog{byOID: map[uint32]*Table{}}
	if err := conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&cat.ServerVersionNum); err != nil {
		return nil, fmt.Errorf("reading the server version: %w", err)
	}
	if cat.ServerVersionNum < 120000 {
		return nil, fmt.Errorf("PostgreSQL %d is not supported: seeding needs PostgreSQL 12 or newer", cat.ServerVersionNum/10000)
	}
	rels, err := readRelations(ctx, conn)
	if err != nil {
		return nil, err
	}
	for _, r := range rels {
		if r.isPartition || r.extension {
			continue
		}
		t := &Table{OID: r.oid, Schema: r.schema, Name: r.name, Partitioned: r.kind == "p"}
		cat.Tables = append(cat.Tables, t)
		cat.byOID[t.OID] = t
	}
	oids := make([]uint32, 0, len(cat.Tables))
	for _, t := range cat.Tables {
		oids = append(oids, t.OID)
	}
	types := map[uint32]*Type{}
	if err := readColumns(ctx, conn, cat, oids, types); err != nil {
		return nil, err
	}
	if err := readTypes(ctx, conn, types, cat.ServerVersionNum >= 140000); err != nil {
		return nil, err
	}
	if err := readSequences(ctx, conn, cat); err != nil {
		return nil, err
	}
	root, _ := partitionRoots(cat, rels)
	leaves := leafIndex{root: root, name: map[uint32]string{}}
	for _, r := range rels {
		leaves.name[r.oid] = r.schema + "." + r.name
	}
	if err := readConstraints(ctx, conn, cat, oids, leaves, cat.ServerVersionNum >= 150000); err != nil {
		return nil, err
	}
	if err := readLeafConstraints(ctx, conn, cat, rels, leaves); err != nil {
		return nil, err
	}
	if err := readUniqueIndexes(ctx, conn, cat, oids, cat.ServerVersionNum >= 150000); err != nil {
		return nil, err
	}
	if err := readExclusions(ctx, conn, cat, oids); err != nil {
		return nil, err
	}
	if err := readPartitions(ctx, conn, cat, rels); err != nil {
		return nil, err
	}
	if err := readFunctionBodies(ctx, conn, cat); err != nil {
		return nil, err
	}
	return cat, nil
}

// readFunctionBodies reads the sources of the user's SQL and PL/pgSQL functions (not an
// extension's).
func readFunctionBodies(ctx context.Context, conn *pgx.Conn, cat *Catalog) error {
	rows, err := conn.Query(ctx, `
SELECT p.proname::text, p.prosrc
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
WHERE l.lanname IN ('sql', 'plpgsql') AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
ORDER BY p.proname, p.oid`)
	if err != nil {
		return fmt.Errorf("reading functions: %w", err)
	}
	defer rows.Close()
	cat.FunctionBodies = map[string][]string{}
	for rows.Next() {
		var name, body string
		if err := rows.Scan(&name, &body); err != nil {
			return err
		}
		cat.FunctionBodies[name] = append(cat.FunctionBodies[name], body)
	}
	return rows.Err()
}

type relInfo struct {
	oid         uint32
	schema      string
	name        string
	kind        string
	isPartition bool
	parent      uint32
	bound       string
	extension   bool
}

func readRelations(ctx context.Context, conn *pgx.Conn) ([]relInfo, error) {
	rows, err := conn.Query(ctx, `
SELECT c.oid, n.nspname, c.relname, c.relkind::text, c.relispartition,
       COALESCE((SELECT i.inhparent FROM pg_inherits i WHERE i.inhrelid = c.oid AND c.relispartition), 0)::oid,
       COALESCE(pg_get_expr(c.relpartbound, c.oid), ''),
       EXISTS (SELECT 1 FROM pg_depend d
               WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> '`+contract.PrivateSchema+`'
ORDER BY n.nspname, c.relname`)
	if err != nil {
		return nil, fmt.Errorf("listing tables: %w", err)
	}
	var out []relInfo
	for rows.Next() {
		var r relInfo
		if err := rows.Scan(&r.oid, &r.schema, &r.name, &r.kind, &r.isPartition, &r.parent, &r.bound, &r.extension); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func readColumns(ctx context.Context, conn *pgx.Conn, cat *Catalog, oids []uint32, types map[uint32]*Type) error {
	rows, err := conn.Query(ctx, `
SELECT a.attrelid, a.attnum, a.attname, a.atttypid, a.atttypmod, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       a.attidentity::text, a.attgenerated::text,
       COALESCE(pg_get_expr(ad.adbin, ad.adrelid), ''),
       COALESCE(pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname), '')
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
WHERE a.attrelid = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum`, oids)
	if err != nil {
		return fmt.Errorf("reading columns: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var rel, typOID uint32
		var col Column
		var identity, generated string
		if err := rows.Scan(&rel, &col.Num, &col.Name, &typOID, &col.TypMod, &col.TypeSQL, &col.NotNull,
			&identity, &generated, &col.Default, &col.Sequence); err != nil {
			return err
		}
		if identity != "" {
			col.Identity = identity[0]
		}
		if generated != "" {
			col.Generated = generated[0]
		}
		t := cat.byOID[rel]
		col.Table = t
		if types[typOID] == nil {
			types[typOID] = &Type{OID: typOID}
		}
		col.Type = types[typOID]
		c := col
		t.Columns = append(t.Columns, &c)
	}
	return rows.Err()
}

// readTypes fills in the types the columns use, and the types those depend on (domain bases,
// array elements, range subtypes), until nothing is missing.
func readTypes(ctx context.Context, conn *pgx.Conn, types map[uint32]*Type, multiranges bool) error {
	// A multirange's subtype is its range's (pg_range.rngmultitypid, PostgreSQL 14+).
	multirangeJoin, subtype := "", "COALESCE(r.rngsubtype, 0)"
	if multiranges {
		multirangeJoin, subtype = "LEFT JOIN pg_range mr ON mr.rngmultitypid = t.oid", "COALESCE(r.rngsubtype, mr.rngsubtype, 0)"
	}
	loaded := map[uint32]bool{}
	for round := 0; round < 16; round++ {
		var missing []uint32
		for oid := range types {
			if !loaded[oid] {
				missing = append(missing, oid)
			}
		}
		if len(missing) == 0 {
			break
		}
		sort.Slice(missing, func(i, j int) bool { return missing[i] < missing[j] })
		rows, err := conn.Query(ctx, `
SELECT t.oid, n.nspname, t.typname, t.typtype::text, t.typcategory::text, t.typlen,
       format_type(t.oid, NULL), t.typelem, t.typbasetype, t.typtypmod, t.typnotnull,
       CASE WHEN t.typbasetype <> 0 THEN format_type(t.typbasetype, t.typtypmod) ELSE '' END,
       `+subtype+`::oid,
       ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder),
       ARRAY(SELECT pg_get_constraintdef(k.oid) FROM pg_constraint k
             WHERE k.contypid = t.oid AND k.contype = 'c' ORDER BY k.conname),
       ARRAY(SELECT a.atttypid FROM pg_attribute a WHERE a.attrelid = t.typrelid AND t.typtype = 'c' AND a.attnum > 0
             AND NOT a.attisdropped ORDER BY a.attnum),
       ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = t.typrelid AND t.typtype = 'c' AND a.attnum > 0
             AND NOT a.attisdropped ORDER BY a.attnum),
       ARRAY(SELECT a.atttypmod FROM pg_attribute a WHERE a.attrelid = t.typrelid AND t.typtype = 'c' AND a.attnum > 0
             AND NOT a.attisdropped ORDER BY a.attnum)
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_range r ON r.rngtypid = t.oid
`+multirangeJoin+`
WHERE t.oid = ANY($1)`, missing)
		if err != nil {
			return fmt.Errorf("reading types: %w", err)
		}
		for rows.Next() {
			var oid uint32
			var kind, category string
			t := &Type{}
			if err := rows.Scan(&oid, &t.Schema, &t.Name, &kind, &category, &t.Len, &t.Display,
				&t.elemOID, &t.baseOID, &t.BaseTypMod, &t.DomainNotNul, &t.BaseDisplay, &t.rangeSubOID, &t.Labels, &t.DomainChecks,
				&t.fieldOIDs, &t.fieldNames, &t.fieldTypMods); err != nil {
				rows.Close()
				return err
			}
			t.OID = oid
			t.Kind, t.Category = kind[0], category[0]
			*types[oid] = *t
			loaded[oid] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, oid := range missing {
			loaded[oid] = true // a type that vanished meanwhile stays empty rather than looping
			linkType(types, types[oid])
		}

	}
	return nil
}

// nullsNotDistinct reads pg_index.indnullsnotdistinct of index alias i (PostgreSQL 15+).
func nullsNotDistinct(has bool, alias string) string {
	if has {
		return alias + ".indnullsnotdistinct"
	}
	return "false"
}

func readConstraints(ctx context.Context, conn *pgx.Conn, cat *Catalog, oids []uint32, leaves leafIndex, hasNND bool) error {
	rows, err := conn.Query(ctx, `
SELECT k.conrelid, k.conname, k.contype::text, k.conkey, k.confrelid,
       ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY u(num, i)
             JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.num ORDER BY u.i),
       pg_get_constraintdef(k.oid), k.convalidated,
       COALESCE((SELECT `+nullsNotDistinct(hasNND, "i")+` FROM pg_index i WHERE i.indexrelid = k.conindid), false)
FROM pg_constraint k
WHERE k.conrelid = ANY($1) AND k.conparentid = 0 AND k.contype IN ('p', 'u', 'f', 'c', 'x')
ORDER BY k.conrelid, k.conname`, oids)
	if err != nil {
		return fmt.Errorf("reading constraints: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var rel, refRel uint32
		var name, kind, def string
		var key []int16
		var refCols []string
		var validated, nnd bool
		if err := rows.Scan(&rel, &name, &kind, &key, &refRel, &refCols, &def, &validated, &nnd); err != nil {
			return err
		}
		t := cat.byOID[rel]
		switch kind {
		case "p", "u":
			t.Uniques = append(t.Uniques, &UniqueKey{Name: name, Columns: columnsByNum(t, key), Primary: kind == "p", NullsNotDistinct: nnd})
		case "c":
			t.Checks = append(t.Checks, &Check{Name: name, Def: def, Validated: validated})
		case "x":
			t.Exclusions = append(t.Exclusions, &Exclusion{Name: name}) // see readExclusions
		case "f":
			ref, leaf := cat.referenced(refRel, leaves)
			if ref == nil {
				return fmt.Errorf("foreign key %s of %s references a table that is not seeded "+
					"(an extension's table or a partition that is itself partitioned, oid %d): seeding it is not supported",
					name, t.QualifiedName(), refRel)
			}
			t.ForeignKeys = append(t.ForeignKeys, &ForeignKey{
				Name: name, Table: t, Columns: columnsByNum(t, key),
				RefTable: ref, RefColumns: columnsByName(ref, refCols), Validated: validated, RefLeaf: leaf,
			})
		}
	}
	return rows.Err()
}

func columnsByNum(t *Table, nums []int16) []*Column {
	out := make([]*Column, 0, len(nums))
	for _, n := range nums {
		for _, c := range t.Columns {
			if c.Num == n {
				out = append(out, c)
			}
		}
	}
	return out
}

// readUniqueIndexes adds unique indexes that no constraint declares, including expression
// indexes such as lower(email): their columns are read from the index expressions.
func readUniqueIndexes(ctx context.Context, conn *pgx.Conn, cat *Catalog, oids []uint32, hasNND bool) error {
	rows, err := conn.Query(ctx, `
SELECT i.indrelid, ic.relname, COALESCE(pg_get_expr(i.indpred, i.indrelid), ''), `+nullsNotDistinct(hasNND, "i")+`,
       ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnkeyatts) k ORDER BY k)
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
WHERE i.indrelid = ANY($1) AND i.indisunique
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid)
ORDER BY i.indrelid, ic.relname`, oids)
	if err != nil {
		return fmt.Errorf("reading unique indexes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var rel uint32
		var name, predicate string
		var nnd bool
		var elems []string
		if err := rows.Scan(&rel, &name, &predicate, &nnd, &elems); err != nil {
			return err
		}
		t := cat.byOID[rel]
		elems, predicate = flagElements(elems, predicate, nnd)
		key := &UniqueKey{Name: name, Partial: predicate != "", Predicate: predicate, NullsNotDistinct: nnd}
		key.Columns, key.Collapsed, key.Coalesced, key.Truncated = keyColumns(t, elems)
		key.Exprs = elems
		t.Uniques = append(t.Uniques, key)
	}
	return rows.Err()
}

func dedupeColumns(cols []*Column) []*Column {
	var out []*Column
	for _, c := range cols {
		dup := false
		for _, o := range out {
			dup = dup || o == c
		}
		if !dup {
			out = append(out, c)
		}
	}
	return out
}

// readPartitions walks each partitioned table down to its leaves, recording the bound of every
// level so values can be generated that route to a leaf.
func readPartitions(ctx context.Context, conn *pgx.Conn, cat *Catalog, rels []relInfo) error {
	var partitioned []uint32
	children := map[uint32][]relInfo{}
	for _, r := range rels {
		if r.kind == "p" {
			partitioned = append(partitioned, r.oid)
		}
		if r.isPartition {
			children[r.parent] = append(children[r.parent], r)
		}
	}
	if len(partitioned) == 0 {
		return nil
	}
	keys := map[uint32][]string{}
	rows, err := conn.Query(ctx, `
SELECT pt.partrelid,
       ARRAY(SELECT COALESCE(a.attname::text, '')
             FROM unnest(pt.partattrs::int2[]) WITH ORDINALITY k(attnum, ord)
             LEFT JOIN pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = k.attnum
             ORDER BY k.ord)
FROM pg_partitioned_table pt WHERE pt.partrelid = ANY($1)`, partitioned)
	if err != nil {
		return fmt.Errorf("reading partition keys: %w", err)
	}
	for rows.Next() {
		var oid uint32
		var cols []string
		if err := rows.Scan(&oid, &cols); err != nil {
			rows.Close()
			return err
		}
		keys[oid] = cols
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, t := range cat.Tables {
		if !t.Partitioned {
			continue
		}
		var walk func(oid uint32, steps []partitionStep, depth int) error
		walk = func(oid uint32, steps []partitionStep, depth int) error {
			if depth > 16 {
				return fmt.Errorf("partitions of %s nest too deeply", t.QualifiedName())
			}
			key := keys[oid]
			for _, k := range key {
				if k == "" && t.PartitionProblem == "" {
					t.PartitionProblem = "a partition key is an expression"
				}
			}
			for _, child := range children[oid] {
				b, err := pgexpr.ParseBound(child.bound)
				if err != nil {
					t.PartitionProblem = err.Error()
					continue
				}
				next := append(append([]partitionStep(nil), steps...), partitionStep{Columns: key, Bound: b})
				if child.kind == "p" {
					if err := walk(child.oid, next, depth+1); err != nil {
						return err
					}
					continue
				}
				t.Leaves = append(t.Leaves, &partitionLeaf{Name: child.schema + "." + child.name, Steps: next})
			}
			return nil
		}
		if err := walk(t.OID, nil, 0); err != nil {
			return err
		}
		sort.Slice(t.Leaves, func(i, j int) bool { return t.Leaves[i].Name < t.Leaves[j].Name })
	}
	return nil
}

// readSequences reads where the sequences behind key columns start, so generated keys follow
// them (an invoice number sequence starting at 10000 gives 10000, 10001, ...).
func readSequences(ctx context.Context, conn *pgx.Conn, cat *Catalog) error {
	for _, t := range cat.Tables {
		for _, c := range t.Columns {
			seq := SequenceOf(c)
			if seq == "" {
				continue
			}
			err := conn.QueryRow(ctx, `SELECT s.seqstart, s.seqincrement FROM pg_sequence s WHERE s.seqrelid = to_regclass($1)`, seq).
				Scan(&c.SeqStart, &c.SeqIncrement)
			if errors.Is(err, pgx.ErrNoRows) {
				continue
			}
			if err != nil {
				return fmt.Errorf("reading sequence %s of %s: %w", seq, c, err)
			}
		}
	}
	return nil
}

// linkType points a type at the types it depends on (array element, domain base, range
// subtype, composite fields), adding those not read yet to types.
func linkType(types map[uint32]*Type, t *Type) {
	link := func(dep uint32) *Type {
		if dep == 0 {
			return nil
		}
		if types[dep] == nil {
			types[dep] = &Type{OID: dep}
		}
		return types[dep]
	}
	if t.Category == 'A' {
		t.Elem = link(t.elemOID)
	}
	t.Base = link(t.baseOID)
	t.RangeSub = link(t.rangeSubOID)
	for i, f := range t.fieldOIDs {
		t.Fields = append(t.Fields, &Field{Name: t.fieldNames[i], Type: link(f), TypMod: t.fieldTypMods[i]})
	}
}
