package controllers

import (
	"context"
	"fmt"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/deps"
	"github.com/envmirror/envmirror/internal/mirror"
)

// The probe Jobs of the dependencies run in the operator's namespace, like the schema Jobs:
// prod's URL is copied from the user's Secret into a Secret there, read by the Job, and deleted
// once the Job is done; it never enters the copy's namespace. A finished Job is kept as the
// record of its result until its inputs change (its name is a hash of them) or the environment
// goes. The stand-ins themselves are applied with the databases (mirror.StandIns).

// readProbes reads what the environment's probe Jobs came to (read stage).
func (r *MirrorEnvironmentReconciler) readProbes(ctx context.Context, s *scope) error {
	s.probes = map[string]*probeResult{}
	if len(s.env.Spec.Dependencies) == 0 || r.OperatorNamespace == "" {
		return nil
	}
	jobs := &batchv1.JobList{}
	if err := r.List(ctx, jobs, client.InNamespace(r.OperatorNamespace), probeLabels(s.env)); err != nil {
		return err
	}
	for i := range jobs.Items {
		job := &jobs.Items[i]
		res := &probeResult{job: job.Name, secretVersion: job.Annotations[annotationSecretVersion]}
		switch {
		case jobCondition(job, batchv1.JobComplete):
			res.done = true
		case jobCondition(job, batchv1.JobFailed):
			res.done, res.failed = true, true
			if c := jobConditionOf(job, batchv1.JobFailed); c != nil {
				res.message = "the probe Job failed (" + c.Message + "); logs: kubectl logs -n " + r.OperatorNamespace + " job/" + job.Name
			}
		}
		if res.done {
			if msg, ok := r.terminationMessage(ctx, r.OperatorNamespace, job.Name, "probe"); ok {
				if sum, err := deps.ParseSummary([]byte(msg)); err == nil {
					res.summary, res.found = sum, true
				}
			}
		}
		s.probes[job.Name] = res
	}
	return nil
}

// annotationSecretVersion records, on a probe Job, the resourceVersion of the user's Secret it
// was started from: a failed probe runs again once that Secret changes.
const annotationSecretVersion = "envmirror.io/secret-version"

func probeLabels(env *v1alpha1.MirrorEnvironment) client.MatchingLabels {
	return client.MatchingLabels{mirror.LabelEnvironmentUID: string(env.UID), mirror.LabelComponent: mirror.ComponentDeps}
}

// terminationMessage is the message a container of the newest finished pod of a Job left.
func (r *MirrorEnvironmentReconciler) terminationMessage(ctx context.Context, ns, job, container string) (string, bool) {
	pods := &corev1.PodList{}
	if err := r.List(ctx, pods, client.InNamespace(ns), client.MatchingLabels{"job-name": job}); err != nil {
		return "", false
	}
	sort.Slice(pods.Items, func(i, j int) bool {
		return pods.Items[j].CreationTimestamp.Before(&pods.Items[i].CreationTimestamp)
	})
	for _, p := range pods.Items {
		for _, c := range p.Status.ContainerStatuses {
			if t := c.State.Terminated; c.Name == container && t != nil && t.Message != "" {
				return t.Message, true
			}
		}
	}
	return "", false
}

// applyDependencies moves each dependency along — probe prod's version, wait for the stand-in,
// copy prod's definitions into it — and records each one's state. The probes' Jobs and the
// stand-ins are watched, so nothing here polls.
func (r *MirrorEnvironmentReconciler) applyDependencies(ctx context.Context, s *scope) error {
	jobs := map[string]bool{} // the probe Jobs that should exist, and whether their Secret should
	statuses := make([]v1alpha1.DependencyStatus, 0, len(s.desired.deps.entries))
	for _, p := range s.desired.deps.entries {
		st, err := r.stepDependency(ctx, s, p, jobs)
		if err != nil {
			return err
		}
		statuses = append(statuses, st)
	}
	s.dependencies = statuses
	return r.cleanupProbes(ctx, s, jobs)
}

// stepDependency moves one dependency along and says where it stands.
func (r *MirrorEnvironmentReconciler) stepDependency(ctx context.Context, s *scope, p *depPlan, jobs map[string]bool) (v1alpha1.DependencyStatus, error) {
	d := p.spec
	st := v1alpha1.DependencyStatus{Name: d.Name, Engine: d.Engine, Replaces: mirror.DependencyReplaces(d)}
	if p.probeJob != "" {
		jobs[p.probeJob] = p.probe == nil || !p.probe.done
		if retried, err := r.retryProbe(ctx, s, p.spec, p.probe); retried || err != nil {
			st.Reason, st.Message = v1alpha1.ReasonProgressing, "prod's URL changed since the probe failed: probing again"
			return st, err
		}
		if p.probe == nil || !p.probe.done {
			err := r.runProbe(ctx, s, p, p.probeJob, p.probe == nil, "", &st)
			if st.Reason == "" {
				st.Reason, st.Message = v1alpha1.ReasonProgressing, "reading prod's version with "+r.OperatorNamespace+" job/"+p.probeJob
			}
			return st, err
		}
	}
	if p.version == nil {
		st.Reason, st.Message = p.reason, p.message
		return st, nil
	}
	v := p.version
	st.ProdVersion, st.Version, st.Image, st.Message = v.ProdVersion, v.Version, v.Image, v.Note
	ready, digest, msg, err := r.standInReady(ctx, s.target, d.Name)
	if err != nil {
		return st, err
	}
	if digest != "" {
		st.Image = mirror.PinImage(v.Image, digest)
	}
	st.Ready = ready
	if !ready {
		st.Reason, st.Message = v1alpha1.ReasonDependencyNotReady, msg
		if v.Note != "" {
			st.Message += "; " + v.Note
		}
	} else if d.DefinitionsFromProd {
		if err := r.copyDefinitions(ctx, s, p, jobs, &st); err != nil {
			return st, err
		}
	}
	if p.reason != "" && st.Reason == "" {
		st.Reason, st.Message = p.reason, p.message
	}
	return st, nil
}

// standInReady reads a stand-in's readiness, and the digest its pod runs.
func (r *MirrorEnvironmentReconciler) standInReady(ctx context.Context, ns, name string) (bool, string, string, error) {
	sts := &appsv1.StatefulSet{}
	err := r.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, sts)
	if apierrors.IsNotFound(err) {
		return false, "", "creating the stand-in", nil
	}
	if err != nil {
		return false, "", "", err
	}
	if sts.Status.ObservedGeneration < sts.Generation || sts.Status.ReadyReplicas < 1 || sts.Status.UpdatedReplicas < 1 {
		return false, "", fmt.Sprintf("waiting for the stand-in %s to be ready (%s)", name, sts.Spec.Template.Spec.Containers[0].Image), nil
	}
	pod := &corev1.Pod{}
	digest := ""
	if err := r.Get(ctx, client.ObjectKey{Namespace: ns, Name: name + "-0"}, pod); err == nil {
		for _, c := range pod.Status.ContainerStatuses {
			digest = mirror.DigestOf(c.ImageID)
		}
	}
	return true, digest, "", nil
}

// definitionsJob names the Job that copies prod's definitions into a stand-in: a new version,
// image, Secret reference or copy namespace copies again.
func definitionsJob(s *scope, p *depPlan) string {
	d, v := p.spec, p.version
	ref := d.VersionFrom.SecretRef
	return mirror.ProbeJobName(s.env, d.Name, "defs",
		shortHash(string(d.Engine)+"|"+v.Version+"|"+v.Image+"|"+ref.Name+"|"+ref.KeyOr("url")+"|"+s.target+"|"+v.Database))
}

// copyDefinitions copies prod's definitions into a ready stand-in, once; the stand-in is Ready
// when they are in.
func (r *MirrorEnvironmentReconciler) copyDefinitions(ctx context.Context, s *scope, p *depPlan, jobs map[string]bool, st *v1alpha1.DependencyStatus) error {
	name := definitionsJob(s, p)
	res := s.probes[name]
	jobs[name] = res == nil || !res.done
	switch {
	case res != nil && res.done && !res.failed:
		st.Definitions = res.summary.Definitions
		return nil
	case res != nil && res.done:
		st.Ready, st.Reason, st.Message = false, v1alpha1.ReasonProbeFailed, "copying prod's definitions failed: "+res.why()
		_, err := r.retryProbe(ctx, s, p.spec, res)
		return err
	}
	st.Ready = false
	e := p.version.Engine
	creds := e.Credentials(p.spec.Name+"."+s.target+".svc", p.version.Version, s.desired.standIns.Password(p.spec.Name), p.version.Database)
	target := creds["uri"]
	if m, ok := creds["management-uri"]; ok {
		target = m
	}
	err := r.runProbe(ctx, s, p, name, res == nil, string(target), st)
	if st.Reason == "" {
		st.Reason, st.Message = v1alpha1.ReasonProgressing, "copying prod's definitions (no data) with "+r.OperatorNamespace+" job/"+name
	}
	return err
}

// runProbe starts a probe Job (when start) with the Secret it reads prod's URL, and the
// stand-in's for definitions, from. A problem the user must fix (the Secret is missing) is put
// in the status, not returned.
func (r *MirrorEnvironmentReconciler) runProbe(ctx context.Context, s *scope, p *depPlan, name string, start bool, targetURL string, st *v1alpha1.DependencyStatus) error {
	if !start {
		return nil
	}
	env, d := s.env, p.spec
	if r.OperatorNamespace == "" {
		st.Reason, st.Message = v1alpha1.ReasonProbeFailed, "the operator has no namespace to run probe Jobs in (--operator-namespace)"
		return nil
	}
	ref := d.VersionFrom.SecretRef
	key := ref.KeyOr("url")
	src := &corev1.Secret{}
	err := s.inputReader.Get(ctx, client.ObjectKey{Namespace: env.Namespace, Name: ref.Name}, src)
	switch {
	case apierrors.IsNotFound(err):
		st.Reason, st.Message = v1alpha1.ReasonProbeFailed, fmt.Sprintf("the Secret %s/%s with prod's URL does not exist", env.Namespace, ref.Name)
		return nil
	case err != nil:
		return err
	case len(src.Data[key]) == 0:
		st.Reason, st.Message = v1alpha1.ReasonProbeFailed, fmt.Sprintf("the Secret %s/%s has no key %q with prod's URL", env.Namespace, ref.Name, key)
		return nil
	}
	labels := mirror.ComponentLabels(env, mirror.ComponentDeps)
	labels[mirror.LabelDependency] = d.Name
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: r.OperatorNamespace, Name: name, Labels: labels},
		Type:       corev1.SecretTypeOpaque,
		Data:       map[string][]byte{"SOURCE_URL": src.Data[key]},
	}
	if targetURL != "" {
		secret.Data["TARGET_URL"] = []byte(targetURL)
	}
	if err := r.Create(ctx, secret); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	job := mirror.ProbeJob(mirror.ProbeJobInput{Env: env, OperatorNamespace: r.OperatorNamespace, Name: name, Dependency: d,
		Definitions: targetURL != "", Image: r.SeedImage, PullSecrets: r.Settings.SeedImagePullSecrets})
	job.Annotations = map[string]string{annotationSecretVersion: src.ResourceVersion}
	err = r.Create(ctx, job)
	switch {
	case err == nil:
		what := "reading prod's " + string(d.Engine) + " version"
		if targetURL != "" {
			what = "copying prod's " + string(d.Engine) + " definitions into the stand-in"
		}
		r.event(env, corev1.EventTypeNormal, "Probing", "Probe", "%s with %s job/%s", what, r.OperatorNamespace, name)
	case !apierrors.IsAlreadyExists(err):
		return err
	}
	return nil
}

// retryProbe deletes a failed probe Job when the user's Secret changed since it started, so the
// next reconcile (woken by the deletion) runs it again. It reports whether it did.
func (r *MirrorEnvironmentReconciler) retryProbe(ctx context.Context, s *scope, d *v1alpha1.DependencySpec, res *probeResult) (bool, error) {
	if res == nil || !res.failed {
		return false, nil
	}
	src := &corev1.Secret{}
	if err := s.inputReader.Get(ctx, client.ObjectKey{Namespace: s.env.Namespace, Name: d.VersionFrom.SecretRef.Name}, src); err != nil {
		return false, client.IgnoreNotFound(err)
	}
	if src.ResourceVersion == res.secretVersion {
		return false, nil
	}
	job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Namespace: r.OperatorNamespace, Name: res.job}}
	err := r.Delete(ctx, job, client.PropagationPolicy(metav1.DeletePropagationBackground))
	return true, client.IgnoreNotFound(err)
}

// cleanupProbes deletes the probe Jobs that are not wanted any more (their inputs changed) and
// the Secrets of those that need no more (done, or gone): prod's URL stays no longer than it
// is read.
func (r *MirrorEnvironmentReconciler) cleanupProbes(ctx context.Context, s *scope, jobs map[string]bool) error {
	if r.OperatorNamespace == "" {
		return nil
	}
	list := &batchv1.JobList{}
	if err := r.List(ctx, list, client.InNamespace(r.OperatorNamespace), probeLabels(s.env)); err != nil {
		return err
	}
	for i := range list.Items {
		if _, wanted := jobs[list.Items[i].Name]; !wanted {
			err := r.Delete(ctx, &list.Items[i], client.PropagationPolicy(metav1.DeletePropagationBackground))
			if client.IgnoreNotFound(err) != nil {
				return err
			}
		}
	}
	secrets := &corev1.SecretList{}
	if err := r.List(ctx, secrets, client.InNamespace(r.OperatorNamespace), probeLabels(s.env)); err != nil {
		return err
	}
	for i := range secrets.Items {
		if !jobs[secrets.Items[i].Name] {
			if err := r.Delete(ctx, &secrets.Items[i]); client.IgnoreNotFound(err) != nil {
				return err
			}
		}
	}
	return nil
}
