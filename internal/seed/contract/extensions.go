package contract

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var (
	lineComment     = regexp.MustCompile(`--[^\n]*`)
	createExtension = regexp.MustCompile(`(?i)\bcreate\s+extension\s+(?:if\s+not\s+exists\s+)?("(?:[^"]|"")+"|[a-z_][a-z0-9_$-]*)`)
	leadingVersion  = regexp.MustCompile(`^[0-9]+(\.[0-9]+)*`)
)

// RequiredExtensions lists the extensions a schema creates (CREATE EXTENSION lines, as pg_dump
// writes them), sorted and without duplicates. Unquoted names are folded to lower case, as the
// server folds them.
func RequiredExtensions(schemaSQL string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range createExtension.FindAllStringSubmatch(lineComment.ReplaceAllString(schemaSQL, ""), -1) {
		name := m[1]
		if strings.HasPrefix(name, `"`) {
			name = strings.ReplaceAll(name[1:len(name)-1], `""`, `"`)
		} else {
			name = strings.ToLower(name)
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Extension is an extension of a database, as pg_extension names it. Version is empty when it
// is not known (a schema file says which extensions it creates, not their versions).
type Extension struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

// Named turns extension names into Extensions of unknown version.
func Named(names []string) []Extension {
	out := make([]Extension, 0, len(names))
	for _, n := range names {
		out = append(out, Extension{Name: n})
	}
	return out
}

// postgisExtensions are the extensions only a PostGIS image has.
var postgisExtensions = map[string]bool{
	"postgis": true, "postgis_raster": true, "postgis_topology": true, "postgis_sfcgal": true,
	"postgis_tiger_geocoder": true, "address_standardizer": true, "address_standardizer_data_us": true,
}

// officialExtensions are those the official postgres images have: PL/pgSQL and the contrib
// modules (the Debian-based images install postgresql-<major>, which ships them).
var officialExtensions = map[string]bool{
	"plpgsql": true, "adminpack": true, "amcheck": true, "autoinc": true, "bloom": true, "btree_gin": true,
	"btree_gist": true, "citext": true, "cube": true, "dblink": true, "dict_int": true, "dict_xsyn": true,
	"earthdistance": true, "file_fdw": true, "fuzzystrmatch": true, "hstore": true, "insert_username": true,
	"intagg": true, "intarray": true, "isn": true, "lo": true, "ltree": true, "moddatetime": true,
	"old_snapshot": true, "pageinspect": true, "pg_buffercache": true, "pg_freespacemap": true,
	"pg_logicalinspect": true, "pg_overexplain": true, "pg_prewarm": true, "pg_stat_statements": true,
	"pg_surgery": true, "pg_trgm": true, "pg_visibility": true, "pg_walinspect": true, "pgcrypto": true,
	"pgrowlocks": true, "pgstattuple": true, "postgres_fdw": true, "refint": true, "seg": true, "sslinfo": true,
	"tablefunc": true, "tcn": true, "tsm_system_rows": true, "tsm_system_time": true, "unaccent": true,
	"uuid-ossp": true, "xml2": true,
}

// PostGISVersion is the PostGIS release of the stand-in images for PostgreSQL 12 to 17 when
// prod's PostGIS release is not known; postgisReleases says what each major has.
const PostGISVersion = "3.5"

// postgisReleases are the PostGIS releases the postgis/postgis image publishes (Debian-based,
// tagged <major>-<postgis>) for each PostgreSQL major, oldest first. Source: the directories of
// postgis/docker-postgis over its history, a placeholder Dockerfile (no Debian build, e.g.
// 17-3.6, which is Alpine only) excluded. PostgreSQL 18 has only 3.6.
var postgisReleases = map[string][]string{
	"9.5": {"2.5", "3.0"},
	"9.6": {"2.5", "3.0", "3.1", "3.2"},
	"10":  {"2.5", "3.0", "3.1", "3.2"},
	"11":  {"2.5", "3.0", "3.1", "3.2", "3.3"},
	"12":  {"2.5", "3.0", "3.1", "3.2", "3.3", "3.4", "3.5"},
	"13":  {"3.0", "3.1", "3.2", "3.3", "3.4", "3.5"},
	"14":  {"3.1", "3.2", "3.3", "3.4", "3.5"},
	"15":  {"3.3", "3.4", "3.5"},
	"16":  {"3.4", "3.5"},
	"17":  {"3.4", "3.5"},
	"18":  {"3.6"},
}

// pgvectorMajors are the PostgreSQL majors pgvector/pgvector publishes pg<major> for (source:
// pgvector's README, "Supported tags").
var pgvectorMajors = map[string]bool{"13": true, "14": true, "15": true, "16": true, "17": true, "18": true}

// StandInChoice is the image a database stand-in runs for prod's version and extensions.
type StandInChoice struct {
	Image string
	// Note says how the image differs from prod (PostGIS release, patch level) and what it lacks.
	Note string
	// Unavailable are the extensions no image envmirror chooses has: the stand-in needs an image
	// of the user's (spec.data[].standIn.image).
	Unavailable []string
}

// PostgresVersion is the leading version of a server_version ("16.4 (Debian 16.4-1)" is
// "16.4", "17beta1" is "17"), empty when there is none.
func PostgresVersion(serverVersion string) string {
	return leadingVersion.FindString(strings.TrimSpace(serverVersion))
}

// PostgresMajor is a version's major release: "16" of "16.4", "9.6" of "9.6.24".
func PostgresMajor(version string) string {
	parts := strings.Split(PostgresVersion(version), ".")
	if n, err := strconv.Atoi(parts[0]); err == nil && n < 10 && len(parts) > 1 {
		return parts[0] + "." + parts[1]
	}
	return parts[0]
}

// StandInImage is the image ChooseStandInImage chooses for extensions known by name.
func StandInImage(pgVersion string, extensions []string) string {
	return ChooseStandInImage(pgVersion, Named(extensions)).Image
}

// ChooseStandInImage chooses an official image that runs PostgreSQL pgVersion (a version or a
// server_version) with the given extensions: postgres:<version>, which has every contrib
// extension (pgcrypto, citext, hstore, ltree, pg_trgm, uuid-ossp, btree_gist, ...);
// postgis/postgis:<major>-<postgis> when a PostGIS extension is needed, at prod's PostGIS
// release when that image exists; pgvector/pgvector:pg<major> for vector. Every image it names
// is a tag published upstream (see postgisReleases and pgvectorMajors); what none of them has
// is listed in Unavailable.
func ChooseStandInImage(pgVersion string, extensions []Extension) StandInChoice {
	version := PostgresVersion(pgVersion)
	major := PostgresMajor(version)
	c := StandInChoice{Image: "postgres:" + version}
	var postgis, vector *Extension
	for i := range extensions {
		e := &extensions[i]
		switch {
		case postgisExtensions[e.Name]:
			if postgis == nil || e.Name == "postgis" {
				postgis = e
			}
		case e.Name == "vector":
			vector = e
		case !officialExtensions[e.Name]:
			c.Unavailable = append(c.Unavailable, e.Name)
		}
	}
	var notes []string
	switch {
	case postgis != nil:
		image, note, ok := postgisImage(major, postgis.Version)
		if !ok {
			c.Unavailable = append(c.Unavailable, postgis.Name)
			break
		}
		c.Image, notes = image, append(notes, note)
		if vector != nil {
			c.Unavailable = append(c.Unavailable, vector.Name)
			notes = append(notes, "no official image has both PostGIS and pgvector")
		}
	case vector != nil && pgvectorMajors[major]:
		c.Image = "pgvector/pgvector:pg" + major
		notes = append(notes, patchNote(version, major))
	case vector != nil:
		c.Unavailable = append(c.Unavailable, vector.Name)
	}
	if len(c.Unavailable) > 0 {
		sort.Strings(c.Unavailable)
		notes = append(notes, fmt.Sprintf("no official image runs PostgreSQL %s with %s: set spec.data[].standIn.image to one that has them",
			major, strings.Join(c.Unavailable, ", ")))
	}
	c.Note = joinNonEmpty(notes)
	return c
}

// postgisImage is the postgis/postgis image for a PostgreSQL major: at prod's PostGIS release
// when published, else the newest for that major.
func postgisImage(major, prodPostGIS string) (image, note string, ok bool) {
	releases := postgisReleases[major]
	if len(releases) == 0 {
		return "", "", false
	}
	chosen := releases[len(releases)-1]
	var notes []string
	if prodPostGIS != "" {
		want := majorMinor(prodPostGIS)
		found := false
		for _, r := range releases {
			if r == want {
				chosen, found = r, true
			}
		}
		if !found {
			notes = append(notes, fmt.Sprintf("prod runs PostGIS %s; postgis/postgis has no %s-%s image, so the stand-in runs PostGIS %s",
				prodPostGIS, major, want, chosen))
		}
	}
	notes = append(notes, fmt.Sprintf("postgis/postgis:%s-%s runs the newest PostgreSQL %s release", major, chosen, major))
	return "postgis/postgis:" + major + "-" + chosen, joinNonEmpty(notes), true
}

// patchNote says that an image tagged by major runs the newest patch release, when prod's
// version names one.
func patchNote(version, major string) string {
	if version == major || version == "" {
		return ""
	}
	return fmt.Sprintf("the image runs the newest PostgreSQL %s release, prod %s", major, version)
}

func majorMinor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}

// versionLess compares dotted numeric versions.
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, _ := strconv.Atoi(as[i])
		y, _ := strconv.Atoi(bs[i])
		if x != y {
			return x < y
		}
	}
	return len(as) < len(bs)
}

func joinNonEmpty(parts []string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "; ")
}
