package controllers

import (
	"context"
	"fmt"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
)

// copySchemaFromProd runs the Job that copies prod's schema into the copy's database with
// `pg_dump --schema-only` (`mysqldump --no-data` for MySQL and MariaDB: data_mysql.go). The Job
// and the Secret holding prod's DSN live in the operator's namespace: prod's credentials never
// enter the copy's namespace, where anyone who may read the copy could read them. It reports
// whether the schema is in place.
func (r *MirrorEnvironmentReconciler) copySchemaFromProd(ctx context.Context, s *scope, p *dbPlan, st *v1alpha1.DatabaseStatus) (bool, error) {
	env, d := s.env, p.spec
	name := mirror.SchemaJobName(env, d.Name, p.hash)
	job := &batchv1.Job{}
	err := r.Get(ctx, client.ObjectKey{Namespace: r.OperatorNamespace, Name: name}, job)
	if apierrors.IsNotFound(err) {
		return false, r.startSchemaJob(ctx, s, p, st, name)
	}
	if err != nil {
		return false, err
	}
	where := r.OperatorNamespace + " job/" + name
	switch {
	case jobCondition(job, batchv1.JobComplete):
		// prod's DSN, and the pull secret the Job pulled with, are not needed any more.
		for _, secret := range []string{name, mirror.SchemaJobPullSecretName(name)} {
			sec := &corev1.Secret{}
			err := r.Get(ctx, client.ObjectKey{Namespace: r.OperatorNamespace, Name: secret}, sec)
			if err == nil {
				_, _, err = s.w.delete(ctx, dropCredential, evidence{env: env, operatorNamespace: r.OperatorNamespace, finished: true}, sec)
			}
			if client.IgnoreNotFound(err) != nil {
				return false, err
			}
		}
		return true, nil
	case jobCondition(job, batchv1.JobFailed):
		// Prod's database may have been restarting, or briefly out of reach: the copy runs again
		// after the retry delay, as a failed probe does.
		if retryIn := probeRetryIn(job, s.now, r.probeRetryAfter()); retryIn > 0 {
			st.Phase, st.Reason = v1alpha1.DataApplyingSchema, v1alpha1.ReasonSeedFailed // not Failed: see probeDatabase
			st.Message = fmt.Sprintf("copying the schema from prod failed; logs: kubectl logs -n %s; copying again at %s",
				where, s.now.Add(retryIn).UTC().Format(time.TimeOnly+" MST"))
			s.readRetries[d.Name] = retryIn
			return false, nil
		}
		ev := evidence{env: env, operatorNamespace: r.OperatorNamespace, now: s.now, retryAfter: r.probeRetryAfter()}
		if _, _, err := s.w.delete(ctx, retryFailedProbe, ev, job, client.PropagationPolicy(metav1.DeletePropagationBackground)); err != nil {
			return false, err
		}
		st.Phase, st.Reason, st.Message = v1alpha1.DataApplyingSchema, v1alpha1.ReasonProgressing, "copying prod's schema failed; copying it again with "+where
	default:
		st.Phase, st.Reason, st.Message = v1alpha1.DataApplyingSchema, v1alpha1.ReasonProgressing, "copying prod's schema (no rows) with "+where
	}
	return false, nil
}

func (r *MirrorEnvironmentReconciler) startSchemaJob(ctx context.Context, s *scope, p *dbPlan, st *v1alpha1.DatabaseStatus, name string) error {
	env, d := s.env, p.spec
	ref := d.Schema.FromDatabase.SecretRef
	key := ref.KeyOr("dsn")
	src := &corev1.Secret{}
	err := s.inputReader.Get(ctx, client.ObjectKey{Namespace: env.Namespace, Name: ref.Name}, src)
	if apierrors.IsNotFound(err) {
		st.Phase, st.Reason = v1alpha1.DataFailed, v1alpha1.ReasonDataInvalid
		st.Message = fmt.Sprintf("the prod DSN Secret %s/%s does not exist", env.Namespace, ref.Name)
		return nil
	}
	if err != nil {
		return err
	}
	if len(src.Data[key]) == 0 {
		st.Phase, st.Reason = v1alpha1.DataFailed, v1alpha1.ReasonDataInvalid
		st.Message = fmt.Sprintf("the prod DSN Secret %s/%s has no key %q", env.Namespace, ref.Name, key)
		return nil
	}
	if problem := checkProdDSN(d, src.Data[key]); problem != "" {
		st.Phase, st.Reason = v1alpha1.DataFailed, v1alpha1.ReasonDataInvalid
		st.Message = fmt.Sprintf("the prod DSN in Secret %s/%s (key %q): %s", env.Namespace, ref.Name, key, problem)
		return nil
	}
	conn := mirror.ConnectionFor(d)
	password, err := r.copyPassword(ctx, s, d, conn)
	if err != nil || password == "" {
		if err == nil {
			st.Phase, st.Reason = v1alpha1.DataProvisioning, v1alpha1.ReasonWaiting
			st.Message = fmt.Sprintf("waiting for the password Secret %s of the copy", conn.Password.Name)
		}
		return err
	}
	labels := mirror.ComponentLabels(env, mirror.ComponentData)
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: r.OperatorNamespace, Name: name, Labels: labels},
		Type:       corev1.SecretTypeOpaque,
		Data:       schemaSecretData(d, src.Data[key], conn, s.target, password),
	}
	if err := s.w.createCredential(ctx, secret); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	pullSecrets := append([]corev1.LocalObjectReference(nil), r.Settings.SeedImagePullSecrets...)
	if cfg := schemaJobDockerConfig(s, d); cfg != nil {
		// The stand-in's image of the spec may be private: the schema Job pulls it with the dev
		// pull secret, copied next to it for as long as it runs.
		if err := s.w.create(ctx, mirror.SchemaJobPullSecret(env, r.OperatorNamespace, name, cfg)); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
		pullSecrets = append(pullSecrets, corev1.LocalObjectReference{Name: mirror.SchemaJobPullSecretName(name)})
	}
	job := mirror.SchemaJobFor(mirror.SchemaJobInput{Env: env, OperatorNamespace: r.OperatorNamespace, Name: name, SecretName: name,
		Image: r.schemaImage(s, d), PullSecrets: pullSecrets, Engine: d.Engine})
	job.Labels[mirror.LabelComponent] = mirror.ComponentData
	if err := s.w.create(ctx, job); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	st.Phase, st.Reason, st.Message = v1alpha1.DataApplyingSchema, v1alpha1.ReasonProgressing, "copying prod's schema (no rows) with "+r.OperatorNamespace+" job/"+name
	return nil
}

// copyPassword reads the copy database's password: a stand-in's is derived from the keyring,
// a copied workload's is in a (scrubbed) Secret of the copy.
func (r *MirrorEnvironmentReconciler) copyPassword(ctx context.Context, s *scope, d *v1alpha1.DatabaseSpec, conn mirror.Connection) (string, error) {
	if d.StandIn != nil {
		return s.desired.standIns.Password(d.Name), nil
	}
	sec := &corev1.Secret{}
	err := r.Get(ctx, client.ObjectKey{Namespace: s.target, Name: conn.Password.Name}, sec)
	if apierrors.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return string(sec.Data[conn.Password.Key]), nil
}

// schemaImage is the image that dumps prod's schema: the stand-in's, or the image the copied
// database workload runs (prod's own, pinned), so pg_dump (mysqldump) matches the server.
func (r *MirrorEnvironmentReconciler) schemaImage(s *scope, d *v1alpha1.DatabaseSpec) string {
	if d.StandIn != nil {
		return s.desired.standIns.Image(d)
	}
	for _, sv := range s.desired.infra.Services {
		if sv.Name == d.Workload {
			for _, c := range sv.Containers {
				if !c.Init {
					return c.Image
				}
			}
		}
	}
	return engineOf(d)
}

// cleanupOperatorNamespace removes what the environment left in the operator's namespace.
func (r *MirrorEnvironmentReconciler) cleanupOperatorNamespace(ctx context.Context, w *writer, env *v1alpha1.MirrorEnvironment) error {
	if r.OperatorNamespace == "" {
		return nil
	}
	sel := client.MatchingLabels{mirror.LabelEnvironmentUID: string(env.UID)}
	ev := evidence{env: env, operatorNamespace: r.OperatorNamespace}
	jobs := &batchv1.JobList{}
	if err := r.List(ctx, jobs, client.InNamespace(r.OperatorNamespace), sel); err != nil {
		return err
	}
	for i := range jobs.Items {
		if _, _, err := w.delete(ctx, deleteLeftovers, ev, &jobs.Items[i], client.PropagationPolicy(metav1.DeletePropagationBackground)); err != nil {
			return err
		}
	}
	secrets := &corev1.SecretList{}
	if err := r.List(ctx, secrets, client.InNamespace(r.OperatorNamespace), sel); err != nil {
		return err
	}
	for i := range secrets.Items {
		if _, _, err := w.delete(ctx, deleteLeftovers, ev, &secrets.Items[i]); err != nil {
			return err
		}
	}
	return nil
}

// schemaJobDockerConfig is the dev pull secret's docker config when the schema Job runs a
// stand-in image the spec names (official images need none).
func schemaJobDockerConfig(s *scope, d *v1alpha1.DatabaseSpec) []byte {
	ref := s.env.Spec.Config.Secrets.PullSecretRef
	if d.StandIn == nil || d.StandIn.Image == "" || ref == nil {
		return nil
	}
	return s.inputs.devSecrets[ref.Name].Data[corev1.DockerConfigJsonKey]
}
