// Package seed is the data engine of envmirror: the `manager seed` program that gives a copy's
// PostgreSQL database production's schema and synthetic, deterministic rows.
//
// A run (Command) waits for the database, optionally drops every non-system schema (--reset) and
// applies a schema file as `pg_dump --schema-only` writes it (--schema-file), then:
//
//   - reads the catalog (pg_catalog): tables of every non-system schema, column types through
//     domains, arrays, enums and ranges, identity/serial/generated columns, unique keys and
//     indexes, foreign keys, CHECKs, partition bounds;
//   - plans: tables in foreign key order, cycles broken at a nullable foreign key that is set by
//     an UPDATE after loading; every column gets a generator (a recipe) from its type, its CHECKs
//     and its name, or from a column rule of the spec;
//   - empties the tables (TRUNCATE ... RESTART IDENTITY CASCADE), loads each with one streaming
//     COPY (text format; tables in parallel as their parents commit), sets the deferred foreign
//     keys, advances sequences past the generated keys;
//   - verifies row counts and every foreign key.
//
// The work is split by role: contract (the Spec, flags and Summary shared with the operator),
// catalog (introspection), pgexpr (the SQL expression parser), plan, gen (generators), load
// (COPY and verification); this package is the command that runs them in turn.
//
// Every value is a function of (seed, table, column, row number), so the same schema, counts and
// seed give byte-identical tables however the work is scheduled, and a child row computes its
// parent's key instead of reading it. Progress is printed as JSON lines; the last is a Summary.
package seed
