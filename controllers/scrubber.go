package controllers

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/envmirror/envmirror/internal/scrub"
)

// rootCAConfigMap is published into every namespace by the cluster; the copy gets its own.
const rootCAConfigMap = "kube-root-ca.crt"

// plainScrubber adapts internal/scrub to the builders' Scrubber, counting generated values in
// total and per object ("ConfigMap/app-config", or the workload for pod specs).
type plainScrubber struct {
	in        scrub.PlainInput
	generated int32
	counts    map[string]int32
}

func (p *plainScrubber) count(object string, n int32) {
	p.generated += n
	if n > 0 {
		if p.counts == nil {
			p.counts = map[string]int32{}
		}
		p.counts[object] += n
	}
}

func (p *plainScrubber) Rewrite(s string) string { return p.in.Rewriter.Rewrite(s) }

func (p *plainScrubber) Value(scope, key, value string) string {
	out, _, rep := scrub.ConfigMap(scope, map[string]string{key: value}, nil, p.in)
	p.count(scope, rep.Generated)
	return out[key]
}

func (p *plainScrubber) Env(workload, container string, env []corev1.EnvVar) []corev1.EnvVar {
	out, rep := scrub.Env(workload, container, env, p.in)
	p.count("workload/"+workload, rep.Generated)
	return out
}

func (p *plainScrubber) Args(workload, container string, args []string) []string {
	out, rep := scrub.Args(workload, container, args, p.in)
	p.count("workload/"+workload, rep.Generated)
	return out
}
