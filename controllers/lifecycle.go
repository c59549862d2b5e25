package controllers

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
)

// reconcileExpiry sets status.expiresAt from spec.ttl and deletes the environment once it has
// passed; the finalizer then removes the copy like any deletion.
func (r *MirrorEnvironmentReconciler) reconcileExpiry(ctx context.Context, s *state) (ctrl.Result, error) {
	env := s.env
	if env.Spec.TTL == nil {
		env.Status.ExpiresAt = nil
		return ctrl.Result{}, nil
	}
	ttl, err := env.Spec.TTL.Parse()
	if err != nil {
		return ctrl.Result{}, err
	}
	expires := metav1.NewTime(env.CreationTimestamp.Add(ttl))
	env.Status.ExpiresAt = &expires
	left := expires.Sub(r.Clock.Now())
	if left > 0 {
		return ctrl.Result{RequeueAfter: left}, nil
	}
	s.expired = true
	r.Recorder.Eventf(env, nil, corev1.EventTypeNormal, v1alpha1.ReasonExpired, "Expire", "ttl %s passed at %s; deleting the environment", ttl, expires.UTC().Format(time.RFC3339))
	if err := r.Delete(ctx, env, client.Preconditions{UID: &env.UID}); client.IgnoreNotFound(err) != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{}, errHalt
}

// reconcileDelete deletes the target namespace the environment owns, then lets the environment
// go. The namespace's deletion (and with it every copy) is carried on by the cluster; the
// finalizer is removed once that deletion has been accepted. A namespace that is not the
// environment's is left alone.
func (r *MirrorEnvironmentReconciler) reconcileDelete(ctx context.Context, s *state) (ctrl.Result, error) {
	env := s.env
	if !controllerutil.ContainsFinalizer(env, Finalizer) {
		return ctrl.Result{}, nil
	}
	r.Clusters.Release(key(env))

	ns := &corev1.Namespace{}
	err := r.APIReader.Get(ctx, client.ObjectKey{Name: s.target}, ns)
	switch {
	case apierrors.IsNotFound(err):
	case err != nil:
		return ctrl.Result{}, err
	case ns.Labels[mirror.LabelEnvironmentUID] != string(env.UID):
		// Not ours (never adopted): nothing of ours is in it.
	case ns.DeletionTimestamp.IsZero():
		if err := r.Delete(ctx, ns, client.Preconditions{UID: &ns.UID}); client.IgnoreNotFound(err) != nil {
			return ctrl.Result{}, err
		}
		r.Recorder.Eventf(env, nil, corev1.EventTypeNormal, v1alpha1.ReasonDeleting, "DeleteNamespace", "deleting namespace %s and the copy in it", s.target)
	}
	if err := r.cleanupOperatorNamespace(ctx, s); err != nil {
		return ctrl.Result{}, err
	}

	patch := client.MergeFrom(env.DeepCopy())
	controllerutil.RemoveFinalizer(env, Finalizer)
	if err := r.Patch(ctx, env, patch); client.IgnoreNotFound(err) != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{}, nil
}
