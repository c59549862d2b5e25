package deps

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// Elasticsearch and OpenSearch are not Debian packages: their probes run against a small server
// that answers as they do (the answers are trimmed from real 8.x and OpenSearch 2.x responses).
func prodSearch(t *testing.T, root string) *fakeAPI {
	return newFakeAPI(t, map[string]string{
		"GET /": root,
		"GET /_component_template": `{"component_templates":[
			{"name":"shop-settings","component_template":{"template":{"settings":{"index":{"refresh_interval":"5s"}}}}},
			{"name":"logs-mappings","component_template":{"template":{"mappings":{}},"_meta":{"managed":true}}}]}`,
		"GET /_index_template": `{"index_templates":[
			{"name":"orders","index_template":{"index_patterns":["orders-*"],"composed_of":["shop-settings"],"priority":100}},
			{"name":".monitoring","index_template":{"index_patterns":[".monitoring-*"]}}]}`,
		"GET /_template": `{"legacy-events":{"index_patterns":["events-*"],"order":0,"mappings":{}}}`,
		"GET /_mapping": `{"products":{"mappings":{"properties":{"name":{"type":"text","analyzer":"folding"},"sku":{"type":"keyword"}}}},
			".kibana_1":{"mappings":{}}}`,
		"GET /_settings": `{"products":{"settings":{"index":{"analysis":{"analyzer":{"folding":{"tokenizer":"standard","filter":["lowercase","asciifolding"]}}}}}}}`,
		"GET /_alias":    `{"products":{"aliases":{"catalog":{}}},".kibana_1":{"aliases":{".kibana":{}}}}`,
	})
}

func TestProbeSearchVersion(t *testing.T) {
	es := prodSearch(t, `{"name":"n","version":{"number":"8.15.0","build_flavor":"default"},"tagline":"You Know, for Search"}`)
	s := probe(t, v1alpha1.EngineElasticsearch, false, es.url("reader", "CANARY-es"), "")
	if s.Version != "8.15.0" || s.Distribution != "elasticsearch" {
		t.Errorf("Elasticsearch: %+v", s)
	}
	os := prodSearch(t, `{"name":"n","version":{"distribution":"opensearch","number":"2.13.0"},"tagline":"The OpenSearch Project"}`)
	s = probe(t, v1alpha1.EngineOpenSearch, false, os.url("reader", "CANARY-os"), "")
	if s.Version != "2.13.0" || s.Distribution != "opensearch" {
		t.Errorf("OpenSearch: %+v", s)
	}
	// Without a user (a domain behind IAM signing) the probe says what it needs.
	_, err := Probe(context.Background(), Options{Engine: v1alpha1.EngineOpenSearch}, os.srv.URL, "")
	if err == nil || !strings.Contains(err.Error(), "basic auth") {
		t.Errorf("unauthorized: %v", err)
	}
}

// The stand-in gets prod's templates and each index's mappings, analysis settings and aliases,
// with one shard; the engine's own templates and system indices are left alone; no document is
// ever asked for.
func TestSearchDefinitions(t *testing.T) {
	prod := prodSearch(t, `{"version":{"number":"8.15.0"}}`)
	standIn := newFakeAPI(t, map[string]string{
		"PUT /_component_template/shop-settings": `{"acknowledged":true}`,
		"PUT /_index_template/orders":            `{"acknowledged":true}`,
		"PUT /_template/legacy-events":           `{"acknowledged":true}`,
		"PUT /products":                          `{"acknowledged":true}`,
	})
	s := probe(t, v1alpha1.EngineElasticsearch, true, prod.url("reader", "CANARY-es"), standIn.url("elastic", "pw"))
	if s.Definitions != "1 component templates, 1 index templates, 1 legacy templates, 1 indices with their mappings, analysis settings and aliases (no documents)" {
		t.Errorf("definitions: %q", s.Definitions)
	}
	if diff := cmp.Diff([]string{"PUT /_component_template/shop-settings", "PUT /_index_template/orders", "PUT /_template/legacy-events", "PUT /products"}, standIn.called()); diff != "" {
		t.Errorf("the stand-in was asked (-want +got):\n%s", diff)
	}
	var index map[string]any
	if err := json.Unmarshal([]byte(standIn.body("PUT /products")), &index); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"settings": map[string]any{"index": map[string]any{"number_of_shards": 1.0, "number_of_replicas": 0.0,
			"analysis": map[string]any{"analyzer": map[string]any{"folding": map[string]any{"tokenizer": "standard", "filter": []any{"lowercase", "asciifolding"}}}}}},
		"mappings": map[string]any{"properties": map[string]any{"name": map[string]any{"type": "text", "analyzer": "folding"}, "sku": map[string]any{"type": "keyword"}}},
		"aliases":  map[string]any{"catalog": map[string]any{}},
	}
	if diff := cmp.Diff(want, index); diff != "" {
		t.Errorf("PUT /products (-want +got):\n%s", diff)
	}
	for _, c := range prod.called() {
		if strings.Contains(c, "_search") || strings.Contains(c, "_doc") || strings.Contains(c, "_source") {
			t.Errorf("prod was asked for documents: %s", c)
		}
	}
}
