package contract

import (
	"regexp"
	"sort"
	"strings"
)

var (
	lineComment     = regexp.MustCompile(`--[^\n]*`)
	createExtension = regexp.MustCompile(`(?i)\bcreate\s+extension\s+(?:if\s+not\s+exists\s+)?("(?:[^"]|"")+"|[a-z_][a-z0-9_$-]*)`)
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

// postgisExtensions are the extensions only a PostGIS image has.
var postgisExtensions = map[string]bool{
	"postgis": true, "postgis_raster": true, "postgis_topology": true, "postgis_sfcgal": true,
	"postgis_tiger_geocoder": true, "address_standardizer": true, "address_standardizer_data_us": true,
}

// PostGISVersion is the PostGIS release of the stand-in images chosen for schemas that use it.
const PostGISVersion = "3.5"

// StandInImage is an official image that runs PostgreSQL pgVersion ("16.4") with the given
// extensions: postgres:<version> (it has every contrib extension: pgcrypto, citext, hstore,
// ltree, pg_trgm, uuid-ossp, btree_gist, ...); postgis/postgis:<major>-<PostGISVersion> when a
// PostGIS extension is needed; pgvector/pgvector:pg<major> for vector. Other extensions need an
// image of the user's (spec.data[].standIn.image); the seeder names the missing ones.
func StandInImage(pgVersion string, extensions []string) string {
	major, _, _ := strings.Cut(pgVersion, ".")
	for _, e := range extensions {
		if postgisExtensions[e] {
			return "postgis/postgis:" + major + "-" + PostGISVersion
		}
	}
	for _, e := range extensions {
		if e == "vector" {
			return "pgvector/pgvector:pg" + major
		}
	}
	return "postgres:" + pgVersion
}
