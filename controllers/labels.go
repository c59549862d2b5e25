package controllers

import (
	"strings"

	"github.com/envmirror/envmirror/internal/scrub"
)

// Label values can carry credentials too (a token pasted as a label, an agent key in a pod
// template's labels), and labels are what selectors match: a value replaced in a pod template
// but not in the Deployment's selector, or the Service's, would leave the copy's objects
// invalid or unmatched. So the same rule runs over every label value of a copied object and
// every selector value (matchLabels, matchExpressions' values, a Service's selector), anywhere
// in the object: scrub.Labels decides by key and value alone and gives a replaced value a
// stand-in that depends on the key alone, so each (key, value) pair becomes the same stand-in
// wherever it appears, and what selected still selects.

// ownLabel reports a label of the operator's own, which only the operator writes.
func ownLabel(key string) bool {
	return strings.HasPrefix(key, "envmirror.io/") || key == "app.kubernetes.io/managed-by"
}

// scrubLabelValues replaces credentials in an object's label and selector values, in place
// (u is the object as unstructured content); kind and name say which object it is, for
// keepPlain rules and the uncertain values in status. It returns how many values it replaced.
func (p *plainScrubber) scrubLabelValues(u map[string]any, kind, name string) int32 {
	var n int32
	var walk func(v any, field string)
	walk = func(v any, field string) {
		switch t := v.(type) {
		case map[string]any:
			if labelMap(field, t) {
				n += p.scrubLabelMap(t, kind, name)
				return
			}
			for k, c := range t {
				walk(c, k)
			}
		case []any:
			for _, c := range t {
				if expr, ok := c.(map[string]any); ok && field == "matchExpressions" {
					n += p.scrubExpression(expr, kind, name)
					continue
				}
				walk(c, "")
			}
		}
	}
	for k, v := range u {
		if k == "data" || k == "binaryData" || k == "stringData" {
			continue // a ConfigMap's or Secret's content, scrubbed as such
		}
		walk(v, k)
	}
	return n
}

// labelMap reports whether a field holds label values: labels, matchLabels, or a selector
// written as a plain map (a Service's).
func labelMap(field string, m map[string]any) bool {
	switch field {
	case "labels", "matchLabels":
	case "selector":
		if _, ok := m["matchLabels"]; ok {
			return false
		}
		if _, ok := m["matchExpressions"]; ok {
			return false
		}
	default:
		return false
	}
	for _, v := range m {
		if _, ok := v.(string); !ok {
			return false
		}
	}
	return true
}

func (p *plainScrubber) scrubLabelMap(m map[string]any, kind, name string) int32 {
	in := make(map[string]string, len(m))
	for k, v := range m {
		if !ownLabel(k) {
			in[k] = v.(string)
		}
	}
	out, rep := scrub.Labels(name, in, p.in)
	for k, v := range out {
		if v != in[k] {
			m[k] = v
		}
	}
	p.recordLabels(kind, name, rep)
	return rep.Generated
}

// scrubExpression scrubs the values of one matchExpressions entry as label values of its key.
func (p *plainScrubber) scrubExpression(expr map[string]any, kind, name string) int32 {
	key, _ := expr["key"].(string)
	values, _ := expr["values"].([]any)
	if key == "" || ownLabel(key) {
		return 0
	}
	var n int32
	for i, v := range values {
		s, ok := v.(string)
		if !ok {
			continue
		}
		out, rep := scrub.Labels(name, map[string]string{key: s}, p.in)
		if out[key] != s {
			values[i] = out[key]
		}
		p.recordLabels(kind, name, rep)
		n += rep.Generated
	}
	return n
}

func (p *plainScrubber) recordLabels(kind, name string, rep scrub.PlainReport) {
	rule := "configMap: " + name
	if kind != "ConfigMap" {
		rule = "workload: " + name
	}
	p.uncertain.add(kind+"/"+name, rule, rep)
}
