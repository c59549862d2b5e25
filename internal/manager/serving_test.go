package manager_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/manager"
	"github.com/envmirror/envmirror/internal/metrics"
)

// The manager built from the Deployment's flags, as the operator's ServiceAccount: metrics over
// TLS for authorized callers only, the environments gauge from its cache, pprof when asked,
// and a leader-election lease it takes in its namespace and hands back when it stops.
var _ = Describe("The manager's endpoints and leader election", Ordered, func() {
	const watched, unwatched = "dev-watched", "dev-unwatched"
	var (
		pprofURL     string
		stop         context.CancelFunc
		finished     chan struct{} // closed when the manager's Start returned startErr
		startErr     error
		reader, nosy string // scrapers' tokens
	)

	BeforeAll(func() {
		metricsPort, pprofPort := freePort(), freePort()
		metricsURL = fmt.Sprintf("https://127.0.0.1:%d/metrics", metricsPort)
		pprofURL = fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/", pprofPort)
		args := []string{"--leader-elect", "--health-probe-bind-address=0",
			fmt.Sprintf("--metrics-bind-address=127.0.0.1:%d", metricsPort),
			fmt.Sprintf("--pprof-bind-address=127.0.0.1:%d", pprofPort),
			"--watch-namespaces=" + watched}
		// Outside a pod: only the namespace is known, as in `make run` with POD_NAMESPACE set.
		env := map[string]string{manager.EnvPodNamespace: operatorNamespace}
		cfg, err := manager.Parse(args, func(k string) string { return env[k] }, "test", io.Discard)
		Expect(err).NotTo(HaveOccurred())
		opts := cfg.Options(manager.Scheme())
		// Hand the lease over within seconds of a stop in this test (defaults: 15s/10s/2s).
		opts.LeaseDuration, opts.RenewDeadline, opts.RetryPeriod = ptr(4*time.Second), ptr(3*time.Second), ptr(500*time.Millisecond)
		mgr, err := ctrl.NewManager(operatorCfg, opts)
		Expect(err).NotTo(HaveOccurred())
		metrics.WatchEnvironments(mgr.GetCache())

		var mgrCtx context.Context
		mgrCtx, stop = context.WithCancel(ctx)
		finished = make(chan struct{})
		go func() { startErr = mgr.Start(mgrCtx); close(finished) }()
		DeferCleanup(func() { stop(); Eventually(finished).WithTimeout(30 * time.Second).Should(BeClosed()) })

		for _, ns := range []string{watched, unwatched, "monitoring"} {
			Expect(admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})).To(Succeed())
		}
		bindClusterRole("envmirror-metrics-reader", "monitoring", "prometheus")
		reader, nosy = serviceAccountToken("monitoring", "prometheus"), serviceAccountToken("monitoring", "nosy")
	})

	It("takes the lease in its own namespace", func() {
		Eventually(func(g Gomega) {
			lease := &coordinationv1.Lease{}
			g.Expect(admin.Get(ctx, client.ObjectKey{Namespace: operatorNamespace, Name: manager.LeaderElectionID}, lease)).To(Succeed())
			g.Expect(lease.Spec.HolderIdentity).NotTo(BeNil())
			g.Expect(*lease.Spec.HolderIdentity).NotTo(BeEmpty())
		}).WithTimeout(30 * time.Second).WithPolling(200 * time.Millisecond).Should(Succeed())
		By("recording the leadership change as an event on the lease (leader-election RBAC includes events)")
		Eventually(func(g Gomega) {
			events := &corev1.EventList{}
			g.Expect(admin.List(ctx, events, client.InNamespace(operatorNamespace))).To(Succeed())
			var reasons []string
			for _, e := range events.Items {
				if e.InvolvedObject.Kind == "Lease" {
					reasons = append(reasons, e.Reason)
				}
			}
			g.Expect(reasons).To(ContainElement("LeaderElection"))
		}).WithTimeout(30 * time.Second).WithPolling(200 * time.Millisecond).Should(Succeed())
	})

	It("serves metrics over TLS only to callers allowed to GET /metrics", func() {
		Eventually(func() int { code, _ := scrape(metricsURL, ""); return code }).
			WithTimeout(30*time.Second).WithPolling(200*time.Millisecond).Should(Equal(http.StatusUnauthorized), "no token")
		code, body := scrape(metricsURL, nosy)
		Expect(code).To(Equal(http.StatusForbidden), "a ServiceAccount without envmirror-metrics-reader: %s", body)
		// A token the API server does not know is refused too; controller-runtime's filter
		// answers 500 rather than 401 here, because the TokenReview carries an error.
		code, body = scrape(metricsURL, "not-a-token")
		Expect(code).To(BeElementOf(http.StatusUnauthorized, http.StatusInternalServerError), body)
		Expect(body).NotTo(ContainSubstring("envmirror_"))
		code, body = scrape(metricsURL, reader)
		Expect(code).To(Equal(http.StatusOK), body)
		Expect(body).To(ContainSubstring("controller_runtime_"), "controller-runtime's own metrics are served too")
	})

	It("counts the environments of the watched namespaces by phase, from the cache", func() {
		Eventually(func() (float64, error) { return metricValue(reader, `envmirror_environments{phase="Ready"}`) }).
			WithTimeout(30 * time.Second).Should(BeNumerically("==", 0))
		createEnvironment(watched, "ready-one", v1alpha1.PhaseReady)
		createEnvironment(watched, "ready-two", v1alpha1.PhaseReady)
		createEnvironment(watched, "new", "")
		createEnvironment(unwatched, "not-ours", v1alpha1.PhaseReady)
		Eventually(func() (float64, error) { return metricValue(reader, `envmirror_environments{phase="Ready"}`) }).
			WithTimeout(30*time.Second).Should(BeNumerically("==", 2), "Ready environments in %s only", watched)
		Expect(metricValue(reader, `envmirror_environments{phase="Unknown"}`)).To(BeNumerically("==", 1))
		Expect(metricValue(reader, `envmirror_environments{phase="Failed"}`)).To(BeNumerically("==", 0))

		By("moving as the phases move")
		setPhase(watched, "ready-two", v1alpha1.PhaseDegraded)
		Eventually(func() (float64, error) { return metricValue(reader, `envmirror_environments{phase="Degraded"}`) }).
			WithTimeout(30 * time.Second).Should(BeNumerically("==", 1))
		Expect(metricValue(reader, `envmirror_environments{phase="Ready"}`)).To(BeNumerically("==", 1))
	})

	It("serves what the reconciler records", func() {
		before, _ := metricValue(reader, `envmirror_seeded_rows_total{database="orders-db"}`)
		metrics.Seeded("orders-db", 61000, 4*time.Second)
		metrics.Write("Deployment", "apply")
		Expect(metricValue(reader, `envmirror_seeded_rows_total{database="orders-db"}`)).To(BeNumerically("==", before+61000))
		Expect(metricValue(reader, `envmirror_api_writes_total{kind="Deployment",verb="apply"}`)).To(BeNumerically(">=", 1))
	})

	It("serves pprof on its own address when asked", func() {
		resp, err := http.Get(pprofURL)
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
	})

	It("hands the lease back when it stops", func() {
		stop()
		Eventually(finished).WithTimeout(30 * time.Second).Should(BeClosed())
		Expect(startErr).NotTo(HaveOccurred())
		lease := &coordinationv1.Lease{}
		Expect(admin.Get(ctx, client.ObjectKey{Namespace: operatorNamespace, Name: manager.LeaderElectionID}, lease)).To(Succeed())
		// client-go releases a lease by writing an empty holder (and a 1s duration).
		Expect(lease.Spec.HolderIdentity).To(Or(BeNil(), HaveValue(BeEmpty())))
	})
})

// metricsURL is the endpoint of the manager under test.
var metricsURL string

func ptr[T any](v T) *T { return &v }

func freePort() int {
	GinkgoHelper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// scrape GETs the manager's metrics; its certificate is self-signed.
func scrape(url, token string) (int, string) {
	code, body, err := metrics.Scrape(url, token, true)
	if err != nil {
		return 0, err.Error()
	}
	return code, body
}

// metricValue scrapes once and returns the value of one series.
func metricValue(token, series string) (float64, error) {
	code, body := scrape(metricsURL, token)
	if code != http.StatusOK {
		return 0, fmt.Errorf("scrape: %d %s", code, body)
	}
	return metrics.SeriesValue(body, series)
}

func createEnvironment(namespace, name string, phase v1alpha1.Phase) {
	GinkgoHelper()
	env := &v1alpha1.MirrorEnvironment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec:       v1alpha1.MirrorEnvironmentSpec{Source: v1alpha1.SourceSpec{Namespace: "shop-prod"}},
	}
	Expect(admin.Create(ctx, env)).To(Succeed())
	if phase != "" {
		setPhase(namespace, name, phase)
	}
}

func setPhase(namespace, name string, phase v1alpha1.Phase) {
	GinkgoHelper()
	env := &v1alpha1.MirrorEnvironment{}
	Expect(admin.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, env)).To(Succeed())
	env.Status.Phase = phase
	Expect(admin.Status().Update(ctx, env)).To(Succeed())
}
