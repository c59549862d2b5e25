package controllers

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
)

// A database whose schema is read from prod (schema.fromDatabase) gets a stand-in chosen from
// prod: a probe Job (`manager probe --engine=postgres`, in the operator's namespace like every
// Job that reads prod) reads prod's server_version and the names of its extensions, read-only,
// and the stand-in runs that version (unless standIn.version pins one) on an image that has
// those extensions. A MySQL or MariaDB prod is probed the same way (`--engine=mysql`: SELECT
// VERSION(), which also tells MariaDB from MySQL). The probe's Job and Secret follow the dependency probes' lifecycle
// (dependencies_apply.go): read by readProbes, kept as the record of the result until the
// DSN Secret changes, cleaned up by cleanupProbes.

// probedDatabases are the spec.data entries whose stand-in is chosen from prod.
func probedDatabases(env *v1alpha1.MirrorEnvironment) []*v1alpha1.DatabaseSpec {
	var out []*v1alpha1.DatabaseSpec
	for i := range env.Spec.Data {
		if d := &env.Spec.Data[i]; mirror.ProbesDatabase(d) {
			out = append(out, d)
		}
	}
	return out
}

// prodDatabases are what the finished probes read, by spec.data entry, for mirror.StandIns.
func prodDatabases(env *v1alpha1.MirrorEnvironment, probes map[string]*probeResult) map[string]mirror.ProdDatabase {
	out := map[string]mirror.ProdDatabase{}
	for _, d := range probedDatabases(env) {
		if res := probes[mirror.DatabaseProbeJobName(env, d)]; res != nil && res.done && !res.failed && res.found {
			out[d.Name] = mirror.ProdDatabaseFromProbe(res.summary)
		}
	}
	return out
}

// probeDatabase moves a database's probe along while its stand-in waits for it, and says so in
// the database's status. It returns how long until a failed probe runs again (0: it is not
// failed, or it runs again now).
func (r *MirrorEnvironmentReconciler) probeDatabase(ctx context.Context, s *scope, d *v1alpha1.DatabaseSpec, st *v1alpha1.DatabaseStatus) (time.Duration, error) {
	if _, ok := s.desired.standIns.Database(d); ok {
		return 0, nil
	}
	name := mirror.DatabaseProbeJobName(s.env, d)
	res := s.probes[name]
	ref := d.Schema.FromDatabase.SecretRef
	switch {
	case res != nil && res.failed:
		st.Phase, st.Reason = v1alpha1.DataFailed, v1alpha1.ReasonProbeFailed
		st.Message = "reading " + probedWhat(d) + " failed: " + res.why()
		retried, retryIn, err := r.retryFailedProbeOf(ctx, s, ref.Name, res)
		switch {
		case retried:
			st.Phase, st.Reason = v1alpha1.DataProvisioning, v1alpha1.ReasonProgressing
			st.Message = "the probe of prod's " + mirror.EngineName(d) + " failed; probing again: " + res.why()
		case retryIn > 0:
			// Not Failed: a phase that says failed is the end for whoever waits on it (kubectl
			// mirror up --wait, a pipeline), and this runs again by itself. The reason says what
			// failed; the message, an instant rather than a countdown so that a reconcile in
			// between writes no status, says when it runs again.
			st.Phase = v1alpha1.DataProvisioning
			st.Message += fmt.Sprintf("; probing again at %s, or as soon as the Secret %s changes",
				s.now.Add(retryIn).UTC().Format(time.TimeOnly+" MST"), ref.Name)
		}
		return retryIn, err
	case res != nil && res.done:
		st.Phase, st.Reason = v1alpha1.DataFailed, v1alpha1.ReasonProbeFailed
		st.Message = "the probe of prod's " + mirror.EngineName(d) + " reported no version: " + res.why()
		return 0, nil
	}
	st.Phase, st.Reason = v1alpha1.DataProvisioning, v1alpha1.ReasonProgressing
	st.Message = "reading " + probedWhat(d) + " with " + r.OperatorNamespace + " job/" + name
	if res != nil || r.OperatorNamespace == "" {
		return 0, nil
	}
	src := &corev1.Secret{}
	err := s.inputReader.Get(ctx, client.ObjectKey{Namespace: s.env.Namespace, Name: ref.Name}, src)
	switch {
	case apierrors.IsNotFound(err) || (err == nil && len(src.Data[ref.KeyOr("dsn")]) == 0):
		st.Phase, st.Reason = v1alpha1.DataFailed, v1alpha1.ReasonDataInvalid
		st.Message = fmt.Sprintf("the prod DSN Secret %s/%s (key %q) does not exist", s.env.Namespace, ref.Name, ref.KeyOr("dsn"))
		return 0, nil
	case err != nil:
		return 0, err
	}
	sourceURL, problem := probeSourceURL(d, src.Data[ref.KeyOr("dsn")])
	if problem != "" {
		st.Phase, st.Reason = v1alpha1.DataFailed, v1alpha1.ReasonDataInvalid
		st.Message = fmt.Sprintf("the prod DSN in Secret %s/%s (key %q): %s", s.env.Namespace, ref.Name, ref.KeyOr("dsn"), problem)
		return 0, nil
	}
	labels := mirror.ComponentLabels(s.env, mirror.ComponentDeps)
	labels[mirror.LabelDatabase] = d.Name
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: r.OperatorNamespace, Name: name, Labels: labels},
		Type: corev1.SecretTypeOpaque, Data: map[string][]byte{"SOURCE_URL": sourceURL}}
	if err := s.w.createCredential(ctx, secret); err != nil && !apierrors.IsAlreadyExists(err) {
		return 0, err
	}
	job := mirror.DatabaseProbeJob(mirror.DatabaseProbeJobInput{Env: s.env, OperatorNamespace: r.OperatorNamespace, Name: name,
		Database: d, Image: r.SeedImage, PullSecrets: r.Settings.SeedImagePullSecrets})
	job.Annotations = map[string]string{annotationSecretVersion: src.ResourceVersion}
	if err := s.w.create(ctx, job); err != nil && !apierrors.IsAlreadyExists(err) {
		return 0, err
	}
	return 0, nil
}

// wantedDatabaseProbes adds the database probes that should exist to jobs (true while their
// Secret is still read), for cleanupProbes.
func wantedDatabaseProbes(s *scope, jobs map[string]bool) {
	for _, d := range probedDatabases(s.env) {
		name := mirror.DatabaseProbeJobName(s.env, d)
		res := s.probes[name]
		jobs[name] = res == nil || !res.done
	}
}
