package controllers

import (
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
)

// TestDeletions tests every entry of deletions.go with its whole proof (allowed) and with each
// part of the proof missing (refused).
func TestDeletions(t *testing.T) {
	env := &v1alpha1.MirrorEnvironment{ObjectMeta: metav1.ObjectMeta{Name: "fix", Namespace: "dev", UID: "env-uid"},
		Spec: v1alpha1.MirrorEnvironmentSpec{Source: v1alpha1.SourceSpec{Namespace: "prod"}, TargetNamespace: "copy"}}
	deleting := env.DeepCopy()
	deleting.DeletionTimestamp = &metav1.Time{Time: time.Unix(1, 0)}
	owned := func(ns, component string) metav1.ObjectMeta {
		l := map[string]string{mirror.LabelEnvironmentUID: "env-uid"}
		if component != "" {
			l[mirror.LabelComponent] = component
		}
		return metav1.ObjectMeta{Name: "web", Namespace: ns, Labels: l}
	}
	copyOf := func(source string) client.Object {
		d := &appsv1.Deployment{ObjectMeta: owned("copy", mirror.ComponentWorkloads)}
		d.SetGroupVersionKind(appsv1.SchemeGroupVersion.WithKind("Deployment"))
		if source != "" {
			d.Annotations = map[string]string{mirror.AnnotationSource: source}
		}
		return d
	}
	rolloutUnknown := &knowledge{}
	rolloutUnknown.learnt(kindInput(mirror.KindRollout), "listing rollouts in prod: the API server answered HTTP 500", false)
	all := &knowledge{}
	prune := evidence{env: env, target: "copy", component: mirror.ComponentWorkloads, wanted: map[string]bool{"Deployment/api": true}, known: all}
	with := func(ev evidence, f func(*evidence)) evidence { f(&ev); return ev }
	withInputs := func(ev evidence, obj client.Object) evidence {
		ev.inputs = inputsOf(ev.component, obj)
		return ev
	}

	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	failedAgo := func(j *batchv1.Job, ago time.Duration) *batchv1.Job {
		j.Status.Conditions[0].LastTransitionTime = metav1.NewTime(now.Add(-ago))
		return j
	}
	jobIn := func(ns string, failed bool, secretVersion string) *batchv1.Job {
		j := &batchv1.Job{ObjectMeta: owned(ns, mirror.ComponentDeps)}
		j.Annotations = map[string]string{annotationSecretVersion: secretVersion}
		if failed {
			// Failed just now, unless a case says otherwise (failedAgo).
			j.Status.Conditions = []batchv1.JobCondition{{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(now)}}
		}
		return j
	}
	secretIn := func(ns string) *corev1.Secret { return &corev1.Secret{ObjectMeta: owned(ns, mirror.ComponentDeps)} }
	ours := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "copy", Labels: map[string]string{mirror.LabelEnvironmentUID: "env-uid"}}}
	notOurs := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "copy", Labels: map[string]string{mirror.LabelEnvironmentUID: "another"}}}
	prodNS := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "prod", Labels: map[string]string{mirror.LabelEnvironmentUID: "env-uid"}}}
	terminating := copyOf("Deployment/prod/web")
	terminating.SetDeletionTimestamp(&metav1.Time{Time: time.Unix(1, 0)})
	otherEnv := copyOf("Deployment/prod/web")
	otherEnv.SetLabels(map[string]string{mirror.LabelEnvironmentUID: "other", mirror.LabelComponent: mirror.ComponentWorkloads})
	inProd := copyOf("Deployment/prod/web")
	inProd.SetNamespace("prod")
	otherComponent := copyOf("Deployment/prod/web")
	otherComponent.GetLabels()[mirror.LabelComponent] = mirror.ComponentData
	anotherEnv := env.DeepCopy()
	anotherEnv.UID = types.UID("another")

	cases := []struct {
		name    string
		d       deletion
		ev      evidence
		obj     client.Object
		allowed bool
	}{
		{"a copy of a prod Deployment prod no longer has", pruneCopy, withInputs(prune, copyOf("Deployment/prod/web")), copyOf("Deployment/prod/web"), true},
		{"the same, while Rollouts are unknown", pruneCopy, withInputs(with(prune, func(e *evidence) { e.known = rolloutUnknown }), copyOf("Deployment/prod/web")), copyOf("Deployment/prod/web"), true},
		{"a Deployment that was a Rollout, Rollouts read", pruneCopy, withInputs(prune, copyOf("Rollout/prod/web")), copyOf("Rollout/prod/web"), true},
		{"a Deployment that was a Rollout, Rollouts unknown", pruneCopy, withInputs(with(prune, func(e *evidence) { e.known = rolloutUnknown }), copyOf("Rollout/prod/web")), copyOf("Rollout/prod/web"), false},
		{"a generated Secret, its kinds unknown", pruneCopy,
			with(prune, func(e *evidence) {
				e.component = mirror.ComponentConfig
				e.known = &knowledge{}
				e.known.learnt(kindInput(mirror.KindExternalSecret), "the census failed", false)
				e.inputs = inputsOf(mirror.ComponentConfig, &corev1.Secret{TypeMeta: metav1.TypeMeta{Kind: "Secret"}, ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{mirror.AnnotationSource: "Secret/prod/db"}}})
			}),
			&corev1.Secret{TypeMeta: metav1.TypeMeta{Kind: "Secret"}, ObjectMeta: owned("copy", mirror.ComponentConfig)}, false},
		{"a copy still wanted", pruneCopy, withInputs(prune, copyOf("")), func() client.Object { o := copyOf(""); o.SetName("api"); return o }(), false},
		{"no inputs given", pruneCopy, prune, copyOf("Deployment/prod/web"), false},
		{"no knowledge given", pruneCopy, withInputs(with(prune, func(e *evidence) { e.known = nil }), copyOf("")), copyOf(""), false},
		{"another environment's copy", pruneCopy, withInputs(prune, otherEnv), otherEnv, false},
		{"an object in prod's namespace", pruneCopy, withInputs(prune, inProd), inProd, false},
		{"another step's copy", pruneCopy, withInputs(prune, otherComponent), otherComponent, false},
		{"a copy already being deleted", pruneCopy, withInputs(prune, terminating), terminating, false},
		{"no environment", pruneCopy, withInputs(with(prune, func(e *evidence) { e.env = nil }), copyOf("")), copyOf(""), false},

		{"an unwanted probe Job, listed", pruneOperatorJob, evidence{env: env, operatorNamespace: "ops", listed: true}, jobIn("ops", false, ""), true},
		{"a probe Job not listed in this reconcile", pruneOperatorJob, evidence{env: env, operatorNamespace: "ops"}, jobIn("ops", false, ""), false},
		{"a probe Job still wanted", pruneOperatorJob, evidence{env: env, operatorNamespace: "ops", listed: true, wanted: map[string]bool{"web": true}}, jobIn("ops", false, ""), false},
		{"a Job outside the operator's namespace", pruneOperatorJob, evidence{env: env, operatorNamespace: "ops", listed: true}, jobIn("copy", false, ""), false},
		{"a Secret is not a Job", pruneOperatorJob, evidence{env: env, operatorNamespace: "ops", listed: true}, secretIn("ops"), false},

		{"a credential whose Job finished", dropCredential, evidence{env: env, operatorNamespace: "ops", finished: true}, secretIn("ops"), true},
		{"a credential whose Job runs", dropCredential, evidence{env: env, operatorNamespace: "ops"}, secretIn("ops"), false},
		{"a credential of another environment", dropCredential, evidence{env: anotherEnv, operatorNamespace: "ops", finished: true}, secretIn("ops"), false},
		{"a Secret in the copy", dropCredential, evidence{env: env, operatorNamespace: "ops", finished: true}, secretIn("copy"), false},

		{"a failed probe, its Secret changed", retryFailedProbe, evidence{env: env, operatorNamespace: "ops", secretVersion: "2", now: now, retryAfter: defaultProbeRetryAfter}, jobIn("ops", true, "1"), true},
		{"a failed probe, its Secret unchanged", retryFailedProbe, evidence{env: env, operatorNamespace: "ops", secretVersion: "1", now: now, retryAfter: defaultProbeRetryAfter}, jobIn("ops", true, "1"), false},
		{"a probe that did not fail", retryFailedProbe, evidence{env: env, operatorNamespace: "ops", secretVersion: "2", now: now, retryAfter: defaultProbeRetryAfter}, jobIn("ops", false, "1"), false},
		{"a failed probe, the Secret not read", retryFailedProbe, evidence{env: env, operatorNamespace: "ops", now: now, retryAfter: defaultProbeRetryAfter}, jobIn("ops", true, "1"), false},
		{"a probe that failed the retry delay ago, its Secret unchanged", retryFailedProbe, evidence{env: env, operatorNamespace: "ops", secretVersion: "1", now: now, retryAfter: defaultProbeRetryAfter},
			failedAgo(jobIn("ops", true, "1"), defaultProbeRetryAfter), true},
		{"a probe that failed just under the retry delay ago", retryFailedProbe, evidence{env: env, operatorNamespace: "ops", secretVersion: "1", now: now, retryAfter: defaultProbeRetryAfter},
			failedAgo(jobIn("ops", true, "1"), defaultProbeRetryAfter-time.Second), false},
		{"a probe that failed long ago, outside the operator's namespace", retryFailedProbe, evidence{env: env, operatorNamespace: "ops", secretVersion: "1", now: now, retryAfter: defaultProbeRetryAfter},
			failedAgo(jobIn("elsewhere", true, "1"), time.Hour), false},

		{"the namespace of an environment being deleted", deleteTarget, evidence{env: deleting}, ours, true},
		{"the namespace of an environment not being deleted", deleteTarget, evidence{env: env}, ours, false},
		{"a namespace without the environment's uid", deleteTarget, evidence{env: deleting}, notOurs, false},
		{"prod's namespace, even with the uid", deleteTarget, evidence{env: deleting}, prodNS, false},
		{"a Secret is not a namespace", deleteTarget, evidence{env: deleting}, secretIn("copy"), false},

		{"leftovers of an environment being deleted", deleteLeftovers, evidence{env: deleting, operatorNamespace: "ops"}, secretIn("ops"), true},
		{"leftovers of an environment not being deleted", deleteLeftovers, evidence{env: env, operatorNamespace: "ops"}, secretIn("ops"), false},
		{"leftovers elsewhere", deleteLeftovers, evidence{env: deleting, operatorNamespace: "ops"}, secretIn("prod"), false},

		{"an expired environment", expireEnvironment, evidence{env: env, expired: true}, env, true},
		{"an environment not expired", expireEnvironment, evidence{env: env}, env, false},
		{"another environment", expireEnvironment, evidence{env: env, expired: true}, anotherEnv, false},
	}
	tested := map[string]map[bool]bool{}
	for _, c := range cases {
		err := c.d.check(c.ev, c.obj)
		if (err == nil) != c.allowed {
			t.Errorf("%s (%s): allowed=%v, refusal %v", c.name, c.d.name, err == nil, err)
		}
		if tested[c.d.name] == nil {
			tested[c.d.name] = map[bool]bool{}
		}
		tested[c.d.name][c.allowed] = true
	}
	for _, d := range deletions {
		if !tested[d.name][true] || !tested[d.name][false] {
			t.Errorf("deletion %s needs a case with its proof and one without", d.name)
		}
	}
}
