package mirror

import (
	"sort"

	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/source"
)

// Result is the desired copy of prod's infrastructure.
type Result struct {
	// Workloads are the copied Deployments, StatefulSets and CronJobs.
	Workloads []client.Object
	// Objects are ServiceAccounts, Roles, RoleBindings, PVCs, Services and Ingresses
	// (ConfigMaps and Secrets are built by the config step).
	Objects []client.Object
	// NetworkPolicies are prod's policies, rewritten (the isolation policy is built apart, by
	// Builder.IsolationPolicy: it depends on the spec alone and is applied first).
	NetworkPolicies []client.Object
	// Services describes each copied workload, in name order; readiness is the caller's to fill.
	Services []v1alpha1.ServiceStatus
	// Pinned, Unpinned and Overridden count container images.
	Pinned, Unpinned, Overridden int32
	// UnpinnedImages says which images could not be pinned and why.
	UnpinnedImages []string
	// Notes are remarks on pins (e.g. prod runs two digests of an image).
	Notes []string
	// IngressHosts are the copy's ingress hosts, for its TLS certificates.
	IngressHosts []string
	// Problems are spec errors the user must fix (an override naming nothing, a bad template).
	Problems []Problem
}

// Build computes the copy of prod's infrastructure for one environment.
func Build(snap *source.Snapshot, opts Options) *Result {
	b := NewBuilder(opts, ResolvePins(snap))
	r := &Result{}
	fronted := buildWorkloads(b, snap, r)
	buildObjects(b, snap, r, fronted)
	for i := range snap.NetworkPolicies {
		r.NetworkPolicies = append(r.NetworkPolicies, b.NetworkPolicy(&snap.NetworkPolicies[i]))
	}
	for _, s := range r.Services {
		for _, c := range s.Containers {
			switch {
			case c.Overridden:
				r.Overridden++
			case c.Pinned:
				r.Pinned++
			default:
				r.Unpinned++
			}
		}
	}
	r.UnpinnedImages = b.unpinned
	r.Notes = b.notes
	r.Problems = b.problems
	sort.Strings(r.IngressHosts)
	return r
}

// podTemplates are the pod labels of the workloads the copy has (included) and leaves out
// (excluded): they decide which Services are still worth copying.
type podTemplates struct{ included, excluded []map[string]string }

// buildWorkloads copies prod's workloads, unless spec.workloads leaves them out.
func buildWorkloads(b *Builder, snap *source.Snapshot, r *Result) podTemplates {
	var copied []string
	var t podTemplates
	copyWorkload := func(name string, podLabels map[string]string, build func() (client.Object, v1alpha1.ServiceStatus)) {
		if !b.included(name) {
			t.excluded = append(t.excluded, podLabels)
			return
		}
		obj, st := build()
		r.Workloads = append(r.Workloads, obj)
		r.Services = append(r.Services, st)
		copied = append(copied, st.Name)
		t.included = append(t.included, podLabels)
	}
	for i := range snap.Deployments {
		in := &snap.Deployments[i]
		copyWorkload(in.Name, in.Spec.Template.Labels, func() (client.Object, v1alpha1.ServiceStatus) { return b.Deployment(in) })
	}
	for i := range snap.StatefulSets {
		in := &snap.StatefulSets[i]
		copyWorkload(in.Name, in.Spec.Template.Labels, func() (client.Object, v1alpha1.ServiceStatus) { return b.StatefulSet(in) })
	}
	for i := range snap.DaemonSets {
		in := &snap.DaemonSets[i]
		copyWorkload(in.Name, in.Spec.Template.Labels, func() (client.Object, v1alpha1.ServiceStatus) { return b.DaemonSet(in) })
	}
	for i := range snap.CronJobs {
		in := &snap.CronJobs[i]
		copyWorkload(in.Name, in.Spec.JobTemplate.Spec.Template.Labels, func() (client.Object, v1alpha1.ServiceStatus) { return b.CronJob(in) })
	}
	sort.Strings(copied)
	b.unusedOverrides(copied)
	sort.SliceStable(r.Services, func(i, j int) bool { return r.Services[i].Name < r.Services[j].Name })
	return t
}

// buildObjects copies what fronts and runs the workloads: ServiceAccounts, RBAC, claims,
// Services (not those fronting only left-out workloads) and Ingresses.
func buildObjects(b *Builder, snap *source.Snapshot, r *Result, t podTemplates) {
	for i := range snap.ServiceAccounts {
		in := &snap.ServiceAccounts[i]
		if in.Name == "default" && len(in.ImagePullSecrets) == 0 && in.AutomountServiceAccountToken == nil {
			continue // the target namespace has its own default ServiceAccount
		}
		r.Objects = append(r.Objects, b.ServiceAccount(in))
	}
	for i := range snap.Roles {
		r.Objects = append(r.Objects, b.Role(&snap.Roles[i]))
	}
	for i := range snap.RoleBindings {
		r.Objects = append(r.Objects, b.RoleBinding(&snap.RoleBindings[i]))
	}
	for i := range snap.PVCs {
		r.Objects = append(r.Objects, b.PersistentVolumeClaim(&snap.PVCs[i]))
	}
	for i := range snap.Services {
		in := &snap.Services[i]
		if selectsOnly(in.Spec.Selector, t.excluded, t.included) {
			continue // it would front only workloads the copy leaves out
		}
		r.Objects = append(r.Objects, b.Service(in))
	}
	for i := range snap.Ingresses {
		out, err := b.Ingress(&snap.Ingresses[i])
		if err != nil {
			b.problem(v1alpha1.ReasonApplyFailed, "Ingress %s: %v", snap.Ingresses[i].Name, err)
			continue
		}
		r.Objects = append(r.Objects, out)
		for _, rule := range out.Spec.Rules {
			if rule.Host != "" {
				r.IngressHosts = append(r.IngressHosts, rule.Host)
			}
		}
	}
}

// selectsOnly reports whether a Service selects pods of excluded workloads and of no copied one.
func selectsOnly(selector map[string]string, excluded, included []map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	sel := labels.SelectorFromSet(selector)
	matches := func(templates []map[string]string) bool {
		for _, t := range templates {
			if sel.Matches(labels.Set(t)) {
				return true
			}
		}
		return false
	}
	return matches(excluded) && !matches(included)
}
