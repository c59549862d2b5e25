package controllers_test

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/controllers"
	"github.com/envmirror/envmirror/internal/metrics"
	"github.com/envmirror/envmirror/internal/seed/contract"
)

// These specs hold spec.sleep to issue 23: a copy that sleeps by hand and on schedule scales to
// zero and keeps its data, costs nothing while it sleeps, expires while asleep, and wakes to
// exactly the state it slept in without seeding again; status and the metrics say what it costs.

// sleepyProd is a prod namespace with a Deployment of three replicas (each pod requesting
// 500m/1Gi), a CronJob, and a managed database the copy gets a stand-in for.
func sleepyProd(ns string) {
	createNamespace(ns, nil)
	grantMirroring(ns)
	d := &appsv1.Deployment{ObjectMeta: meta(ns, "api", labels("api")), Spec: appsv1.DeploymentSpec{
		Replicas: ptr.To[int32](3),
		Selector: &metav1.LabelSelector{MatchLabels: labels("api")},
		Template: podTemplate("api", container("app", "registry.example/api:1.0")),
	}}
	Expect(k8s.Create(ctx, d)).To(Succeed())
	(&prodShop{ns: ns}).runPods("api", 3, d.Spec.Template.Spec, "")
	report := podTemplate("report", container("report", "registry.example/report:1.0"))
	report.Spec.RestartPolicy = corev1.RestartPolicyNever
	Expect(k8s.Create(ctx, &batchv1.CronJob{ObjectMeta: meta(ns, "report", labels("report")), Spec: batchv1.CronJobSpec{
		Schedule: "0 3 * * *", JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: report}},
	}})).To(Succeed())
	Expect(k8s.Create(ctx, &corev1.Service{ObjectMeta: meta(ns, "orders-db", nil), Spec: corev1.ServiceSpec{
		Type: corev1.ServiceTypeExternalName, ExternalName: "orders.prod.rds.example.com"}})).To(Succeed())
	Expect(k8s.Create(ctx, &corev1.Secret{ObjectMeta: meta(ns, "app-env", nil),
		Data: map[string][]byte{"API_KEY": []byte("CANARY-sleepy-api-key")}})).To(Succeed())
}

// sleepyEnv mirrors sleepyProd with two replicas at half prod's requests, CronJobs running, and
// a seeded stand-in database.
func sleepyEnv(devNS, name, prodNS string) *v1alpha1.MirrorEnvironment {
	Expect(k8s.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: devNS, Name: name + "-schema"},
		Data: map[string]string{"schema.sql": schemaSQL}})).To(Succeed())
	env := newEnv(devNS, name, prodNS)
	env.Spec.Workloads = v1alpha1.WorkloadsSpec{Replicas: ptr.To[int32](2), RunCronJobs: true,
		Resources: &v1alpha1.ResourceScaling{ScalePercent: ptr.To[int32](50)}}
	env.Spec.Data = []v1alpha1.DatabaseSpec{{Name: "orders-db", Engine: v1alpha1.DatabasePostgres,
		StandIn: &v1alpha1.StandInSpec{Version: "16.4"},
		Schema:  &v1alpha1.SchemaSource{ConfigMapRef: &v1alpha1.ConfigMapKeyRef{Name: name + "-schema"}}}}
	return env
}

// provisionAndSeed plays the cluster's controllers until the environment is Ready and its
// database seeded, once.
func provisionAndSeed(env *v1alpha1.MirrorEnvironment, target string) {
	Eventually(func() error {
		return k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "orders-db"}, &appsv1.StatefulSet{})
	}, 20*time.Second).Should(Succeed())
	markStandInReady(target, "orders-db")
	Eventually(func() []batchv1.Job { return seedJobs(target, "orders-db") }, 20*time.Second).Should(HaveLen(1))
	job := seedJobs(target, "orders-db")[0]
	finishJob(&job, contract.Summary{Tables: 2, Rows: 2000, DurationSeconds: 0.5, RowsPerSecond: 4000}, true)
	Eventually(func() v1alpha1.DataPhase { return dataStatus(env, "orders-db").Phase }, 20*time.Second).Should(Equal(v1alpha1.DataSeeded))
	Eventually(func() error { markCopiesReady(target); return nil }).Should(Succeed())
	eventuallyCondition(env, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonReady)
}

// secretBytes is every Secret's data in a namespace: what the copy's credentials are.
func secretBytes(ns string) map[string]map[string][]byte {
	list := &corev1.SecretList{}
	Expect(k8s.List(ctx, list, client.InNamespace(ns))).To(Succeed())
	out := map[string]map[string][]byte{}
	for _, s := range list.Items {
		out[s.Name] = s.Data
	}
	return out
}

// replicasOf is the replica count of a copy's Deployment or StatefulSet.
func replicasOf(ns, name string, obj client.Object) int32 {
	Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, obj)).To(Succeed())
	switch o := obj.(type) {
	case *appsv1.Deployment:
		return ptr.Deref(o.Spec.Replicas, 1)
	case *appsv1.StatefulSet:
		return ptr.Deref(o.Spec.Replicas, 1)
	}
	return -1
}

func suspended(ns, name string) bool {
	cj := &batchv1.CronJob{}
	Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, cj)).To(Succeed())
	return ptr.Deref(cj.Spec.Suspend, false)
}

// envEvents lists the reasons of the events recorded about an environment.
func envEvents(env *v1alpha1.MirrorEnvironment) []string {
	list := &eventsv1.EventList{}
	Expect(k8s.List(ctx, list, client.InNamespace(env.Namespace))).To(Succeed())
	var out []string
	for _, e := range list.Items {
		if e.Regarding.Name == env.Name {
			out = append(out, e.Reason)
		}
	}
	return out
}

// kubectlGet is `kubectl get mirrorenvironments` in ns, as an administrator.
func kubectlGet(ns string) string {
	kubectl := filepath.Join(os.Getenv("KUBEBUILDER_ASSETS"), "kubectl")
	admin, err := testEnv.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
	Expect(err).NotTo(HaveOccurred())
	kubeconfig, err := admin.KubeConfig()
	Expect(err).NotTo(HaveOccurred())
	path := filepath.Join(GinkgoT().TempDir(), "kubeconfig")
	Expect(os.WriteFile(path, kubeconfig, 0o600)).To(Succeed())
	out, err := exec.Command(kubectl, "--kubeconfig", path, "get", "mirrorenvironments", "-n", ns).CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), string(out))
	return string(out)
}

func setOverride(env *v1alpha1.MirrorEnvironment, o *v1alpha1.SleepOverride) {
	updateEnv(env, func(e *v1alpha1.MirrorEnvironment) {
		if e.Spec.Sleep == nil {
			e.Spec.Sleep = &v1alpha1.SleepSpec{}
		}
		e.Spec.Sleep.Override = o
		if o == nil && e.Spec.Sleep.Schedule == nil && e.Spec.Sleep.IdleAfter == nil {
			e.Spec.Sleep = nil
		}
	})
}

var _ = Describe("sleep by hand", Ordered, func() {
	var (
		devNS, prodNS, target string
		env                   *v1alpha1.MirrorEnvironment
		seedJob               batchv1.Job
		credentials           map[string]map[string][]byte
	)

	BeforeAll(func() {
		devNS, prodNS = unique("dev"), unique("prod")
		createNamespace(devNS, nil)
		sleepyProd(prodNS)
		env = sleepyEnv(devNS, "sleepy", prodNS)
		Expect(k8s.Create(ctx, env)).To(Succeed())
		target = prodNS + "-sleepy"
		provisionAndSeed(env, target)
		seedJob = seedJobs(target, "orders-db")[0]
		credentials = secretBytes(target)
		Expect(credentials).To(HaveKey("orders-db-credentials"))
	})

	It("shows what the copy requests next to prod", func() {
		r := getEnv(env).Status.Resources
		Expect(r).NotTo(BeNil())
		// Prod: 3 replicas of 500m/1Gi. The copy: 2 replicas at half of that.
		Expect(r.Prod).To(Equal(v1alpha1.ResourceTotals{CPU: "1500m", Memory: "3Gi", Pods: 3}))
		Expect(r.Copy).To(Equal(v1alpha1.ResourceTotals{CPU: "500m", Memory: "1Gi", Pods: 2}))
		Expect(r.StandIns.Pods).To(Equal(int32(1)), "the database stand-in, counted apart")
	})

	It("sleeps by hand: workloads and stand-ins at zero, CronJobs suspended, and says so", func() {
		Expect(replicasOf(target, "api", &appsv1.Deployment{})).To(Equal(int32(2)))
		Expect(suspended(target, "report")).To(BeFalse())
		setOverride(env, &v1alpha1.SleepOverride{State: v1alpha1.SleepAsleep})

		Eventually(func() int32 { return replicasOf(target, "api", &appsv1.Deployment{}) }, 20*time.Second).Should(BeZero())
		Eventually(func() int32 { return replicasOf(target, "orders-db", &appsv1.StatefulSet{}) }, 5*time.Second).Should(BeZero(), "the stand-in sleeps too")
		Eventually(func() bool { return suspended(target, "report") }, 5*time.Second).Should(BeTrue())
		c := eventuallyCondition(env, v1alpha1.ConditionSleeping, metav1.ConditionTrue, v1alpha1.ReasonSleepByHand)
		Expect(c.Message).To(ContainSubstring("until woken"))
		eventuallyCondition(env, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonSleeping)
		eventuallyCondition(env, v1alpha1.ConditionDrifted, metav1.ConditionUnknown, v1alpha1.ReasonSleeping)
		Eventually(func() v1alpha1.Phase { return getEnv(env).Status.Phase }, 10*time.Second).Should(Equal(v1alpha1.PhaseSleeping))
		st := getEnv(env).Status
		Expect(st.Sleep.State).To(Equal(v1alpha1.SleepAsleep))
		Expect(st.Sleep.Next).To(Equal("asleep until woken"))
		Expect(st.ServicesReady).To(Equal("0/2"), "nothing of the copy runs")
		Expect(condition(env, v1alpha1.ConditionReconciling).Type).To(BeEmpty(), "a sleeping copy is not work in progress (kstatus: Current)")
		Expect(condition(env, v1alpha1.ConditionSeeded).Status).To(Equal(metav1.ConditionTrue), "what the copy is stays reported")
		Eventually(func() []string { return envEvents(env) }, 10*time.Second).Should(ContainElement(v1alpha1.ReasonSleeping))
		Expect(kubectlGet(devNS)).To(MatchRegexp(`(?m)^sleepy\s+feature/sleepy\s+Sleeping\s+0/2\s+\S+\s+asleep until woken\s`),
			"kubectl get shows the phase and when it wakes")

		Expect(secretBytes(target)).To(Equal(credentials), "credentials are kept")
		Expect(seedJobs(target, "orders-db")).To(HaveLen(1))
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "orders-db-credentials"}, &corev1.Secret{})).To(Succeed())
	})

	It("costs no reconcile and no write at rest while asleep", func() {
		time.Sleep(2 * time.Second) // the last status write's echoes
		before, mark := reconciles.of(env), writes.mark()
		Consistently(func() int { return reconciles.of(env) - before }, 15*time.Second, time.Second).Should(BeZero())
		Expect(writes.since(mark, devNS, target)).To(BeEmpty())
	})

	It("scales back to zero what someone starts while it sleeps", func() {
		d := copyOf(target, "api", &appsv1.Deployment{})
		d.Spec.Replicas = ptr.To[int32](4)
		Expect(k8s.Update(ctx, d)).To(Succeed())
		Eventually(func() int32 { return replicasOf(target, "api", &appsv1.Deployment{}) }, 10*time.Second).Should(BeZero())
		Expect(copyOf(target, "api", &appsv1.Deployment{}).Annotations).To(HaveKeyWithValue("envmirror.io/awake-replicas", "2"),
			"what it ran with before it slept is kept")
		Eventually(func() []string { return envEvents(env) }, 10*time.Second).Should(ContainElement("CopyEdited"))
	})

	It("wakes to exactly the state it slept in, Ready again without seeding again", func() {
		setOverride(env, &v1alpha1.SleepOverride{State: v1alpha1.SleepAwake, Until: &metav1.Time{Time: time.Now().Add(time.Hour)}})
		Eventually(func() int32 { return replicasOf(target, "api", &appsv1.Deployment{}) }, 20*time.Second).Should(Equal(int32(2)))
		Eventually(func() int32 { return replicasOf(target, "orders-db", &appsv1.StatefulSet{}) }, 5*time.Second).Should(Equal(int32(1)))
		Eventually(func() bool { return suspended(target, "report") }, 5*time.Second).Should(BeFalse(), "the CronJob runs again, as it did")
		Expect(copyOf(target, "api", &appsv1.Deployment{}).Annotations).NotTo(HaveKey("envmirror.io/awake-replicas"))
		Eventually(func() v1alpha1.Phase { return getEnv(env).Status.Phase }, 10*time.Second).Should(Equal(v1alpha1.PhaseWaking))

		Eventually(func() error { markCopiesReady(target); return nil }).Should(Succeed())
		eventuallyCondition(env, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonReady)
		eventuallyCondition(env, v1alpha1.ConditionSleeping, metav1.ConditionFalse, v1alpha1.ReasonSleepByHand)
		Expect(getEnv(env).Status.Phase).To(Equal(v1alpha1.PhaseReady))
		jobs := seedJobs(target, "orders-db")
		Expect(jobs).To(HaveLen(1))
		Expect(jobs[0].UID).To(Equal(seedJob.UID), "the seeding Job is the one that seeded it before it slept")
		Expect(dataStatus(env, "orders-db").Phase).To(Equal(v1alpha1.DataSeeded))
		Expect(secretBytes(target)).To(Equal(credentials), "the same credentials")
		Expect(envEvents(env)).To(ContainElement(v1alpha1.ReasonWaking))

		st := getEnv(env).Status.Sleep
		Expect(st.State).To(Equal(v1alpha1.SleepAwake))
		Expect(st.AsleepSeconds).To(BeNumerically(">=", 15), "the time it slept is counted")
		Expect(st.AwakeSeconds).To(BeNumerically(">", 0))
	})
})

var _ = Describe("sleep and expiry", func() {
	It("expires while asleep", func() {
		devNS, prodNS := unique("dev"), unique("prod")
		createNamespace(devNS, nil)
		smallProd(prodNS)
		grantMirroring(prodNS)
		env := newEnv(devNS, "sleeps-then-expires", prodNS)
		env.Spec.Sleep = &v1alpha1.SleepSpec{Override: &v1alpha1.SleepOverride{State: v1alpha1.SleepAsleep}}
		env.Spec.ExpiresAt = &metav1.Time{Time: time.Now().Add(8 * time.Second)}
		Expect(k8s.Create(ctx, env)).To(Succeed())
		Eventually(func() v1alpha1.Phase { return getEnv(env).Status.Phase }, 10*time.Second).Should(Equal(v1alpha1.PhaseSleeping))
		Expect(getEnv(env).Status.ExpiresAt).NotTo(BeNil(), "a sleeping environment still shows its expiry")
		// Nothing wakes it but its expiry's timer.
		Eventually(gone(env), 20*time.Second, 200*time.Millisecond).Should(BeTrue())
	})
})

// nextMinutes is the UTC clock of the next whole minute at least margin from now, and the one
// after it.
func nextMinutes(margin time.Duration) (time.Time, time.Time) {
	edge := time.Now().UTC().Add(margin).Truncate(time.Minute).Add(time.Minute)
	return edge, edge.Add(time.Minute)
}

var _ = Describe("sleep on schedule", func() {
	It("sleeps at the window's end and wakes at the next one's start, with no reconcile in between", func() {
		if now := time.Now().UTC(); now.Hour() == 23 && now.Minute() >= 56 {
			time.Sleep(time.Until(now.Truncate(time.Hour).Add(time.Hour + 5*time.Second))) // windows do not cross midnight here
		}
		devNS, prodNS := unique("dev"), unique("prod")
		createNamespace(devNS, nil)
		smallProd(prodNS)
		grantMirroring(prodNS)
		sleepAt, wakeAt := nextMinutes(25 * time.Second)
		day := sleepAt.Weekday().String()[:3]
		hhmm := func(t time.Time) string { return t.Format("15:04") }
		env := newEnv(devNS, "office", prodNS)
		env.Spec.Sleep = &v1alpha1.SleepSpec{Schedule: &v1alpha1.SleepSchedule{TimeZone: "UTC", Awake: []v1alpha1.AwakeWindow{
			{Days: day, From: "00:00", To: hhmm(sleepAt)},
			{Days: day, From: hhmm(wakeAt), To: "24:00"},
		}}}
		Expect(k8s.Create(ctx, env)).To(Succeed())
		target := prodNS + "-office"
		eventuallyCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionTrue, v1alpha1.ReasonCopied)
		Eventually(func() error { markCopiesReady(target); return nil }).Should(Succeed())
		eventuallyCondition(env, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonReady)
		st := getEnv(env).Status.Sleep
		Expect(st.NextTransition.Time).To(BeTemporally("==", sleepAt))
		Expect(st.Next).To(Equal("sleeps " + sleepAt.Format("Mon 15:04") + " UTC"))

		By(fmt.Sprintf("sleeping at %s", sleepAt))
		Eventually(func() int32 { return replicasOf(target, "api", &appsv1.Deployment{}) }).
			WithTimeout(time.Until(sleepAt) + 5*time.Second).WithPolling(250 * time.Millisecond).Should(BeZero())
		Expect(time.Now()).To(BeTemporally(">=", sleepAt), "not before the edge")
		eventuallyCondition(env, v1alpha1.ConditionSleeping, metav1.ConditionTrue, v1alpha1.ReasonSleepSchedule)
		Eventually(func() v1alpha1.Phase { return getEnv(env).Status.Phase }, 5*time.Second).Should(Equal(v1alpha1.PhaseSleeping))
		Expect(getEnv(env).Status.Sleep.NextTransition.Time).To(BeTemporally("==", wakeAt))

		By("resting until the next edge")
		time.Sleep(3 * time.Second)
		before, mark := reconciles.of(env), writes.mark()
		time.Sleep(time.Until(wakeAt) - 2*time.Second)
		Expect(reconciles.of(env)-before).To(BeZero(), "reconciles of a sleeping environment between its edges")
		Expect(writes.since(mark, devNS, target)).To(BeEmpty())

		By(fmt.Sprintf("waking at %s", wakeAt))
		Eventually(func() int32 { return replicasOf(target, "api", &appsv1.Deployment{}) }).
			WithTimeout(time.Until(wakeAt) + 5*time.Second).WithPolling(250 * time.Millisecond).Should(Equal(int32(1)))
		Expect(time.Now()).To(BeTemporally(">=", wakeAt), "not before the edge")
		eventuallyCondition(env, v1alpha1.ConditionSleeping, metav1.ConditionFalse, v1alpha1.ReasonAwake)
		Eventually(func() error { markCopiesReady(target); return nil }).Should(Succeed())
		eventuallyCondition(env, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonReady)
		midnight := wakeAt.Truncate(24 * time.Hour).Add(24 * time.Hour)
		Expect(getEnv(env).Status.Sleep.Next).To(Equal("sleeps "+midnight.Format("Mon 15:04")+" UTC"), "awake until the day's last window ends")
	})
})

var _ = Describe("the idle rule without a signal", func() {
	It("stays awake and says why, rather than sleeping on a guess", func() {
		devNS, prodNS := unique("dev"), unique("prod")
		createNamespace(devNS, nil)
		smallProd(prodNS)
		grantMirroring(prodNS)
		env := newEnv(devNS, "idle", prodNS)
		env.Spec.Sleep = &v1alpha1.SleepSpec{IdleAfter: ptr.To(v1alpha1.Duration("10m"))}
		Expect(k8s.Create(ctx, env)).To(Succeed())
		c := eventuallyCondition(env, v1alpha1.ConditionSleeping, metav1.ConditionFalse, v1alpha1.ReasonIdleNotMeasured)
		Expect(c.Message).To(ContainSubstring("the copy has no Ingress"))
		Expect(c.Message).To(ContainSubstring("does not sleep on a guess"))
		Expect(getEnv(env).Status.Sleep.Next).To(Equal("awake: idle not measured"))
	})
})

var _ = Describe("the cost metrics", Ordered, func() {
	var url string

	BeforeAll(func() {
		// The registry the manager serves on /metrics, served here (the suite's manager runs
		// without a metrics server), and the cache it reads environments from.
		metrics.WatchEnvironments(mgrClient)
		l, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		srv := &http.Server{Handler: promhttp.HandlerFor(crmetrics.Registry, promhttp.HandlerOpts{}), ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.Serve(l) }()
		DeferCleanup(srv.Close)
		url = "http://" + l.Addr().String() + "/metrics"
	})

	It("exports what each environment requests and how long it slept, from its status", func() {
		devNS, prodNS := unique("dev"), unique("prod")
		createNamespace(devNS, nil)
		sleepyProd(prodNS)
		env := sleepyEnv(devNS, "charted", prodNS)
		Expect(k8s.Create(ctx, env)).To(Succeed())
		target := prodNS + "-charted"
		// Seeded first: an environment whose seeding Job runs defers its sleep (busyWithData), and
		// here no Job controller would ever finish it. Marking the copies ready without it raced
		// the seeding Job's creation (1 run in 2 under load).
		provisionAndSeed(env, target)
		setOverride(env, &v1alpha1.SleepOverride{State: v1alpha1.SleepAsleep})
		Eventually(func() v1alpha1.Phase { return getEnv(env).Status.Phase }, 20*time.Second).Should(Equal(v1alpha1.PhaseSleeping))
		time.Sleep(3 * time.Second)

		labels := fmt.Sprintf(`environment="%s",namespace="%s"`, env.Name, devNS) // as the format writes them, sorted
		series := func(name, extra string) float64 {
			code, body, err := metrics.Scrape(url, "", false)
			Expect(err).NotTo(HaveOccurred())
			Expect(code).To(Equal(http.StatusOK))
			v, err := metrics.SeriesValue(body, name+"{"+labels+extra+"}")
			Expect(err).NotTo(HaveOccurred(), "in the scrape:\n%s", body)
			return v
		}
		Eventually(func() float64 { return series("envmirror_environment_asleep", "") }, 10*time.Second).Should(Equal(1.0))
		Expect(series("envmirror_environment_asleep_seconds_total", "")).To(BeNumerically(">=", 3))
		Expect(series("envmirror_environment_awake_seconds_total", "")).To(BeNumerically(">", 0))
		first := series("envmirror_environment_asleep_seconds_total", "")
		time.Sleep(2 * time.Second)
		Expect(series("envmirror_environment_asleep_seconds_total", "")).To(BeNumerically(">=", first+1.5),
			"the hours asleep grow while it sleeps, with no write to its status")
		Expect(series("envmirror_environment_requests", `,of="prod",resource="cpu"`)).To(Equal(1.5))
		Expect(series("envmirror_environment_requests", `,of="copy",resource="cpu"`)).To(Equal(0.5))
		Expect(series("envmirror_environment_requests", `,of="copy",resource="memory"`)).To(Equal(float64(1 << 30)))
	})
})

var _ = Describe("the ingress activity monitor", func() {
	It("reads every ingress controller pod's request counts through the metrics Service, as the operator may", func() {
		// An ingress controller's metrics endpoint: the counter ingress-nginx exports, served by
		// the Prometheus client as the controller serves it.
		reg := prometheus.NewRegistry()
		requests := prometheus.NewCounterVec(prometheus.CounterOpts{Name: controllers.DefaultIngressMetric, Help: "requests"},
			[]string{"namespace", "ingress", "status"})
		reg.MustRegister(requests)
		requests.WithLabelValues("shop-prod-other", "web", "200").Add(5)
		// The API server refuses loopback endpoints: the server listens on this host's own address.
		ip := hostAddress()
		l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
		Expect(err).NotTo(HaveOccurred())
		srv := &http.Server{Handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.Serve(l) }()
		DeferCleanup(srv.Close)
		port := int32(l.Addr().(*net.TCPAddr).Port)

		ingressNS, copyNS := unique("ingress"), unique("copy")
		createNamespace(ingressNS, nil)
		Expect(k8s.Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ingressNS, Name: "controller-metrics"},
			Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Name: "metrics", Port: 10254}}}})).To(Succeed())
		Expect(k8s.Create(ctx, &discoveryv1.EndpointSlice{
			ObjectMeta:  metav1.ObjectMeta{Namespace: ingressNS, Name: "controller-metrics-1", Labels: map[string]string{discoveryv1.LabelServiceName: "controller-metrics"}},
			AddressType: discoveryv1.AddressTypeIPv4,
			Endpoints:   []discoveryv1.Endpoint{{Addresses: []string{ip}, Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)}}},
			Ports:       []discoveryv1.EndpointPort{{Name: ptr.To("metrics"), Port: ptr.To(port)}},
		})).To(Succeed())

		// As the operator: its ClusterRole must let it list EndpointSlices.
		operator, err := client.New(opCfg, client.Options{Scheme: scheme})
		Expect(err).NotTo(HaveOccurred())
		var woken []string
		a := &controllers.IngressActivity{Reader: operator, Service: types.NamespacedName{Namespace: ingressNS, Name: "controller-metrics"},
			Port: "metrics", Metric: controllers.DefaultIngressMetric, NamespaceLabel: "namespace", Clock: clock.RealClock{},
			OnActivity: func(ns string) { woken = append(woken, ns) }}

		a.Scrape(ctx)
		last, since, ok, why := a.LastRequest(copyNS, time.Now())
		Expect(ok).To(BeTrue(), why)
		Expect(last.IsZero()).To(BeTrue(), "no request seen in the copy's namespace")
		Expect(since).To(BeTemporally("~", time.Now(), 5*time.Second), "idleness is measured from the first scrape")

		requests.WithLabelValues(copyNS, "frontend", "503").Inc() // a request to a sleeping copy fails, and counts
		a.Scrape(ctx)
		last, _, ok, _ = a.LastRequest(copyNS, time.Now())
		Expect(ok).To(BeTrue())
		Expect(last).To(BeTemporally("~", time.Now(), 5*time.Second))
		Expect(woken).To(Equal([]string{copyNS}), "the environments of that namespace are woken")

		Expect(srv.Close()).To(Succeed())
		a.Scrape(ctx)
		_, _, ok, why = a.LastRequest(copyNS, time.Now())
		Expect(ok).To(BeFalse(), "a controller pod that cannot be read makes idleness unknown")
		Expect(why).To(ContainSubstring("could not be read"))
	})
})

// hostAddress is an IPv4 address of this host other than loopback.
func hostAddress() string {
	addrs, err := net.InterfaceAddrs()
	Expect(err).NotTo(HaveOccurred())
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil && !n.IP.IsLinkLocalUnicast() {
			return n.IP.String()
		}
	}
	Fail("this host has no IPv4 address but loopback, and an EndpointSlice may not point at loopback")
	return ""
}

var _ = DescribeTable("waking catches up with prod as followProd says",
	func(follow v1alpha1.FollowPolicy) {
		devNS, prodNS := unique("dev"), unique("prod")
		createNamespace(devNS, nil)
		smallProd(prodNS)
		grantMirroring(prodNS)
		env := newEnv(devNS, "follows", prodNS)
		env.Spec.FollowProd = follow
		Expect(k8s.Create(ctx, env)).To(Succeed())
		target := prodNS + "-follows"
		eventuallyCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionTrue, v1alpha1.ReasonCopied)
		Eventually(func() error { markCopiesReady(target); return nil }).Should(Succeed())
		eventuallyCondition(env, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonReady)
		image := copyOf(target, "api", &appsv1.Deployment{}).Spec.Template.Spec.Containers[0].Image

		setOverride(env, &v1alpha1.SleepOverride{State: v1alpha1.SleepAsleep})
		Eventually(func() v1alpha1.Phase { return getEnv(env).Status.Phase }, 20*time.Second).Should(Equal(v1alpha1.PhaseSleeping))

		By("prod rolling out a new image while the copy sleeps")
		d := &appsv1.Deployment{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: prodNS, Name: "api"}, d)).To(Succeed())
		d.Spec.Template.Spec.Containers[0].Image = "registry.example/api:2.0"
		Expect(k8s.Update(ctx, d)).To(Succeed())
		(&prodShop{ns: prodNS}).runPods("api", 1, d.Spec.Template.Spec, "v2")
		Consistently(func() string {
			return copyOf(target, "api", &appsv1.Deployment{}).Spec.Template.Spec.Containers[0].Image
		}, 3*time.Second).Should(Equal(image), "nothing follows prod while asleep")
		Expect(condition(env, v1alpha1.ConditionDrifted).Reason).To(Equal(v1alpha1.ReasonSleeping), "drift is not reported while asleep")

		By("waking")
		setOverride(env, nil)
		Eventually(func() int32 { return replicasOf(target, "api", &appsv1.Deployment{}) }, 20*time.Second).Should(Equal(int32(1)))
		if follow == v1alpha1.FollowAlways {
			Eventually(func() string {
				return copyOf(target, "api", &appsv1.Deployment{}).Spec.Template.Spec.Containers[0].Image
			}, 20*time.Second).Should(ContainSubstring("registry.example/api:2.0@sha256:"), "the woken copy follows prod")
			eventuallyCondition(env, v1alpha1.ConditionDrifted, metav1.ConditionFalse, v1alpha1.ReasonNoDrift)
			return
		}
		c := eventuallyCondition(env, v1alpha1.ConditionDrifted, metav1.ConditionTrue, v1alpha1.ReasonFrozen)
		Expect(c.Message).To(ContainSubstring("registry.example/api:2.0"), "what prod changed while it slept")
		Expect(copyOf(target, "api", &appsv1.Deployment{}).Spec.Template.Spec.Containers[0].Image).To(Equal(image),
			"the frozen copy wakes as it slept")
	},
	Entry("followProd: Always", v1alpha1.FollowAlways),
	Entry("followProd: Never", v1alpha1.FollowNever),
)
