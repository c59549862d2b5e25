package deps

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// Elasticsearch's images (docker.elastic.co) are tagged only X.Y.Z, and OpenSearch's
// (opensearchproject/opensearch) X.Y.Z and X: a stand-in for a version pinned as "8.13" would
// pull a tag that does not exist and wait in ImagePullBackOff. A version of fewer than three
// parts resolves to the newest release of its line in searchReleases instead, and the note says
// so; a probed version is always full and runs as it is.
//
// searchReleases is each minor line's newest release known to envmirror. Sources: the release
// lists of elastic/elasticsearch (.ci/bwcVersions, Version.java) and of
// opensearch-project/opensearch-build (release-notes/). Lines still maintained upstream list
// the patch before the newest one seen there, so that every entry names a published image
// (bwcVersions lists a maintained line's next, unreleased patch). Maintain it when a line ships:
// a line missing here is refused with a message naming the full version to set, never guessed.
var searchReleases = map[v1alpha1.DependencyEngine]map[string]string{
	v1alpha1.EngineElasticsearch: {
		"6.8": "6.8.23",
		"7.0": "7.0.1", "7.1": "7.1.1", "7.2": "7.2.1", "7.3": "7.3.2", "7.4": "7.4.2", "7.5": "7.5.2",
		"7.6": "7.6.2", "7.7": "7.7.1", "7.8": "7.8.1", "7.9": "7.9.3", "7.10": "7.10.2", "7.11": "7.11.2",
		"7.12": "7.12.1", "7.13": "7.13.4", "7.14": "7.14.2", "7.15": "7.15.2", "7.16": "7.16.3", "7.17": "7.17.28",
		"8.0": "8.0.1", "8.1": "8.1.3", "8.2": "8.2.3", "8.3": "8.3.3", "8.4": "8.4.3", "8.5": "8.5.3",
		"8.6": "8.6.2", "8.7": "8.7.1", "8.8": "8.8.2", "8.9": "8.9.2", "8.10": "8.10.4", "8.11": "8.11.4",
		"8.12": "8.12.2", "8.13": "8.13.4", "8.14": "8.14.3", "8.15": "8.15.5", "8.16": "8.16.6", "8.17": "8.17.9",
		"8.18": "8.18.7", "8.19": "8.19.15",
		"9.0": "9.0.7", "9.1": "9.1.8", "9.2": "9.2.7", "9.3": "9.3.4", "9.4": "9.4.1",
	},
	v1alpha1.EngineOpenSearch: {
		"1.0": "1.0.1", "1.1": "1.1.0", "1.2": "1.2.4", "1.3": "1.3.20",
		"2.0": "2.0.1", "2.1": "2.1.0", "2.2": "2.2.1", "2.3": "2.3.0", "2.4": "2.4.1", "2.5": "2.5.0",
		"2.6": "2.6.0", "2.7": "2.7.0", "2.8": "2.8.0", "2.9": "2.9.0", "2.10": "2.10.0", "2.11": "2.11.1",
		"2.12": "2.12.0", "2.13": "2.13.0", "2.14": "2.14.0", "2.15": "2.15.0", "2.16": "2.16.0", "2.17": "2.17.1",
		"2.18": "2.18.0", "2.19": "2.19.5",
		"3.0": "3.0.0", "3.1": "3.1.0", "3.2": "3.2.0", "3.3": "3.3.2", "3.4": "3.4.0", "3.5": "3.5.0",
		"3.6": "3.6.0", "3.7": "3.7.0",
	},
}

// fullRelease resolves a version of an engine that publishes only full tags: a full version is
// itself; "X.Y" the newest release of that line; "X" the newest of the major's newest line.
// ok is false when the table does not know the line.
func fullRelease(engine v1alpha1.DependencyEngine, version string) (string, bool) {
	parts := strings.Split(version, ".")
	switch len(parts) {
	case 3:
		return version, true
	case 2:
		r, ok := searchReleases[engine][version]
		return r, ok
	}
	best, bestMinor := "", -1
	for line, release := range searchReleases[engine] {
		major, minor, _ := strings.Cut(line, ".")
		if n, err := strconv.Atoi(minor); err == nil && major == version && n > bestMinor {
			best, bestMinor = release, n
		}
	}
	return best, best != ""
}

// resolveFullTag applies fullRelease to a Resolved of an engine that publishes only full tags.
func resolveFullTag(e *Engine, r *Resolved) error {
	if !e.fullTagsOnly {
		return nil
	}
	full, ok := fullRelease(e.Name, r.Version)
	if !ok {
		example := r.Version + ".Z"
		if !strings.Contains(r.Version, ".") {
			example = r.Version + ".Y.Z"
		}
		return fmt.Errorf("%s publishes images only for full versions (X.Y.Z) and envmirror does not know the releases of %s %s: "+
			"set spec.dependencies[].version to the full version prod runs (%s), or use versionFrom to read it", e.Name, e.Name, r.Version, example)
	}
	if full != r.Version {
		r.Note = joinNotes(fmt.Sprintf("%s publishes only full X.Y.Z tags: %s runs %s, the newest %s release envmirror knows; "+
			"set the full version prod runs to match it exactly", e.Name, r.Version, full, r.Version), r.Note)
		r.Version = full
	}
	return nil
}
