package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// The targets.
const (
	maxUnrelatedGrowth   = 0.10 // RSS growth from an empty cluster to one with unrelated namespaces
	maxMiBPerEnvironment = 0.3
	maxRequestsPerObject = 1.5
)

type memoryRow struct {
	stage string
	envs  int
	memory
}

type trafficRow struct {
	envs       int // environments provisioned in this window
	readyIn    time.Duration
	traffic    traffic
	reconciles float64
}

type report struct {
	memory  []memoryRow
	traffic []trafficRow
	rest    trafficRow
	heapTop string
}

func (r *report) row(stage string) (memoryRow, bool) {
	for _, m := range r.memory {
		if m.stage == stage {
			return m, true
		}
	}
	return memoryRow{}, false
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

func (r *report) print(w io.Writer, o options) {
	fmt.Fprintf(w, "\n==== envmirror scale benchmark ====\n\n")
	fmt.Fprintf(w, "Memory of the manager (VmRSS after a forced GC, median of 3; Go heap in use)\n")
	fmt.Fprintf(w, "  %-16s %6s %10s %10s\n", "stage", "envs", "RSS MiB", "heap MiB")
	for _, m := range r.memory {
		fmt.Fprintf(w, "  %-16s %6d %10.1f %10.1f\n", m.stage, m.envs, m.rssMiB, m.heapInuseMiB)
	}
	fmt.Fprintf(w, "  (unrelated: %d namespaces, each with a Deployment of %d pods, %d Secrets of 4 KiB, %d ConfigMaps of 8 KiB;\n"+
		"   environments mirror %d prod namespaces in turn, every other one with a database)\n",
		o.unrelated, o.perNamespace, o.perNamespace, o.perNamespace, o.prods)

	fmt.Fprintf(w, "\nTargets\n")
	empty, ok1 := r.row("empty")
	base, ok2 := r.row("unrelated")
	if ok1 && ok2 {
		growth := base.rssMiB/empty.rssMiB - 1
		fmt.Fprintf(w, "  RSS with unrelated objects: %+.1f%% (%.1f -> %.1f MiB; target <= %.0f%%): %s\n",
			100*growth, empty.rssMiB, base.rssMiB, 100*maxUnrelatedGrowth, verdict(growth <= maxUnrelatedGrowth))
	}
	if last := r.memory[len(r.memory)-1]; ok2 && last.envs > 0 {
		perEnv := (last.rssMiB - base.rssMiB) / float64(last.envs)
		fmt.Fprintf(w, "  RSS per environment above base: %.3f MiB (%.1f MiB at %d; target <= %.1f): %s\n",
			perEnv, last.rssMiB, last.envs, maxMiBPerEnvironment, verdict(perEnv <= maxMiBPerEnvironment))
		heapPerEnv := (last.heapInuseMiB - base.heapInuseMiB) / float64(last.envs)
		fmt.Fprintf(w, "    (Go heap in use per environment: %.3f MiB)\n", heapPerEnv)
		// The first environments also start the informers every later one shares: the slope
		// between the environment stages is the cost of one more.
		if first := r.memory[min(2, len(r.memory)-1)]; first.envs > 0 && first.envs < last.envs {
			n := float64(last.envs - first.envs)
			fmt.Fprintf(w, "    (from %d to %d environments: %.3f MiB RSS, %.3f MiB heap per environment)\n", first.envs, last.envs,
				(last.rssMiB-first.rssMiB)/n, (last.heapInuseMiB-first.heapInuseMiB)/n)
		}
	}
	for _, t := range r.traffic {
		total := t.traffic.total()
		ratio := float64(total) / float64(max(t.traffic.objectsWritten, 1))
		fmt.Fprintf(w, "  API requests while provisioning %d environments: %d for %d objects written = %.2f per object "+
			"(%.1f requests, %.1f objects per environment; target <= %.1f): %s\n",
			t.envs, total, t.traffic.objectsWritten, ratio, float64(total)/float64(t.envs),
			float64(t.traffic.objectsWritten)/float64(t.envs), maxRequestsPerObject, verdict(ratio <= maxRequestsPerObject))
	}

	fmt.Fprintf(w, "\nAPI traffic (the manager's requests through the counting proxy)\n")
	for _, t := range r.traffic {
		r.printTraffic(w, fmt.Sprintf("provisioning %d environments (Ready after %s, then %s settling)",
			t.envs, t.readyIn.Round(time.Second), o.settle), t)
	}
	r.printTraffic(w, fmt.Sprintf("at rest with %d environments, for %s", r.rest.envs, r.rest.readyIn), r.rest)

	fmt.Fprintf(w, "\nHeap in use at the last stage (go tool pprof -top -sample_index=inuse_space; profiles in %s)\n", o.outDir)
	fmt.Fprintln(w, indent(r.heapTop))
}

func (r *report) printTraffic(w io.Writer, title string, t trafficRow) {
	fmt.Fprintf(w, "  %s: %d requests, %.0f reconciles\n", title, t.traffic.total(), t.reconciles)
	fmt.Fprintf(w, "    by verb: %s\n", formatCounts(t.traffic.byVerb()))
	for _, line := range t.traffic.top(12) {
		fmt.Fprintf(w, "    %s\n", line)
	}
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}
