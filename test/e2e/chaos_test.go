//go:build e2e

package e2e

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// chaosEnv is one environment of the crash loop: a plain copy, or one with a database whose
// schema comes from the sample's ConfigMap or (fromDatabase) from prod through a DSN, which puts
// a schema Job and a Secret in the operator's namespace.
type chaosEnv struct {
	name      string
	databases []string
	fromDB    string // the DSN Secret, for a schema read from prod's database
	uid       string
}

func (e *chaosEnv) target() string { return sourceNamespace + "-" + e.name }

func (e *chaosEnv) manifest() string {
	GinkgoHelper()
	m := envOptions{name: e.name, data: len(e.databases) > 0}.manifest()
	if e.fromDB == "" {
		return m
	}
	configMapSchema := fmt.Sprintf("      configMapRef:\n        name: %s\n        key: schema.sql\n", schemaConfigMap)
	Expect(strings.Count(m, configMapSchema)).To(Equal(1), "envOptions.manifest() changed shape:\n%s", m)
	return strings.Replace(m, configMapSchema, fmt.Sprintf("      fromDatabase:\n        secretRef:\n          name: %s\n", e.fromDB), 1)
}

func (e *chaosEnv) create() {
	GinkgoHelper()
	// The uid comes back from the apply itself: a second kubectl call here would spend a
	// tenth of the time a plain copy takes to become Ready before the kill could land.
	uid, err := kubectlIn(e.manifest(), "apply", "-f", "-", "-o", "jsonpath={.metadata.uid}")
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() {
		_, _ = kubectl("-n", envNamespace, "delete", "mirrorenvironment", e.name, "--ignore-not-found", "--wait=false")
	})
	e.uid = strings.TrimSpace(uid)
	Expect(e.uid).NotTo(BeEmpty())
}

func (e *chaosEnv) remove() {
	GinkgoHelper()
	mustKubectl("-n", envNamespace, "delete", "mirrorenvironment", e.name, "--wait=false")
}

// chaosStep is what the crash loop does before its next SIGKILL.
type chaosStep struct {
	what string
	do   func()
}

var _ = Describe("Chaos", func() {
	BeforeEach(func() {
		if operator == nil {
			By("starting the operator")
			operator = startOperator()
		}
	})

	It("leaves no duplicate and no orphan through a crash loop of 12 SIGKILLs amid provisioning and deletion", func() {
		dsn := "e2e-chaos-prod-dsn-" + runID
		mustKubectl("-n", envNamespace, "create", "secret", "generic", dsn,
			"--from-literal=dsn=postgres://reader:FAKE-prod-reader@postgres.shop-prod:5432/orders?sslmode=disable")
		DeferCleanup(func() { _, _ = kubectl("-n", envNamespace, "delete", "secret", dsn) })
		db := []string{"orders-db"}
		plainA, dataB, prodSchemaC := &chaosEnv{name: envName("chaos-a")}, &chaosEnv{name: envName("chaos-b"), databases: db},
			&chaosEnv{name: envName("chaos-c"), databases: db, fromDB: dsn}
		plainD, dataE, prodSchemaF := &chaosEnv{name: envName("chaos-d")}, &chaosEnv{name: envName("chaos-e"), databases: db},
			&chaosEnv{name: envName("chaos-f"), databases: db, fromDB: dsn}
		all := []*chaosEnv{plainA, dataB, prodSchemaC, plainD, dataE, prodSchemaF}
		create := func(e *chaosEnv) chaosStep { return chaosStep{"create " + e.name, e.create} }
		remove := func(e *chaosEnv) chaosStep { return chaosStep{"delete " + e.name, e.remove} }
		carryOn := chaosStep{"carry on", func() {}}
		steps := []chaosStep{
			create(plainA), create(dataB), create(prodSchemaC), carryOn, create(plainD), remove(plainA),
			create(dataE), carryOn, remove(prodSchemaC), create(prodSchemaF), remove(dataB), carryOn,
		}

		// The pauses come from the suite's seed: ginkgo --seed=N replays a failing run's kill points.
		rng := rand.New(rand.NewPCG(uint64(GinkgoRandomSeed()), 0xc4a05))
		allNames := make([]string, len(all))
		for i, e := range all {
			allNames[i] = e.name
		}
		busyKills := 0
		for i, step := range steps {
			step.do()
			// A plain copy is Ready in about 0.8 s on a busy machine and sooner on an idle one, and
			// a deletion is done in less: a pause of up to 1.5 s let a third of the kills land at
			// rest, and one of up to 0.6 s, plus two kubectl calls, still did too often on an
			// idle CI machine. The kill point stays random, within the work.
			pause := time.Duration(rng.Int64N(int64(250 * time.Millisecond))).Round(time.Millisecond)
			time.Sleep(pause)
			phases := envPhases(allNames...)
			if busy(phases) {
				busyKills++
			}
			By(fmt.Sprintf("SIGKILL %d/%d, %s after %s: %s", i+1, len(steps), step.what, pause, phases))
			operator.kill(syscall.SIGKILL)
			operator = startOperator()
		}
		AddReportEntry("crash loop", fmt.Sprintf("%d SIGKILLs, %d of them while an environment was provisioning or being deleted",
			len(steps), busyKills))
		Expect(busyKills).To(BeNumerically(">=", len(steps)*2/3),
			"most kills must land amid work, or the loop tests little: pauses too long for how fast the operator is?")

		By("every remaining environment becomes Ready, with exactly one of each copy")
		for _, e := range []*chaosEnv{plainD, dataE, prodSchemaF} {
			waitForPhase(e.name, "Ready", readyTimeout)
			expectExactlyOneOfEach(e.name, e.databases)
		}
		// Prod's database is read by two Jobs in the operator's namespace: the probe (prod's
		// version and extensions choose the stand-in) and the schema Job; one of each.
		for _, component := range []string{"data", "dependencies"} {
			jobs := listJobs(Default, operatorNamespace, labelEnvironmentUID+"="+prodSchemaF.uid+",envmirror.io/component="+component)
			Expect(jobs.Items).To(HaveLen(1), "%s Jobs of %s in %s", component, prodSchemaF.name, operatorNamespace)
		}

		By("every deleted environment is gone without a trace")
		for _, e := range []*chaosEnv{plainA, dataB, prodSchemaC} {
			expectNothingLeftOf(e.name, e.uid, e.target())
		}
		expectNoOperatorWritesToProd()
	})

	It("recovers from an API server restart mid-provisioning without being restarted", func() {
		name := envName("chaos-apiserver")
		target := sourceNamespace + "-" + name
		pid := operator.cmd.Process.Pid
		createEnv(envOptions{name: name, data: true})
		awaitCopyStarted(target)
		By(fmt.Sprintf("killing kube-apiserver while %s is %q; it stays down 3 s", name, envField(name, "{.status.phase}")))
		By(clusterTool("restart", "--kill", "--down=3s", "kube-apiserver"))

		back := time.Now()
		waitForPhase(name, "Ready", readyTimeout) // fails at once if the operator exits
		// Part of this is the cluster's own recovery: the job controller and KWOK back off too.
		AddReportEntry("API server restart", fmt.Sprintf("%s was Ready %s after the API server was back",
			name, time.Since(back).Round(time.Second)))
		Expect(operator.exited()).To(BeFalse())
		Expect(operator.cmd.Process.Pid).To(Equal(pid), "the same operator process throughout")
		expectExactlyOneOfEach(name, []string{"orders-db"})

		By("its watches work again: a copied Deployment deleted by hand comes back")
		deps := listDeployments(Default, target, "").Items
		Expect(deps).NotTo(BeEmpty())
		dep, oldUID := deps[0].Name, string(deps[0].UID)
		mustKubectl("-n", target, "delete", "deployment", dep, "--wait=false")
		Eventually(func() string {
			uid, _ := kubectl("-n", target, "get", "deployment", dep, "-o", "jsonpath={.metadata.uid}")
			return uid
		}).WithTimeout(time.Minute).WithPolling(poll).ShouldNot(Or(BeEmpty(), Equal(oldUID)),
			"deployment %s/%s was not re-created:\n%s", target, dep, operator.logTail(30))
	})
})
