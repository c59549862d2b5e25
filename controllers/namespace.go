package controllers

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
	"github.com/envmirror/envmirror/internal/scrub"
)

// CopyWriterBinding names the RoleBinding that lets the operator write in a target namespace.
const CopyWriterBinding = "envmirror-copy-writer"

// KeyringSecret holds the key the copy's generated values derive from. It lives in the target
// namespace, so it goes with the copy, and each environment has its own.
const KeyringSecret = "envmirror-keyring"

// namespaceRetry is how soon a namespace that is being deleted is looked at again.
const namespaceRetry = 5 * time.Second

// reconcileNamespace makes the ground the copy stands on: the target namespace, labelled as
// this environment's (or the check that the existing one is), the binding that lets the
// operator write there, and the keyring. A namespace that is not this environment's is never
// adopted: it is created with Create (which fails on an existing namespace), never applied.
func (r *MirrorEnvironmentReconciler) reconcileNamespace(ctx context.Context, s *scope) error {
	env := s.env
	ns := &corev1.Namespace{}
	err := r.Get(ctx, client.ObjectKey{Name: s.target}, ns)
	if apierrors.IsNotFound(err) {
		ns = &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
			Name:        s.target,
			Labels:      mirror.OwnershipLabels(env),
			Annotations: map[string]string{mirror.AnnotationSource: "MirrorEnvironment/" + env.Namespace + "/" + env.Name},
		}}
		err = s.w.create(ctx, ns)
		switch {
		case err == nil:
			s.w.event(env, corev1.EventTypeNormal, v1alpha1.ReasonNamespaceCreated, "CreateNamespace", "created namespace %s for the copy", s.target)
		case apierrors.IsAlreadyExists(err):
			// The cache had not seen it yet; read it for real before deciding whose it is.
			err = r.APIReader.Get(ctx, client.ObjectKey{Name: s.target}, ns)
		}
	}
	if err != nil {
		return err
	}
	if err := namespaceOwnership(env, ns); err != nil {
		return err
	}
	s.namespaceOK = true
	env.Status.TargetNamespace = s.target
	if err := r.reconcileWriterBinding(ctx, s); err != nil {
		return err
	}
	s.keyring, err = r.keyring(ctx, s)
	// A binding created a moment ago authorizes writes once the API server's RBAC cache has it,
	// usually within a few hundred milliseconds: a short wait here saves a reconcile and a
	// status write per new environment (measured by make bench-scale), before the longer wait.
	for delay := 100 * time.Millisecond; apierrors.IsForbidden(err) && s.bindingCreated && delay <= 800*time.Millisecond; delay *= 2 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		s.keyring, err = r.keyring(ctx, s)
	}
	if apierrors.IsForbidden(err) && s.bindingCreated {
		return waitBlocking(v1alpha1.ConditionProvisioned, rbacRetry, v1alpha1.ReasonWaiting,
			"waiting for the API server to authorize the operator's writes in %s", s.target)
	}
	return err
}

// namespaceOwnership says whether the copy may live in ns. A namespace left by an earlier
// environment of the same name that is still being deleted is waited for: re-creating an
// environment right after deleting it is normal, not a conflict.
func namespaceOwnership(env *v1alpha1.MirrorEnvironment, ns *corev1.Namespace) error {
	l := ns.Labels
	ours := l[mirror.LabelEnvironmentUID] == string(env.UID)
	terminating := !ns.DeletionTimestamp.IsZero()
	previous := mirror.IsManaged(l) && l[mirror.LabelEnvironment] == mirror.LabelValue(env.Name) &&
		l[mirror.LabelEnvironmentNamespace] == mirror.LabelValue(env.Namespace)
	switch {
	case (ours || previous) && terminating:
		return waitBlocking(v1alpha1.ConditionProvisioned, namespaceRetry, v1alpha1.ReasonNamespaceTerminating,
			"namespace %s (of this or an earlier environment of the same name) is still being deleted; the copy is made again once it is gone", ns.Name)
	case !ours:
		return stall(v1alpha1.ConditionProvisioned, v1alpha1.ReasonNamespaceNotOwned,
			"namespace %s already exists and does not belong to this environment, so it is left untouched; delete that namespace, or create the environment under another name (or with spec.targetNamespace set to a free namespace)", ns.Name)
	}
	return nil
}

// reconcileWriterBinding binds the copy-writer ClusterRole to the operator in the target
// namespace. The operator's own ClusterRole only reads (plus creating namespaces and this
// binding), so a bug cannot make it write anywhere but in the namespaces it created.
func (r *MirrorEnvironmentReconciler) reconcileWriterBinding(ctx context.Context, s *scope) error {
	if r.CopyWriterRole == "" {
		return nil
	}
	live := &rbacv1.RoleBinding{}
	err := r.Get(ctx, client.ObjectKey{Namespace: s.target, Name: CopyWriterBinding}, live)
	if err == nil || !apierrors.IsNotFound(err) {
		return err
	}
	// Create, not apply: the operator may create bindings anywhere (RBAC cannot say "only in
	// namespaces you created"), but it may neither patch nor delete them, so the binding is made
	// once here and goes away with the namespace.
	binding := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: CopyWriterBinding, Namespace: s.target,
			Labels: mirror.ComponentLabels(s.env, mirror.ComponentFoundation)},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: r.CopyWriterRole},
		Subjects: []rbacv1.Subject{r.Identity},
	}
	if err := s.w.create(ctx, binding); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	s.bindingCreated = true
	return nil
}

// keyring reads the environment's keyring from the target namespace, creating it once. It is
// created (never applied) so a second writer cannot replace it and rotate every value.
func (r *MirrorEnvironmentReconciler) keyring(ctx context.Context, s *scope) (scrub.Keyring, error) {
	sec := &corev1.Secret{}
	err := r.Get(ctx, client.ObjectKey{Namespace: s.target, Name: KeyringSecret}, sec)
	if apierrors.IsNotFound(err) {
		k, kerr := scrub.NewKeyring()
		if kerr != nil {
			return nil, kerr
		}
		sec = &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: s.target, Name: KeyringSecret,
				Labels: mirror.ComponentLabels(s.env, mirror.ComponentFoundation)},
			Type: corev1.SecretTypeOpaque,
			Data: map[string][]byte{"key": k},
		}
		err = s.w.create(ctx, sec)
		if apierrors.IsAlreadyExists(err) {
			err = r.APIReader.Get(ctx, client.ObjectKeyFromObject(sec), sec)
		}
	}
	if err != nil {
		return nil, err
	}
	return scrub.ParseKeyring(sec.Data["key"])
}
