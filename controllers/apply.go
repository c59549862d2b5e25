package controllers

import (
	"context"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/envmirror/envmirror/internal/mirror"
)

// prunableKinds are the kinds each component writes, and so may prune.
var prunableKinds = map[string][]func() client.ObjectList{
	mirror.ComponentIsolation: {
		func() client.ObjectList { return &networkingv1.NetworkPolicyList{} },
	},
	mirror.ComponentAccess: {
		func() client.ObjectList { return &rbacv1.RoleBindingList{} },
	},
	mirror.ComponentConfig: {
		func() client.ObjectList { return &corev1.ConfigMapList{} },
		func() client.ObjectList { return &corev1.SecretList{} },
	},
	mirror.ComponentWorkloads: {
		func() client.ObjectList { return &appsv1.DeploymentList{} },
		func() client.ObjectList { return &appsv1.StatefulSetList{} },
		func() client.ObjectList { return &batchv1.CronJobList{} },
		func() client.ObjectList { return &corev1.ServiceAccountList{} },
		func() client.ObjectList { return &rbacv1.RoleList{} },
		func() client.ObjectList { return &rbacv1.RoleBindingList{} },
		func() client.ObjectList { return &corev1.PersistentVolumeClaimList{} },
		func() client.ObjectList { return &corev1.ServiceList{} },
		func() client.ObjectList { return &networkingv1.IngressList{} },
	},
	mirror.ComponentNetwork: {
		func() client.ObjectList { return &networkingv1.NetworkPolicyList{} },
	},
	mirror.ComponentData: {
		func() client.ObjectList { return &appsv1.StatefulSetList{} },
		func() client.ObjectList { return &corev1.ServiceList{} },
		func() client.ObjectList { return &corev1.SecretList{} },
		func() client.ObjectList { return &batchv1.JobList{} },
		func() client.ObjectList { return &corev1.ConfigMapList{} },
	},
}

// applyResult counts what an apply pass did.
type applyResult struct {
	created, updated, unchanged, pruned int
	// frozen lists copies that differ from what prod implies but were left as they are
	// (followProd: Never), with what differs.
	frozen []string
	// changed lists copies that existed and differed from prod ("Kind/name"): prod moved.
	changed []string
	// reverted lists copies someone else edited ("Kind/name (by manager)"), set back to prod's.
	reverted []string
	// failed lists objects that could not be written ("Kind/name: error").
	failed []string
	// forbidden: one of the failures was the API server's Forbidden.
	forbidden bool
}

func (a applyResult) writes() int { return a.created + a.updated + a.pruned }

// apply server-side applies objects into the target namespace as component, skipping those
// whose live copy already carries the same content hash and was edited by nobody else, then
// prunes the component's objects that are no longer desired. Objects that fail are reported,
// not fatal: one bad object must not keep the rest of the copy from converging.
// A frozen copy (followProd: Never, once provisioned) gets only what it lacks: existing copies
// are compared, not written, and nothing is pruned.
func (r *MirrorEnvironmentReconciler) apply(ctx context.Context, s *scope, component string, objs []client.Object) (*applyResult, error) {
	res := &applyResult{}
	s.applied[component] = res
	desired := map[string]bool{}
	frozen := s.frozen()
	for _, obj := range objs {
		labels := obj.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		for k, v := range mirror.ComponentLabels(s.env, component) {
			labels[k] = v
		}
		obj.SetLabels(labels)
		obj.SetNamespace(s.target)

		kind := kindOf(obj)
		name := kind + "/" + obj.GetName()
		desired[name] = true
		outcome, detail, err := r.applyOne(ctx, s.w, obj, frozen)
		switch {
		case apierrors.IsForbidden(err) || apierrors.IsInvalid(err):
			res.failed = append(res.failed, fmt.Sprintf("%s: %v", name, err))
			res.forbidden = res.forbidden || apierrors.IsForbidden(err)
		case err != nil:
			return res, fmt.Errorf("applying %s %s/%s: %w", kind, s.target, obj.GetName(), err)
		case outcome == applyCreated:
			res.created++
		case outcome == applyChanged:
			res.updated++
			res.changed = append(res.changed, name)
		case outcome == applyReverted:
			res.updated++
			res.reverted = append(res.reverted, fmt.Sprintf("%s (edited by %s)", name, detail))
		case outcome == applyFrozen:
			res.unchanged++
			res.frozen = append(res.frozen, name+": "+detail)
		default:
			res.unchanged++
		}
	}
	if frozen {
		return res, nil
	}
	n, err := r.prune(ctx, s, component, desired, func(obj client.Object) []input { return inputsOf(component, obj) })
	res.pruned = n
	return res, err
}

type applyOutcome int

const (
	applyUnchanged applyOutcome = iota
	applyCreated
	applyChanged
	applyReverted
	// applyFrozen: the copy differs but is frozen (followProd: Never).
	applyFrozen
)

// applyOne applies one object unless the live copy already has its content. The string is the
// editor of a reverted copy, or what differs in a frozen one.
func (r *MirrorEnvironmentReconciler) applyOne(ctx context.Context, w *writer, obj client.Object, frozen bool) (applyOutcome, string, error) {
	u, err := mirror.ToApply(obj)
	if err != nil {
		return 0, "", err
	}
	live, ok := obj.DeepCopyObject().(client.Object)
	if !ok {
		return 0, "", fmt.Errorf("%T is not a client.Object", obj)
	}
	outcome, editor := applyCreated, ""
	err = r.Get(ctx, client.ObjectKeyFromObject(obj), live)
	switch {
	case err == nil:
		editor = foreignEditor(live)
		sameHash := live.GetAnnotations()[mirror.AnnotationAppliedHash] == u.GetAnnotations()[mirror.AnnotationAppliedHash]
		if frozen {
			if sameHash {
				return applyUnchanged, "", nil
			}
			return applyFrozen, differences(obj, live), nil
		}
		switch {
		case sameHash && (editor == "" || r.knownHarmless(live)):
			return applyUnchanged, "", nil
		case sameHash:
			outcome = applyReverted
		default:
			outcome = applyChanged
		}
	case !apierrors.IsNotFound(err):
		return 0, "", err
	}
	log.FromContext(ctx).V(1).Info("applying", "kind", u.GetKind(), "object", client.ObjectKeyFromObject(obj))
	if err := w.apply(ctx, u); err != nil {
		return 0, "", err
	}
	if outcome == applyReverted && u.GetResourceVersion() == live.GetResourceVersion() {
		// The other manager owns only fields the copy does not set (an annotation someone
		// added, say): nothing was reverted, and the next reconcile need not try again.
		r.harmlessEdits.Store(live.GetUID(), live.GetResourceVersion())
		return applyUnchanged, "", nil
	}
	return outcome, editor, nil
}

// knownHarmless reports whether this version of the object was found to carry only edits
// that do not touch the copy's fields.
func (r *MirrorEnvironmentReconciler) knownHarmless(live client.Object) bool {
	rv, ok := r.harmlessEdits.Load(live.GetUID())
	return ok && rv == live.GetResourceVersion()
}

// clusterManagers write fields of our copies as part of running them (a claim's volumeName,
// a Deployment's revision annotation); their entries are not edits.
var clusterManagers = map[string]bool{
	mirror.FieldOwner:         true,
	"kube-controller-manager": true,
	"kube-scheduler":          true,
	"kubelet":                 true,
	"kube-apiserver":          true,
}

// foreignEditor names a field manager, other than us and the cluster's own controllers, that
// owns fields of the live copy outside status: someone edited the copy by hand. The apply that
// follows (with force) takes the fields back, so the copy stays what prod implies.
func foreignEditor(live client.Object) string {
	for _, mf := range live.GetManagedFields() {
		if mf.Subresource != "" || clusterManagers[mf.Manager] {
			continue
		}
		return mf.Manager
	}
	return ""
}

// prune deletes the component's copies in the target namespace that are not desired, each only
// when what it may have been made from (inputs) was read completely (deletions.go: pruneCopy);
// the others stay, listed in s.withheld. It lists only in the target namespace and only objects
// labelled with this environment's uid.
func (r *MirrorEnvironmentReconciler) prune(ctx context.Context, s *scope, component string, desired map[string]bool, inputs func(client.Object) []input) (int, error) {
	n := 0
	for _, newList := range prunableKinds[component] {
		list := newList()
		if err := r.List(ctx, list, client.InNamespace(s.target), client.MatchingLabels{
			mirror.LabelEnvironmentUID: string(s.env.UID),
			mirror.LabelComponent:      component,
		}); err != nil {
			return n, err
		}
		items, err := apimeta.ExtractList(list)
		if err != nil {
			return n, err
		}
		gvk, err := r.gvkOfItems(list)
		if err != nil {
			return n, err
		}
		for _, item := range items {
			obj := item.(client.Object)
			obj.GetObjectKind().SetGroupVersionKind(gvk) // typed lists leave it empty
			deleted, err := r.pruneOne(ctx, s, component, desired, obj, inputs(obj))
			if err != nil {
				return n, err
			}
			if deleted {
				n++
			}
		}
	}
	return n, nil
}

// pruneOne deletes one undesired copy when its inputs were read completely.
func (r *MirrorEnvironmentReconciler) pruneOne(ctx context.Context, s *scope, component string, desired map[string]bool, obj client.Object, inputs []input) (bool, error) {
	name := kindOf(obj) + "/" + obj.GetName()
	if desired[name] || !obj.GetDeletionTimestamp().IsZero() {
		return false, nil
	}
	ev := evidence{env: s.env, target: s.target, component: component, wanted: desired, inputs: inputs, known: &s.known}
	deleted, refused, err := s.w.delete(ctx, pruneCopy, ev, obj, client.PropagationPolicy("Background"))
	if refused != nil {
		s.withheld = append(s.withheld, name+": "+refused.Error())
	}
	return deleted, err
}

// gvkOfItems is the group, version and kind of a typed list's items.
func (r *MirrorEnvironmentReconciler) gvkOfItems(list client.ObjectList) (schema.GroupVersionKind, error) {
	gvk, err := apiutil.GVKForObject(list, r.Scheme)
	if err != nil {
		return schema.GroupVersionKind{}, err
	}
	gvk.Kind = strings.TrimSuffix(gvk.Kind, "List")
	return gvk, nil
}
