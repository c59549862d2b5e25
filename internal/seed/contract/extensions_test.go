package contract

import (
	"reflect"
	"strings"
	"testing"
)

// The stand-in images chosen for extensions exist upstream: postgis/postgis publishes
// <major>-<postgis> only for the PostGIS releases built for that major (PostgreSQL 18 has 3.6
// and no 3.5), pgvector/pgvector publishes pg<major> for PostgreSQL 13 and later.
func TestChooseStandInImage(t *testing.T) {
	ext := func(nv ...string) []Extension {
		var out []Extension
		for _, s := range nv {
			name, version, _ := strings.Cut(s, " ")
			out = append(out, Extension{Name: name, Version: version})
		}
		return out
	}
	for _, tc := range []struct {
		name            string
		version         string
		exts            []Extension
		wantImage       string
		wantNote        string
		wantUnavailable []string
	}{
		{name: "plain", version: "16.4", exts: ext("plpgsql 1.0", "citext 1.6"), wantImage: "postgres:16.4"},
		{name: "a probed version string", version: "16.4 (Debian 16.4-1.pgdg120+1)", wantImage: "postgres:16.4"},
		{name: "PostgreSQL 18 has PostGIS 3.6, not 3.5", version: "18.1", exts: ext("postgis"),
			wantImage: "postgis/postgis:18-3.6", wantNote: "newest PostgreSQL 18"},
		{name: "PostGIS at prod's release when published", version: "16.2", exts: ext("postgis 3.4.2"),
			wantImage: "postgis/postgis:16-3.4"},
		{name: "PostGIS newest for the major when prod's is not published", version: "17.0", exts: ext("postgis 3.6.0"),
			wantImage: "postgis/postgis:17-3.5", wantNote: "prod runs PostGIS 3.6.0"},
		{name: "PostGIS on 9.6", version: "9.6.24", exts: ext("postgis_topology 3.2.1"), wantImage: "postgis/postgis:9.6-3.2"},
		{name: "PostGIS on a major with no image", version: "19.0", exts: ext("postgis"),
			wantImage: "postgres:19.0", wantUnavailable: []string{"postgis"}},
		{name: "pgvector", version: "16.1", exts: ext("vector 0.7.0"), wantImage: "pgvector/pgvector:pg16"},
		{name: "pgvector on 12 has no image", version: "12.19", exts: ext("vector"),
			wantImage: "postgres:12.19", wantUnavailable: []string{"vector"}},
		{name: "PostGIS and pgvector: no official image has both", version: "16.4", exts: ext("postgis", "vector"),
			wantImage: "postgis/postgis:16-3.5", wantUnavailable: []string{"vector"}, wantNote: "no official image has both"},
		{name: "an extension of a managed service", version: "15.6", exts: ext("aws_s3 1.1", "aws_commons 1.2", "pg_stat_statements"),
			wantImage: "postgres:15.6", wantUnavailable: []string{"aws_commons", "aws_s3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ChooseStandInImage(tc.version, tc.exts)
			if got.Image != tc.wantImage {
				t.Errorf("image %s, want %s", got.Image, tc.wantImage)
			}
			if !strings.Contains(got.Note, tc.wantNote) {
				t.Errorf("note %q does not say %q", got.Note, tc.wantNote)
			}
			if !reflect.DeepEqual(got.Unavailable, tc.wantUnavailable) {
				t.Errorf("unavailable %q, want %q", got.Unavailable, tc.wantUnavailable)
			}
			if len(got.Unavailable) > 0 && !strings.Contains(got.Note, "standIn.image") {
				t.Errorf("the note does not say what to set: %q", got.Note)
			}
		})
	}
}

// Every PostGIS image in the table is a published tag's shape, and the majors are sorted.
func TestPostGISTable(t *testing.T) {
	for major, releases := range postgisReleases {
		if len(releases) == 0 {
			t.Errorf("PostgreSQL %s has no PostGIS release", major)
		}
		for i, r := range releases {
			if i > 0 && !versionLess(releases[i-1], r) {
				t.Errorf("PostgreSQL %s: %q is not after %q", major, r, releases[i-1])
			}
		}
	}
	if got := postgisReleases["18"]; !reflect.DeepEqual(got, []string{"3.6"}) {
		t.Errorf("PostgreSQL 18 publishes PostGIS %q", got)
	}
}

func TestPostgresMajor(t *testing.T) {
	for in, want := range map[string]string{"16.4": "16", "16": "16", "9.6.24": "9.6", "9.6": "9.6",
		"18.1 (Debian 18.1-1.pgdg13+2)": "18", "17beta1": "17", "": ""} {
		if got := PostgresMajor(in); got != want {
			t.Errorf("PostgresMajor(%q) = %q, want %q", in, got, want)
		}
	}
}

// StandInImage (extensions known by name, from a schema file) chooses through the same tables.
func TestStandInImageOfPostgreSQL18WithPostGIS(t *testing.T) {
	if got := StandInImage("18", []string{"postgis"}); got != "postgis/postgis:18-3.6" {
		t.Errorf("StandInImage(18, postgis) = %s; postgis/postgis publishes 18-3.6 only", got)
	}
}
