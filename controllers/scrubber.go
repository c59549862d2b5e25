package controllers

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/scrub"
)

// rootCAConfigMap is published into every namespace by the cluster; the copy gets its own.
const rootCAConfigMap = "kube-root-ca.crt"

// plainScrubber adapts internal/scrub to the builders' Scrubber, counting generated values in
// total and per object ("ConfigMap/app-config", or the workload for pod specs).
type plainScrubber struct {
	// inputs are everything a scrubbed value depends on; in is made from them alone.
	inputs    scrubInputs
	in        scrub.PlainInput
	generated int32
	counts    map[string]int32
	// uncertain are the values scrubbed without a rule that makes the decision sure, by object,
	// for status.config.uncertain.
	uncertain uncertainValues
}

// scrubInputs are everything scrubbing a value depends on besides the value. scrub.PlainInput
// is made from them and nothing else, and the scrub memo is keyed by all of them (memo.go), so
// a memoised result is always what scrubbing would give now: a field added here is part of the
// key by construction, and memo_test.go checks that changing any field misses.
type scrubInputs struct {
	// Source and Target are the namespaces cluster DNS names are rewritten between.
	Source, Target string
	// Rules are every literal rewrite: the spec's and the stand-ins'.
	Rules     []v1alpha1.RewriteRule
	Keyring   scrub.Keyring
	KeepPlain []v1alpha1.PlainValueRule
	Mode      scrub.PlainMode
}

func (i scrubInputs) plainInput() scrub.PlainInput {
	return scrub.PlainInput{
		Rewriter:  scrub.NewRewriter(i.Source, i.Target, i.Rules),
		Keyring:   i.Keyring,
		KeepPlain: i.KeepPlain,
		Mode:      i.Mode,
	}
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
	p.uncertain.add(scope, "", rep)
	return out[key]
}

func (p *plainScrubber) Env(workload, container string, env []corev1.EnvVar) []corev1.EnvVar {
	out, rep := scrub.Env(workload, container, env, p.in)
	p.count("workload/"+workload, rep.Generated)
	p.uncertain.add("workload/"+workload, "workload: "+workload, rep)
	return out
}

func (p *plainScrubber) Args(workload, container string, args []string) []string {
	out, rep := scrub.Args(workload, container, args, p.in)
	p.count("workload/"+workload, rep.Generated)
	p.uncertain.add("workload/"+workload, "workload: "+workload, rep)
	return out
}

// uncertainValues collects, across one plan, the values the scrubber was not sure about: at
// most maxUncertain of them (the API's limit), in the order scrubbing met them, and how many
// more there were.
type uncertainValues struct {
	list    []v1alpha1.UncertainValue
	omitted int32
	seen    map[v1alpha1.UncertainValue]bool
}

// maxUncertain bounds status.config.uncertain (the API's limit).
const maxUncertain = 50

// add records a report's uncertain values in object; rule names the object in a keepPlain
// entry ("configMap: app-config", "workload: api"), empty where no rule can name it.
func (u *uncertainValues) add(object, rule string, rep scrub.PlainReport) {
	u.omitted += int32(rep.UncertainOmitted)
	for _, c := range rep.Uncertain {
		v := v1alpha1.UncertainValue{Object: object, Key: c.Key, Path: c.Path, Decision: string(c.Decision), Reason: c.Reason}
		if rule != "" {
			v.KeepRule = fmt.Sprintf("{%s, key: %q}", rule, c.KeepKey())
		}
		if u.seen[v] {
			continue // the same value met again (a pod template scrubbed twice, say)
		}
		if u.seen == nil {
			u.seen = map[v1alpha1.UncertainValue]bool{}
		}
		u.seen[v] = true
		if len(u.list) >= maxUncertain {
			u.omitted++
			continue
		}
		u.list = append(u.list, v)
	}
}
