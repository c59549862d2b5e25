package controllers

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
)

// CopyWriterBinding names the RoleBinding that lets the operator write in a target namespace.
const CopyWriterBinding = "envmirror-copy-writer"

// reconcileNamespace creates the target namespace, labelled as this environment's, or checks
// that the existing one is. A namespace that is not this environment's is never adopted: the
// create is a Create (which fails on an existing namespace), never an apply that would merge
// our labels into someone else's namespace.
func (r *MirrorEnvironmentReconciler) reconcileNamespace(ctx context.Context, s *state) (ctrl.Result, error) {
	env := s.env
	ns := &corev1.Namespace{}
	err := r.Get(ctx, client.ObjectKey{Name: s.target}, ns)
	if apierrors.IsNotFound(err) {
		ns = &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
			Name:        s.target,
			Labels:      mirror.OwnershipLabels(env),
			Annotations: map[string]string{mirror.AnnotationSource: "MirrorEnvironment/" + env.Namespace + "/" + env.Name},
		}}
		err = r.Create(ctx, ns)
		switch {
		case err == nil:
			r.Recorder.Eventf(env, nil, corev1.EventTypeNormal, v1alpha1.ReasonNamespaceCreated, "CreateNamespace", "created namespace %s for the copy", s.target)
		case apierrors.IsAlreadyExists(err):
			// The cache had not seen it yet; read it for real before deciding whose it is.
			err = r.APIReader.Get(ctx, client.ObjectKey{Name: s.target}, ns)
		}
	}
	if err != nil {
		return ctrl.Result{}, err
	}

	if ns.Labels[mirror.LabelEnvironmentUID] != string(env.UID) {
		setCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionFalse, v1alpha1.ReasonNamespaceNotOwned,
			"namespace %s already exists and does not belong to this environment; it is left untouched. Delete it or set spec.targetNamespace to another name", s.target)
		return ctrl.Result{}, errHalt
	}
	if !ns.DeletionTimestamp.IsZero() {
		setCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionFalse, v1alpha1.ReasonNamespaceTerminating,
			"namespace %s is still being deleted; the copy is made again once it is gone", s.target)
		return ctrl.Result{RequeueAfter: 5 * time.Second}, errHalt
	}
	env.Status.TargetNamespace = s.target
	return r.reconcileWriterBinding(ctx, s)
}

// reconcileWriterBinding binds the copy-writer ClusterRole to the operator in the target
// namespace. The operator's own ClusterRole only reads (plus creating namespaces and this
// binding), so a bug cannot make it write anywhere but in the namespaces it created.
func (r *MirrorEnvironmentReconciler) reconcileWriterBinding(ctx context.Context, s *state) (ctrl.Result, error) {
	if r.CopyWriterRole == "" {
		return ctrl.Result{}, nil
	}
	binding := &rbacv1.RoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
		ObjectMeta: metav1.ObjectMeta{Name: CopyWriterBinding},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: r.CopyWriterRole},
		Subjects:   []rbacv1.Subject{r.Identity},
	}
	live := &rbacv1.RoleBinding{}
	err := r.Get(ctx, client.ObjectKey{Namespace: s.target, Name: CopyWriterBinding}, live)
	if err == nil {
		return ctrl.Result{}, nil
	}
	if !apierrors.IsNotFound(err) {
		return ctrl.Result{}, err
	}
	// Create, not apply: the operator may create bindings anywhere (RBAC cannot say "only in
	// namespaces you created"), but it may neither patch nor delete them, so the binding is made
	// once here and goes away with the namespace.
	binding.Namespace = s.target
	binding.Labels = mirror.OwnershipLabels(s.env)
	binding.Labels[LabelComponent] = componentAccess
	if err := r.Create(ctx, binding); err != nil && !apierrors.IsAlreadyExists(err) {
		return ctrl.Result{}, err
	}
	return ctrl.Result{}, nil
}
