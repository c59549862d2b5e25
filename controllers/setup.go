package controllers

import (
	"context"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
	prodsource "github.com/envmirror/envmirror/internal/source"
)

// Field indexes over MirrorEnvironments, so that an event on any object finds the
// environments it concerns with a cache lookup instead of a list of every environment.
const (
	// indexLocalSource: the source namespace of environments whose prod is this cluster.
	indexLocalSource = "envmirror.io/local-source-namespace"
	// indexTarget: the target namespace.
	indexTarget = "envmirror.io/target-namespace"
)

// copyOnlyKinds are kinds the operator writes in copies (and its own namespace) beyond the
// kinds it reads from prod.
func copyOnlyKinds() []client.Object { return []client.Object{&batchv1.Job{}} }

// SetupWithManager registers the indexes and watches. The manager's cache holds only the
// operator's own objects (CacheOptions); prod and the environments' inputs are watched through
// the per-namespace caches of Clusters, whose events arrive on a channel.
func (r *MirrorEnvironmentReconciler) SetupWithManager(mgr ctrl.Manager, opts controller.Options) error {
	ctx := context.Background()
	idx := mgr.GetFieldIndexer()
	env := &v1alpha1.MirrorEnvironment{}
	if err := idx.IndexField(ctx, env, indexLocalSource, func(o client.Object) []string {
		e := o.(*v1alpha1.MirrorEnvironment)
		if e.Spec.Source.KubeconfigSecretRef != nil {
			return nil
		}
		return []string{e.Spec.Source.Namespace}
	}); err != nil {
		return err
	}
	if err := idx.IndexField(ctx, env, indexTarget, func(o client.Object) []string {
		return []string{mirror.TargetNamespace(o.(*v1alpha1.MirrorEnvironment))}
	}); err != nil {
		return err
	}
	r.Clusters.SetLocal(mgr.GetConfig())
	// A CRD or APIService of a prod cluster changed: what its API serves must be read again.
	r.Clusters.OnAPIChange(r.kindReader().Invalidate)

	b := ctrl.NewControllerManagedBy(mgr).
		Named("mirrorenvironment").
		WithOptions(opts).
		// Our own status patches change neither generation, labels, annotations nor the
		// deletion timestamp, so they do not wake us up.
		For(&v1alpha1.MirrorEnvironment{}, builder.WithPredicates(predicate.Or(
			predicate.GenerationChangedPredicate{},
			predicate.LabelChangedPredicate{},
			predicate.AnnotationChangedPredicate{},
			deletionStarted{},
		))).
		// A target or source namespace appearing, going or terminating.
		Watches(&corev1.Namespace{}, handler.EnqueueRequestsFromMapFunc(r.forObject)).
		// A grant appearing or changing wakes the environments mirroring its namespace.
		Watches(&v1alpha1.MirrorSource{}, handler.EnqueueRequestsFromMapFunc(r.forObject))
	// The copies: their status is the environment's readiness, and a hand edit is reverted.
	for _, obj := range append(prodsource.Kinds(), copyOnlyKinds()...) {
		b = b.Watches(obj, handler.EnqueueRequestsFromMapFunc(r.forObject), builder.WithPredicates(copiesOnly{}))
	}
	b = b.WatchesRawSource(source.Channel(r.namespaceCacheEvents(), &handler.EnqueueRequestForObject{}))
	if r.Activity != nil { // spec.sleep.idleAfter: requests wake environments asleep for idleness
		b = b.WatchesRawSource(source.Channel(r.activityEvents(), &handler.EnqueueRequestForObject{}))
		if err := mgr.Add(r.Activity); err != nil {
			return err
		}
	}
	return b.Complete(r)
}

// namespaceCacheEvents turns the namespace caches' notifications into controller events.
func (r *MirrorEnvironmentReconciler) namespaceCacheEvents() <-chan event.GenericEvent {
	ch := make(chan event.GenericEvent, 1024)
	r.Clusters.SetEnqueue(func(n types.NamespacedName) {
		obj := &v1alpha1.MirrorEnvironment{}
		obj.Namespace, obj.Name = n.Namespace, n.Name
		select {
		case ch <- event.GenericEvent{Object: obj}:
		default: // the queue is full of events already; the periodic resync catches up
		}
	})
	return ch
}

// references lists what an environment reads from its own namespace.
func references(e *v1alpha1.MirrorEnvironment) []string {
	var out []string
	if ref := e.Spec.Source.KubeconfigSecretRef; ref != nil {
		out = append(out, "Secret/"+ref.Name)
	}
	sec := e.Spec.Config.Secrets
	if sec.PullSecretRef != nil {
		out = append(out, "Secret/"+sec.PullSecretRef.Name)
	}
	for _, rule := range sec.Rules {
		if rule.FromSecret != nil {
			out = append(out, "Secret/"+rule.FromSecret.Name)
		}
	}
	for _, d := range e.Spec.Dependencies {
		if d.VersionFrom != nil {
			out = append(out, "Secret/"+d.VersionFrom.SecretRef.Name)
			if d.VersionFrom.CASecretRef != nil {
				out = append(out, "Secret/"+d.VersionFrom.CASecretRef.Name)
			}
		}
	}
	for _, d := range e.Spec.Data {
		if d.Schema == nil {
			continue
		}
		if d.Schema.ConfigMapRef != nil {
			out = append(out, "ConfigMap/"+d.Schema.ConfigMapRef.Name)
		}
		if d.Schema.FromDatabase != nil {
			out = append(out, "Secret/"+d.Schema.FromDatabase.SecretRef.Name)
		}
	}
	return out
}

// forObject maps an object to the environments it concerns: those whose copy lives in its
// namespace (a copy, a namespace) and those whose (local) prod is its namespace (a namespace, a
// MirrorSource). Each is one indexed cache lookup.
func (r *MirrorEnvironmentReconciler) forObject(ctx context.Context, obj client.Object) []reconcile.Request {
	seen := map[types.NamespacedName]bool{}
	var out []reconcile.Request
	add := func(opts ...client.ListOption) {
		list := &v1alpha1.MirrorEnvironmentList{}
		if err := r.List(ctx, list, opts...); err != nil {
			return
		}
		for i := range list.Items {
			n := key(&list.Items[i])
			if !seen[n] {
				seen[n] = true
				out = append(out, reconcile.Request{NamespacedName: n})
			}
		}
	}
	ns := obj.GetNamespace()
	if _, isNS := obj.(*corev1.Namespace); isNS {
		ns = obj.GetName()
		add(client.MatchingFields{indexTarget: ns})
		add(client.MatchingFields{indexLocalSource: ns})
		return out
	}
	add(client.MatchingFields{indexTarget: ns})
	add(client.MatchingFields{indexLocalSource: ns})
	if l := obj.GetLabels(); isCopy(obj) && l[mirror.LabelEnvironmentNamespace] != "" && l[mirror.LabelEnvironment] != "" {
		// Our objects outside the copy (the schema Jobs in the operator's namespace).
		n := types.NamespacedName{Namespace: l[mirror.LabelEnvironmentNamespace], Name: l[mirror.LabelEnvironment]}
		if !seen[n] {
			seen[n] = true
			out = append(out, reconcile.Request{NamespacedName: n})
		}
	}
	return out
}

// deletionStarted passes the update that sets a deletion timestamp.
type deletionStarted struct{ predicate.Funcs }

func (deletionStarted) Update(e event.UpdateEvent) bool {
	return e.ObjectOld.GetDeletionTimestamp().IsZero() && !e.ObjectNew.GetDeletionTimestamp().IsZero()
}

// copiesOnly passes events of objects the operator made.
type copiesOnly struct{ predicate.Funcs }

func isCopy(o client.Object) bool {
	return o.GetLabels()[mirror.LabelManagedBy] == mirror.ManagedByValue
}

func (copiesOnly) Create(e event.CreateEvent) bool   { return isCopy(e.Object) }
func (copiesOnly) Update(e event.UpdateEvent) bool   { return isCopy(e.ObjectNew) }
func (copiesOnly) Delete(e event.DeleteEvent) bool   { return isCopy(e.Object) }
func (copiesOnly) Generic(e event.GenericEvent) bool { return isCopy(e.Object) }
