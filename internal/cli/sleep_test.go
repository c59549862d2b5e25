package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

func TestRenderSleep(t *testing.T) {
	env := ready()
	env.Status.Phase = v1alpha1.PhaseSleeping
	env.Status.Sleep = &v1alpha1.SleepStatus{State: v1alpha1.SleepAsleep, Since: &metav1.Time{Time: now.Add(-3 * time.Hour)},
		AwakeSeconds: 36000, AsleepSeconds: 7200, Next: "wakes Mon 08:00 CET"}
	env.Status.Conditions = append(env.Status.Conditions, metav1.Condition{Type: v1alpha1.ConditionSleeping, Status: metav1.ConditionTrue,
		Reason: v1alpha1.ReasonSleepSchedule, Message: "asleep outside the schedule's awake hours; wakes Mon 08:00 CET"})
	env.Status.Resources = &v1alpha1.ResourcesStatus{
		Prod: v1alpha1.ResourceTotals{CPU: "1500m", Memory: "3Gi", Pods: 3},
		Copy: v1alpha1.ResourceTotals{CPU: "500m", Memory: "1Gi", Pods: 2},
	}
	var b bytes.Buffer
	if err := RenderStatus(&b, env, now); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Sleep:     asleep since 2026-11-30T09:00:00Z (3h ago)",
		"asleep outside the schedule's awake hours; wakes Mon 08:00 CET",
		// 10 h counted before it fell asleep; 2 h + the 3 h since asleep.
		"10.0h awake, 5.0h asleep since its creation",
		"Requests:  the copy 500m CPU / 1Gi memory (2 pods), its stand-ins none; prod's copied workloads 1500m CPU / 3Gi memory (3 pods)",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("status lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	if err := RenderStatus(&b, ready(), now); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "Sleep:") {
		t.Errorf("an environment without spec.sleep shows no sleep section:\n%s", b.String())
	}
}

var _ = Describe("sleep and wake", func() {
	create := func(name string) *v1alpha1.MirrorEnvironment {
		env := &v1alpha1.MirrorEnvironment{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: devNamespace},
			Spec: v1alpha1.MirrorEnvironmentSpec{Source: v1alpha1.SourceSpec{Namespace: prodNamespace}, Branch: name}}
		Expect(k8s.Create(ctx, env)).To(Succeed())
		return env
	}

	It("puts an environment to sleep by hand, until woken or until a time, touching nothing else", func() {
		env := create("sleepy")
		env.Spec.Sleep = &v1alpha1.SleepSpec{Schedule: &v1alpha1.SleepSchedule{Awake: []v1alpha1.AwakeWindow{{Days: "Mon-Fri", From: "08:00", To: "19:00"}}}}
		Expect(k8s.Update(ctx, env)).To(Succeed())

		res := run(devKubeconfig, "sleep", "sleepy")
		Expect(res.code).To(Equal(ExitOK), res.String())
		Expect(res.stdout).To(ContainSubstring("asleep until woken"))
		got := getEnv("sleepy")
		Expect(got.Spec.Sleep.Override).To(Equal(&v1alpha1.SleepOverride{State: v1alpha1.SleepAsleep}))
		Expect(got.Spec.Sleep.Schedule).To(Equal(env.Spec.Sleep.Schedule), "the schedule stays")

		res = run(devKubeconfig, "sleep", "sleepy", "--until", "12h")
		Expect(res.code).To(Equal(ExitOK), res.String())
		until := getEnv("sleepy").Spec.Sleep.Override.Until
		Expect(until).NotTo(BeNil())
		Expect(until.Time).To(BeTemporally("~", time.Now().Add(12*time.Hour), time.Minute))

		res = run(devKubeconfig, "sleep", "sleepy", "--until", "2001-01-01T00:00:00Z")
		Expect(res.code).To(Equal(ExitError), res.String())
		Expect(res.stderr).To(ContainSubstring("not in the future"))
	})

	It("wakes for a while, marks it used, and with --for 0 leaves it to its rules", func() {
		env := create("woken")
		env.Spec.Sleep = &v1alpha1.SleepSpec{Override: &v1alpha1.SleepOverride{State: v1alpha1.SleepAsleep}}
		Expect(k8s.Update(ctx, env)).To(Succeed())

		res := run(devKubeconfig, "wake", "woken", "--for", "3h")
		Expect(res.code).To(Equal(ExitOK), res.String())
		got := getEnv("woken")
		Expect(got.Spec.Sleep.Override.State).To(Equal(v1alpha1.SleepAwake))
		Expect(got.Spec.Sleep.Override.Until.Time).To(BeTemporally("~", time.Now().Add(3*time.Hour), time.Minute))
		stamp, err := time.Parse(time.RFC3339, got.Annotations[v1alpha1.AnnotationLastActivity])
		Expect(err).NotTo(HaveOccurred(), "wake marks the environment used")
		Expect(stamp).To(BeTemporally("~", time.Now(), time.Minute))

		res = run(devKubeconfig, "wake", "woken", "--for", "0")
		Expect(res.code).To(Equal(ExitOK), res.String())
		Expect(getEnv("woken").Spec.Sleep).To(BeNil(), "an override alone goes with spec.sleep (an empty one is refused)")
	})

	It("has up wake a sleeping environment, and open refuse to forward to one", func() {
		env := create("feature-nap")
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(env), env)).To(Succeed())
		env.Status.Sleep = &v1alpha1.SleepStatus{State: v1alpha1.SleepAsleep, Reason: v1alpha1.ReasonSleepSchedule}
		env.Status.Phase = v1alpha1.PhaseSleeping
		Expect(k8s.Status().Update(ctx, env)).To(Succeed())

		res := run(devKubeconfig, "open", "feature-nap")
		Expect(res.code).To(Equal(ExitError), res.String())
		Expect(res.stderr).To(ContainSubstring("is asleep"))
		Expect(res.stderr).To(ContainSubstring("kubectl mirror wake feature-nap"))

		res = run(devKubeconfig, "up", "--branch", "feature-nap", "--from", prodNamespace, "--no-access")
		Expect(res.code).To(Equal(ExitOK), res.String())
		Expect(res.stdout).To(ContainSubstring("was asleep: awake until"))
		got := getEnv("feature-nap")
		Expect(got.Spec.Sleep.Override.State).To(Equal(v1alpha1.SleepAwake))
		Expect(got.Spec.Sleep.Override.Until.Time).To(BeTemporally("~", time.Now().Add(DefaultWakeFor), time.Minute))

		By("marking an awake environment used on up, without changing its spec")
		generation := got.Generation
		got.Status.Sleep.State = v1alpha1.SleepAwake
		Expect(k8s.Status().Update(ctx, got)).To(Succeed())
		res = run(devKubeconfig, "up", "--branch", "feature-nap", "--from", prodNamespace, "--no-access")
		Expect(res.code).To(Equal(ExitOK), res.String())
		Expect(res.stdout).NotTo(ContainSubstring("was asleep"))
		got = getEnv("feature-nap")
		Expect(got.Generation).To(Equal(generation))
		Expect(got.Annotations).To(HaveKey(v1alpha1.AnnotationLastActivity))
	})
})

func TestWaiterOnASleepingEnvironment(t *testing.T) {
	asleep := func(observed int64) *v1alpha1.MirrorEnvironment {
		env := ready()
		env.Status.Phase = v1alpha1.PhaseSleeping
		env.Status.ObservedGeneration = observed
		env.Status.Conditions = []metav1.Condition{cond(v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonSleeping,
			"asleep outside the schedule's awake hours; wakes Mon 08:00 CET", observed)}
		return env
	}
	w := &Waiter{Generation: 3, Grace: DefaultFailureGrace}
	if got := w.Observe(asleep(2), now); got.Verdict != Waiting {
		t.Errorf("asleep for an older spec (the wake not seen yet): %v %s", got.Verdict, got)
	}
	got := w.Observe(asleep(3), now)
	if got.Verdict != Failed || got.Reason != v1alpha1.ReasonSleeping || !strings.Contains(got.Message, "kubectl mirror wake feature-x-3f1c9a2b") {
		t.Errorf("asleep for this spec ends the wait at once, saying how to wake it: %v %s", got.Verdict, got)
	}
}
