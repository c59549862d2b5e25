//go:build e2e

package e2e

import (
	"fmt"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Failover budgets. A SIGKILLed leader cannot release its Lease: the standby takes it once the
// lease expires (controller-runtime's LeaseDuration, 15 s, plus up to one RetryPeriod, 2 s).
// A leader that stops cleanly releases it (LeaderElectionReleaseOnCancel): the standby takes it
// at its next retry.
const (
	killedLeaderBudget  = 20 * time.Second
	stoppedLeaderBudget = 5 * time.Second
)

// Two managers with --leader-elect against the cluster, run outside any pod: the Lease lives in a
// namespace of this run (--leader-election-namespace) and the managers hold only the operator's
// RBAC plus config/rbac's leader-election Role there. Which one leads, and when the other has
// reconciled, is read from their metrics (leader_election_master_status,
// controller_runtime_reconcile_total).
var _ = Describe("Leader election", Ordered, func() {
	var (
		leaseNamespace  string
		operatorConfig  string
		leader, standby *electedManager
	)

	BeforeAll(func() {
		if operator != nil {
			By("stopping the suite's operator: it runs without leader election and would reconcile alongside")
			operator.stop()
			operator = nil
		}
		leaseNamespace = "e2e-leases-" + runID
		mustKubectl("create", "namespace", leaseNamespace)
		DeferCleanup(func() { _, _ = kubectl("delete", "namespace", leaseNamespace, "--wait=false") })
		operatorConfig = operatorKubeconfig()
		grantLeaderElection(operatorConfig, leaseNamespace)

		first := startElectedManager("a", operatorConfig, leaseNamespace)
		second := startElectedManager("b", operatorConfig, leaseNamespace)
		DeferCleanup(func() {
			first.process.stop()
			second.process.stop()
			operator = nil // the next spec that needs an operator starts the suite's own
		})
		Eventually(func() int {
			n := 0
			for _, m := range []*electedManager{first, second} {
				if m.state().leading {
					n++
				}
			}
			return n
		}).WithTimeout(30*time.Second).WithPolling(250*time.Millisecond).Should(Equal(1), "exactly one of the two managers leads")
		leader, standby = first, second
		if second.state().leading {
			leader, standby = second, first
		}
		Expect(standby.state().reconciles).To(BeZero(), "the standby reconciled while the other led")
		operator = leader.process // waitForPhase watches it
		By(fmt.Sprintf("manager %s leads, %s stands by", leader.name, standby.name))
	})

	// handOver signals the leader while an environment provisions, and returns how long the
	// standby took to lead and to reconcile; the standby is the new leader afterwards.
	handOver := func(sig syscall.Signal, budget time.Duration, env string) takeover {
		signal := map[syscall.Signal]string{syscall.SIGKILL: "SIGKILL", syscall.SIGTERM: "SIGTERM"}[sig]
		GinkgoHelper()
		createEnv(envOptions{name: env, data: true})
		awaitCopyStarted(sourceNamespace + "-" + env)
		phase := envField(env, "{.status.phase}")
		Expect(phase).NotTo(Equal("Ready"), "the environment must still be provisioning when the leader goes")

		By(fmt.Sprintf("sending %s to the leader %s while %s is %q", signal, leader.name, env, phase))
		signalled := time.Now()
		Expect(leader.process.cmd.Process.Signal(sig)).To(Succeed())
		t := awaitTakeover(standby, signalled, budget+10*time.Second)
		Eventually(leader.process.done).WithTimeout(30*time.Second).Should(BeClosed(), "the old leader did not exit")
		msg := fmt.Sprintf("after %s of the leader: the standby led after %s and reconciled after %s (budget %s)",
			signal, t.lease.Round(10*time.Millisecond), t.reconcile.Round(10*time.Millisecond), budget)
		By(msg)
		AddReportEntry("failover after "+signal, msg)
		Expect(t.reconcile).NotTo(BeZero(), "the standby did not take over:\n%s", standby.process.logTail(40))
		Expect(t.reconcile).To(BeNumerically("<=", budget), msg)

		leader, standby = standby, nil
		operator = leader.process
		waitForPhase(env, "Ready", readyTimeout)
		expectExactlyOneOfEach(env, []string{"orders-db"})
		return t
	}

	It("replaces a SIGKILLed leader within 20 s, mid-provisioning", func() {
		handOver(syscall.SIGKILL, killedLeaderBudget, envName("failover-kill"))
	})

	It("replaces a leader that stops cleanly (SIGTERM) within 5 s", func() {
		By("starting a new standby")
		third := startElectedManager("c", operatorConfig, leaseNamespace)
		DeferCleanup(func() { third.process.stop() })
		standby = third
		Consistently(func() bool { return standby.state().leading }).WithTimeout(3*time.Second).
			WithPolling(500*time.Millisecond).Should(BeFalse(), "the new manager took the lease from a live leader")
		handOver(syscall.SIGTERM, stoppedLeaderBudget, envName("failover-term"))
	})
})
