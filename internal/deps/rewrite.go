package deps

import (
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// RewriteRules point prod's references to a managed host at a stand-in named name: URLs with
// the managed service's schemes (TLS ones included: the stand-in speaks plain inside the copy)
// and ports become the stand-in's scheme and port, host:port becomes the stand-in's port, and
// the bare host the stand-in's name. The scrub.Rewriter prefers the longest rule at a position,
// so a URL is rewritten whole before its host alone would be.
func (e *Engine) RewriteRules(host, name string) []v1alpha1.RewriteRule {
	port := strconv.Itoa(int(e.Port.Port))
	var out []v1alpha1.RewriteRule
	add := func(from, to string) { out = append(out, v1alpha1.RewriteRule{From: from, To: to}) }
	prodPorts := slices.Sorted(maps.Keys(e.prodPorts))
	for _, scheme := range slices.Sorted(maps.Keys(e.tlsSchemes)) {
		to := e.tlsSchemes[scheme] + "://" + name + ":"
		for _, p := range prodPorts {
			add(fmt.Sprintf("%s://%s:%d", scheme, host, p), to+strconv.Itoa(int(e.prodPorts[p])))
		}
		add(scheme+"://"+host, to+port)
	}
	for _, p := range prodPorts {
		add(fmt.Sprintf("%s:%d", host, p), name+":"+strconv.Itoa(int(e.prodPorts[p])))
	}
	add(host, name)
	return out
}

// Suggest is a spec entry that would give the copy a stand-in for a reference (as YAML flow,
// to paste), or says why there is none.
func Suggest(name string, r Reference) string {
	switch {
	case r.Postgres:
		return fmt.Sprintf("spec.data: {name: %s, engine: postgres, standIn: {version: \"<prod's version>\"}}", name)
	case r.Engine == "" && r.Provider != "":
		return "envmirror has no stand-in for " + r.Provider
	case r.Engine == "":
		return ""
	}
	return fmt.Sprintf("spec.dependencies: {name: %s, engine: %s, versionFrom: {secretRef: {name: <Secret with a read-only URL of prod's %s>}}, replaces: [%s]}",
		name, r.Engine, r.Engine, r.Host)
}
