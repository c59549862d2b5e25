package controllers

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
	"github.com/envmirror/envmirror/internal/source"
)

// sourceRetry is how soon an unreachable prod is tried again: it comes back by itself.
const sourceRetry = 30 * time.Second

// readSources reads prod: whether prod's owners grant the environment access, then prod itself
// (through the manager's cache when prod is this cluster, or a shared cache of the cluster a
// kubeconfig Secret points to; either way a client.Reader) and its other kinds. It runs before
// anything is written for the environment: an environment whose source is not granted, or
// cannot be read, claims no namespace (spec.targetNamespace could name any free one).
func (r *MirrorEnvironmentReconciler) readSources(ctx context.Context, s *scope) error {
	if err := r.localSourceExists(ctx, s.env); err != nil {
		return err
	}
	var err error
	if s.inputReader, err = r.inputsReader(ctx, s.env); err != nil {
		return err
	}
	grant, err := r.readGrant(ctx, s.env)
	if err != nil {
		return err
	}
	s.grant = grant
	if err := r.readProd(ctx, s); err != nil {
		return err
	}
	return r.readProdExtras(ctx, s) // kinds.go
}

// readProd reads the source snapshot.
func (r *MirrorEnvironmentReconciler) readProd(ctx context.Context, s *scope) error {
	env := s.env
	var sel labels.Selector
	if env.Spec.Source.Selector != nil {
		var err error
		if sel, err = metav1.LabelSelectorAsSelector(env.Spec.Source.Selector); err != nil {
			return stall(v1alpha1.ConditionProvisioned, v1alpha1.ReasonSourceInvalid,
				"spec.source.selector is not a valid label selector: %v", err)
		}
	}
	reader, target, err := r.sourceReader(ctx, env, s.inputReader)
	if err != nil {
		return sourceFailed(err)
	}
	s.prodTarget = target
	snap, err := source.Read(ctx, reader, env.Spec.Source.Namespace, sel)
	if err != nil && env.Spec.Source.KubeconfigSecretRef != nil {
		return sourceFailed(source.Classify(err, env.Spec.Source.Namespace)) // never a remote answer in status
	}
	if err != nil {
		return sourceFailed(&source.Error{Reason: source.ReasonUnreachable, Err: err})
	}
	s.prod = snap
	// Recorded at most once per resync interval: the periodic check marks itself, and reconciles
	// woken by events in between write nothing when nothing changed.
	// (Nine tenths: the periodic reconcile comes at the environment's phase of the interval, a
	// little less than an interval after a check an event-driven reconcile recorded.)
	if last := env.Status.Parity.LastCheckedAt; last == nil || s.now.Sub(last.Time) >= r.ResyncInterval*9/10 {
		now := metav1.NewTime(s.now)
		env.Status.Parity.LastCheckedAt = &now
	}
	return nil
}

// localSourceExists checks that a source namespace of this cluster exists (a remote one is
// checked by the cluster probe). Its creation is watched, so a stall ends when it appears.
func (r *MirrorEnvironmentReconciler) localSourceExists(ctx context.Context, env *v1alpha1.MirrorEnvironment) error {
	if env.Spec.Source.KubeconfigSecretRef != nil {
		return nil
	}
	ns := &corev1.Namespace{}
	err := r.Get(ctx, client.ObjectKey{Name: env.Spec.Source.Namespace}, ns)
	if apierrors.IsNotFound(err) {
		return stall(v1alpha1.ConditionProvisioned, v1alpha1.ReasonSourceNotFound,
			"source namespace %s does not exist in this cluster", env.Spec.Source.Namespace)
	}
	return err
}

// sourceFailed turns a failure to read prod into an outcome: a kubeconfig that cannot work
// stalls until its Secret changes; an unreachable prod is retried, slowly.
func sourceFailed(err error) error {
	var se *source.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Reason {
	case source.ReasonInvalid, source.ReasonTLS, source.ReasonUnauthorized, source.ReasonForbidden:
		// Fixed by changing the kubeconfig Secret (watched) or the remote RBAC: retried slowly
		// too, since remote RBAC changes are not watched.
		if se.Reason == source.ReasonInvalid {
			return stall(v1alpha1.ConditionProvisioned, se.Reason, "reading prod: %v", se.Err)
		}
	}
	return waitBlocking(v1alpha1.ConditionProvisioned, sourceRetry, se.Reason, "reading prod: %v", se.Err)
}

// sourceReader returns the reader of the environment's prod: a cache of the source namespace,
// of this cluster or of the one its kubeconfig Secret points to, shared by every environment
// that mirrors it. Only changes that can change a copy wake the environment.
func (r *MirrorEnvironmentReconciler) sourceReader(ctx context.Context, env *v1alpha1.MirrorEnvironment, inputs client.Reader) (client.Reader, source.Target, error) {
	t := source.Target{Namespace: env.Spec.Source.Namespace, Role: source.RoleProd}
	if ref := env.Spec.Source.KubeconfigSecretRef; ref != nil {
		sec := &corev1.Secret{}
		if err := inputs.Get(ctx, client.ObjectKey{Namespace: env.Namespace, Name: ref.Name}, sec); err != nil {
			if apierrors.IsNotFound(err) {
				return nil, t, &source.Error{Reason: source.ReasonInvalid, Err: fmt.Errorf("kubeconfig Secret %s/%s does not exist", env.Namespace, ref.Name)}
			}
			return nil, t, err
		}
		k := ref.KeyOr("kubeconfig")
		if t.Kubeconfig = sec.Data[k]; len(t.Kubeconfig) == 0 {
			return nil, t, &source.Error{Reason: source.ReasonInvalid, Err: fmt.Errorf("kubeconfig Secret %s/%s has no key %q", env.Namespace, ref.Name, k)}
		}
	}
	reader, err := r.Clusters.Reader(ctx, key(env), t, source.Relevant)
	return reader, t, err
}

// inputsReader returns a reader of the environment's own namespace (Secrets and ConfigMaps),
// shared by the environments there; a change wakes only the environments that name the object.
func (r *MirrorEnvironmentReconciler) inputsReader(ctx context.Context, env *v1alpha1.MirrorEnvironment) (client.Reader, error) {
	refs := map[string]bool{}
	for _, ref := range references(env) {
		refs[ref] = true
	}
	filter := func(_, obj client.Object) bool {
		switch obj.(type) {
		case *corev1.Secret:
			return refs["Secret/"+obj.GetName()]
		case *corev1.ConfigMap:
			return refs["ConfigMap/"+obj.GetName()]
		}
		return false
	}
	return r.Clusters.Reader(ctx, key(env), source.Target{Namespace: env.Namespace, Role: source.RoleInputs}, filter)
}

// readInputs reads what the environment names in its own namespace, and the copy's current
// Secrets (so that issued TLS pairs stay stable).
func (r *MirrorEnvironmentReconciler) readInputs(ctx context.Context, s *scope) error {
	in, err := r.inputs(ctx, s)
	s.inputs = in
	return err
}

func (r *MirrorEnvironmentReconciler) inputs(ctx context.Context, s *scope) (*inputs, error) {
	env := s.env
	in := &inputs{devSecrets: map[string]corev1.Secret{}, schemas: map[string]string{}, schemaProblems: map[string]string{}}
	var names []string
	if ref := env.Spec.Config.Secrets.PullSecretRef; ref != nil {
		names = append(names, ref.Name)
	}
	for _, rule := range env.Spec.Config.Secrets.Rules {
		if rule.FromSecret != nil {
			names = append(names, rule.FromSecret.Name)
		}
	}
	for _, n := range names {
		sec := &corev1.Secret{}
		err := s.inputReader.Get(ctx, client.ObjectKey{Namespace: env.Namespace, Name: n}, sec)
		if apierrors.IsNotFound(err) {
			continue // scrub reports the missing Secret against the rule that needs it
		}
		if err != nil {
			return nil, err
		}
		in.devSecrets[n] = *sec
	}
	for i := range env.Spec.Data {
		if err := readSchema(ctx, s.inputReader, env, &env.Spec.Data[i], in); err != nil {
			return nil, err
		}
	}
	list := &corev1.SecretList{}
	if err := r.List(ctx, list, client.InNamespace(s.target), client.MatchingLabels{
		mirror.LabelEnvironmentUID: string(env.UID), mirror.LabelComponent: mirror.ComponentConfig,
	}); err != nil {
		return nil, err
	}
	in.existing = make(map[string]corev1.Secret, len(list.Items))
	for _, sec := range list.Items {
		in.existing[sec.Name] = sec
	}
	return in, nil
}

// readSchema reads a database's schema SQL from its ConfigMap.
func readSchema(ctx context.Context, inputs client.Reader, env *v1alpha1.MirrorEnvironment, d *v1alpha1.DatabaseSpec, in *inputs) error {
	if d.Schema == nil || d.Schema.ConfigMapRef == nil {
		return nil
	}
	ref := d.Schema.ConfigMapRef
	cm := &corev1.ConfigMap{}
	err := inputs.Get(ctx, client.ObjectKey{Namespace: env.Namespace, Name: ref.Name}, cm)
	switch {
	case apierrors.IsNotFound(err):
		in.schemaProblems[d.Name] = fmt.Sprintf("schema ConfigMap %s/%s does not exist", env.Namespace, ref.Name)
	case err != nil:
		return err
	default:
		k := ref.KeyOr("schema.sql")
		if sql, ok := cm.Data[k]; ok {
			in.schemas[d.Name] = sql
		} else {
			in.schemaProblems[d.Name] = fmt.Sprintf("schema ConfigMap %s/%s has no key %q", env.Namespace, ref.Name, k)
		}
	}
	return nil
}
