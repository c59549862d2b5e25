package deps

import (
	"regexp"
	"strings"
	"testing"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// Elasticsearch and OpenSearch publish images only under full X.Y.Z tags (OpenSearch also under
// X): a stand-in for "8.13" must run a release that exists, never the tag "8.13".
func TestResolveSearchEnginesToPublishedTags(t *testing.T) {
	const es, os = "docker.elastic.co/elasticsearch/elasticsearch:", "opensearchproject/opensearch:"
	for _, tc := range []struct {
		engine      v1alpha1.DependencyEngine
		prod        string
		wantImage   string
		wantNote    string
		wantErr     string
		wantVersion string
	}{
		{engine: v1alpha1.EngineElasticsearch, prod: "8.13", wantImage: es + "8.13.4", wantVersion: "8.13.4",
			wantNote: "8.13 runs 8.13.4"},
		{engine: v1alpha1.EngineElasticsearch, prod: "7.10", wantImage: es + "7.10.2", wantVersion: "7.10.2"},
		{engine: v1alpha1.EngineElasticsearch, prod: "8", wantImage: es + "8.19.15", wantVersion: "8.19.15"},
		{engine: v1alpha1.EngineOpenSearch, prod: "2.11", wantImage: os + "2.11.1", wantVersion: "2.11.1"},
		{engine: v1alpha1.EngineOpenSearch, prod: "1.3", wantImage: os + "1.3.20", wantVersion: "1.3.20"},
		// A probed version is always full and runs as it is, known to the table or not.
		{engine: v1alpha1.EngineElasticsearch, prod: "8.13.2", wantImage: es + "8.13.2", wantVersion: "8.13.2"},
		{engine: v1alpha1.EngineElasticsearch, prod: "9.9.1", wantImage: es + "9.9.1", wantVersion: "9.9.1"},
		{engine: v1alpha1.EngineOpenSearch, prod: "2.13.0", wantImage: os + "2.13.0", wantVersion: "2.13.0"},
		// A line the table does not know: a clear error naming what to set, not ImagePullBackOff.
		{engine: v1alpha1.EngineElasticsearch, prod: "12.4", wantErr: "set spec.dependencies[].version to the full version"},
		{engine: v1alpha1.EngineOpenSearch, prod: "9", wantErr: "9.Y.Z"},
	} {
		t.Run(string(tc.engine)+" "+tc.prod, func(t *testing.T) {
			r, err := Resolve(tc.engine, tc.prod, "")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Resolve = %+v, %v; want an error saying %q", r, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Image != tc.wantImage || r.Version != tc.wantVersion || r.Mismatch {
				t.Errorf("got %s (version %s, mismatch %v), want %s", r.Image, r.Version, r.Mismatch, tc.wantImage)
			}
			if !strings.Contains(r.Note, tc.wantNote) {
				t.Errorf("note %q does not say %q", r.Note, tc.wantNote)
			}
		})
	}
}

// Every release in the tables is a full version, each line's newest, and a line's version
// resolves to its own line.
func TestSearchReleaseTables(t *testing.T) {
	full := regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)
	for engine, table := range searchReleases {
		for line, release := range table {
			if !full.MatchString(release) || !strings.HasPrefix(release, line+".") {
				t.Errorf("%s: line %s resolves to %q", engine, line, release)
			}
		}
		for _, e := range Engines() {
			if e.Name == engine && !e.fullTagsOnly {
				t.Errorf("%s has a release table but is not marked as publishing full tags only", engine)
			}
		}
	}
	for _, e := range Engines() {
		if e.fullTagsOnly && searchReleases[e.Name] == nil {
			t.Errorf("%s publishes full tags only and has no release table", e.Name)
		}
	}
}
