// Package source reads the production reference of a MirrorEnvironment. It only ever reads: the
// clients it hands out are client.Reader, so no code path through this package can write to prod.
package source

import (
	"context"
	"fmt"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Snapshot is everything the copy is built from, as read from prod in one reconcile.
type Snapshot struct {
	Namespace       string
	Deployments     []appsv1.Deployment
	StatefulSets    []appsv1.StatefulSet
	DaemonSets      []appsv1.DaemonSet
	CronJobs        []batchv1.CronJob
	Services        []corev1.Service
	ServiceAccounts []corev1.ServiceAccount
	Roles           []rbacv1.Role
	RoleBindings    []rbacv1.RoleBinding
	PVCs            []corev1.PersistentVolumeClaim
	Ingresses       []networkingv1.Ingress
	NetworkPolicies []networkingv1.NetworkPolicy
	ConfigMaps      []corev1.ConfigMap
	Secrets         []corev1.Secret
	// Pods are read whole (not filtered by the selector): they carry the image digests prod
	// runs, matched to workloads through the workloads' selectors.
	Pods []corev1.Pod
	// Custom are prod's objects of the other kinds (custom resources, autoscalers), read by a
	// KindReader (kinds.go); nil when they were not read.
	Custom *CustomKinds
}

// Read lists prod's objects in namespace. With a selector, objects that do not match are left
// out, except ConfigMaps, Secrets, ServiceAccounts and PVCs that a selected workload uses: a copy
// of a workload without the configuration it mounts would not start.
func Read(ctx context.Context, c client.Reader, namespace string, selector labels.Selector) (*Snapshot, error) {
	s := &Snapshot{Namespace: namespace}
	in := client.InNamespace(namespace)
	lists := []struct {
		list client.ObjectList
		kind string
	}{
		{&appsv1.DeploymentList{}, "Deployments"},
		{&appsv1.StatefulSetList{}, "StatefulSets"},
		{&appsv1.DaemonSetList{}, "DaemonSets"},
		{&batchv1.CronJobList{}, "CronJobs"},
		{&corev1.ServiceList{}, "Services"},
		{&corev1.ServiceAccountList{}, "ServiceAccounts"},
		{&rbacv1.RoleList{}, "Roles"},
		{&rbacv1.RoleBindingList{}, "RoleBindings"},
		{&corev1.PersistentVolumeClaimList{}, "PersistentVolumeClaims"},
		{&networkingv1.IngressList{}, "Ingresses"},
		{&networkingv1.NetworkPolicyList{}, "NetworkPolicies"},
		{&corev1.ConfigMapList{}, "ConfigMaps"},
		{&corev1.SecretList{}, "Secrets"},
		{&corev1.PodList{}, "Pods"},
	}
	for _, l := range lists {
		if err := c.List(ctx, l.list, in); err != nil {
			return nil, fmt.Errorf("listing %s in prod namespace %q: %w", l.kind, namespace, err)
		}
	}
	s.Deployments = lists[0].list.(*appsv1.DeploymentList).Items
	s.StatefulSets = lists[1].list.(*appsv1.StatefulSetList).Items
	s.DaemonSets = lists[2].list.(*appsv1.DaemonSetList).Items
	s.CronJobs = lists[3].list.(*batchv1.CronJobList).Items
	s.Services = lists[4].list.(*corev1.ServiceList).Items
	s.ServiceAccounts = lists[5].list.(*corev1.ServiceAccountList).Items
	s.Roles = lists[6].list.(*rbacv1.RoleList).Items
	s.RoleBindings = lists[7].list.(*rbacv1.RoleBindingList).Items
	s.PVCs = lists[8].list.(*corev1.PersistentVolumeClaimList).Items
	s.Ingresses = lists[9].list.(*networkingv1.IngressList).Items
	s.NetworkPolicies = lists[10].list.(*networkingv1.NetworkPolicyList).Items
	s.ConfigMaps = lists[11].list.(*corev1.ConfigMapList).Items
	s.Secrets = lists[12].list.(*corev1.SecretList).Items
	s.Pods = lists[13].list.(*corev1.PodList).Items
	if selector != nil && !selector.Empty() {
		s.filter(selector)
	}
	s.sort()
	return s, nil
}

// filter keeps what the selector matches plus what the kept workloads reference.
func (s *Snapshot) filter(sel labels.Selector) {
	match := func(l map[string]string) bool { return sel.Matches(labels.Set(l)) }
	s.Deployments = keep(s.Deployments, func(o *appsv1.Deployment) bool { return match(o.Labels) })
	s.StatefulSets = keep(s.StatefulSets, func(o *appsv1.StatefulSet) bool { return match(o.Labels) })
	s.DaemonSets = keep(s.DaemonSets, func(o *appsv1.DaemonSet) bool { return match(o.Labels) })
	s.CronJobs = keep(s.CronJobs, func(o *batchv1.CronJob) bool { return match(o.Labels) })
	s.Services = keep(s.Services, func(o *corev1.Service) bool { return match(o.Labels) })
	s.Roles = keep(s.Roles, func(o *rbacv1.Role) bool { return match(o.Labels) })
	s.RoleBindings = keep(s.RoleBindings, func(o *rbacv1.RoleBinding) bool { return match(o.Labels) })
	s.Ingresses = keep(s.Ingresses, func(o *networkingv1.Ingress) bool { return match(o.Labels) })
	s.NetworkPolicies = keep(s.NetworkPolicies, func(o *networkingv1.NetworkPolicy) bool { return match(o.Labels) })

	refs := s.referenced()
	s.ConfigMaps = keep(s.ConfigMaps, func(o *corev1.ConfigMap) bool { return match(o.Labels) || refs.configMaps[o.Name] })
	s.Secrets = keep(s.Secrets, func(o *corev1.Secret) bool { return match(o.Labels) || refs.secrets[o.Name] })
	s.ServiceAccounts = keep(s.ServiceAccounts, func(o *corev1.ServiceAccount) bool {
		return match(o.Labels) || refs.serviceAccounts[o.Name]
	})
	s.PVCs = keep(s.PVCs, func(o *corev1.PersistentVolumeClaim) bool { return match(o.Labels) || refs.pvcs[o.Name] })
}

type references struct {
	configMaps, secrets, serviceAccounts, pvcs map[string]bool
}

// referenced collects the names the kept workloads' pod templates use.
func (s *Snapshot) referenced() references {
	r := references{map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}}
	for _, t := range s.PodTemplates() {
		spec := &t.Template.Spec
		r.serviceAccounts[spec.ServiceAccountName] = true
		for _, ps := range spec.ImagePullSecrets {
			r.secrets[ps.Name] = true
		}
		for _, v := range spec.Volumes {
			switch {
			case v.ConfigMap != nil:
				r.configMaps[v.ConfigMap.Name] = true
			case v.Secret != nil:
				r.secrets[v.Secret.SecretName] = true
			case v.PersistentVolumeClaim != nil:
				r.pvcs[v.PersistentVolumeClaim.ClaimName] = true
			case v.Projected != nil:
				for _, src := range v.Projected.Sources {
					if src.ConfigMap != nil {
						r.configMaps[src.ConfigMap.Name] = true
					}
					if src.Secret != nil {
						r.secrets[src.Secret.Name] = true
					}
				}
			}
		}
		for _, c := range Containers(spec) {
			for _, ef := range c.EnvFrom {
				if ef.ConfigMapRef != nil {
					r.configMaps[ef.ConfigMapRef.Name] = true
				}
				if ef.SecretRef != nil {
					r.secrets[ef.SecretRef.Name] = true
				}
			}
			for _, e := range c.Env {
				if e.ValueFrom == nil {
					continue
				}
				if e.ValueFrom.ConfigMapKeyRef != nil {
					r.configMaps[e.ValueFrom.ConfigMapKeyRef.Name] = true
				}
				if e.ValueFrom.SecretKeyRef != nil {
					r.secrets[e.ValueFrom.SecretKeyRef.Name] = true
				}
			}
		}
	}
	return r
}

// Workload is a prod workload's identity and pod template, whatever its kind.
type Workload struct {
	Kind     string
	Name     string
	Selector *metav1.LabelSelector
	Template *corev1.PodTemplateSpec
}

// PodTemplates lists every workload's pod template. CronJobs have no selector: their pods are
// short-lived and not matched for digests.
func (s *Snapshot) PodTemplates() []Workload {
	var out []Workload
	for i := range s.Deployments {
		o := &s.Deployments[i]
		out = append(out, Workload{"Deployment", o.Name, o.Spec.Selector, &o.Spec.Template})
	}
	for i := range s.StatefulSets {
		o := &s.StatefulSets[i]
		out = append(out, Workload{"StatefulSet", o.Name, o.Spec.Selector, &o.Spec.Template})
	}
	for i := range s.DaemonSets {
		o := &s.DaemonSets[i]
		out = append(out, Workload{"DaemonSet", o.Name, o.Spec.Selector, &o.Spec.Template})
	}
	for i := range s.CronJobs {
		o := &s.CronJobs[i]
		out = append(out, Workload{"CronJob", o.Name, nil, &o.Spec.JobTemplate.Spec.Template})
	}
	return out
}

// Containers lists a pod spec's init containers, then its containers.
func Containers(spec *corev1.PodSpec) []corev1.Container {
	out := make([]corev1.Container, 0, len(spec.InitContainers)+len(spec.Containers))
	out = append(out, spec.InitContainers...)
	return append(out, spec.Containers...)
}

func keep[T any](items []T, ok func(*T) bool) []T {
	out := items[:0]
	for i := range items {
		if ok(&items[i]) {
			out = append(out, items[i])
		}
	}
	return out
}

// sort orders every list by name, so builders and hashes see a stable order whatever the
// cache returns.
func (s *Snapshot) sort() {
	byName(s.Deployments, func(o *appsv1.Deployment) string { return o.Name })
	byName(s.StatefulSets, func(o *appsv1.StatefulSet) string { return o.Name })
	byName(s.DaemonSets, func(o *appsv1.DaemonSet) string { return o.Name })
	byName(s.CronJobs, func(o *batchv1.CronJob) string { return o.Name })
	byName(s.Services, func(o *corev1.Service) string { return o.Name })
	byName(s.ServiceAccounts, func(o *corev1.ServiceAccount) string { return o.Name })
	byName(s.Roles, func(o *rbacv1.Role) string { return o.Name })
	byName(s.RoleBindings, func(o *rbacv1.RoleBinding) string { return o.Name })
	byName(s.PVCs, func(o *corev1.PersistentVolumeClaim) string { return o.Name })
	byName(s.Ingresses, func(o *networkingv1.Ingress) string { return o.Name })
	byName(s.NetworkPolicies, func(o *networkingv1.NetworkPolicy) string { return o.Name })
	byName(s.ConfigMaps, func(o *corev1.ConfigMap) string { return o.Name })
	byName(s.Secrets, func(o *corev1.Secret) string { return o.Name })
	byName(s.Pods, func(o *corev1.Pod) string { return o.Name })
}

func byName[T any](items []T, name func(*T) string) {
	sort.SliceStable(items, func(i, j int) bool { return name(&items[i]) < name(&items[j]) })
}
