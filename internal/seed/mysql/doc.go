// Package mysql seeds MySQL and MariaDB databases with the engine that seeds PostgreSQL: the
// catalog is read from information_schema into the same catalog.Catalog (types mapped to their
// PostgreSQL twins where there is one, catalog.NativeType where not), the same planner decides
// every value, rows stream into LOAD DATA LOCAL INFILE in the same text format COPY reads (each
// type whose text differs is converted by the statement's SET clause), and verification reads
// every constraint back from the server and checks it against the rows.
package mysql
