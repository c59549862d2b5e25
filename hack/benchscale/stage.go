package main

import (
	"time"
)

// stage is one window of the run and what the manager and the machine did in it: the memory
// stages (empty, unrelated, N environments), the window at rest, the deletion.
type stage struct {
	name string
	envs int // environments that exist at its end
	// provisioned is how many environments it created (0 for the others).
	provisioned int
	start, end  time.Time
	// readyIn is, for a provisioning stage, from creating its environments until all were
	// Ready; for the deletion, until every environment and target namespace was gone.
	readyIn time.Duration
	// envsGoneIn is, for the deletion, until the last environment was gone.
	envsGoneIn time.Duration
	mem        *memory // the reading at its end (nil: none taken)

	traffic       traffic // the manager's requests (the proxy's counts since its start)
	reconciles    float64
	reconcileTime histogram // controller-runtime's, this stage's observations only
	queueWait     histogram
	cpuSeconds    float64 // the manager's user+system CPU time
	samples       sampleStats
	hwmMiB        float64 // VmHWM at its end: the peak RSS of the whole run so far
	load          [3]float64
	// busiestRequests is the largest number of requests in one whole second of the stage.
	busiestRequests   int
	busiestRequestsAt time.Time
	busiestDetail     map[string]int // the busiest second's requests, by verb and resource
	requestSeconds    int64
}

// mark is the manager's cumulative counters at one moment.
type mark struct {
	at                       time.Time
	reconcileTime, queueWait histogram
	reconciles, cpu          float64
}

func (b *bench) mark() mark {
	mk := mark{at: time.Now()}
	if fams, err := b.m.scrape(); err == nil {
		mk.reconcileTime, _ = histogramOf(fams, reconcileTimeMetric, "controller", controllerName)
		mk.queueWait, _ = histogramOf(fams, queueWaitMetric, "controller", controllerName)
		mk.reconciles = counterSum(fams, "controller_runtime_reconcile_total", "controller", controllerName)
	}
	mk.cpu, _ = cpuSeconds(b.m.pid())
	return mk
}

// begin starts a stage: the proxy's counts restart.
func (b *bench) begin() mark {
	b.proxy.reset()
	return b.mark()
}

// end closes the stage begun at from, and records it in the report.
func (b *bench) end(s *stage, from mark) *stage {
	to := b.mark()
	s.start, s.end = from.at, to.at
	s.traffic = b.proxy.snapshot()
	s.reconciles = to.reconciles - from.reconciles
	s.reconcileTime = to.reconcileTime.since(from.reconcileTime)
	s.queueWait = to.queueWait.since(from.queueWait)
	s.cpuSeconds = to.cpu - from.cpu
	s.samples = statsOf(b.mon.between(from.at, to.at))
	s.hwmMiB, _ = vmStatus(b.m.pid(), "VmHWM")
	s.load = loadAverage()
	s.busiestRequests, s.busiestRequestsAt = b.proxy.perSecond.busiest(from.at, to.at)
	s.busiestDetail = b.proxy.perSecond.in(s.busiestRequestsAt)
	_, s.requestSeconds = b.proxy.perSecond.total(from.at, to.at)
	b.r.stages = append(b.r.stages, s)
	return s
}
