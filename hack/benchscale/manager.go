package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/envmirror/envmirror/internal/metrics"
)

// managerProcess is bin/manager under measurement: metrics (plain, loopback), probes and pprof
// on free ports, its log in the output folder.
type managerProcess struct {
	cmd                            *exec.Cmd
	metricsURL, readyURL, pprofURL string
	done                           chan struct{}
}

func startManager(bin, kubeconfigPath, outDir string) (*managerProcess, error) {
	ports := make([]int, 3)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ports[i] = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	logFile, err := os.Create(filepath.Join(outDir, "manager.log"))
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(bin, "--kubeconfig="+kubeconfigPath, "--leader-elect=false",
		"--metrics-secure=false", fmt.Sprintf("--metrics-bind-address=127.0.0.1:%d", ports[0]),
		fmt.Sprintf("--health-probe-bind-address=127.0.0.1:%d", ports[1]),
		fmt.Sprintf("--pprof-bind-address=127.0.0.1:%d", ports[2]))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	m := &managerProcess{
		cmd:        cmd,
		metricsURL: fmt.Sprintf("http://127.0.0.1:%d/metrics", ports[0]),
		readyURL:   fmt.Sprintf("http://127.0.0.1:%d/readyz", ports[1]),
		pprofURL:   fmt.Sprintf("http://127.0.0.1:%d/debug/pprof", ports[2]),
		done:       make(chan struct{}),
	}
	go func() { _ = cmd.Wait(); close(m.done) }()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if code, _, err := get(m.readyURL); err == nil && code == http.StatusOK {
			return m, nil
		}
		select {
		case <-m.done:
			return nil, fmt.Errorf("the manager exited during start; see %s", logFile.Name())
		default:
		}
		if time.Now().After(deadline) {
			m.stop()
			return nil, fmt.Errorf("the manager did not become ready in 2m; see %s", logFile.Name())
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// stop sends SIGTERM and waits up to 30 s, then kills.
func (m *managerProcess) stop() {
	_ = m.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-m.done:
	case <-time.After(30 * time.Second):
		_ = m.cmd.Process.Kill()
		<-m.done
	}
}

// memory is one reading of the manager's memory.
type memory struct {
	rssMiB, heapInuseMiB float64
}

// measure forces a garbage collection (pprof's heap?gc=1), lets the runtime settle, and reads
// the resident set from /proc and the Go heap in use from the metrics; three times, keeping the
// median RSS, so that one GC cycle's timing does not decide the figure. The last heap profile is
// written to profilePath.
func (m *managerProcess) measure(profilePath string) (memory, error) {
	var readings []memory
	for i := 0; i < 3; i++ {
		code, profile, err := get(m.pprofURL + "/heap?gc=1")
		if err != nil || code != http.StatusOK {
			return memory{}, fmt.Errorf("heap profile: %d %v", code, err)
		}
		if err := os.WriteFile(profilePath, profile, 0o644); err != nil {
			return memory{}, err
		}
		time.Sleep(3 * time.Second)
		rss, err := vmRSS(m.cmd.Process.Pid)
		if err != nil {
			return memory{}, err
		}
		code, body, err := get(m.metricsURL)
		if err != nil || code != http.StatusOK {
			return memory{}, fmt.Errorf("metrics: %d %v", code, err)
		}
		heap, err := metrics.SeriesValue(string(body), "go_memstats_heap_inuse_bytes")
		if err != nil {
			return memory{}, err
		}
		readings = append(readings, memory{rssMiB: rss, heapInuseMiB: heap / (1 << 20)})
	}
	sort.Slice(readings, func(i, j int) bool { return readings[i].rssMiB < readings[j].rssMiB })
	return readings[len(readings)/2], nil
}

// reconciles is the manager's count of finished MirrorEnvironment reconciles.
func (m *managerProcess) reconciles() float64 {
	_, body, err := get(m.metricsURL)
	if err != nil {
		return -1
	}
	var sum float64
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, `controller_runtime_reconcile_total{controller="mirrorenvironment",`) {
			v, _ := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
			sum += v
		}
	}
	return sum
}

// vmRSS reads VmRSS of /proc/<pid>/status, in MiB.
func vmRSS(pid int) (float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kib, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kib / 1024, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

func get(url string) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

// topHeap prints the largest in-use allocation sites of a heap profile (go tool pprof).
func topHeap(profilePath string, n int) string {
	out, err := exec.Command("go", "tool", "pprof", "-top", "-sample_index=inuse_space",
		fmt.Sprintf("-nodecount=%d", n), profilePath).CombinedOutput()
	if err != nil {
		return fmt.Sprintf("(go tool pprof: %v)", err)
	}
	return string(out)
}
