package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// sample is one reading of the manager and the machine, taken about every second for the whole
// run: the peak RSS between two memory stages and the busiest second of reconciles come from
// these, not from the stage readings alone.
type sample struct {
	at         time.Time
	rssMiB     float64
	reconciles float64 // finished MirrorEnvironment reconciles so far (-1: the scrape failed)
	load1      float64 // the machine's 1-minute load average
}

// monitor samples the manager every interval until stopped.
type monitor struct {
	m        *managerProcess
	interval time.Duration
	stopCh   chan struct{}
	done     chan struct{}

	mu      sync.Mutex
	samples []sample
}

func startMonitor(m *managerProcess, interval time.Duration) *monitor {
	mon := &monitor{m: m, interval: interval, stopCh: make(chan struct{}), done: make(chan struct{})}
	go mon.loop()
	return mon
}

func (mon *monitor) loop() {
	defer close(mon.done)
	tick := time.NewTicker(mon.interval)
	defer tick.Stop()
	for {
		mon.sampleOnce()
		select {
		case <-mon.stopCh:
			return
		case <-tick.C:
		}
	}
}

func (mon *monitor) sampleOnce() {
	s := sample{at: time.Now(), reconciles: -1}
	// After the manager has exited (the floor runs without it), only the load is read.
	if rss, err := vmStatus(mon.m.pid(), "VmRSS"); err == nil {
		s.rssMiB = rss
		if fams, err := mon.m.scrape(); err == nil {
			s.reconciles = counterSum(fams, "controller_runtime_reconcile_total", "controller", controllerName)
		}
	}
	s.load1 = loadAverage()[0]
	mon.mu.Lock()
	mon.samples = append(mon.samples, s)
	mon.mu.Unlock()
}

// stop ends the sampling (idempotent).
func (mon *monitor) stop() {
	select {
	case <-mon.stopCh:
	default:
		close(mon.stopCh)
	}
	<-mon.done
}

// between returns the samples taken in [from, to].
func (mon *monitor) between(from, to time.Time) []sample {
	mon.mu.Lock()
	defer mon.mu.Unlock()
	var out []sample
	for _, s := range mon.samples {
		if !s.at.Before(from) && !s.at.After(to) {
			out = append(out, s)
		}
	}
	return out
}

// sampleStats is what a window's samples say.
type sampleStats struct {
	n                   int
	peakRSSMiB          float64
	peakRSSAt           time.Time
	meanLoad1, maxLoad1 float64
	// busiestReconciles is the largest number of reconciles finished between two consecutive
	// samples, per second of the time between them (samples are about a second apart; a gap
	// longer than a second spreads its reconciles over it).
	busiestReconciles float64
}

func statsOf(samples []sample) sampleStats {
	st := sampleStats{n: len(samples)}
	for i, s := range samples {
		if s.rssMiB > st.peakRSSMiB {
			st.peakRSSMiB, st.peakRSSAt = s.rssMiB, s.at
		}
		st.meanLoad1 += s.load1 / float64(len(samples))
		st.maxLoad1 = max(st.maxLoad1, s.load1)
		if i == 0 || s.reconciles < 0 || samples[i-1].reconciles < 0 {
			continue
		}
		gap := max(s.at.Sub(samples[i-1].at).Seconds(), 1)
		st.busiestReconciles = max(st.busiestReconciles, (s.reconciles-samples[i-1].reconciles)/gap)
	}
	return st
}

// vmStatus reads a field of /proc/<pid>/status given in kB (VmRSS, VmHWM), in MiB.
func vmStatus(pid int, field string) (float64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kib, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kib / 1024, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// cpuSeconds is the user and system CPU time the process has used (/proc/<pid>/stat, in the
// kernel's clock ticks of 1/100 s, USER_HZ on Linux).
func cpuSeconds(pid int) (float64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces: the fields are counted after it.
	s := string(raw)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields after the name", pid, len(fields))
	}
	utime, err1 := strconv.ParseFloat(fields[11], 64)
	stime, err2 := strconv.ParseFloat(fields[12], 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: utime %q stime %q", pid, fields[11], fields[12])
	}
	return (utime + stime) / 100, nil
}

// loadAverage is the machine's 1, 5 and 15-minute load averages (zeros when unreadable).
func loadAverage() [3]float64 {
	var out [3]float64
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return out
	}
	for i, f := range strings.Fields(string(raw)) {
		if i == 3 {
			break
		}
		out[i], _ = strconv.ParseFloat(f, 64)
	}
	return out
}
