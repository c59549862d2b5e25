package controllers

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
)

// effectiveExpiry decides when an environment expires: spec.expiresAt (set by `kubectl mirror
// extend`) wins over creation + spec.ttl. The operator's maximum lifetime caps a ttl from the
// creation, and refuses an expiresAt further ahead than the maximum from now (keeping the
// expiry it had). The note says when the result differs from what the spec asks.
func effectiveExpiry(env *v1alpha1.MirrorEnvironment, now time.Time, maxTTL time.Duration) (time.Time, string) {
	created := env.CreationTimestamp.Time
	var byTTL time.Time
	note := ""
	if env.Spec.TTL != nil {
		if ttl, err := env.Spec.TTL.Parse(); err == nil && ttl > 0 {
			if maxTTL > 0 && ttl > maxTTL {
				ttl = maxTTL
				note = fmt.Sprintf("ttl capped to the operator's maximum lifetime %s", maxTTL)
			}
			byTTL = created.Add(ttl)
		}
	}
	if env.Spec.ExpiresAt == nil {
		return byTTL, note
	}
	want := env.Spec.ExpiresAt.Time
	if maxTTL > 0 && want.Sub(now) > maxTTL {
		kept := byTTL
		if prev := env.Status.ExpiresAt; prev != nil {
			kept = prev.Time
		}
		return kept, fmt.Sprintf("spec.expiresAt %s is more than the operator's maximum lifetime %s from now; the expiry stays %s",
			want.UTC().Format(time.RFC3339), maxTTL, formatTime(kept))
	}
	return want, ""
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return t.UTC().Format(time.RFC3339)
}

// reconcileExpiry sets the expiry and deletes the environment once it has passed; the
// finalizer then removes the copy like any deletion.
func (r *MirrorEnvironmentReconciler) reconcileExpiry(ctx context.Context, s *scope) error {
	env := s.env
	s.expiresAt, s.expiryNote = effectiveExpiry(env, s.now, r.Settings.MaxTTL)
	if s.expiresAt.IsZero() || s.expiresAt.After(s.now) {
		return nil
	}
	s.expired = true
	s.w.event(env, corev1.EventTypeNormal, v1alpha1.ReasonExpired, "Expire", "the environment expired at %s; deleting it", formatTime(s.expiresAt))
	_, refused, err := s.w.delete(ctx, expireEnvironment, evidence{env: env, expired: true}, env, client.Preconditions{UID: &env.UID})
	if refused != nil {
		return refused // cannot happen: the check is the one made above
	}
	return err
}

// untilExpiry is how long until the environment expires (0: never, or already).
func (s *scope) untilExpiry() time.Duration {
	if s.expiresAt.IsZero() || s.expired {
		return 0
	}
	if d := s.expiresAt.Sub(s.now); d > 0 {
		return d
	}
	return time.Second
}

// reconcileDelete deletes the target namespace the environment owns, then lets the environment
// go. The namespace's deletion (and with it every copy) is carried on by the cluster; the
// finalizer is removed once that deletion has been accepted. A namespace that is not the
// environment's is left alone.
func (r *MirrorEnvironmentReconciler) reconcileDelete(ctx context.Context, w *writer, env *v1alpha1.MirrorEnvironment) error {
	if !controllerutil.ContainsFinalizer(env, Finalizer) {
		return nil
	}
	r.Clusters.Release(key(env))
	target := mirror.TargetNamespace(env)
	ns := &corev1.Namespace{}
	err := r.APIReader.Get(ctx, client.ObjectKey{Name: target}, ns)
	switch {
	case apierrors.IsNotFound(err):
	case err != nil:
		return err
	case ns.Labels[mirror.LabelEnvironmentUID] != string(env.UID):
		// Not ours (never adopted): nothing of ours is in it.
	case ns.DeletionTimestamp.IsZero():
		deleted, _, err := w.delete(ctx, deleteTarget, evidence{env: env}, ns, client.Preconditions{UID: &ns.UID})
		if err != nil {
			return err
		}
		if deleted {
			w.event(env, corev1.EventTypeNormal, v1alpha1.ReasonDeleting, "DeleteNamespace", "deleting namespace %s and the copy in it", target)
		}
	}
	if err := r.cleanupOperatorNamespace(ctx, w, env); err != nil {
		return err
	}
	// Finalizers are a list a merge patch replaces whole: the lock keeps a stale read from
	// dropping another controller's finalizer.
	patch := client.MergeFromWithOptions(env.DeepCopy(), client.MergeFromWithOptimisticLock{})
	controllerutil.RemoveFinalizer(env, Finalizer)
	return client.IgnoreNotFound(w.patch(ctx, env, patch))
}
