//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"

	"github.com/envmirror/envmirror/internal/cli"
	"github.com/envmirror/envmirror/internal/metrics"
)

// Issue 23 end to end: a copy with a seeded database sleeps by hand and on schedule, its pods
// go to zero, and it wakes Ready with the same data and credentials, checked from outside (the
// Secrets' bytes, the claims' uids, the seeding Jobs); the operator's metrics show the hours
// asleep. The cluster's own controllers do the scaling: KWOK pods come and go as on nodes.
var _ = Describe("sleep", Ordered, func() {
	var (
		name, target string
		metricsURL   string
		credentials  map[string]string
		claims       map[string]string
		seedJobs     map[string]string
	)

	BeforeAll(func() {
		if operator != nil {
			By("stopping the suite's operator: this spec's serves metrics")
			operator.stop()
		}
		probePort, metricsPort := freeLocalPort(), freeLocalPort()
		operator = launchOperator([]string{"--kubeconfig=" + operatorKubeconfig(), "--leader-elect=false",
			fmt.Sprintf("--health-probe-bind-address=127.0.0.1:%d", probePort),
			fmt.Sprintf("--metrics-bind-address=127.0.0.1:%d", metricsPort), "--metrics-secure=false"}, nil, probePort)
		DeferCleanup(func() { operator.stop(); operator = nil }) // the next spec starts the suite's own
		metricsURL = fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort)

		name = envName("sleepy")
		manifest := envOptions{name: name, data: true}.manifest()
		manifest = strings.Replace(manifest, "  workloads:\n    replicas: 1\n", "  workloads:\n    replicas: 1\n    runCronJobs: true\n", 1)
		By("creating MirrorEnvironment " + name + " with a seeded database and its CronJob running")
		_, err := kubectlIn(manifest, "apply", "-f", "-")
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() {
			_, _ = kubectl("-n", envNamespace, "delete", "mirrorenvironment", name, "--ignore-not-found", "--wait=false")
		})
		waitForPhase(name, "Ready", readyTimeout)
		target = targetNamespace(name)
		Eventually(func(g Gomega) { g.Expect(runningPods(g, target)).NotTo(BeZero()) }).WithTimeout(time.Minute).Should(Succeed())
		credentials, claims, seedJobs = secretsOf(target), uidsOf("persistentvolumeclaims", target), uidsOf("jobs", target)
		Expect(credentials).To(HaveKey("orders-db-credentials"))
		Expect(claims).NotTo(BeEmpty(), "the stand-in's data volume")
		Expect(seedJobs).To(HaveLen(1), "one seeding Job")
	})

	expectKept := func() {
		GinkgoHelper()
		Expect(secretsOf(target)).To(Equal(credentials), "the same Secrets, byte for byte")
		Expect(uidsOf("persistentvolumeclaims", target)).To(Equal(claims), "the same data volumes")
		Expect(uidsOf("jobs", target)).To(Equal(seedJobs), "the same seeding Job, never run again")
	}

	It("sleeps by hand: every pod goes, the data and credentials stay", func() {
		res := kubectlMirror("sleep", name, "--wait", "--timeout", "2m")
		Expect(res.code).To(Equal(cli.ExitOK), res.String())
		Expect(res.stdout).To(ContainSubstring("asleep until woken"))
		Eventually(func(g Gomega) { g.Expect(runningPods(g, target)).To(BeZero()) }).
			WithTimeout(2*time.Minute).WithPolling(poll).Should(Succeed(), "the copy's pods go to zero")
		Expect(mustKubectl("-n", target, "get", "cronjobs", "-o", "jsonpath={.items[*].spec.suspend}")).To(Equal("true"))
		Expect(envField(name, `{.status.conditions[?(@.type=="Sleeping")].reason}`)).To(Equal("ByHand"))
		Expect(mustKubectl("-n", envNamespace, "get", "mirrorenvironment", name)).To(MatchRegexp(`%s\s+e2e/%s\s+Sleeping\s+0/\d+\s+\S+\s+asleep until woken`, name, name))
		ls := kubectlMirror("ls")
		Expect(ls.stdout).To(MatchRegexp(`(?m)^%s +%s +e2e/%s +Sleeping +0/\d+ +\S+ +asleep until woken`, envNamespace, name, name))
		expectKept()
	})

	It("counts the hours asleep in the metrics while it sleeps", func() {
		series := func(metric string) float64 {
			code, body, err := metrics.Scrape(metricsURL, "", false)
			Expect(err).NotTo(HaveOccurred())
			Expect(code).To(Equal(http.StatusOK))
			v, err := metrics.SeriesValue(body, fmt.Sprintf(`%s{environment=%q,namespace=%q}`, metric, name, envNamespace))
			Expect(err).NotTo(HaveOccurred(), body)
			return v
		}
		Expect(series("envmirror_environment_asleep")).To(Equal(1.0))
		first := series("envmirror_environment_asleep_seconds_total")
		Expect(first).To(BeNumerically(">", 0))
		time.Sleep(3 * time.Second)
		Expect(series("envmirror_environment_asleep_seconds_total")).To(BeNumerically(">=", first+2))
		Expect(series("envmirror_environment_awake_seconds_total")).To(BeNumerically(">", 0))
	})

	It("wakes with kubectl mirror up, Ready with the same data and credentials", func() {
		res := kubectlMirror("up", "--name", name, "--branch", "e2e/"+name, "--from", sourceNamespace, "--no-access", "--ttl", "0",
			"--wait", "--timeout", readyTimeout.String())
		Expect(res.code).To(Equal(cli.ExitOK), res.String())
		Expect(res.stdout).To(ContainSubstring("was asleep: awake until"))
		Expect(envField(name, "{.status.phase}")).To(Equal("Ready"))
		Expect(runningPods(Default, target)).NotTo(BeZero())
		Expect(mustKubectl("-n", target, "get", "cronjobs", "-o", "jsonpath={.items[*].spec.suspend}")).To(Equal("false"), "the CronJob runs again")
		expectKept()
	})

	It("sleeps and wakes again with sleep --wait and wake --wait", func() {
		res := kubectlMirror("sleep", name, "--wait", "--timeout", "2m")
		Expect(res.code).To(Equal(cli.ExitOK), res.String())
		Eventually(func(g Gomega) { g.Expect(runningPods(g, target)).To(BeZero()) }).WithTimeout(2 * time.Minute).WithPolling(poll).Should(Succeed())
		res = kubectlMirror("wake", name, "--wait", "--timeout", readyTimeout.String())
		Expect(res.code).To(Equal(cli.ExitOK), res.String())
		Expect(envField(name, "{.status.phase}")).To(Equal("Ready"))
		expectKept()
	})

	It("sleeps and wakes on schedule", func() {
		sleepAt, wakeAt := scheduleEdges()
		day := sleepAt.Weekday().String()[:3]
		patch := fmt.Sprintf(`{"spec":{"sleep":{"override":null,"schedule":{"timeZone":"UTC","awake":[`+
			`{"days":%q,"from":"00:00","to":%q},{"days":%q,"from":%q,"to":"24:00"}]}}}}`,
			day, sleepAt.Format("15:04"), day, wakeAt.Format("15:04"))
		mustKubectl("-n", envNamespace, "patch", "mirrorenvironment", name, "--type=merge", "-p", patch)
		Eventually(func() string { return envField(name, "{.status.sleep.next}") }).WithTimeout(30 * time.Second).
			Should(Equal("sleeps " + sleepAt.Format("Mon 15:04") + " UTC"))

		By(fmt.Sprintf("sleeping at %s", sleepAt.Format(time.RFC3339)))
		Eventually(func() string { return envField(name, "{.status.phase}") }).
			WithTimeout(time.Until(sleepAt) + 30*time.Second).WithPolling(time.Second).Should(Equal("Sleeping"))
		Expect(time.Now()).To(BeTemporally(">=", sleepAt))
		Expect(envField(name, `{.status.conditions[?(@.type=="Sleeping")].reason}`)).To(Equal("Schedule"))
		Eventually(func(g Gomega) { g.Expect(runningPods(g, target)).To(BeZero()) }).
			WithTimeout(time.Until(wakeAt)).WithPolling(poll).Should(Succeed(), "the copy's pods go to zero")

		By(fmt.Sprintf("waking at %s", wakeAt.Format(time.RFC3339)))
		waitForPhase(name, "Ready", time.Until(wakeAt)+readyTimeout)
		Expect(time.Now()).To(BeTemporally(">=", wakeAt))
		expectKept()
		asleep, err := strconv.ParseInt(envField(name, "{.status.sleep.asleepSeconds}"), 10, 64)
		Expect(err).NotTo(HaveOccurred())
		Expect(asleep).To(BeNumerically(">=", 50), "status counts both sleeps")
	})
})

// scheduleEdges are the next two whole minutes (UTC) at least 40 s away, within today.
func scheduleEdges() (time.Time, time.Time) {
	now := time.Now().UTC()
	if now.Hour() == 23 && now.Minute() >= 55 {
		time.Sleep(time.Until(now.Truncate(time.Hour).Add(time.Hour + 5*time.Second)))
		now = time.Now().UTC()
	}
	sleepAt := now.Add(40 * time.Second).Truncate(time.Minute).Add(time.Minute)
	return sleepAt, sleepAt.Add(time.Minute)
}

// runningPods counts the namespace's pods that run or are about to (Jobs' finished pods aside).
func runningPods(g Gomega, ns string) int {
	n := 0
	for _, p := range listPods(g, ns, "").Items {
		if p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed {
			n++
		}
	}
	return n
}

// secretsOf is every Secret's data in ns, as the API server serves it.
func secretsOf(ns string) map[string]string {
	GinkgoHelper()
	var list corev1.SecretList
	Expect(json.Unmarshal([]byte(mustKubectl("-n", ns, "get", "secrets", "-o", "json")), &list)).To(Succeed())
	out := map[string]string{}
	for _, s := range list.Items {
		b, err := json.Marshal(s.Data)
		Expect(err).NotTo(HaveOccurred())
		out[s.Name] = string(b)
	}
	return out
}

// uidsOf maps each object of a resource in ns to its uid: a recreated object has another.
func uidsOf(resource, ns string) map[string]string {
	GinkgoHelper()
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(mustKubectl("-n", ns, "get", resource,
		"-o", `jsonpath={range .items[*]}{.metadata.name}={.metadata.uid}{"\n"}{end}`)), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			out[k] = v
		}
	}
	return out
}
