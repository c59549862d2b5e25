package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

func (r *report) printTargets(w io.Writer) {
	fmt.Fprintf(w, "\nTargets\n")
	empty, base := r.stage("empty"), r.stage("unrelated")
	if empty != nil && base != nil {
		growth := base.mem.rssMiB/empty.mem.rssMiB - 1
		fmt.Fprintf(w, "  RSS with unrelated objects: %+.1f%% (%.1f -> %.1f MiB; target <= %.0f%%): %s\n",
			100*growth, empty.mem.rssMiB, base.mem.rssMiB, 100*maxUnrelatedGrowth, verdict(growth <= maxUnrelatedGrowth))
	}
	if from, last := r.marginalFrom(), r.lastMemoryStage(); from != nil && last.envs > from.envs {
		rss, _ := slope(from, last)
		fmt.Fprintf(w, "  RSS per environment, marginal (%d -> %d): %.3f MiB (target <= %.1f): %s\n",
			from.envs, last.envs, rss, maxMiBPerEnvironment, verdict(rss <= maxMiBPerEnvironment))
	}
	if at := r.atEnvs(peakRSSAt); at != nil {
		fmt.Fprintf(w, "  Peak RSS up to %d environments: %.1f MiB (VmHWM at the end of that stage; target <= %.0f): %s\n",
			peakRSSAt, at.hwmMiB, maxPeakRSSMiB, verdict(at.hwmMiB <= maxPeakRSSMiB))
	}
	var requests, written int
	for _, s := range r.provisioning() {
		requests, written = requests+s.traffic.total(), written+s.traffic.objectsWritten
		fmt.Fprintf(w, "  API requests while provisioning %d more: %d for %d objects written = %s per object "+
			"(%.1f requests, %.1f objects per environment; target <= %.1f): %s\n",
			s.provisioned, s.traffic.total(), s.traffic.objectsWritten, perObject(s.traffic),
			float64(s.traffic.total())/float64(s.provisioned), float64(s.traffic.objectsWritten)/float64(s.provisioned),
			maxRequestsPerObject, verdict(float64(s.traffic.total()) <= maxRequestsPerObject*float64(s.traffic.objectsWritten)))
	}
	if n := len(r.provisioning()); n > 1 && written > 0 {
		ratio := float64(requests) / float64(written)
		fmt.Fprintf(w, "  API requests while provisioning, all stages: %d for %d objects = %.2f per object (target <= %.1f): %s\n",
			requests, written, ratio, maxRequestsPerObject, verdict(ratio <= maxRequestsPerObject))
	}
	if s := r.stage("at rest"); s != nil {
		st := stormOf(s, r.o.resyncInterval)
		v := verdict(st.met())
		if why := st.inconclusive(); why != "" {
			v = "NOT CONCLUSIVE (" + why + ")"
		}
		fmt.Fprintf(w, "  No resync storm: busiest second %d requests (bound %d), %.1f reconciles (bound %d): %s\n",
			st.busiestRequests, st.requestBound, st.busiestReconciles, st.reconcileBound, v)
	}
}

func (r *report) printStorm(w io.Writer) {
	s := r.stage("at rest")
	if s == nil {
		return
	}
	st := stormOf(s, r.o.resyncInterval)
	window := s.end.Sub(s.start)
	intervals := window.Seconds() / r.o.resyncInterval.Seconds()
	fmt.Fprintf(w, "\nNo resync storm: %d environments at rest for %s, the manager's --resync-interval=%s (%.1f intervals)\n",
		st.envs, window.Round(time.Second), r.o.resyncInterval, intervals)
	if why := st.inconclusive(); why != "" {
		fmt.Fprintf(w, "  NOT CONCLUSIVE: %s (--rest=0 waits two intervals)\n", why)
	}
	fmt.Fprintf(w, "  reconciles: %.0f, %.2f a second (each environment resyncs once an interval: %.0f expected)\n",
		st.reconciles, st.reconciles/float64(max(st.secs, 1)), st.expected)
	if b := perBucket(r.restSamples, 10*time.Second); len(b) > 0 {
		fmt.Fprintf(w, "  reconciles per 10 s: %s\n", joinFloats(b))
	}
	fmt.Fprintf(w, "  requests: %d in %d s: %d watches, %d lists of %d kinds, %d others (%.2f per reconcile)\n",
		st.requests, st.secs, st.watches, st.lists, st.census, st.requests-st.watches-st.lists, st.requestsPerReconcile)
	fmt.Fprintf(w, "  busiest second: %.1f reconciles (bound %d); %d requests (bound %d): %s\n",
		st.busiestReconciles, st.reconcileBound, st.busiestRequests, st.requestBound, orNone(formatCounts(st.busiest)))
	fmt.Fprintf(w, "  The bound: resyncs spread by each environment's uid arrive at random; a random stream of the window's\n"+
		"  mean rate has a second above the reconcile bound with probability < %.1f%% (Poisson, over the window's seconds).\n"+
		"  Requests: that bound times the requests of one reconcile (at least 1), plus what does not grow with\n"+
		"  environments: one census of prod's kinds (%d lists at once) and the watches' own Poisson bound.\n"+
		"  Resyncs in step would finish %d reconciles within seconds, as fast as %s workers go.\n",
		100*stormP, st.census, st.envs, workersOf(r.o))
}

func workersOf(o options) string {
	for _, a := range o.managerArgs {
		if v, ok := strings.CutPrefix(a, "--max-concurrent-reconciles="); ok {
			return v
		}
	}
	return "4"
}

func (r *report) printDeletion(w io.Writer) {
	s := r.stage("deletion")
	if s == nil {
		return
	}
	del := r.stage("at rest")
	n := 0
	if del != nil {
		n = del.envs
	}
	fmt.Fprintf(w, "\nDeletion at scale: %d environments deleted at once (one DELETE each, 8 at a time)\n", n)
	fmt.Fprintf(w, "  every MirrorEnvironment gone in %s, every target namespace gone in %s (load at end %s)\n",
		s.envsGoneIn.Round(100*time.Millisecond), s.readyIn.Round(100*time.Millisecond), formatLoad(s.load))
	fmt.Fprintf(w, "  the manager: %d requests, %.0f reconciles (%s), %.1f s CPU\n",
		s.traffic.total(), s.reconciles, s.reconcileTime.latency(), s.cpuSeconds)
	if f := r.floor; f != nil && f.deletedIn > 0 {
		fmt.Fprintf(w, "  floor: deleting the floor's %d namespaces directly took %s\n", f.namespaces, f.deletedIn.Round(100*time.Millisecond))
	}
}

func (r *report) printFloor(w io.Writer) {
	f := r.floor
	if f == nil {
		return
	}
	fmt.Fprintf(w, "\nFloor: a raw server-side apply of the first environment's copy into %d fresh namespaces\n", f.namespaces)
	fmt.Fprintf(w, "  %d objects a namespace (%s), the last whole object the manager sent for each, %d workloads to be ready\n",
		f.objectsPerNamespace, formatCounts(f.kinds), f.workloadsPerNamespace)
	if len(f.partial) > 0 {
		fmt.Fprintf(w, "  not replayed (the manager's writes that carry no whole object): %s\n", formatCounts(f.partial))
	}
	fmt.Fprintf(w, "  as %s (cluster-admin, queued by API priority and fairness as the operator is), no client-side rate limit, %d namespaces at once\n",
		floorUser, r.o.floorWorkers)
	if f.readyIn == 0 {
		fmt.Fprintf(w, "  (did not finish)\n")
		return
	}
	fmt.Fprintf(w, "  applied in %s; all workloads ready in %s; %d requests (%s per object), busiest second %d; load %.1f/%.1f mean/max, %s at end\n",
		f.appliedIn.Round(100*time.Millisecond), f.readyIn.Round(100*time.Millisecond), f.traffic.total(), perObject(f.traffic),
		f.busiestRequests, f.samples.meanLoad1, f.samples.maxLoad1, formatLoad(f.load))
	var op time.Duration
	var parts []string
	for _, s := range r.provisioning() {
		op += s.readyIn
		parts = append(parts, fmt.Sprintf("%d in %s", s.provisioned, s.readyIn.Round(100*time.Millisecond)))
	}
	fmt.Fprintf(w, "  Time to all Ready: the operator %s (%s), the floor %s: %.2fx the floor\n",
		op.Round(100*time.Millisecond), strings.Join(parts, ", "), f.readyIn.Round(100*time.Millisecond), op.Seconds()/f.readyIn.Seconds())
}

func joinFloats(fs []float64) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = fmt.Sprintf("%.0f", f)
	}
	return strings.Join(parts, " ")
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
