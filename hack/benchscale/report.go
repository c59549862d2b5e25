package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"
)

// The targets (#12, #22).
const (
	maxUnrelatedGrowth   = 0.10 // RSS growth from an empty cluster to one with unrelated namespaces
	maxMiBPerEnvironment = 0.3  // marginal RSS per environment
	maxRequestsPerObject = 1.5
	peakRSSAt            = 100   // environments at which the peak RSS target applies
	maxPeakRSSMiB        = 110.0 // peak RSS up to peakRSSAt environments
	// stormP is the chance, for resyncs spread at random, that some second of the window
	// exceeds the bound: the bound is what spreading allows, not what a storm allows.
	stormP = 0.001
)

type report struct {
	o         options
	started   time.Time
	startLoad [3]float64
	err       error

	stages      []*stage
	lastMemory  *memory
	restSamples []sample
	floor       *floorResult
	topHeap     heapReport
	cpuProfile  string // the CPU profile taken during the largest step
}

func (r *report) stage(name string) *stage {
	for _, s := range r.stages {
		if s.name == name {
			return s
		}
	}
	return nil
}

// memoryStages are the stages with a memory reading, in order.
func (r *report) memoryStages() []*stage {
	var out []*stage
	for _, s := range r.stages {
		if s.mem != nil {
			out = append(out, s)
		}
	}
	return out
}

// provisioning are the stages that created environments.
func (r *report) provisioning() []*stage {
	var out []*stage
	for _, s := range r.stages {
		if s.provisioned > 0 {
			out = append(out, s)
		}
	}
	return out
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

func (r *report) print(w io.Writer) {
	o := r.o
	fmt.Fprintf(w, "\n==== envmirror scale benchmark ====\n\n")
	fmt.Fprintf(w, "Run: %s; %d prod namespaces; environments %s; %d unrelated namespaces\n",
		o.prod.describe(), o.prods, joinInts(o.steps), o.unrelated)
	fmt.Fprintf(w, "     manager --resync-interval=%s %s(4 concurrent reconciles unless given); floor: %v\n",
		o.resyncInterval, strings.Join(o.managerArgs, " ")+" ", o.floor)
	fmt.Fprintf(w, "Machine: %d cores, load %s at the start (1/5/15 min); the run took %s\n",
		runtime.NumCPU(), formatLoad(r.startLoad), time.Since(r.started).Round(time.Second))
	if r.err != nil {
		fmt.Fprintf(w, "\nINCOMPLETE: %v\nThe figures below are what was measured before that.\n", r.err)
	}
	r.printMemory(w)
	r.printStages(w)
	r.printTargets(w)
	r.printStorm(w)
	r.printDeletion(w)
	r.printFloor(w)
	r.printTraffic(w)
	r.topHeap.print(w, o.outDir)
}

func (r *report) printMemory(w io.Writer) {
	mem := r.memoryStages()
	if len(mem) == 0 {
		return
	}
	fmt.Fprintf(w, "\nMemory of the manager (RSS: VmRSS after a forced GC, median of 3; heap: Go heap in use;\n"+
		"  peak: the highest VmRSS sampled every second during the stage; load: 1-minute load average, mean/max in the stage)\n")
	fmt.Fprintf(w, "  %-18s %6s %9s %9s %9s  %s\n", "stage", "envs", "RSS MiB", "heap MiB", "peak MiB", "load")
	for _, s := range mem {
		fmt.Fprintf(w, "  %-18s %6d %9.1f %9.1f %9.1f  %.1f/%.1f\n", s.name, s.envs, s.mem.rssMiB, s.mem.heapInuseMiB,
			s.samples.peakRSSMiB, s.samples.meanLoad1, s.samples.maxLoad1)
	}
	if o := r.o; o.unrelated > 0 {
		fmt.Fprintf(w, "  (unrelated: %d namespaces, each with a Deployment of %d pods, %d Secrets of 4 KiB, %d ConfigMaps of 8 KiB)\n",
			o.unrelated, o.perNamespace, o.perNamespace, o.perNamespace)
	}
	var peak float64
	var at string
	for _, s := range r.stages {
		if s.samples.peakRSSMiB > peak {
			peak, at = s.samples.peakRSSMiB, s.name
		}
	}
	last := r.stages[len(r.stages)-1]
	fmt.Fprintf(w, "  Peak RSS over the run: %.1f MiB sampled (during %q); VmHWM (the kernel's high-water mark) %.1f MiB\n", peak, at, last.hwmMiB)
	r.printCosts(w)
}

// printCosts separates what environments cost once from what each further one adds: the first
// environment pays for the operator's one-time state (compiled rules, automata) and its prod's
// caches, the first of each further prod for that prod's caches; the slope from there on is
// the cost of one more.
func (r *report) printCosts(w io.Writer) {
	base, first, from, last := r.base(), r.atEnvs(1), r.marginalFrom(), r.lastMemoryStage()
	if base == nil || first == nil {
		return
	}
	fmt.Fprintf(w, "\nOne-time and per-environment costs\n")
	fmt.Fprintf(w, "  first environment: %+.1f MiB RSS, %+.1f MiB heap (%q -> %q)\n",
		first.mem.rssMiB-base.mem.rssMiB, first.mem.heapInuseMiB-base.mem.heapInuseMiB, base.name, first.name)
	if from != first {
		rss, heap := slope(first, from)
		fmt.Fprintf(w, "  first environment of each further prod: %+.1f MiB RSS, %+.1f MiB heap a prod (%q -> %q)\n",
			rss, heap, first.name, from.name)
	}
	if last == nil || last.envs <= from.envs {
		return
	}
	rss, heap := slope(from, last)
	fmt.Fprintf(w, "  marginal per environment, %d -> %d: %.3f MiB RSS, %.3f MiB heap\n", from.envs, last.envs, rss, heap)
	var segments []string
	mem := r.provisioning()
	for i := 1; i < len(mem); i++ {
		if mem[i-1].envs >= from.envs {
			rs, hs := slope(mem[i-1], mem[i])
			segments = append(segments, fmt.Sprintf("%d -> %d: %.3f RSS, %.3f heap", mem[i-1].envs, mem[i].envs, rs, hs))
		}
	}
	if len(segments) > 1 {
		fmt.Fprintf(w, "    (by segment, MiB per environment: %s)\n", strings.Join(segments, "; "))
	}
	fmt.Fprintf(w, "  one-time, the first environment less the marginal: %.1f MiB RSS, %.1f MiB heap\n",
		first.mem.rssMiB-base.mem.rssMiB-rss, first.mem.heapInuseMiB-base.mem.heapInuseMiB-heap)
	if from != first {
		prs, phs := slope(first, from)
		fmt.Fprintf(w, "  one-time per further prod, less the marginal: %.1f MiB RSS, %.1f MiB heap\n", prs-rss, phs-heap)
	}
}

// atEnvs is the provisioning stage that ended with n environments.
func (r *report) atEnvs(n int) *stage {
	for _, s := range r.stages {
		if s.provisioned > 0 && s.envs == n && s.mem != nil {
			return s
		}
	}
	return nil
}

// marginalFrom is the stage the marginal cost is counted from: one environment of each prod.
func (r *report) marginalFrom() *stage {
	if s := r.atEnvs(r.o.prods); s != nil {
		return s
	}
	return r.atEnvs(1)
}

// lastMemoryStage is the last provisioning stage (every one has a memory reading).
func (r *report) lastMemoryStage() *stage {
	mem := r.provisioning()
	if len(mem) == 0 {
		return nil
	}
	return mem[len(mem)-1]
}

// base is the stage the environments' costs are counted from: with the unrelated namespaces
// when there are some.
func (r *report) base() *stage {
	if s := r.stage("unrelated"); s != nil {
		return s
	}
	return r.stage("empty")
}

// envStage names the stage that ends with n environments.
func envStage(n int) string {
	if n == 1 {
		return "1 environment"
	}
	return fmt.Sprintf("%d environments", n)
}

func slope(a, b *stage) (rss, heap float64) {
	n := float64(b.envs - a.envs)
	return (b.mem.rssMiB - a.mem.rssMiB) / n, (b.mem.heapInuseMiB - a.mem.heapInuseMiB) / n
}

func (r *report) printStages(w io.Writer) {
	if len(r.stages) == 0 {
		return
	}
	fmt.Fprintf(w, "\nStages: the manager's API requests (through the counting proxy)\n")
	fmt.Fprintf(w, "  %-18s %9s %9s %9s %8s %8s %11s\n", "stage", "duration", "ready in", "requests", "written", "req/obj", "busiest/s")
	for _, s := range r.stages {
		ready := "-"
		if s.readyIn > 0 {
			ready = s.readyIn.Round(100 * time.Millisecond).String()
		}
		ratio := "-" // requests per object written: a provisioning figure
		if s.provisioned > 0 {
			ratio = perObject(s.traffic)
		}
		fmt.Fprintf(w, "  %-18s %9s %9s %9d %8d %8s %11d\n", s.name, s.end.Sub(s.start).Round(time.Second), ready,
			s.traffic.total(), s.traffic.objectsWritten, ratio, s.busiestRequests)
	}
	fmt.Fprintf(w, "\nStages: reconciles (controller-runtime's histograms for mirrorenvironment), CPU and load\n")
	fmt.Fprintf(w, "  %-18s %10s %9s %-30s %-30s %6s %9s %s\n", "stage", "reconciles", "busiest/s", "reconcile time",
		"queue wait (decade buckets)", "CPU s", "peak MiB", "load mean/max, at end")
	for _, s := range r.stages {
		fmt.Fprintf(w, "  %-18s %10.0f %9.1f %-30s %-30s %6.1f %9.1f %.1f/%.1f, %s\n", s.name, s.reconciles, s.samples.busiestReconciles,
			s.reconcileTime.latency(), s.queueWait.latency(), s.cpuSeconds, s.samples.peakRSSMiB,
			s.samples.meanLoad1, s.samples.maxLoad1, formatLoad(s.load))
	}
}

func perObject(t traffic) string {
	if t.objectsWritten == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", float64(t.total())/float64(t.objectsWritten))
}

func (r *report) printTraffic(w io.Writer) {
	if len(r.stages) == 0 {
		return
	}
	fmt.Fprintf(w, "\nAPI traffic by verb and resource\n")
	for _, s := range r.stages {
		if s.traffic.total() == 0 {
			fmt.Fprintf(w, "  %s: no request\n", s.name)
			continue
		}
		fmt.Fprintf(w, "  %s: %d requests, %.0f reconciles; by verb: %s\n", s.name, s.traffic.total(), s.reconciles, formatCounts(s.traffic.byVerb()))
		for _, line := range s.traffic.top(10) {
			fmt.Fprintf(w, "    %s\n", line)
		}
		if len(s.traffic.refused) > 0 {
			fmt.Fprintf(w, "    refused or failed (status verb resource): %s\n", formatCounts(s.traffic.refused))
		}
	}
}

func joinInts(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = fmt.Sprint(n)
	}
	return strings.Join(parts, ", ")
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}
