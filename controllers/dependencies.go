package controllers

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/deps"
	"github.com/envmirror/envmirror/internal/mirror"
	"github.com/envmirror/envmirror/internal/source"
)

// This file plans the dependencies axis (pure, called from plan): what each spec.dependencies
// entry runs (prod's version, pinned or probed), which Secret keys of prod name a dependency and
// so get its stand-in's credentials, and which of prod's backing services have no stand-in.
// dependencies_apply.go runs the probes and reads the stand-ins' state; dependencies_status.go
// reports it.

// depsPlan is the dependencies' part of the desired copy.
type depsPlan struct {
	entries []*depPlan
	// versions are what the entries whose version is known run, for mirror.StandIns.
	versions map[string]mirror.DependencyVersion
	// secretRules give prod's Secret keys that name a dependency its stand-in's credentials.
	secretRules []v1alpha1.SecretRule
	// missing are prod's backing services no stand-in replaces.
	missing []v1alpha1.MissingDependency
}

// depPlan is one spec.dependencies entry.
type depPlan struct {
	spec *v1alpha1.DependencySpec
	// probeJob names the version probe's Job (versionFrom only); probe is its result, nil while
	// it has none.
	probeJob string
	probe    *probeResult
	// version is what the stand-in runs; nil while prod's version is not known.
	version *mirror.DependencyVersion
	// reason and message say why the entry is not (or not quite) what prod runs: the probe
	// failed, or the stand-in runs another version or distribution than prod.
	reason, message string
}

// probeResult is what a probe Job came to, as the read stage found it.
type probeResult struct {
	job     string
	done    bool
	failed  bool
	summary deps.Summary
	// found: the Job's pod left a summary.
	found   bool
	message string
	// secretVersion is the resourceVersion of the user's Secret the Job started from.
	secretVersion string
	// failedAt is when the Job failed (its Failed condition's transition).
	failedAt time.Time
}

// planDependencies plans every spec.dependencies entry and finds what prod uses without one.
func planDependencies(in planInput) depsPlan {
	env, s := in.env, in.scope
	p := depsPlan{versions: map[string]mirror.DependencyVersion{}}
	for i := range env.Spec.Dependencies {
		dp := planDependency(env, &env.Spec.Dependencies[i], s.probes)
		p.entries = append(p.entries, dp)
		if dp.version != nil {
			p.versions[dp.spec.Name] = *dp.version
		}
	}
	p.secretRules = dependencySecretRules(env, s.prod, p.versions)
	p.missing = missingDependencies(env, s.prod)
	return p
}

// versionProbeJob names the Job that reads an entry's prod version: a new Secret reference or
// engine probes again.
func versionProbeJob(env *v1alpha1.MirrorEnvironment, d *v1alpha1.DependencySpec) string {
	ref := d.VersionFrom.SecretRef
	inputs := string(d.Engine) + "|" + ref.Name + "|" + ref.KeyOr("url")
	if c := d.VersionFrom.CASecretRef; c != nil {
		inputs += "|" + c.Name + "/" + c.KeyOr("ca.crt") // a new CA probes again
	}
	return mirror.ProbeJobName(env, d.Name, "version", shortHash(inputs))
}

func planDependency(env *v1alpha1.MirrorEnvironment, d *v1alpha1.DependencySpec, probes map[string]*probeResult) *depPlan {
	p := &depPlan{spec: d}
	prodVersion, database := d.Version, deps.DefaultDatabase
	if d.VersionFrom != nil {
		p.probeJob = versionProbeJob(env, d)
		p.probe = probes[p.probeJob]
		switch {
		case p.probe == nil || !p.probe.done:
			return p
		case p.probe.failed || p.probe.summary.Version == "":
			p.reason, p.message = v1alpha1.ReasonProbeFailed, "reading prod's version failed: "+p.probe.why()
			return p
		}
		prodVersion = p.probe.summary.Version
		if db := p.probe.summary.Database; db != "" {
			database = db
		}
	}
	r, err := deps.Resolve(d.Engine, prodVersion, string(d.Image))
	if err != nil {
		p.reason, p.message = v1alpha1.ReasonVersionMismatch, err.Error()
		return p
	}
	p.version = &mirror.DependencyVersion{Resolved: r, Database: database}
	if p.probe != nil {
		if other := otherDistribution(d.Engine, p.probe.summary.Distribution); other != "" {
			p.reason, p.message = v1alpha1.ReasonVersionMismatch, fmt.Sprintf(
				"prod runs %s %s, not %s: set engine: %s", p.probe.summary.Distribution, p.probe.summary.Version, d.Engine, other)
			return p
		}
	}
	if r.Mismatch {
		p.reason, p.message = v1alpha1.ReasonVersionMismatch, r.Note
	}
	return p
}

// otherDistribution is the engine that fits the distribution prod reported, when it is not the
// spec's.
func otherDistribution(engine v1alpha1.DependencyEngine, distribution string) v1alpha1.DependencyEngine {
	fits := map[string]v1alpha1.DependencyEngine{
		"redis": v1alpha1.EngineRedis, "valkey": v1alpha1.EngineValkey, "elasticsearch": v1alpha1.EngineElasticsearch,
		"opensearch": v1alpha1.EngineOpenSearch, "mysql": v1alpha1.EngineMySQL, "aurora-mysql": v1alpha1.EngineMySQL,
		"mariadb": v1alpha1.EngineMariaDB,
	}
	if e, ok := fits[distribution]; ok && e != engine {
		return e
	}
	return ""
}

// why says why a probe failed, from its summary or its Job.
func (r *probeResult) why() string {
	switch {
	case r.summary.Error != "":
		return r.summary.Error
	case r.message != "":
		return r.message
	case !r.found:
		return "the probe's pod left no summary; logs: kubectl logs job/" + r.job
	}
	return "the probe reported no version"
}

// dependencySecretRules give the stand-in's credentials to each key of prod's Secrets whose
// value is wholly a URL, host:port or host that leads to a dependency: a URL gets the stand-in's
// uri, generated password included. Only the host of a prod value is ever read, and a key the
// spec has a rule for (or whose Secret it has a rule for) is left to that rule.
func dependencySecretRules(env *v1alpha1.MirrorEnvironment, prod *source.Snapshot, versions map[string]mirror.DependencyVersion) []v1alpha1.SecretRule {
	leadsTo := map[string]string{}
	for i := range env.Spec.Dependencies {
		d := &env.Spec.Dependencies[i]
		if _, ok := versions[d.Name]; !ok {
			continue
		}
		for _, n := range mirror.DependencyNames(d, prod.Namespace, prod.Services) {
			leadsTo[strings.ToLower(n)] = d.Name
		}
	}
	ruled := map[string]bool{}
	for _, r := range env.Spec.Config.Secrets.Rules {
		ruled[r.Secret+"/"+r.Key] = true
	}
	var out []v1alpha1.SecretRule
	for i := range prod.Secrets {
		sec := &prod.Secrets[i]
		if ruled[sec.Name+"/"] {
			continue
		}
		for _, key := range slices.Sorted(maps.Keys(sec.Data)) {
			host, shape, ok := deps.WholeValue(string(sec.Data[key]))
			dep := leadsTo[host]
			if !ok || dep == "" || ruled[sec.Name+"/"+key] {
				continue
			}
			tmpl := fmt.Sprintf(`{{ secret %q "host" }}`, dep)
			switch shape {
			case deps.ShapeURL:
				tmpl = fmt.Sprintf(`{{ secret %q "uri" }}`, dep)
			case deps.ShapeHostPort:
				tmpl = fmt.Sprintf(`{{ secret %q "host" }}:{{ secret %q "port" }}`, dep, dep)
			}
			out = append(out, v1alpha1.SecretRule{Secret: sec.Name, Key: key, Policy: v1alpha1.SecretTemplate, Template: tmpl})
		}
	}
	return out
}

// maxMissing bounds status.parity.missingDependencies (the API's limit).
const maxMissing = 50

// missingDependencies lists prod's references to backing services outside the cluster that no
// stand-in replaces and no rewrite rule of the spec points elsewhere, one per host, with a
// suggested spec entry.
func missingDependencies(env *v1alpha1.MirrorEnvironment, prod *source.Snapshot) []v1alpha1.MissingDependency {
	handledHosts, handledServices := map[string]bool{}, map[string]bool{}
	for i := range env.Spec.Dependencies {
		d := &env.Spec.Dependencies[i]
		for _, n := range mirror.DependencyNames(d, prod.Namespace, prod.Services) {
			handledHosts[strings.ToLower(n)] = true
		}
		handledServices[d.Name] = true
	}
	for _, d := range env.Spec.Data {
		handledServices[d.Name] = true
	}
	rewritten := func(host string) bool {
		for _, r := range env.Spec.Config.Rewrite {
			if strings.Contains(strings.ToLower(r.From), host) {
				return true
			}
		}
		return false
	}
	byHost := map[string][]deps.Reference{}
	for _, ref := range deps.Detect(prod) {
		if handledHosts[ref.Host] || handledServices[ref.Service] || handledHosts[ref.Service] || rewritten(ref.Host) {
			continue
		}
		byHost[ref.Host] = append(byHost[ref.Host], ref)
	}
	var out []v1alpha1.MissingDependency
	for _, host := range slices.Sorted(maps.Keys(byHost)) {
		refs := byHost[host]
		first, name := refs[0], suggestedName(refs)
		m := v1alpha1.MissingDependency{Reference: first.Where, Host: host, Engine: first.Engine, Suggestion: deps.Suggest(name, first)}
		if len(refs) > 1 {
			m.Reference += fmt.Sprintf(" (and %d more)", len(refs)-1)
		}
		out = append(out, m)
	}
	if len(out) > maxMissing {
		out = out[:maxMissing]
	}
	return out
}

// suggestedName names a suggested entry after the ExternalName Service that leads to the host,
// if one does (so it replaces that Service by default), else after the engine.
func suggestedName(refs []deps.Reference) string {
	for _, r := range refs {
		if r.Service != "" {
			return r.Service
		}
	}
	switch {
	case refs[0].Postgres:
		return "postgres"
	case refs[0].Engine != "":
		return string(refs[0].Engine)
	}
	return "backing-service"
}
