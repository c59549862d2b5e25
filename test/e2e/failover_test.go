//go:build e2e

package e2e

import (
	"fmt"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Failover budgets (issue #15). A SIGKILLed leader cannot release its Lease: the standby takes it
// once the lease has not been renewed for LeaseDuration, counted from when the standby last saw
// it change. The leader renews every RetryPeriod; the standby polls every RetryPeriod to
// 2.2 × RetryPeriod (client-go's JitterFactor 1.2), so it may see the last renewal up to one poll
// late and take the lease up to one poll after it expired: from the kill, LeaseDuration − RetryPeriod
// to LeaseDuration + 4.4 × RetryPeriod. With controller-runtime's defaults (15 s, 2 s) that is
// 13 to 23.8 s, so the 20 s budget holds only when the lease timings are tighter (e.g. 10 s
// and 2 s: at most 18.8 s). A leader that stops cleanly releases the Lease
// (LeaderElectionReleaseOnCancel): the standby takes it at its next poll, within 4.4 s.
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
