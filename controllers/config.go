package controllers

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
	"github.com/envmirror/envmirror/internal/scrub"
)

// KeyringSecret holds the key the copy's generated values derive from. It lives in the target
// namespace, so it goes with the copy, and each environment has its own.
const KeyringSecret = "envmirror-keyring"

// rootCAConfigMap is published into every namespace by the cluster; the copy gets its own.
const rootCAConfigMap = "kube-root-ca.crt"

// reconcileConfig copies prod's ConfigMaps (rewritten, sensitive values generated) and
// Secrets (by shape: values generated, templated, from dev Secrets, or kept by explicit rule).
// Nothing is applied when any Secret key cannot be produced: a half-configured copy would
// start with missing credentials.
func (r *MirrorEnvironmentReconciler) reconcileConfig(ctx context.Context, s *state) (ctrl.Result, error) {
	env := s.env
	keyring, err := r.keyring(ctx, s)
	if err != nil {
		return ctrl.Result{}, err
	}
	s.keyring = keyring
	plain := &plainScrubber{in: scrub.PlainInput{
		Rewriter:  scrub.NewRewriter(env.Spec.Source.Namespace, s.target, env.Spec.Config.Rewrite),
		Keyring:   keyring,
		KeepPlain: env.Spec.Config.KeepPlain,
	}}
	s.scrubber = plain

	dev, err := r.devSecrets(ctx, env)
	if err != nil {
		return ctrl.Result{}, err
	}
	existing, err := r.existingSecrets(ctx, s)
	if err != nil {
		return ctrl.Result{}, err
	}
	opts := mirror.Options{Env: env, TargetNamespace: s.target, Scrubber: plain}
	// The infrastructure is built here, with the same scrubber, so that every plain value the
	// copy gets is counted in ConfigScrubbed and the TLS certificates know the ingress hosts.
	s.build = mirror.Build(s.prod, opts)
	secrets, err := scrub.Secrets(scrub.SecretsInput{
		Prod:         s.prod.Secrets,
		Spec:         env.Spec.Config.Secrets,
		DevSecrets:   dev,
		DevNamespace: env.Namespace,
		Existing:     existing,
		Keyring:      keyring,
		Data:         scrub.TemplateData{Namespace: s.target, Branch: env.Spec.Branch, Environment: env.Name},
		TLSHosts:     append(append([]string{}, s.build.IngressHosts...), mirror.ClusterHosts(s.target)...),
		Extra:        standInCredentials(env, keyring),
		Now:          r.Clock.Now(),
	})
	if err != nil {
		setCondition(env, v1alpha1.ConditionConfigScrubbed, metav1.ConditionFalse, v1alpha1.ReasonConfigInvalid,
			"no configuration was copied: %s", strings.ReplaceAll(err.Error(), "\n", "; "))
		return ctrl.Result{}, errHalt
	}

	b := mirror.NewBuilder(opts, nil)
	var objs []client.Object
	var configMaps int32
	for i := range s.prod.ConfigMaps {
		cm := &s.prod.ConfigMaps[i]
		if cm.Name == rootCAConfigMap {
			continue
		}
		data, binary, rep := scrub.ConfigMap(cm.Name, cm.Data, cm.BinaryData, plain.in)
		plain.generated += rep.Generated
		objs = append(objs, b.ConfigMap(cm, data, binary))
		configMaps++
	}
	standIns := standInSecrets(env)
	for i := range secrets.Secrets {
		if standIns[secrets.Secrets[i].Name] {
			continue // the stand-in's own credentials take this name in the copy
		}
		objs = append(objs, b.Secret(&secrets.Secrets[i]))
	}
	res, err := r.apply(ctx, s, componentConfig, objs, true)
	if err != nil {
		return ctrl.Result{}, err
	}
	r.reportApply(s, "configuration", res)

	c := &env.Status.Config
	c.ConfigMaps = configMaps
	c.Secrets = int32(len(secrets.Secrets))
	c.Generated = secrets.Counts.Generated + plain.generated
	c.Templated = secrets.Counts.Templated
	c.FromSecret = secrets.Counts.FromSecret
	c.Kept = secrets.Counts.Kept
	c.KeptKeys = secrets.Kept
	if len(res.failed) > 0 {
		setCondition(env, v1alpha1.ConditionConfigScrubbed, metav1.ConditionFalse, v1alpha1.ReasonApplyFailed,
			"configuration could not be written: %s", strings.Join(res.failed, "; "))
		return ctrl.Result{RequeueAfter: rbacRetry}, nil
	}
	msg := fmt.Sprintf("%d ConfigMaps and %d Secrets copied without prod secret values: %d values generated, %d templated, %d from dev Secrets, %d kept by rule",
		c.ConfigMaps, c.Secrets, c.Generated, c.Templated, c.FromSecret, c.Kept)
	if len(secrets.Kept) > 0 {
		msg += " (" + strings.Join(secrets.Kept, ", ") + ")"
	}
	if len(secrets.Unmatched) > 0 {
		msg += "; rules matching nothing in prod: " + strings.Join(secrets.Unmatched, ", ")
	}
	setCondition(env, v1alpha1.ConditionConfigScrubbed, metav1.ConditionTrue, v1alpha1.ReasonScrubbed, "%s", msg)
	return ctrl.Result{}, nil
}

// keyring reads the environment's keyring from the target namespace, creating it once. It is
// created (never applied) so a second writer cannot replace it and rotate every value.
func (r *MirrorEnvironmentReconciler) keyring(ctx context.Context, s *state) (scrub.Keyring, error) {
	sec := &corev1.Secret{}
	err := r.Get(ctx, client.ObjectKey{Namespace: s.target, Name: KeyringSecret}, sec)
	if apierrors.IsNotFound(err) {
		k, kerr := scrub.NewKeyring()
		if kerr != nil {
			return nil, kerr
		}
		sec = &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: s.target, Name: KeyringSecret, Labels: mirror.OwnershipLabels(s.env)},
			Type:       corev1.SecretTypeOpaque,
			Data:       map[string][]byte{"key": k},
		}
		sec.Labels[LabelComponent] = componentAccess
		err = r.Create(ctx, sec)
		if apierrors.IsAlreadyExists(err) {
			err = r.APIReader.Get(ctx, client.ObjectKeyFromObject(sec), sec)
		}
	}
	if err != nil {
		return nil, err
	}
	return scrub.ParseKeyring(sec.Data["key"])
}

// devSecrets reads the Secrets of the environment's own namespace that its rules name.
func (r *MirrorEnvironmentReconciler) devSecrets(ctx context.Context, env *v1alpha1.MirrorEnvironment) (map[string]corev1.Secret, error) {
	out := map[string]corev1.Secret{}
	names := []string{}
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
		err := r.Get(ctx, client.ObjectKey{Namespace: env.Namespace, Name: n}, sec)
		if apierrors.IsNotFound(err) {
			continue // scrub reports the missing Secret against the rule that needs it
		}
		if err != nil {
			return nil, err
		}
		out[n] = *sec
	}
	return out, nil
}

// existingSecrets reads the copy's current Secrets, so that issued TLS pairs stay stable.
func (r *MirrorEnvironmentReconciler) existingSecrets(ctx context.Context, s *state) (map[string]corev1.Secret, error) {
	list := &corev1.SecretList{}
	if err := r.List(ctx, list, client.InNamespace(s.target), client.MatchingLabels{
		mirror.LabelEnvironmentUID: string(s.env.UID), LabelComponent: componentConfig,
	}); err != nil {
		return nil, err
	}
	out := make(map[string]corev1.Secret, len(list.Items))
	for _, sec := range list.Items {
		out[sec.Name] = sec
	}
	return out, nil
}

// plainScrubber adapts internal/scrub to the builders' Scrubber, counting generated values.
type plainScrubber struct {
	in        scrub.PlainInput
	generated int32
}

func (p *plainScrubber) Rewrite(s string) string { return p.in.Rewriter.Rewrite(s) }

func (p *plainScrubber) Value(scope, key, value string) string {
	out, _, rep := scrub.ConfigMap(scope, map[string]string{key: value}, nil, p.in)
	p.generated += rep.Generated
	return out[key]
}

func (p *plainScrubber) Env(workload, container string, env []corev1.EnvVar) []corev1.EnvVar {
	out, rep := scrub.Env(workload, container, env, p.in)
	p.generated += rep.Generated
	return out
}

func (p *plainScrubber) Args(workload, container string, args []string) []string {
	out, rep := scrub.Args(workload, container, args, p.in)
	p.generated += rep.Generated
	return out
}

// standInCredentials are the stand-ins' credentials, which Secret templates may use by the
// database's name or by its credentials Secret's name.
func standInCredentials(env *v1alpha1.MirrorEnvironment, keyring scrub.Keyring) map[string]map[string][]byte {
	out := map[string]map[string][]byte{}
	for i := range env.Spec.Data {
		d := &env.Spec.Data[i]
		if d.StandIn == nil {
			continue
		}
		creds := mirror.StandInCredentials(d, standInPassword(keyring, d.Name))
		out[d.Name] = creds
		out[mirror.StandInSecretName(d.Name)] = creds
	}
	return out
}

// standInPassword is a stand-in's password: derived from the keyring, so the stand-in, the
// seeding Job and the templates that build connection strings agree without storing it twice.
func standInPassword(k scrub.Keyring, db string) string { return k.Value("standin", db, "password") }

// standInSecrets are the names of the stand-ins' credentials Secrets.
func standInSecrets(env *v1alpha1.MirrorEnvironment) map[string]bool {
	out := map[string]bool{}
	for _, d := range env.Spec.Data {
		if d.StandIn != nil {
			out[mirror.StandInSecretName(d.Name)] = true
		}
	}
	return out
}
