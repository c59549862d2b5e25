package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
)

// heapReport is where the manager's memory and CPU go, from the profiles of the run
// (go tool pprof -top).
type heapReport struct {
	last, oneTime, perEnvironment, cpu string
	lastStage, baseStage, fromStage    string
	cpuProfile                         string
	firstEnvs, lastEnvs                int
}

// heapReports reads the profiles: the heap at the last provisioning stage; the difference between
// the base and the first environment (what the first one costs once); between the first and
// the last stage (what further environments add); the CPU profile of the largest step.
func (b *bench) heapReports() heapReport {
	r := b.r
	last, base := r.lastMemoryStage(), r.base()
	if last == nil || base == nil {
		return heapReport{}
	}
	h := heapReport{lastStage: last.name, baseStage: base.name, firstEnvs: 1, lastEnvs: last.envs}
	h.last = pprofTop(15, inuse, b.heapProfile(last.name))
	if first := r.atEnvs(1); first != nil {
		h.oneTime = pprofTop(12, inuse, "-diff_base="+b.heapProfile(base.name), b.heapProfile(first.name))
	}
	if from := r.marginalFrom(); from != nil && last.envs > from.envs {
		h.firstEnvs, h.fromStage = from.envs, from.name
		h.perEnvironment = pprofTop(12, inuse, "-diff_base="+b.heapProfile(from.name), b.heapProfile(last.name))
	}
	if r.cpuProfile != "" {
		h.cpuProfile = r.cpuProfile
		h.cpu = pprofTop(15, "-sample_index=cpu", h.cpuProfile)
	}
	return h
}

func (h heapReport) print(w io.Writer, outDir string) {
	if h.last == "" {
		return
	}
	fmt.Fprintf(w, "\nWhere the memory goes (go tool pprof -top -sample_index=inuse_space; profiles in %s)\n", outDir)
	if h.oneTime != "" {
		fmt.Fprintf(w, "  One-time: heap in use at %q less %q (-diff_base)\n%s\n", envStage(1), h.baseStage, indent(h.oneTime))
	}
	if h.perEnvironment != "" {
		fmt.Fprintf(w, "  Per environment: heap in use at %q less %q (-diff_base), for %d environments\n%s\n",
			h.lastStage, h.fromStage, h.lastEnvs-h.firstEnvs, indent(h.perEnvironment))
	}
	fmt.Fprintf(w, "  Heap in use at %q\n%s\n", h.lastStage, indent(h.last))
	if h.cpu != "" {
		fmt.Fprintf(w, "\nWhere the CPU goes: the first 30 s of the largest provisioning step (%s)\n%s\n", h.cpuProfile, indent(h.cpu))
	}
}

const inuse = "-sample_index=inuse_space"

// pprofTop runs go tool pprof -top on a profile (args: options, then the profile).
func pprofTop(n int, args ...string) string {
	if _, err := os.Stat(args[len(args)-1]); err != nil {
		return fmt.Sprintf("(no profile: %v)", err)
	}
	cmdArgs := append([]string{"tool", "pprof", "-top", fmt.Sprintf("-nodecount=%d", n)}, args...)
	out, err := exec.Command("go", cmdArgs...).CombinedOutput()
	if err != nil {
		return fmt.Sprintf("(go tool pprof: %v: %s)", err, out)
	}
	return string(out)
}
