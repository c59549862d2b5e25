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
	"github.com/envmirror/envmirror/internal/metrics"
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
	// PartialReadRetry is how soon prod is read again after part of it could not be (0: 30 s).
	// Until then the copy keeps what it has of the unknown part, and nothing is pruned from it.
	PartialReadRetry time.Duration
	// ProbeRetryAfter is how long after a probe Job of prod failed it runs again by itself
	// (0: defaultProbeRetryAfter).
	ProbeRetryAfter time.Duration
	// Settings are the administrator's operator-wide choices (flags).
	Settings Settings
	// Activity, when set, counts the requests through the copies' Ingresses for
	// spec.sleep.idleAfter (sleep_activity.go); nil: idleness cannot be measured.
	Activity *IngressActivity

	// Observe, when set, is called at the start of every reconcile: the test suites count
	// reconciles per environment with it (controller-runtime's metric counts them per
	// controller only).
	Observe func(types.NamespacedName)

	// memo remembers scrubbed ConfigMaps, so that reconciles that find the same prod do not
	// scrub it again.
	memo     *scrubMemo
	memoOnce sync.Once
	// kinds reads prod's other kinds (discovery and metadata lists, cached a while).
	kinds     *source.KindReader
	kindsOnce sync.Once

	// statusPatches coalesces progress-only status writes.
	statusPatches statusPatches

	// harmlessEdits remembers, by UID, the resourceVersion of copies that other field managers
	// touched only outside the copy's fields, so that converged reconciles write nothing.
	harmlessEdits sync.Map
	// written remembers the resourceVersion of the operator's last write to each environment.
	written writtenVersions
}

// Reconcile brings one environment's copy in line with prod and its spec.
func (r *MirrorEnvironmentReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	if r.Observe != nil {
		r.Observe(req.NamespacedName)
	}
	env := &v1alpha1.MirrorEnvironment{}
	if err := r.Get(ctx, req.NamespacedName, env); err != nil {
		if apierrors.IsNotFound(err) {
			r.Clusters.Release(req.NamespacedName)
			r.written.forget(req.NamespacedName)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	// The cache has not seen the operator's own last write to the environment yet: a status
	// computed from this read would be refused after all the work. Look again when it has (its
	// own status writes do not wake the environment, so a short timer does).
	if r.written.behind(req.NamespacedName, env.ResourceVersion, r.Clock.Now()) {
		return ctrl.Result{RequeueAfter: cacheLagRetry}, nil
	}
	w := r.newWriter()
	if !env.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, r.reconcileDelete(ctx, w, env)
	}
	if err := r.ensureFinalizer(ctx, w, env); err != nil {
		return ctrl.Result{}, err
	}
	before := env.DeepCopy()
	s := newScope(env, r.Clock.Now(), w)
	r.runStages(ctx, s)
	return r.finish(ctx, s, before)
}

// runStages runs the reconcile's stages in order, until one says the rest must wait.
func (r *MirrorEnvironmentReconciler) runStages(ctx context.Context, s *scope) {
	stages := []func(context.Context, *scope) error{
		r.reconcileExpiry,    // lifecycle: when it expires; delete it once it has
		r.reconcileSleep,     // sleep: scale the copy to zero and stop here, or wake it
		r.validate,           // the spec and the operator's policy, before anything is read
		r.readSources,        // whether prod's owners grant the environment; prod itself
		r.reconcileNamespace, // only then: the copy's namespace, the writer binding, the keyring
		r.readInputs,         // the inputs in the environment's namespace, the copy's Secrets
		r.plan,               // pure: the whole desired copy
		r.applyAll,           // isolation first, then configuration, workloads, network, access, data
	}
	for _, stage := range stages {
		if !s.out.record(stage(ctx, s)) || s.expired || s.asleep() {
			break
		}
	}
}

// finish is the status stage: it writes the status (progress alone at most every
// statusCoalesce) and turns the reconcile's outcomes into a requeue.
func (r *MirrorEnvironmentReconciler) finish(ctx context.Context, s *scope, before *v1alpha1.MirrorEnvironment) (ctrl.Result, error) {
	env, k := s.env, key(s.env)
	r.updateStatus(s)
	resync := resyncIn(env.UID, s.now, r.ResyncInterval)
	// A stalled environment is not requeued, so its progress is written at once.
	if d := r.statusPatches.coalesce(k, &before.Status, &env.Status, s.now); d > 0 && len(s.out.stalls) == 0 {
		s.out.record(wait("", d, v1alpha1.ReasonProgressing, "progress is written at most every %s", statusCoalesce))
	} else if err := r.patchStatus(ctx, s.w, before, env); errors.Is(err, errStaleRead) {
		// The environment's own status updates do not wake it (see SetupWithManager): look
		// again shortly, when the cache has the newer version, keeping any sooner wait.
		res, err := s.out.result(s.resyncUnlessAsleep(resync), s.untilTimer())
		if err == nil && (res.RequeueAfter == 0 || res.RequeueAfter > staleReadRetry) {
			res.RequeueAfter = staleReadRetry
		}
		return res, err
	} else if err != nil {
		s.out.err = errors.Join(s.out.err, err)
	} else if !equality.Semantic.DeepEqual(before.Status, env.Status) {
		r.statusPatches.patched(k, s.now)
		r.written.wrote(k, env.ResourceVersion, r.Clock.Now())
	}
	countFailures(&s.out)
	return s.out.result(s.resyncUnlessAsleep(resync), s.untilTimer())
}

// validate checks the spec against what admission cannot know (the operator's policy) or may
// not have checked (a stored object from an older CRD).
func (r *MirrorEnvironmentReconciler) validate(_ context.Context, s *scope) error {
	return validateSpec(s.env, r.Settings, r.OperatorNamespace)
}

// plan builds the desired copy from what the read stage found.
func (r *MirrorEnvironmentReconciler) plan(_ context.Context, s *scope) error {
	r.memoOnce.Do(func() { r.memo = newScrubMemo() })
	s.desired = plan(planInput{env: s.env, target: s.target, scope: s, settings: r.Settings, operatorNamespace: r.OperatorNamespace, memo: r.memo})
	// From here on everything written is swept for the prod Secret values the plan knows.
	s.w.sweep = s.desired.sweep
	return nil
}

func (r *MirrorEnvironmentReconciler) ensureFinalizer(ctx context.Context, w *writer, env *v1alpha1.MirrorEnvironment) error {
	if controllerutil.ContainsFinalizer(env, Finalizer) {
		return nil
	}
	// Finalizers are a list a merge patch replaces whole: the lock keeps a stale read from
	// dropping another controller's finalizer.
	patch := client.MergeFromWithOptions(env.DeepCopy(), client.MergeFromWithOptimisticLock{})
	controllerutil.AddFinalizer(env, Finalizer)
	if err := w.patch(ctx, env, patch); err != nil {
		return err
	}
	r.written.wrote(key(env), env.ResourceVersion, r.Clock.Now())
	return nil
}

// errStaleRead is patchStatus refusing a status computed from a read older than the object.
var errStaleRead = errors.New("the environment changed since it was read")

// staleReadRetry is how soon a reconcile whose status was refused as stale is retried: a
// cache is behind by milliseconds, and a retry that finds it still behind is refused again.
const staleReadRetry = 200 * time.Millisecond

// cacheLagRetry is how soon a reconcile that found the cache behind the operator's own last
// write looks again (writtenVersions).
const cacheLagRetry = 50 * time.Millisecond

// patchStatus writes status once, and only when it changed.
func (r *MirrorEnvironmentReconciler) patchStatus(ctx context.Context, w *writer, before, env *v1alpha1.MirrorEnvironment) error {
	if equality.Semantic.DeepEqual(before.Status, env.Status) {
		return nil
	}
	// The patch carries the resourceVersion the reconcile read. Read from a cache that had not
	// yet seen the previous reconcile's write, the status would be computed from stale
	// conditions and would overwrite newer ones (a second provisionedAt, a transition time
	// moved); the API server refuses such a patch instead. That is not an error: the newer
	// version is on its way to the cache, and the reconcile is retried after staleReadRetry.
	err := w.patchStatus(ctx, env, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{}))
	if apierrors.IsNotFound(err) {
		return nil // deleted while we worked; nothing left to report on
	}
	if apierrors.IsConflict(err) {
		log.FromContext(ctx).V(1).Info("status computed from a stale read; reconciling again")
		return errStaleRead
	}
	if err != nil {
		log.FromContext(ctx).Error(err, "patching status")
	}
	return err
}

// countFailures feeds the reconcile-errors metric: stalls by their reason, transient errors by
// the API server's reason when there is one.
func countFailures(o *outcomes) {
	for _, s := range o.stalls {
		metrics.ReconcileError(s.reason)
	}
	if o.err != nil {
		reason := string(apierrors.ReasonForError(o.err))
		if reason == "" {
			reason = "Error"
		}
		metrics.ReconcileError(reason)
	}
}

func key(env *v1alpha1.MirrorEnvironment) types.NamespacedName {
	return types.NamespacedName{Namespace: env.Namespace, Name: env.Name}
}
