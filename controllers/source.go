package controllers

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/source"
)

// reconcileSource reads prod: through the manager's cache when prod is this cluster, or
// through a shared cache of the cluster a kubeconfig Secret points to. Either way the reader
// is a client.Reader.
func (r *MirrorEnvironmentReconciler) reconcileSource(ctx context.Context, s *state) (ctrl.Result, error) {
	env := s.env
	reader, err := r.sourceReader(ctx, env)
	if err != nil {
		return sourceFailed(env, err)
	}
	var sel labels.Selector
	if env.Spec.Source.Selector != nil {
		if sel, err = metav1.LabelSelectorAsSelector(env.Spec.Source.Selector); err != nil {
			setCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionFalse, v1alpha1.ReasonSourceInvalid,
				"spec.source.selector is not a valid label selector: %v", err)
			return ctrl.Result{}, errHalt
		}
	}
	if env.Spec.Source.KubeconfigSecretRef == nil {
		// The local namespace must exist; a remote one was checked by the cluster probe.
		ns := &corev1.Namespace{}
		if err := r.Get(ctx, client.ObjectKey{Name: env.Spec.Source.Namespace}, ns); err != nil {
			if apierrors.IsNotFound(err) {
				setCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionFalse, v1alpha1.ReasonSourceNotFound,
					"source namespace %s does not exist in this cluster", env.Spec.Source.Namespace)
				return ctrl.Result{}, errHalt
			}
			return ctrl.Result{}, err
		}
	}
	snap, err := source.Read(ctx, reader, env.Spec.Source.Namespace, sel)
	if err != nil {
		return sourceFailed(env, &source.Error{Reason: source.ReasonUnreachable, Err: err})
	}
	s.prod = snap
	return ctrl.Result{}, nil
}

func sourceFailed(env *v1alpha1.MirrorEnvironment, err error) (ctrl.Result, error) {
	var se *source.Error
	if !errors.As(err, &se) {
		return ctrl.Result{}, err
	}
	setCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionFalse, se.Reason, "reading prod: %v", se.Err)
	// Unreachable clusters come back by themselves; try again, slowly.
	return ctrl.Result{RequeueAfter: sourceRetry}, errHalt
}

// sourceReader returns the reader of the environment's prod.
func (r *MirrorEnvironmentReconciler) sourceReader(ctx context.Context, env *v1alpha1.MirrorEnvironment) (client.Reader, error) {
	ref := env.Spec.Source.KubeconfigSecretRef
	if ref == nil {
		r.Clusters.Release(key(env))
		return r.Client, nil
	}
	sec := &corev1.Secret{}
	if err := r.Get(ctx, client.ObjectKey{Namespace: env.Namespace, Name: ref.Name}, sec); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, &source.Error{Reason: source.ReasonInvalid, Err: fmt.Errorf("kubeconfig Secret %s/%s does not exist", env.Namespace, ref.Name)}
		}
		return nil, err
	}
	k := ref.KeyOr("kubeconfig")
	data, ok := sec.Data[k]
	if !ok || len(data) == 0 {
		return nil, &source.Error{Reason: source.ReasonInvalid, Err: fmt.Errorf("kubeconfig Secret %s/%s has no key %q", env.Namespace, ref.Name, k)}
	}
	return r.Clusters.Reader(ctx, key(env), data, env.Spec.Source.Namespace)
}
