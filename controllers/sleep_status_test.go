package controllers

import (
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
	"github.com/envmirror/envmirror/internal/sleep"
	"github.com/envmirror/envmirror/internal/source"
)

func TestNextText(t *testing.T) {
	now := time.Date(2026, 6, 10, 10, 0, 0, 0, time.UTC)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	idle := &v1alpha1.SleepSpec{IdleAfter: ptr.To(v1alpha1.Duration("2h"))}
	tests := []struct {
		name string
		sc   sleepScope
		spec *v1alpha1.SleepSpec
		want string
	}{
		{"asleep on schedule", sleepScope{zone: berlin, decision: sleep.Decision{Asleep: true, Reason: sleep.ReasonSchedule, Change: now.Add(20 * time.Hour)}}, nil, "wakes Thu 08:00 CEST"},
		{"awake on schedule", sleepScope{zone: berlin, decision: sleep.Decision{Reason: sleep.ReasonAwake, Change: now.Add(7 * time.Hour)}}, nil, "sleeps Wed 19:00 CEST"},
		{"asleep by hand", sleepScope{zone: time.UTC, decision: sleep.Decision{Asleep: true, Reason: sleep.ReasonByHand}}, nil, "asleep until woken"},
		{"asleep for idleness", sleepScope{zone: time.UTC, decision: sleep.Decision{Asleep: true, Reason: sleep.ReasonIdle}}, idle, "asleep (idle): wakes on activity"},
		{"awake with an idle rule", sleepScope{zone: time.UTC, decision: sleep.Decision{Reason: sleep.ReasonAwake, Recheck: now.Add(time.Hour)}}, idle, "sleeps after 2h idle"},
		{"idle not measured", sleepScope{zone: time.UTC, decision: sleep.Decision{Reason: sleep.ReasonIdleNotMeasured}}, idle, "awake: idle not measured"},
		{"deferred", sleepScope{zone: time.UTC, deferred: "database a is being seeded", decision: sleep.Decision{Asleep: true, Reason: sleep.ReasonSchedule, Change: now.Add(time.Hour)}}, nil, "sleeps when seeding ends"},
		{"nothing to say", sleepScope{zone: time.UTC, decision: sleep.Decision{Reason: sleep.ReasonAwake}}, nil, ""},
	}
	for _, tt := range tests {
		if got := nextText(&tt.sc, now, tt.spec); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestAccountMovesTimeIntoTheStateItWasSpentIn(t *testing.T) {
	t0 := time.Date(2026, 6, 10, 8, 0, 0, 0, time.UTC)
	st := &v1alpha1.SleepStatus{State: v1alpha1.SleepAwake, Since: &metav1.Time{Time: t0}}
	account(st, v1alpha1.SleepAwake, t0.Add(time.Hour)) // no change: nothing moves
	if st.AwakeSeconds != 0 || !st.Since.Time.Equal(t0) {
		t.Fatalf("no change moved time: %+v", st)
	}
	account(st, v1alpha1.SleepAsleep, t0.Add(11*time.Hour))
	account(st, v1alpha1.SleepAwake, t0.Add(24*time.Hour))
	if st.AwakeSeconds != 11*3600 || st.AsleepSeconds != 13*3600 || st.State != v1alpha1.SleepAwake {
		t.Errorf("after 11 h awake and 13 h asleep: %+v", st)
	}
	awake, asleep := st.Hours(t0, t0.Add(26*time.Hour))
	if awake != 13*time.Hour || asleep != 13*time.Hour {
		t.Errorf("Hours = %s awake, %s asleep; want 13h each", awake, asleep)
	}
}

func TestPhaseOfASleepingAndWakingEnvironment(t *testing.T) {
	env := func(reason string, status metav1.ConditionStatus) *v1alpha1.MirrorEnvironment {
		e := &v1alpha1.MirrorEnvironment{}
		e.Status.Conditions = []metav1.Condition{{Type: v1alpha1.ConditionReady, Status: status, Reason: reason}}
		return e
	}
	tests := []struct {
		name    string
		env     *v1alpha1.MirrorEnvironment
		prev    v1alpha1.Phase
		stalled bool
		want    v1alpha1.Phase
	}{
		{"asleep", env(v1alpha1.ReasonSleeping, metav1.ConditionFalse), v1alpha1.PhaseReady, false, v1alpha1.PhaseSleeping},
		{"woken, not ready yet", env(v1alpha1.ReasonNotReady, metav1.ConditionFalse), v1alpha1.PhaseSleeping, false, v1alpha1.PhaseWaking},
		{"still waking", env(v1alpha1.ReasonNotReady, metav1.ConditionFalse), v1alpha1.PhaseWaking, false, v1alpha1.PhaseWaking},
		{"woken and ready", env(v1alpha1.ReasonReady, metav1.ConditionTrue), v1alpha1.PhaseWaking, false, v1alpha1.PhaseReady},
		{"woken into a failure", env(v1alpha1.ReasonSourceNotFound, metav1.ConditionFalse), v1alpha1.PhaseSleeping, true, v1alpha1.PhaseFailed},
	}
	for _, tt := range tests {
		if got := phaseOf(tt.env, tt.prev, tt.stalled, false); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestResourceTotals(t *testing.T) {
	pod := func(cpu, memory string) corev1.PodTemplateSpec {
		return corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(memory)}}}}}}
	}
	// A sidecar (an init container that keeps running) adds to the pod's request.
	withSidecar := pod("500m", "1Gi")
	withSidecar.Spec.InitContainers = []corev1.Container{{Name: "proxy", RestartPolicy: ptr.To(corev1.ContainerRestartPolicyAlways),
		Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")}}}}
	prod := &source.Snapshot{
		Deployments: []appsv1.Deployment{
			{ObjectMeta: metav1.ObjectMeta{Name: "api"}, Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](4), Template: withSidecar}},
			{ObjectMeta: metav1.ObjectMeta{Name: "excluded"}, Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](9), Template: pod("8", "32Gi")}},
		},
		DaemonSets: []appsv1.DaemonSet{{ObjectMeta: metav1.ObjectMeta{Name: "agent"}, Spec: appsv1.DaemonSetSpec{Template: pod("50m", "64Mi")},
			Status: appsv1.DaemonSetStatus{DesiredNumberScheduled: 10}}},
	}
	copyAPI := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "api"}, Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](1), Template: withSidecar}}
	copyAgent := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "agent"}, Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](1), Template: pod("50m", "64Mi")}}
	standIn := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db"}, Spec: appsv1.StatefulSetSpec{Replicas: ptr.To[int32](1), Template: pod("100m", "256Mi")}}
	d := &desired{
		infra:     &mirror.Result{Services: []v1alpha1.ServiceStatus{{Name: "api", Kind: "Deployment"}, {Name: "agent", Kind: "Deployment", SourceKind: "DaemonSet"}}},
		workloads: []client.Object{copyAPI, copyAgent},
		data:      dataPlan{objects: []client.Object{standIn}},
	}
	got := resourceTotals(prod, d)
	want := v1alpha1.ResourcesStatus{
		// 4 × (600m, 1152Mi) + 10 × (50m, 64Mi); the excluded Deployment is not the copy's.
		Prod:     v1alpha1.ResourceTotals{CPU: "2900m", Memory: "5248Mi", Pods: 14},
		Copy:     v1alpha1.ResourceTotals{CPU: "650m", Memory: "1216Mi", Pods: 2},
		StandIns: v1alpha1.ResourceTotals{CPU: "100m", Memory: "256Mi", Pods: 1},
	}
	if *got != want {
		t.Errorf("resourceTotals = %+v\nwant %+v", *got, want)
	}
}
