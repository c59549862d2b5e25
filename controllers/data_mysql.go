package controllers

import (
	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
)

// MySQL and MariaDB databases of spec.data go through the same steps as PostgreSQL's (data.go):
// the stand-in (internal/deps' engine, built by mirror.StandIns), for a schema read from prod a
// probe of prod's version and a schema Job in the operator's namespace, then the seeding Job
// with --engine=mysql. What differs is how prod's DSN is read and handed to the Jobs, here.

// engineOf is a database entry's engine as spec.data writes it (and as its official image is
// named): postgres, mysql or mariadb.
func engineOf(d *v1alpha1.DatabaseSpec) string {
	if d.Engine == "" {
		return string(v1alpha1.DatabasePostgres)
	}
	return string(d.Engine)
}

// checkProdDSN says what is wrong with prod's DSN for a MySQL or MariaDB entry, without
// repeating any of it; PostgreSQL's DSN is checked by the probe and pg_dump themselves.
func checkProdDSN(d *v1alpha1.DatabaseSpec, dsn []byte) string {
	if !mirror.IsMySQL(d) {
		return ""
	}
	if _, err := mirror.ParseMySQLDSN(string(dsn)); err != nil {
		return err.Error()
	}
	return ""
}

// schemaSecretData is the schema Job's Secret: prod's DSN and the copy's, as the engine's
// script reads them (SOURCE_DSN and TARGET_DSN for PostgreSQL; each part in a key of its own for
// MySQL and MariaDB). checkProdDSN has accepted dsn.
func schemaSecretData(d *v1alpha1.DatabaseSpec, dsn []byte, conn mirror.Connection, target, password string) map[string][]byte {
	if mirror.IsMySQL(d) {
		prod, _ := mirror.ParseMySQLDSN(string(dsn))
		return mirror.MySQLSchemaSecretData(prod, conn, target, password)
	}
	return map[string][]byte{
		"SOURCE_DSN": dsn,
		"TARGET_DSN": []byte(mirror.TargetDSN(conn, target, password)),
	}
}

// probeSourceURL is prod's DSN as the version probe reads it: as written for PostgreSQL (a URL
// or libpq's keyword form), a mysql:// URL for MySQL and MariaDB (the driver's own DSN form is
// turned into one). problem says what is wrong with it, without repeating it.
func probeSourceURL(d *v1alpha1.DatabaseSpec, dsn []byte) ([]byte, string) {
	if !mirror.IsMySQL(d) {
		return dsn, ""
	}
	ep, err := mirror.ParseMySQLDSN(string(dsn))
	if err != nil {
		return nil, err.Error()
	}
	return []byte(ep.URL()), ""
}

// probedWhat says what the probe of a database entry's prod reads, for status messages.
func probedWhat(d *v1alpha1.DatabaseSpec) string {
	if mirror.IsMySQL(d) {
		return "prod's " + mirror.EngineName(d) + " version"
	}
	return "prod's PostgreSQL version and extensions"
}
