package mirror

import (
	"fmt"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// Builder turns prod objects into their copies for one environment. It remembers which
// overrides were used and what could not be done, so Build can report both.
type Builder struct {
	opts      Options
	pins      Pins
	ownership map[string]string
	overrides map[overrideKey]*overrideUse
	problems  []Problem
	// unpinned lists images no digest could be found for; notes, pins worth a remark.
	unpinned []string
	notes    []string
}

type overrideKey struct{ workload, container string }

type overrideUse struct {
	v1alpha1.Override
	used bool
}

// Problem is something about the spec that keeps the copy from matching it.
type Problem struct {
	// Reason is a condition reason (v1alpha1.Reason*).
	Reason  string
	Message string
}

// NewBuilder prepares a builder. pins may be nil (no digests known).
func NewBuilder(opts Options, pins Pins) *Builder {
	b := &Builder{
		opts:      opts,
		pins:      pins,
		ownership: OwnershipLabels(opts.Env),
		overrides: map[overrideKey]*overrideUse{},
	}
	for _, o := range opts.Env.Spec.Overrides {
		b.overrides[overrideKey{o.Workload, o.Container}] = &overrideUse{Override: o}
	}
	return b
}

// annotationsNotCopied are annotation prefixes that would make other tools act on the copy as
// if it were prod (Argo CD and Flux tracking, Helm ownership, external-dns publishing prod
// hostnames, cert-manager issuing real certificates), or that the cluster writes itself.
// kubectl's last-applied annotation is dropped because it repeats the whole object, env
// values included.
var annotationsNotCopied = []string{
	"kubectl.kubernetes.io/last-applied-configuration",
	"deployment.kubernetes.io/",
	"argocd.argoproj.io/",
	"meta.helm.sh/",
	"kustomize.toolkit.fluxcd.io/",
	"helm.toolkit.fluxcd.io/",
	"external-dns.alpha.kubernetes.io/",
	"cert-manager.io/",
	"pv.kubernetes.io/",
	"volume.beta.kubernetes.io/",
	"volume.kubernetes.io/",
	"control-plane.alpha.kubernetes.io/",
	"endpoints.kubernetes.io/",
	"service.beta.kubernetes.io/",
	"service.kubernetes.io/",
	"envmirror.io/",
}

func copiedAnnotation(key string) bool {
	for _, p := range annotationsNotCopied {
		if strings.HasPrefix(key, p) {
			return false
		}
	}
	return true
}

// meta builds a copy's metadata: prod's name and labels plus ours, prod's annotations minus
// those that would mislead other tools, with values rewritten and scrubbed like any plain value.
func (b *Builder) meta(kind string, in metav1.ObjectMeta) metav1.ObjectMeta {
	out := metav1.ObjectMeta{
		Name:      in.Name,
		Namespace: b.opts.TargetNamespace,
		Labels:    map[string]string{},
		Annotations: map[string]string{
			AnnotationSource: kind + "/" + in.Namespace + "/" + in.Name,
		},
	}
	for k, v := range in.Labels {
		if !strings.HasPrefix(k, "envmirror.io/") {
			out.Labels[k] = v
		}
	}
	for k, v := range b.ownership {
		out.Labels[k] = v
	}
	for k, v := range in.Annotations {
		if copiedAnnotation(k) {
			out.Annotations[k] = b.opts.Scrubber.Value("annotation/"+kind+"/"+in.Name, k, v)
		}
	}
	return out
}

// templateMeta copies a pod template's metadata: labels untouched (selectors depend on them),
// annotations treated like the object's.
func (b *Builder) templateMeta(kind, name string, in metav1.ObjectMeta) metav1.ObjectMeta {
	out := metav1.ObjectMeta{Labels: in.Labels, Annotations: nil}
	for k, v := range in.Annotations {
		if !copiedAnnotation(k) {
			continue
		}
		if out.Annotations == nil {
			out.Annotations = map[string]string{}
		}
		out.Annotations[k] = b.opts.Scrubber.Value("annotation/"+kind+"/"+name+"/template", k, v)
	}
	return out
}

func (b *Builder) problem(reason, format string, args ...any) {
	b.problems = append(b.problems, Problem{Reason: reason, Message: fmt.Sprintf(format, args...)})
}

// unusedOverrides reports overrides that named nothing in prod, listing what exists.
func (b *Builder) unusedOverrides(workloads []string) {
	var keys []overrideKey
	for k, o := range b.overrides {
		if !o.used {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].workload+"/"+keys[i].container < keys[j].workload+"/"+keys[j].container
	})
	for _, k := range keys {
		what := "workload " + k.workload
		if k.container != "" {
			what += " container " + k.container
		}
		b.problem(v1alpha1.ReasonOverrideNotFound, "spec.overrides names %s, which the copy does not have (copied workloads: %s)",
			what, strings.Join(workloads, ", "))
	}
}

// included applies spec.workloads.include/exclude to a workload name.
func (b *Builder) included(name string) bool {
	w := b.opts.Env.Spec.Workloads
	for _, e := range w.Exclude {
		if e == name {
			return false
		}
	}
	if len(w.Include) == 0 {
		return true
	}
	for _, i := range w.Include {
		if i == name {
			return true
		}
	}
	return false
}
