// Package load writes a plan into the database (one streaming COPY per table, tables in
// parallel as their parents commit, deferred foreign keys, sequences) and verifies the result.
package load
