// Package seed is the data engine of envmirror: the `manager seed` program that gives a copy's
// PostgreSQL (or MySQL/MariaDB) database production's schema and synthetic, deterministic rows.
//
// A run (Command) waits for the database, optionally drops every non-system schema (--reset),
// checks the server has the extensions the schema creates, applies the schema as
// `pg_dump --schema-only` writes it (--schema-file), refuses a database that lacks a table of
// its schema source (the tables the schema file creates, prod's tables the schema Job listed:
// package schemasql, completeness.go), gives partitioned tables dumped without partitions one
// that takes every row, in the copy only (partitions.go, reported in the summary), then:
//
//   - reads the catalog (pg_catalog): tables of every non-system schema, column types through
//     domains, arrays, enums, ranges and multiranges, identity/serial/generated columns, unique
//     keys and indexes (partial ones with their WHERE clause), foreign keys (to tables or to one
//     partition), CHECKs (the table's, and those only some partitions declare), partition bounds,
//     the bodies of the schema's own SQL functions; and prod's statistics when the schema Job left
//     them (row estimates, null fractions, distinct counts, average widths: never a value);
//   - plans: every column gets a generator (a recipe) from its type, its CHECKs and its name, or
//     from a column rule of the spec. CHECK conditions the planner does not read (an OR across
//     shapes, CASE, the schema's functions) are judged by the server itself on candidate values
//     (package oracle), and the columns draw from what passed. Rows are coherent: one person per
//     row behind its name, email and username; identifying columns distinct; updated after
//     created, a span's end after its start, a child created after its parents. Unique keys over
//     foreign keys map rows to distinct combinations (a count asked by name that cannot fit is
//     an error naming the largest that does; rows.default and rows.scale are cut to it). Rows
//     past a key's combinations are steered out of it: a condition of a partial key's WHERE
//     clause made false, or a nullable key column NULL (plan/partial.go). Unique full names
//     stay names (every first x last pair, then initials). CHECKs on which columns are NULL
//     (exclusive arcs) are evaluated on every NULL pattern (plan/nullness.go);
//   - empties the tables (TRUNCATE ... RESTART IDENTITY CASCADE) and loads each with one
//     streaming COPY over a pool of connections: in foreign key order when the sessions check
//     foreign keys, otherwise all at once, biggest first; tables nothing references with COPY
//     FREEZE. Foreign keys closing a cycle are set by a second pass; sequences are advanced past
//     the generated keys;
//   - verifies, by reading the rows, every constraint of the catalog on every table, partition
//     and inheritance child (package load's Verifier): each table as soon as it and the tables it
//     references are committed, while the others load.
//
// The work is split by role: contract (the Spec, flags and Summary shared with the operator),
// catalog (introspection), pgexpr (the SQL expression parser), plan, gen (generators), oracle
// (the server as judge of conditions), load (COPY and verification), schemasql (which tables a
// schema script creates); this package is the command that runs them in turn. With
// --engine=mysql the run is package mysql's: MySQL and MariaDB read into the same catalog,
// planned by the same planner, loaded with LOAD DATA LOCAL INFILE and verified by reading.
//
// Every value is a function of (seed, table, column, row number) and of the server's answers to
// questions that are themselves functions of the seed, so the same schema, counts and seed give
// byte-identical tables however the work is scheduled, and a child row computes its parent's key
// (or creation time) instead of reading it. Progress is printed as JSON lines; the last is a
// Summary.
package seed
