// Package catalog reads what seeding needs to know about a database from pg_catalog: tables,
// column types through domains, arrays, enums and ranges, keys, foreign keys, CHECKs, partitions.
package catalog
