package controllers

import (
	"cmp"
	"context"
	"fmt"
	"sort"
	"time"

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
	if (len(s.env.Spec.Dependencies) == 0 && len(probedDatabases(s.env)) == 0) || r.OperatorNamespace == "" {
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
				res.failedAt = c.LastTransitionTime.Time
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
	var retry *waiting // the soonest failed probe that runs again by itself
	for _, p := range s.desired.deps.entries {
		st, err := r.stepDependency(ctx, s, p, jobs)
		if err != nil {
			return err
		}
		if in := r.probeRetryPending(s, p); in > 0 && (retry == nil || in < retry.after) {
			retry = &waiting{condition: v1alpha1.ConditionDependenciesReady, after: in, reason: v1alpha1.ReasonProbeFailed,
				message: fmt.Sprintf("%s: %s; probing again at %s", p.spec.Name, st.Message, s.now.Add(in).UTC().Format(time.TimeOnly+" MST"))}
		}
		statuses = append(statuses, st)
	}
	s.dependencies = statuses
	wantedDatabaseProbes(s, jobs)
	if err := r.cleanupProbes(ctx, s, jobs); err != nil || retry == nil {
		return err
	}
	return retry
}

// probeRetryPending is how long until a dependency's failed probe runs again by itself (0: it
// has not failed, or it already runs again).
func (r *MirrorEnvironmentReconciler) probeRetryPending(s *scope, p *depPlan) time.Duration {
	for _, res := range []*probeResult{p.probe, s.probes[definitionsJobOf(s, p)]} {
		if res == nil || !res.failed {
			continue
		}
		if in := retryInAfter(res.failedAt, s.now, r.probeRetryAfter()); in > 0 {
			return in
		}
	}
	return 0
}

// stepDependency moves one dependency along and says where it stands.
func (r *MirrorEnvironmentReconciler) stepDependency(ctx context.Context, s *scope, p *depPlan, jobs map[string]bool) (v1alpha1.DependencyStatus, error) {
	d := p.spec
	st := v1alpha1.DependencyStatus{Name: d.Name, Engine: d.Engine, Replaces: mirror.DependencyReplaces(d)}
	if p.probeJob != "" {
		jobs[p.probeJob] = p.probe == nil || !p.probe.done
		if retried, err := r.retryProbe(ctx, s, p.spec, p.probe); retried || err != nil {
			st.Reason, st.Message = v1alpha1.ReasonProgressing, "the probe failed; prod's URL changed or it failed "+r.probeRetryAfter().String()+" ago: probing again"
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
		// A stand-in that restarts keeps its volume, and with it prod's definitions: the record
		// of their copy stays wanted, or the restart would copy them again (into a broker that
		// may not answer yet) before the stand-in could count as ready.
		if res := s.probes[definitionsJobOf(s, p)]; res != nil && res.done && !res.failed {
			jobs[res.job] = false
		}
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
		images := map[string]string{}
		for _, c := range pod.Spec.Containers {
			images[c.Name] = c.Image
		}
		for _, c := range pod.Status.ContainerStatuses {
			// Only a digest the image's registry serves (a local runtime reports a config digest).
			digest, _ = mirror.ServableDigest(images[c.Name], c.ImageID)
		}
	}
	return true, digest, "", nil
}

// definitionsJob names the Job that copies prod's definitions into a stand-in: a new version,
// image, Secret reference or copy namespace copies again.
// definitionsJobOf is definitionsJob for any entry: "" where prod's definitions are not copied.
func definitionsJobOf(s *scope, p *depPlan) string {
	if !p.spec.DefinitionsFromProd || p.spec.VersionFrom == nil || p.version == nil {
		return ""
	}
	return definitionsJob(s, p)
}

func definitionsJob(s *scope, p *depPlan) string {
	d, v := p.spec, p.version
	ref := d.VersionFrom.SecretRef
	// The engine's data layout too: a stand-in that moved its data directory starts empty, and
	// needs prod's definitions again.
	return mirror.ProbeJobName(s.env, d.Name, "defs",
		shortHash(string(d.Engine)+"|"+v.Version+"|"+v.Image+"|"+ref.Name+"|"+ref.KeyOr("url")+"|"+s.target+"|"+v.Database+"|"+v.Engine.Layout()))
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
	if ca, problem, err := r.probeCABundle(ctx, s, d); err != nil || problem != "" {
		if problem != "" {
			st.Reason, st.Message = v1alpha1.ReasonProbeFailed, problem
		}
		return err
	} else if ca != nil {
		secret.Data[mirror.ProbeCABundleKey] = ca
	}
	if err := s.w.createCredential(ctx, secret); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	job := mirror.ProbeJob(mirror.ProbeJobInput{Env: env, OperatorNamespace: r.OperatorNamespace, Name: name, Dependency: d,
		Definitions: targetURL != "", Image: r.SeedImage, PullSecrets: r.Settings.SeedImagePullSecrets})
	job.Annotations = map[string]string{annotationSecretVersion: src.ResourceVersion}
	err = s.w.create(ctx, job)
	switch {
	case err == nil:
		what := "reading prod's " + string(d.Engine) + " version"
		if targetURL != "" {
			what = "copying prod's " + string(d.Engine) + " definitions into the stand-in"
		}
		s.w.event(env, corev1.EventTypeNormal, "Probing", "Probe", "%s with %s job/%s", what, r.OperatorNamespace, name)
	case !apierrors.IsAlreadyExists(err):
		return err
	}
	return nil
}

// retryProbe deletes a failed probe Job when the user's Secret changed since it started, or
// when it failed probeRetryAfter ago, so the next reconcile (woken by the deletion) runs it
// again. It reports whether it did.
func (r *MirrorEnvironmentReconciler) retryProbe(ctx context.Context, s *scope, d *v1alpha1.DependencySpec, res *probeResult) (bool, error) {
	retried, _, err := r.retryFailedProbeOf(ctx, s, d.VersionFrom.SecretRef.Name, res)
	return retried, err
}

// defaultProbeRetryAfter is how long after a probe failed it runs again though nothing changed. A probe
// fails for passing reasons as often as for lasting ones: prod's database still starting, a DNS
// or network hiccup, an eviction. Waiting for the user to edit the Secret would leave such an
// environment without data for good; retrying at once would run a pod a minute against a
// wrong password. The Job's own backoff (backoffLimit 2) has already retried within a minute.
const defaultProbeRetryAfter = 2 * time.Minute

func (r *MirrorEnvironmentReconciler) probeRetryAfter() time.Duration {
	return cmp.Or(r.ProbeRetryAfter, defaultProbeRetryAfter)
}

// probeRetryIn is how long until a Job that failed may run again, after retryAfter (0: now).
func probeRetryIn(job *batchv1.Job, now time.Time, retryAfter time.Duration) time.Duration {
	c := jobConditionOf(job, batchv1.JobFailed)
	if c == nil {
		return 0
	}
	return retryInAfter(c.LastTransitionTime.Time, now, retryAfter)
}

// retryInAfter is how long until something that failed at failedAt may run again, retryAfter
// later (0: now, or when the failure's time is not known).
func retryInAfter(failedAt, now time.Time, retryAfter time.Duration) time.Duration {
	if failedAt.IsZero() {
		return 0
	}
	return max(0, failedAt.Add(retryAfter).Sub(now))
}

// retryFailedProbeOf is retryProbe for a probe that read the user's Secret named secret; when it
// does not retry yet, retryIn says how long until it will.
func (r *MirrorEnvironmentReconciler) retryFailedProbeOf(ctx context.Context, s *scope, secret string, res *probeResult) (retried bool, retryIn time.Duration, err error) {
	if res == nil || !res.failed {
		return false, 0, nil
	}
	src := &corev1.Secret{}
	if err := s.inputReader.Get(ctx, client.ObjectKey{Namespace: s.env.Namespace, Name: secret}, src); err != nil {
		return false, 0, client.IgnoreNotFound(err)
	}
	job := &batchv1.Job{}
	if err := r.Get(ctx, client.ObjectKey{Namespace: r.OperatorNamespace, Name: res.job}, job); err != nil {
		return false, 0, client.IgnoreNotFound(err)
	}
	if wait := probeRetryIn(job, s.now, r.probeRetryAfter()); src.ResourceVersion == res.secretVersion && wait > 0 {
		return false, wait, nil
	}
	ev := evidence{env: s.env, operatorNamespace: r.OperatorNamespace, secretVersion: src.ResourceVersion, now: s.now, retryAfter: r.probeRetryAfter()}
	deleted, _, err := s.w.delete(ctx, retryFailedProbe, ev, job, client.PropagationPolicy(metav1.DeletePropagationBackground))
	return deleted, 0, err
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
	wanted := map[string]bool{}
	for name := range jobs {
		wanted[name] = true
	}
	ev := evidence{env: s.env, operatorNamespace: r.OperatorNamespace, listed: true, wanted: wanted}
	for i := range list.Items {
		if job := &list.Items[i]; !wanted[job.Name] && job.DeletionTimestamp.IsZero() {
			if _, _, err := s.w.delete(ctx, pruneOperatorJob, ev, job, client.PropagationPolicy(metav1.DeletePropagationBackground)); err != nil {
				return err
			}
		}
	}
	secrets := &corev1.SecretList{}
	if err := r.List(ctx, secrets, client.InNamespace(r.OperatorNamespace), probeLabels(s.env)); err != nil {
		return err
	}
	// A Secret is read by the Job of its name while that Job runs (jobs[name] true).
	done := evidence{env: s.env, operatorNamespace: r.OperatorNamespace, finished: true}
	for i := range secrets.Items {
		if sec := &secrets.Items[i]; !jobs[sec.Name] && sec.DeletionTimestamp.IsZero() {
			if _, _, err := s.w.delete(ctx, dropCredential, done, sec); err != nil {
				return err
			}
		}
	}
	return nil
}

// probeCABundle reads the CA bundle a probe trusts besides the public CAs (RDS, Cloud SQL and
// other managed services sign with CAs of their own), from versionFrom.caSecretRef. A problem
// the user must fix is returned as a message.
func (r *MirrorEnvironmentReconciler) probeCABundle(ctx context.Context, s *scope, d *v1alpha1.DependencySpec) ([]byte, string, error) {
	ref := d.VersionFrom.CASecretRef
	if ref == nil {
		return nil, "", nil
	}
	sec := &corev1.Secret{}
	err := s.inputReader.Get(ctx, client.ObjectKey{Namespace: s.env.Namespace, Name: ref.Name}, sec)
	switch {
	case apierrors.IsNotFound(err):
		return nil, fmt.Sprintf("the Secret %s/%s with prod's CA bundle (versionFrom.caSecretRef) does not exist", s.env.Namespace, ref.Name), nil
	case err != nil:
		return nil, "", err
	case len(sec.Data[ref.KeyOr("ca.crt")]) == 0:
		return nil, fmt.Sprintf("the Secret %s/%s has no key %q with prod's CA bundle (versionFrom.caSecretRef)", s.env.Namespace, ref.Name, ref.KeyOr("ca.crt")), nil
	}
	return sec.Data[ref.KeyOr("ca.crt")], "", nil
}
