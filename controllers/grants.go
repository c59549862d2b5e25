package controllers

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// sourceGrant is what prod's owners allow the environment: mirroring their namespace, and
// copying some Secret keys verbatim.
type sourceGrant struct {
	// anyKeep: every Keep rule is allowed (a remote source read with the environment's own
	// credentials, or a single-tenant cluster without MirrorSources).
	anyKeep bool
	// keeps maps a Secret to the keys that may be kept ("*": all its keys).
	keeps map[string]map[string]bool
}

// allowsKeeps refuses Keep rules prod did not grant: a prod value leaves prod only with prod's
// consent, in the MirrorSource.
func (g *sourceGrant) allowsKeeps(kept []string) error {
	if g == nil || g.anyKeep {
		return nil
	}
	var refused []string
	for _, k := range kept {
		secret, key, _ := strings.Cut(k, "/")
		if keys := g.keeps[secret]; !keys["*"] && !keys[key] {
			refused = append(refused, k)
		}
	}
	if len(refused) == 0 {
		return nil
	}
	return stall(v1alpha1.ConditionConfigScrubbed, v1alpha1.ReasonKeepNotGranted,
		"Keep rules copy prod values the source namespace does not allow to be copied: %s; nothing of the configuration was copied. Ask the owners of the source namespace to list them in a MirrorSource's keepSecrets, or drop the rules",
		strings.Join(refused, ", "))
}

// readGrant decides whether the environment may mirror its source. In this cluster the source
// namespace must hold a MirrorSource naming the environment's namespace (with
// --source-grants=optional, a namespace without any MirrorSource is open). A remote source is
// read with the environment's own kubeconfig, whose rights there are the grant.
func (r *MirrorEnvironmentReconciler) readGrant(ctx context.Context, env *v1alpha1.MirrorEnvironment) (*sourceGrant, error) {
	if env.Spec.Source.KubeconfigSecretRef != nil {
		return &sourceGrant{anyKeep: true}, nil
	}
	src := env.Spec.Source.Namespace
	list := &v1alpha1.MirrorSourceList{}
	if err := r.List(ctx, list, client.InNamespace(src)); err != nil {
		return nil, err
	}
	if len(list.Items) == 0 && r.Settings.SourceGrants == GrantsOptional {
		return &sourceGrant{anyKeep: true}, nil
	}
	nsLabels, err := r.namespaceLabels(ctx, env.Namespace)
	if err != nil {
		return nil, err
	}
	g := &sourceGrant{keeps: map[string]map[string]bool{}}
	granted := false
	for i := range list.Items {
		ms := &list.Items[i]
		if !grantsNamespace(ms, env.Namespace, nsLabels) {
			continue
		}
		granted = true
		for _, k := range ms.Spec.KeepSecrets {
			keys := g.keeps[k.Secret]
			if keys == nil {
				keys = map[string]bool{}
				g.keeps[k.Secret] = keys
			}
			for _, key := range k.Keys {
				keys[key] = true
			}
			if len(k.Keys) == 0 {
				keys["*"] = true
			}
		}
	}
	if !granted {
		return nil, stall(v1alpha1.ConditionProvisioned, v1alpha1.ReasonSourceNotGranted,
			"namespace %s does not allow namespace %s to mirror it; its owners can allow it with a MirrorSource: %s",
			src, env.Namespace, grantExample(src, env.Namespace))
	}
	return g, nil
}

// grantsNamespace reports whether a MirrorSource lets namespace ns mirror its namespace.
func grantsNamespace(ms *v1alpha1.MirrorSource, ns string, nsLabels map[string]string) bool {
	for _, f := range ms.Spec.From {
		if f.Namespace != "" && f.Namespace == ns {
			return true
		}
		if f.NamespaceSelector != nil {
			sel, err := metav1.LabelSelectorAsSelector(f.NamespaceSelector)
			if err == nil && !sel.Empty() && sel.Matches(labels.Set(nsLabels)) {
				return true
			}
		}
	}
	return false
}

func (r *MirrorEnvironmentReconciler) namespaceLabels(ctx context.Context, name string) (map[string]string, error) {
	ns := &corev1.Namespace{}
	if err := r.Get(ctx, client.ObjectKey{Name: name}, ns); err != nil {
		return nil, client.IgnoreNotFound(err)
	}
	return ns.Labels, nil
}

func grantExample(src, from string) string {
	return fmt.Sprintf(`{"apiVersion":"envmirror.io/v1alpha1","kind":"MirrorSource","metadata":{"name":%q,"namespace":%q},"spec":{"from":[{"namespace":%q}]}}`,
		from, src, from)
}
