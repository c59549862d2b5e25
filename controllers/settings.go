package controllers

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"text/template"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
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
	if env.DecodeError != "" {
		return stall(v1alpha1.ConditionProvisioned, v1alpha1.ReasonSpecInvalid,
			"the stored spec does not fit this operator's API (written through an older or looser CRD?); nothing is done until it is fixed: %s", env.DecodeError)
	}
	spec := &env.Spec
	var problems []string
	problems = append(problems, valueProblems(spec)...)
	problems = append(problems, templateProblems(env)...)
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
// valueProblems parses every duration, quantity, fraction and row count of the spec, each with
// a bound on its cost.
func valueProblems(spec *v1alpha1.MirrorEnvironmentSpec) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
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
	var rows int64
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
		for _, n := range d.Rows.Tables {
			rows += min(max(n, 0), maxTotalRows+1) // no overflow, whatever a stored object holds
		}
	}
	if rows > maxTotalRows {
		add("spec.data asks for more than %d rows in all (rows.tables of every database)", maxTotalRows)
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
	sort.Strings(problems) // map order must not change the message, or every reconcile would write it
	return problems
}

// maxTotalRows bounds the rows that rows.tables may ask for across all databases, as the API does.
const maxTotalRows = 100_000_000

// templateProblems parses every template of the spec with the bounded template package, which
// refuses the constructs that loop or recurse ({{range}}, {{template}}, {{define}}). It does so
// whether or not the template would be rendered now: an annotation template waits for prod to
// have an Ingress, a Secret template for prod to have the Secret.
func templateProblems(env *v1alpha1.MirrorEnvironment) []string {
	spec := &env.Spec
	var problems []string
	check := func(field, text string, funcs template.FuncMap) {
		if _, err := tmpl.Parse(field, text, funcs); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", field, err))
		}
	}
	if h := spec.Network.IngressHost; h != "" {
		check("spec.network.ingressHost", h, nil)
	}
	if in := spec.Network.Ingress; in != nil {
		for _, k := range slices.Sorted(maps.Keys(in.Annotations)) {
			check(fmt.Sprintf("spec.network.ingress.annotations[%s]", k), in.Annotations[k], nil)
		}
	}
	secretFunc := template.FuncMap{"secret": func(string, string) (string, error) { return "", nil }}
	for i, rule := range spec.Config.Secrets.Rules {
		if rule.Template != "" {
			check(fmt.Sprintf("spec.config.secrets.rules[%d].template", i), rule.Template, secretFunc)
		}
	}
	if len(problems) == 0 {
		problems = append(problems, ingressTemplateProblems(env)...)
	}
	return problems
}

// exampleProdHost is the host of the example Ingress the ingress templates are tried on.
const exampleProdHost = "app.example.com"

// ingressTemplateProblems renders the ingress templates for an example prod Ingress with the
// builder the copy is made with, so that a template that names a field that does not exist or
// cannot give a DNS name stalls the environment now, as a spec error, rather than failing each
// of prod's Ingresses at every resync (or waiting, unnoticed, for prod to have one).
func ingressTemplateProblems(env *v1alpha1.MirrorEnvironment) []string {
	if env.Spec.Network.IngressHost == "" && env.Spec.Network.Ingress == nil {
		return nil
	}
	example := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Name: "example"},
		Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{Host: exampleProdHost}}}}
	b := mirror.NewBuilder(mirror.Options{Env: env, TargetNamespace: mirror.TargetNamespace(env)}, nil)
	if _, err := b.Ingress(example); err != nil {
		return []string{fmt.Sprintf("for an example prod Ingress of host %s: %v", exampleProdHost, err)}
	}
	return nil
}

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
