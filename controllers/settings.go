package controllers

import (
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/tmpl"
)

// GrantPolicy says whether a source namespace of this cluster must consent to being mirrored.
type GrantPolicy string

const (
	// GrantsRequired refuses a source namespace without a MirrorSource that names the
	// environment's namespace (multi-tenant clusters; the default).
	GrantsRequired GrantPolicy = "required"
	// GrantsOptional accepts a source namespace without a MirrorSource (single-tenant
	// clusters); a MirrorSource that exists is still honoured.
	GrantsOptional GrantPolicy = "optional"
)

// Settings are the operator-wide choices an administrator makes with flags.
type Settings struct {
	// SeedImagePullSecrets are given to the seeding Jobs (the manager image's own pull secrets).
	SeedImagePullSecrets []corev1.LocalObjectReference
	// AccessClusterRoles are the ClusterRoles spec.access may bind (default: edit).
	AccessClusterRoles []string
	// MaxTTL caps an environment's lifetime: ttl from its creation, spec.expiresAt from the
	// moment the operator reads it. Zero: only the API's limit (8760h).
	MaxTTL time.Duration
	// SourceNamespaces, when set, are the only namespaces of this cluster that may be mirrored.
	SourceNamespaces []string
	// SourceGrants says whether source namespaces must grant access with a MirrorSource.
	SourceGrants GrantPolicy
	// AllowedAPIServers, when set, are the only hosts (host or host:port, or *.suffix) a remote
	// kubeconfig may point at.
	AllowedAPIServers []string
}

// accessRoles is the allow-list of spec.access.clusterRole.
func (s Settings) accessRoles() []string {
	if len(s.AccessClusterRoles) == 0 {
		return []string{"edit"}
	}
	return s.AccessClusterRoles
}

// validateSpec catches what admission cannot or did not (an older CRD, values that parse only
// in Go) before anything is built: every value is parsed with a bound, and the operator-wide
// policy is applied. A problem stalls the environment until its spec changes.
func validateSpec(env *v1alpha1.MirrorEnvironment, settings Settings, operatorNamespace string) error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	spec := &env.Spec
	if spec.TTL != nil {
		if d, err := spec.TTL.Parse(); err != nil {
			add("spec.ttl: %v", err)
		} else if d <= 0 {
			add("spec.ttl must be positive")
		}
	}
	quantities := map[string]*v1alpha1.Quantity{"spec.workloads.storageSize": spec.Workloads.StorageSize}
	if r := spec.Workloads.Resources; r != nil {
		for name, q := range r.Max {
			quantities["spec.workloads.resources.max."+string(name)] = &q
		}
	}
	for i := range spec.Data {
		d := &spec.Data[i]
		if d.StandIn != nil {
			quantities[fmt.Sprintf("spec.data[%s].standIn.storage", d.Name)] = d.StandIn.Storage
		}
		if d.Rows.Scale != nil {
			if _, err := d.Rows.Scale.Parse(); err != nil {
				add("spec.data[%s].rows.scale: %v", d.Name, err)
			}
		}
	}
	for i := range spec.Dependencies {
		quantities[fmt.Sprintf("spec.dependencies[%s].storage", spec.Dependencies[i].Name)] = spec.Dependencies[i].Storage
	}
	for field, q := range quantities {
		if q != nil {
			if _, err := q.Parse(); err != nil {
				add("%s: %v", field, err)
			}
		}
	}
	if h := spec.Network.IngressHost; h != "" {
		if _, err := tmpl.Parse("ingressHost", h, nil); err != nil {
			add("spec.network.ingressHost: %v", err)
		}
	}
	if len(problems) > 0 {
		return stall(v1alpha1.ConditionProvisioned, v1alpha1.ReasonSpecInvalid, "%s", strings.Join(problems, "; "))
	}
	if a := spec.Access; a != nil && len(a.Subjects) > 0 {
		role := a.ClusterRole
		if role == "" {
			role = "edit"
		}
		if !slices.Contains(settings.accessRoles(), role) {
			return stall(v1alpha1.ConditionProvisioned, v1alpha1.ReasonAccessRoleForbidden,
				"spec.access.clusterRole %q is not one the operator may bind (allowed: %s); choose one of those or ask an administrator to add it to --access-cluster-roles",
				role, strings.Join(settings.accessRoles(), ", "))
		}
	}
	return checkSourceAllowed(env, settings, operatorNamespace)
}

// checkSourceAllowed applies the operator-wide limits on what may be a source in this cluster:
// never a system namespace or the operator's own (whose Secrets hold prod credentials of every
// environment), and only the allow-listed ones when there is a list.
func checkSourceAllowed(env *v1alpha1.MirrorEnvironment, settings Settings, operatorNamespace string) error {
	if env.Spec.Source.KubeconfigSecretRef != nil {
		return nil
	}
	ns := env.Spec.Source.Namespace
	switch {
	case strings.HasPrefix(ns, "kube-"):
		return stall(v1alpha1.ConditionProvisioned, v1alpha1.ReasonSourceForbidden,
			"namespace %s is a system namespace and can never be mirrored", ns)
	case ns == operatorNamespace:
		return stall(v1alpha1.ConditionProvisioned, v1alpha1.ReasonSourceForbidden,
			"namespace %s is the operator's own (it holds prod credentials of every environment) and can never be mirrored", ns)
	case len(settings.SourceNamespaces) > 0 && !slices.Contains(settings.SourceNamespaces, ns):
		return stall(v1alpha1.ConditionProvisioned, v1alpha1.ReasonSourceForbidden,
			"namespace %s is not among the namespaces this operator may mirror (--source-namespaces: %s)", ns, strings.Join(settings.SourceNamespaces, ", "))
	}
	return nil
}
