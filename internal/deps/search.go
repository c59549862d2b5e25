package deps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// searchProber reads Elasticsearch and OpenSearch: GET / for the version and distribution;
// component and index templates, legacy templates, and each index's mappings, analysis settings
// and aliases for the structure. No document is ever read.
type searchProber struct{}

// maxIndices bounds the indices whose mappings are copied.
const maxIndices = 1000

func (searchProber) version(ctx context.Context, src endpoint) (Summary, error) {
	var root struct {
		Version struct {
			Number       string `json:"number"`
			Distribution string `json:"distribution"`
		} `json:"version"`
	}
	if err := newHTTPAPI(src).do(ctx, http.MethodGet, "/", nil, &root); err != nil {
		if isStatus(err, http.StatusForbidden) || isStatus(err, http.StatusUnauthorized) {
			return Summary{}, fmt.Errorf("%w (the probe uses basic auth: give it a user of the domain's fine-grained access control; IAM request signing is not supported)", err)
		}
		return Summary{}, err
	}
	if root.Version.Number == "" {
		return Summary{}, errors.New("GET / reports no version.number")
	}
	dist := root.Version.Distribution
	if dist == "" {
		dist = "elasticsearch" // Elasticsearch does not name itself; OpenSearch does
	}
	return Summary{Version: root.Version.Number, Distribution: dist}, nil
}

func (searchProber) definitions(ctx context.Context, src, dst endpoint) (string, error) {
	from, to := newHTTPAPI(src), newHTTPAPI(dst)
	var counts []string
	for _, step := range []struct {
		what string
		copy func(ctx context.Context, from, to *httpAPI) (int, error)
	}{
		{"component templates", copyComponentTemplates},
		{"index templates", copyIndexTemplates},
		{"legacy templates", copyLegacyTemplates},
		{"indices with their mappings, analysis settings and aliases", copyIndices},
	} {
		n, err := step.copy(ctx, from, to)
		if err != nil {
			return "", fmt.Errorf("%s: %w", step.what, err)
		}
		counts = append(counts, fmt.Sprintf("%d %s", n, step.what))
	}
	return strings.Join(counts, ", ") + " (no documents)", nil
}

// builtIn reports templates the engine makes itself (its own, already in the stand-in at the
// same version): system names and templates marked managed.
func builtIn(name string, body map[string]any) bool {
	if strings.HasPrefix(name, ".") {
		return true
	}
	meta, _ := body["_meta"].(map[string]any)
	managed, _ := meta["managed"].(bool)
	return managed
}

func copyComponentTemplates(ctx context.Context, from, to *httpAPI) (int, error) {
	return copyNamedTemplates(ctx, from, to, "/_component_template", "component_templates", "component_template")
}

func copyIndexTemplates(ctx context.Context, from, to *httpAPI) (int, error) {
	return copyNamedTemplates(ctx, from, to, "/_index_template", "index_templates", "index_template")
}

// copyNamedTemplates copies composable templates: GET path answers {list: [{name, item: body}]},
// and each body is PUT to path/name. An engine before composable templates (Elasticsearch 7.8)
// has none.
func copyNamedTemplates(ctx context.Context, from, to *httpAPI, path, list, item string) (int, error) {
	var got map[string][]map[string]any
	if err := from.do(ctx, http.MethodGet, path, nil, &got); err != nil {
		if isStatus(err, http.StatusNotFound) || isStatus(err, http.StatusBadRequest) {
			return 0, nil
		}
		return 0, err
	}
	n := 0
	for _, t := range got[list] {
		name, _ := t["name"].(string)
		body, _ := t[item].(map[string]any)
		if name == "" || builtIn(name, body) {
			continue
		}
		if err := to.do(ctx, http.MethodPut, path+"/"+url.PathEscape(name), body, nil); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func copyLegacyTemplates(ctx context.Context, from, to *httpAPI) (int, error) {
	var got map[string]map[string]any
	if err := from.do(ctx, http.MethodGet, "/_template", nil, &got); err != nil {
		if isStatus(err, http.StatusNotFound) || isStatus(err, http.StatusGone) {
			return 0, nil
		}
		return 0, err
	}
	n := 0
	for _, name := range sortedKeys(got) {
		if builtIn(name, got[name]) {
			continue
		}
		if err := to.do(ctx, http.MethodPut, "/_template/"+url.PathEscape(name), got[name], nil); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// copyIndices creates each of prod's indices in the stand-in, empty: its mappings, the analysis
// settings the mappings may name, and its aliases, with one shard and no replica.
func copyIndices(ctx context.Context, from, to *httpAPI) (int, error) {
	var mappings map[string]struct {
		Mappings map[string]any `json:"mappings"`
	}
	if err := from.do(ctx, http.MethodGet, "/_mapping", nil, &mappings); err != nil {
		return 0, err
	}
	var settings map[string]struct {
		Settings struct {
			Index struct {
				Analysis map[string]any `json:"analysis"`
			} `json:"index"`
		} `json:"settings"`
	}
	if err := from.do(ctx, http.MethodGet, "/_settings?filter_path=*.settings.index.analysis", nil, &settings); err != nil {
		return 0, err
	}
	var aliases map[string]struct {
		Aliases map[string]any `json:"aliases"`
	}
	if err := from.do(ctx, http.MethodGet, "/_alias", nil, &aliases); err != nil && !isStatus(err, http.StatusNotFound) {
		return 0, err
	}
	names := make([]string, 0, len(mappings))
	for name := range mappings {
		if !strings.HasPrefix(name, ".") { // system and data stream backing indices
			names = append(names, name)
		}
	}
	sort.Strings(names)
	if len(names) > maxIndices {
		return 0, fmt.Errorf("prod has %d indices; at most %d are copied", len(names), maxIndices)
	}
	for _, name := range names {
		index := map[string]any{"number_of_shards": 1, "number_of_replicas": 0}
		if a := settings[name].Settings.Index.Analysis; len(a) > 0 {
			index["analysis"] = a
		}
		body := map[string]any{"settings": map[string]any{"index": index}, "mappings": mappings[name].Mappings}
		if a := aliases[name].Aliases; len(a) > 0 {
			body["aliases"] = a
		}
		err := to.do(ctx, http.MethodPut, "/"+url.PathEscape(name), body, nil)
		if err != nil && !alreadyExists(err) {
			return 0, fmt.Errorf("index %s: %w", name, err)
		}
	}
	return len(names), nil
}

// alreadyExists: the index is there from an earlier run of the same copy.
func alreadyExists(err error) bool {
	var se *statusError
	return errors.As(err, &se) && se.code == http.StatusBadRequest && strings.Contains(se.body, "resource_already_exists_exception")
}
