// Package controllers holds the MirrorEnvironment reconciler: a thin Reconcile that runs one
// sub-reconciler per concern (namespace, prod snapshot, configuration, workloads, network,
// data, expiry) and patches status once.
package controllers

import (
	"context"
	"errors"
	"sync"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/source"
)

// Finalizer holds a MirrorEnvironment until its copy is deleted.
const Finalizer = "envmirror.io/cleanup"

// MirrorEnvironmentReconciler reconciles MirrorEnvironment objects.
type MirrorEnvironmentReconciler struct {
	// Client reads through the manager's cache and writes to the cluster the copies live in.
	client.Client
	// APIReader reads past the cache where a stale read would be unsafe (namespace ownership).
	APIReader client.Reader
	Scheme    *runtime.Scheme
	Recorder  events.EventRecorder
	// Clusters reads prods in other clusters; same-cluster prods are read through Client,
	// which this package only ever uses as a client.Reader for them.
	Clusters *source.Clusters
	Clock    clock.PassiveClock

	// Identity is the operator's own RBAC subject, bound to CopyWriterRole in each target
	// namespace: the operator's cluster-wide role can read, but writes copies only where a
	// binding it made allows it.
	Identity       rbacv1.Subject
	CopyWriterRole string

	// OperatorNamespace runs the schema Jobs that need prod's database credentials, so those
	// never enter a copy's namespace.
	OperatorNamespace string
	// SeedImage is the image of the seeding Jobs (this manager's own image).
	SeedImage string
	// ResyncInterval re-reads prod even without events, to report drift.
	ResyncInterval time.Duration

	// harmlessEdits remembers, by UID, the resourceVersion of copies that other field managers
	// touched only outside the copy's fields, so that converged reconciles write nothing.
	harmlessEdits sync.Map
}

// errHalt stops the chain of sub-reconcilers without an error: the condition already says what
// is wrong, and a watch will wake the environment when it changes.
var errHalt = errors.New("halt")

// subReconciler is one concern of the environment.
type subReconciler func(ctx context.Context, s *state) (ctrl.Result, error)

// Reconcile brings one environment's copy in line with prod and its spec.
func (r *MirrorEnvironmentReconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, retErr error) {
	env := &v1alpha1.MirrorEnvironment{}
	if err := r.Get(ctx, req.NamespacedName, env); err != nil {
		if apierrors.IsNotFound(err) {
			r.Clusters.Release(req.NamespacedName)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	before := env.DeepCopy()
	s := newState(env)

	defer func() {
		r.summarize(s)
		if err := r.patchStatus(ctx, before, env); err != nil {
			retErr = errors.Join(retErr, err)
		}
		if retErr != nil {
			result = ctrl.Result{} // RequeueAfter goes with a nil error only
		}
	}()

	if !env.DeletionTimestamp.IsZero() {
		return r.reconcileDelete(ctx, s)
	}
	if !controllerutil.ContainsFinalizer(env, Finalizer) {
		patch := client.MergeFrom(env.DeepCopy())
		controllerutil.AddFinalizer(env, Finalizer)
		if err := r.Patch(ctx, env, patch); err != nil {
			return ctrl.Result{}, err
		}
		before.Finalizers = env.Finalizers
		before.ResourceVersion = env.ResourceVersion
	}

	steps := []subReconciler{
		r.reconcileExpiry,
		r.reconcileNamespace,
		r.reconcileSource,
		r.reconcileConfig,
		r.reconcileWorkloads,
		r.reconcileNetwork,
		r.reconcileData,
		r.reconcileDrift,
	}
	result = ctrl.Result{RequeueAfter: r.ResyncInterval}
	for _, step := range steps {
		res, err := step(ctx, s)
		if errors.Is(err, errHalt) {
			break
		}
		if err != nil {
			return ctrl.Result{}, err
		}
		result = lowestRequeue(result, res)
	}
	return result, nil
}

// lowestRequeue keeps the sooner of two requeues (zero meaning none).
func lowestRequeue(a, b ctrl.Result) ctrl.Result {
	if b.RequeueAfter > 0 && (a.RequeueAfter == 0 || b.RequeueAfter < a.RequeueAfter) {
		return b
	}
	return a
}

// patchStatus writes status once, and only when it changed.
func (r *MirrorEnvironmentReconciler) patchStatus(ctx context.Context, before, env *v1alpha1.MirrorEnvironment) error {
	if equality.Semantic.DeepEqual(before.Status, env.Status) {
		return nil
	}
	err := r.Status().Patch(ctx, env, client.MergeFrom(before))
	if apierrors.IsNotFound(err) {
		return nil // deleted while we worked; nothing left to report on
	}
	if err != nil {
		log.FromContext(ctx).Error(err, "patching status")
	}
	return err
}

func key(env *v1alpha1.MirrorEnvironment) types.NamespacedName {
	return types.NamespacedName{Namespace: env.Namespace, Name: env.Name}
}
