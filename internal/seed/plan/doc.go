// Package plan decides how every table is seeded: the loading order (foreign keys first, cycles
// broken at a nullable key set afterwards), each table's row count, and each column's Recipe from
// its type, its constraints, its name or a column rule of the spec. CHECK conditions it does not
// read itself are judged by an Oracle (the server) on candidate values.
package plan
