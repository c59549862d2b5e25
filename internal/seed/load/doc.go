// Package load writes a plan into the database (one streaming COPY per table over a pool of
// connections, deferred foreign keys, sequences) and verifies the result by reading every row
// (Verifier), table by table as they commit.
package load
