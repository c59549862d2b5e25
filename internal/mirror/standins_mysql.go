package mirror

import (
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/deps"
)

// A MySQL or MariaDB database of spec.data runs the stand-in of spec.dependencies' engine of the
// same name (internal/deps' engine table: the official image, its user, its data directory, its
// credentials, local_infile on), so both kinds of stand-in behave alike; only the seeding
// around it is spec.data's own.

// IsMySQL reports whether a spec.data entry is a MySQL or MariaDB database.
func IsMySQL(d *v1alpha1.DatabaseSpec) bool {
	return d.Engine == v1alpha1.DatabaseMySQL || d.Engine == v1alpha1.DatabaseMariaDB
}

// mysqlPort is MySQL's and MariaDB's client port.
const mysqlPort = 3306

// databasePort is the default port of a database entry's engine.
func databasePort(d *v1alpha1.DatabaseSpec) int32 {
	if IsMySQL(d) {
		return mysqlPort
	}
	return postgresPort
}

// ProbeEngine is the engine `manager probe` reads a database entry's prod with.
func ProbeEngine(d *v1alpha1.DatabaseSpec) v1alpha1.DependencyEngine {
	switch d.Engine {
	case v1alpha1.DatabaseMySQL:
		return v1alpha1.EngineMySQL
	case v1alpha1.DatabaseMariaDB:
		return v1alpha1.EngineMariaDB
	}
	return deps.EnginePostgres
}

// EngineName is a database entry's engine as people write it, for messages.
func EngineName(d *v1alpha1.DatabaseSpec) string {
	switch d.Engine {
	case v1alpha1.DatabaseMySQL:
		return "MySQL"
	case v1alpha1.DatabaseMariaDB:
		return "MariaDB"
	}
	return "PostgreSQL"
}

// mysqlEngine is the engine table entry of a MySQL or MariaDB database entry.
func mysqlEngine(d *v1alpha1.DatabaseSpec) *deps.Engine {
	e, ok := deps.Lookup(ProbeEngine(d))
	if !ok {
		panic("internal/deps has no engine " + string(ProbeEngine(d)))
	}
	return e
}

// mysqlDatabase says what a MySQL or MariaDB entry's stand-in runs: standIn.version (or prod's
// version, read by the probe) on the engine's official image, or standIn.image. ok is false
// while prod's version is being read.
func (s StandIns) mysqlDatabase(d *v1alpha1.DatabaseSpec) (DatabaseStandIn, bool) {
	var out DatabaseStandIn
	if s.prodDatabases != nil && ProbesDatabase(d) {
		prod, probed := s.prodDatabases[d.Name]
		if !probed {
			return out, false
		}
		out.ProdVersion = deps.NormalizeVersion(prod.ServerVersion)
		if out.Problem = distributionProblem(d, prod); out.Problem != "" {
			return out, true // known, and stopped: no image of the wrong engine
		}
	}
	out.Version = d.StandIn.Version
	if out.Version == "" {
		out.Version = out.ProdVersion
	}
	if out.Version == "" && d.StandIn.Image == "" {
		return out, false
	}
	r, err := deps.Resolve(ProbeEngine(d), out.Version, string(d.StandIn.Image))
	if err != nil {
		out.Problem = fmt.Sprintf("spec.data[%s]: %v", d.Name, err)
		return out, true
	}
	out.Image, out.Note = r.Image, r.Note
	out.Mismatch = databaseMismatch(d, out.ProdVersion)
	return out, true
}

// distributionProblem says when prod's server is not the entry's engine: a MariaDB prod behind
// engine mysql (or the reverse) would get a stand-in image of the other engine, whose dumps and
// collations differ.
func distributionProblem(d *v1alpha1.DatabaseSpec, prod ProdDatabase) string {
	isMariaDB := prod.Distribution == "mariadb"
	switch {
	case prod.Distribution == "":
		return ""
	case isMariaDB && d.Engine == v1alpha1.DatabaseMySQL:
		return fmt.Sprintf("prod's database is MariaDB (its SELECT VERSION() says %q), but spec.data[%s].engine is mysql: set engine: mariadb, so that the stand-in runs MariaDB",
			prod.ServerVersion, d.Name)
	case !isMariaDB && d.Engine == v1alpha1.DatabaseMariaDB:
		return fmt.Sprintf("prod's database is MySQL (its SELECT VERSION() says %q), but spec.data[%s].engine is mariadb: set engine: mysql, so that the stand-in runs MySQL",
			prod.ServerVersion, d.Name)
	}
	return ""
}

// mysqlStandIn builds a MySQL or MariaDB entry's stand-in with the dependencies' builder: its
// credentials Secret (host, port, database, username, password, uri), its Service and its
// StatefulSet.
func (b *Builder) mysqlStandIn(d *v1alpha1.DatabaseSpec, password string, ds DatabaseStandIn) []client.Object {
	return b.engineStandIn(engineStandIn{name: d.Name, component: "database-stand-in", engine: mysqlEngine(d),
		version: ds.Version, image: ds.Image, database: standInDatabase(d), password: password, storage: d.StandIn.Storage})
}

// mysqlCredentials are the keys of a MySQL or MariaDB stand-in's credentials Secret.
func mysqlCredentials(d *v1alpha1.DatabaseSpec, password string) map[string][]byte {
	return mysqlEngine(d).Credentials(d.Name, "", password, standInDatabase(d))
}
