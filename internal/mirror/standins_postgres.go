package mirror

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/deps"
	"github.com/envmirror/envmirror/internal/seed/contract"
)

// ProdDatabase is what the probe read from the prod of a spec.data entry whose schema is read
// with schema.fromDatabase: the server's version (PostgreSQL's server_version, MySQL's SELECT
// VERSION()), its distribution (postgres, mysql, aurora-mysql, mariadb) and PostgreSQL's
// extensions (pg_extension's names and versions). It holds no value of prod's data.
type ProdDatabase struct {
	ServerVersion string
	Distribution  string
	Extensions    []contract.Extension
	// ExtensionsCut: prod has more extensions than the probe's summary could carry.
	ExtensionsCut bool
}

// ProdDatabaseFromProbe is what a finished probe of prod's database (DatabaseProbeJob) read.
func ProdDatabaseFromProbe(s deps.Summary) ProdDatabase {
	return ProdDatabase{ServerVersion: s.Version, Distribution: s.Distribution, Extensions: s.Extensions, ExtensionsCut: s.ExtensionsCut}
}

// DatabaseStandIn is what a spec.data entry's stand-in runs.
type DatabaseStandIn struct {
	Image string
	// Version is the engine version it runs: standIn.version, or prod's as probed.
	Version string
	// ProdVersion is prod's version as the probe read it ("16.4"); empty when not probed.
	ProdVersion string
	// Note says how the stand-in differs from prod (the image's patch level or PostGIS release)
	// and which of prod's extensions its image lacks.
	Note string
	// Mismatch says how the stand-in's version differs from prod's, for the VersionsPinned
	// condition; empty when it matches or prod's is not known.
	Mismatch string
	// Unavailable are prod's extensions no official image has with the others: the entry needs
	// standIn.image.
	Unavailable []string
	// Problem says why the stand-in cannot run as the spec asks (prod is MariaDB behind engine
	// mysql, say): the entry stops until the spec changes, and no stand-in is built.
	Problem string
}

// ProbesDatabase reports whether a spec.data entry's stand-in is chosen from prod as probed:
// its schema comes from prod's database, the only way to know prod's extensions (and, with no
// standIn.version, its version). MySQL and MariaDB entries are probed too (SELECT VERSION()).
func ProbesDatabase(d *v1alpha1.DatabaseSpec) bool {
	return d.StandIn != nil && d.Schema != nil && d.Schema.FromDatabase != nil
}

// WithProdDatabases gives the stand-ins what the probes of prod's databases read, by spec.data
// entry name. An operator that runs the probes calls it (with what it has so far): from then
// on, an entry that ProbesDatabase waits for its probe before its stand-in is built, because
// the probe chooses its version and image. Without the call, such an entry runs as its spec
// says (standIn.version, a plain image), as before the probe existed.
func (s StandIns) WithProdDatabases(probed map[string]ProdDatabase) StandIns {
	s.prodDatabases = probed
	if s.prodDatabases == nil {
		s.prodDatabases = map[string]ProdDatabase{}
	}
	return s
}

// Database says what a spec.data entry's stand-in runs. ok is false while that is not known
// yet: the entry waits for its probe, or has no version at all.
func (s StandIns) Database(d *v1alpha1.DatabaseSpec) (DatabaseStandIn, bool) {
	if IsMySQL(d) {
		return s.mysqlDatabase(d)
	}
	var out DatabaseStandIn
	exts := contract.Named(s.extensions[d.Name])
	var prod ProdDatabase
	if s.prodDatabases != nil && ProbesDatabase(d) {
		var probed bool
		if prod, probed = s.prodDatabases[d.Name]; !probed {
			return out, false
		}
		out.ProdVersion = contract.PostgresVersion(prod.ServerVersion)
		exts = mergeExtensions(exts, prod.Extensions)
	}
	ok := s.chooseDatabase(d, exts, &out)
	if ok && prod.ExtensionsCut {
		out.Note = strings.TrimPrefix(out.Note+"; prod has more extensions than the probe could report: "+
			"the image was chosen from the first ones only", "; ")
	}
	return out, ok
}

// chooseDatabase fills in the version and image of a database stand-in whose prod is known.
func (s StandIns) chooseDatabase(d *v1alpha1.DatabaseSpec, exts []contract.Extension, out *DatabaseStandIn) bool {
	out.Version = d.StandIn.Version
	if out.Version == "" {
		out.Version = out.ProdVersion
	}
	if out.Version == "" {
		return false
	}
	out.Mismatch = databaseMismatch(d, out.ProdVersion)
	if d.StandIn.Image != "" {
		out.Image = string(d.StandIn.Image)
		return true
	}
	choice := contract.ChooseStandInImage(out.Version, exts)
	out.Image, out.Note, out.Unavailable = choice.Image, choice.Note, choice.Unavailable
	return true
}

// databaseMismatch compares what the spec pins (standIn.version, or the version in
// standIn.image's tag) with prod's version, at the precision both give: "16" matches "16.4",
// "16.2" does not.
func databaseMismatch(d *v1alpha1.DatabaseSpec, prod string) string {
	if prod == "" {
		return ""
	}
	field, pinned := "standIn.version", d.StandIn.Version
	if d.StandIn.Image != "" {
		if v := deps.NormalizeVersion(imageTag(string(d.StandIn.Image))); v != "" {
			field, pinned = "standIn.image", v
		}
	}
	if pinned == "" || deps.SameVersion(pinned, prod) {
		return ""
	}
	return fmt.Sprintf("spec.data[%s].%s runs %s %s, prod runs %s", d.Name, field, EngineName(d), pinned, prod)
}

// VersionMismatches lists the database stand-ins that run another version than prod's, for the
// VersionsPinned condition (the dependencies' are in their own status).
func (s StandIns) VersionMismatches() []string {
	var out []string
	for _, d := range s.databases() {
		if ds, ok := s.Database(d); ok && ds.Mismatch != "" {
			out = append(out, ds.Mismatch)
		}
	}
	return out
}

// mergeExtensions adds the probed extensions (with their versions) to those a schema names.
func mergeExtensions(named, probed []contract.Extension) []contract.Extension {
	out := append([]contract.Extension(nil), probed...)
	for _, n := range named {
		found := false
		for _, p := range probed {
			found = found || p.Name == n.Name
		}
		if !found {
			out = append(out, n)
		}
	}
	return out
}

// imageTag is the tag of an image reference ("" when it has none).
func imageTag(image string) string {
	ref := image
	if at := strings.IndexByte(ref, '@'); at >= 0 {
		ref = ref[:at]
	}
	slash := strings.LastIndexByte(ref, '/')
	if colon := strings.LastIndexByte(ref, ':'); colon > slash {
		return ref[colon+1:]
	}
	return ""
}

// DatabaseProbeJobName names the Job that reads a database's prod version and extensions: a new
// Secret reference, or another engine, probes again.
func DatabaseProbeJobName(env *v1alpha1.MirrorEnvironment, d *v1alpha1.DatabaseSpec) string {
	ref := d.Schema.FromDatabase.SecretRef
	engine, what := ProbeEngine(d), "pg"
	if IsMySQL(d) {
		what = "mysql"
	}
	sum := sha256.Sum256([]byte(string(engine) + "|" + ref.Name + "|" + ref.KeyOr("dsn")))
	return ProbeJobName(env, d.Name, what, hex.EncodeToString(sum[:])[:10])
}
