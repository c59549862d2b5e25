package controllers

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/deps"
	"github.com/envmirror/envmirror/internal/source"
)

// These tables test the dependencies' plan and condition without an API server.

func TestSetDependenciesReadyCondition(t *testing.T) {
	ready := v1alpha1.DependencyStatus{Name: "cache", Engine: v1alpha1.EngineRedis, ProdVersion: "7.1", Version: "7.0",
		Ready: true, Message: "ElastiCache 7.1 is compatible with Redis OSS 7.0"}
	missing := []v1alpha1.MissingDependency{{Reference: "ConfigMap/app key AMQP_URL", Host: "b-1.mq.us-east-1.amazonaws.com",
		Engine: v1alpha1.EngineRabbitMQ, Suggestion: "spec.dependencies: {name: rabbitmq, …}"}}
	withDeps := func(e *v1alpha1.MirrorEnvironment) {
		e.Spec.Dependencies = []v1alpha1.DependencySpec{{Name: "cache", Engine: v1alpha1.EngineRedis, Version: "7.1"}}
	}
	cases := []struct {
		name    string
		prepare func(*v1alpha1.MirrorEnvironment)
		in      dependenciesInput
		want    wantCondition
	}{
		{"nothing to stand in for", nil, dependenciesInput{planned: true},
			wantCondition{metav1.ConditionTrue, v1alpha1.ReasonNoDependencies, "no backing service"}},
		{"ready, with the version it runs for prod's", withDeps, dependenciesInput{planned: true, statuses: []v1alpha1.DependencyStatus{ready}},
			wantCondition{metav1.ConditionTrue, v1alpha1.ReasonDependenciesReady, "cache: redis 7.0 (prod 7.1: ElastiCache 7.1 is compatible"}},
		{"prod was not read", withDeps, dependenciesInput{explanation: explanation{err: errors.New("boom")}},
			wantCondition{metav1.ConditionUnknown, v1alpha1.ReasonReconciling, "boom"}},
		{"the step did not run", withDeps, dependenciesInput{planned: true},
			wantCondition{metav1.ConditionUnknown, v1alpha1.ReasonReconciling, "not evaluated"}},
		{"missing services, the rest ready", withDeps, dependenciesInput{planned: true, statuses: []v1alpha1.DependencyStatus{ready}, missing: missing},
			wantCondition{metav1.ConditionFalse, v1alpha1.ReasonDependenciesMissing, "1 backing service(s) of prod have no stand-in, so the copy cannot reach them: b-1.mq.us-east-1.amazonaws.com (ConfigMap/app key AMQP_URL): spec.dependencies: {name: rabbitmq"}},
		{"a stand-in not ready yet weighs more than missing ones", withDeps, dependenciesInput{planned: true, missing: missing,
			statuses: []v1alpha1.DependencyStatus{{Name: "cache", Reason: v1alpha1.ReasonDependencyNotReady, Message: "waiting for the stand-in cache"}}},
			wantCondition{metav1.ConditionFalse, v1alpha1.ReasonDependencyNotReady, "waiting for cache: waiting for the stand-in cache"}},
		{"a failed probe weighs most", withDeps, dependenciesInput{planned: true, statuses: []v1alpha1.DependencyStatus{
			{Name: "cache", Reason: v1alpha1.ReasonDependencyNotReady},
			{Name: "mq", Reason: v1alpha1.ReasonProbeFailed, Message: "the Secret dev/mq-url with prod's URL does not exist"}}},
			wantCondition{metav1.ConditionFalse, v1alpha1.ReasonProbeFailed, "mq: the Secret dev/mq-url"}},
		{"another version than prod's", withDeps, dependenciesInput{planned: true, statuses: []v1alpha1.DependencyStatus{
			{Name: "cache", Ready: true, Reason: v1alpha1.ReasonVersionMismatch, Message: "prod runs valkey 8.0.1, not redis: set engine: valkey"}}},
			wantCondition{metav1.ConditionFalse, v1alpha1.ReasonVersionMismatch, "set engine: valkey"}},
		{"a wait of the step explains it", withDeps, dependenciesInput{explanation: explanation{wait: &waiting{reason: v1alpha1.ReasonWaiting, message: "w"}}},
			wantCondition{metav1.ConditionFalse, v1alpha1.ReasonWaiting, "w"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := testEnvironment()
			if c.prepare != nil {
				c.prepare(env)
			}
			setDependenciesReadyCondition(env, c.in)
			checkCondition(t, env, v1alpha1.ConditionDependenciesReady, c.want)
		})
	}
}

// Missing stand-ins and another version leave the environment Ready (the condition says what
// differs); a stand-in not ready or a failed probe do not.
func TestReadyWithDependencies(t *testing.T) {
	for reason, wantReady := range map[string]bool{
		v1alpha1.ReasonDependenciesMissing: true, v1alpha1.ReasonVersionMismatch: true,
		v1alpha1.ReasonDependencyNotReady: false, v1alpha1.ReasonProbeFailed: false,
	} {
		env := testEnvironment()
		for _, typ := range readyInputs {
			setCondition(env, typ, metav1.ConditionTrue, "OK", "ok")
		}
		setCondition(env, v1alpha1.ConditionDependenciesReady, metav1.ConditionFalse, reason, "x")
		if got := setReadyCondition(env, false, ""); got != wantReady {
			t.Errorf("DependenciesReady=False/%s: Ready %v", reason, got)
		}
	}
	if !failureReasons[v1alpha1.ReasonProbeFailed] {
		t.Error("a failed probe needs the user to act: the environment is Failed, not Provisioning")
	}
}

const cacheHost = "my-cache.abc123.0001.use1.cache.amazonaws.com"

func depsProd() *source.Snapshot {
	return &source.Snapshot{
		Namespace: "prod",
		Services: []corev1.Service{{ObjectMeta: metav1.ObjectMeta{Name: "cache"},
			Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: cacheHost}}},
		ConfigMaps: []corev1.ConfigMap{{ObjectMeta: metav1.ObjectMeta{Name: "app"}, Data: map[string]string{
			"AMQP_URL": "amqps://b-1.mq.us-east-1.amazonaws.com:5671", "CACHE": cacheHost + ":6379"}}},
		Secrets: []corev1.Secret{
			{ObjectMeta: metav1.ObjectMeta{Name: "app-env"}, Data: map[string][]byte{
				"REDIS_URL":   []byte("rediss://default:CANARY-a@" + cacheHost + ":6379"),
				"REDIS_ADDR":  []byte("cache.prod.svc.cluster.local:6379"),
				"REDIS_HOST":  []byte("cache"),
				"DB_PASSWORD": []byte("CANARY-b"),
			}},
			{ObjectMeta: metav1.ObjectMeta{Name: "ruled"}, Data: map[string][]byte{"REDIS_URL": []byte("redis://cache:6379")}},
		},
	}
}

func TestPlanDependencies(t *testing.T) {
	env := testEnvironment()
	env.Spec.Source.Namespace = "prod"
	env.Spec.Dependencies = []v1alpha1.DependencySpec{
		{Name: "cache", Engine: v1alpha1.EngineRedis, Version: "7.1"},
		{Name: "mq", Engine: v1alpha1.EngineRabbitMQ, VersionFrom: &v1alpha1.VersionProbe{SecretRef: v1alpha1.SecretKeyRef{Name: "mq-url"}}},
	}
	env.Spec.Config.Secrets.Rules = []v1alpha1.SecretRule{{Secret: "ruled", Policy: v1alpha1.SecretGenerate}}
	in := planInput{env: env, scope: &scope{env: env, prod: depsProd(), probes: map[string]*probeResult{}}}

	p := planDependencies(in)
	if v, ok := p.versions["cache"]; !ok || v.Image != "redis:7.0" || p.entries[0].reason != "" {
		t.Fatalf("cache: %+v", p.entries[0])
	}
	if _, ok := p.versions["mq"]; ok || p.entries[1].probeJob == "" {
		t.Fatalf("mq waits for its probe: %+v", p.entries[1])
	}
	want := []v1alpha1.SecretRule{
		{Secret: "app-env", Key: "REDIS_ADDR", Policy: v1alpha1.SecretTemplate, Template: `{{ secret "cache" "host" }}:{{ secret "cache" "port" }}`},
		{Secret: "app-env", Key: "REDIS_HOST", Policy: v1alpha1.SecretTemplate, Template: `{{ secret "cache" "host" }}`},
		{Secret: "app-env", Key: "REDIS_URL", Policy: v1alpha1.SecretTemplate, Template: `{{ secret "cache" "uri" }}`},
	}
	if diff := cmp.Diff(want, p.secretRules); diff != "" {
		t.Errorf("secret rules (-want +got):\n%s", diff)
	}
	// The ElastiCache host is the replaced Service's, so only Amazon MQ is missing (mq does not
	// name it in replaces).
	if len(p.missing) != 1 || p.missing[0].Host != "b-1.mq.us-east-1.amazonaws.com" || p.missing[0].Engine != v1alpha1.EngineRabbitMQ {
		t.Errorf("missing %+v", p.missing)
	}

	// The probe read prod's version: the stand-in runs it.
	in.scope.probes[p.entries[1].probeJob] = &probeResult{done: true, found: true, summary: deps.Summary{Version: "3.13.7", Distribution: "rabbitmq"}}
	env.Spec.Dependencies[1].Replaces = []string{"b-1.mq.us-east-1.amazonaws.com"}
	p = planDependencies(in)
	if v := p.versions["mq"]; v.Image != "rabbitmq:3.13.7-management" || len(p.missing) != 0 {
		t.Errorf("mq runs %q; missing %v", v.Image, p.missing)
	}

	// A probe of another distribution, and a failed one.
	in.scope.probes[p.entries[1].probeJob] = &probeResult{done: true, found: true, summary: deps.Summary{Version: "8.0.1", Distribution: "valkey"}}
	env.Spec.Dependencies[1].Engine = v1alpha1.EngineRedis
	in.scope.probes[versionProbeJob(env, &env.Spec.Dependencies[1])] = in.scope.probes[p.entries[1].probeJob]
	if e := planDependencies(in).entries[1]; e.reason != v1alpha1.ReasonVersionMismatch || e.message != "prod runs valkey 8.0.1, not redis: set engine: valkey" {
		t.Errorf("valkey behind a redis entry: %q %q", e.reason, e.message)
	}
	in.scope.probes[versionProbeJob(env, &env.Spec.Dependencies[1])] = &probeResult{done: true, failed: true, found: true, summary: deps.Summary{Error: "WRONGPASS"}}
	if e := planDependencies(in).entries[1]; e.reason != v1alpha1.ReasonProbeFailed || e.version != nil || e.message != "reading prod's version failed: WRONGPASS" {
		t.Errorf("failed probe: %+v", e)
	}
}
