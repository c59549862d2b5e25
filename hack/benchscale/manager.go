package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"syscall"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/envmirror/envmirror/internal/metrics"
)

// managerProcess is bin/manager under measurement: metrics (plain, loopback), probes and pprof
// on free ports, its log in the output folder.
type managerProcess struct {
	cmd                            *exec.Cmd
	metricsURL, readyURL, pprofURL string
	done                           chan struct{}
}

func startManager(bin, kubeconfigPath, outDir string, extraArgs ...string) (*managerProcess, error) {
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
	cmd.Args = append(cmd.Args, extraArgs...)
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

// cpuProfile writes a CPU profile of the next d to path (in the background of a stage; a
// failure is left in the log of the run, not fatal).
func (m *managerProcess) cpuProfile(path string, d time.Duration) {
	code, profile, err := getWithin(fmt.Sprintf("%s/profile?seconds=%d", m.pprofURL, int(d.Seconds())), d+30*time.Second)
	if err == nil && code == http.StatusOK {
		err = os.WriteFile(path, profile, 0o644)
	}
	if err != nil || code != http.StatusOK {
		step("  (CPU profile: %d %v)", code, err)
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
		rss, err := vmStatus(m.pid(), "VmRSS")
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

func (m *managerProcess) pid() int { return m.cmd.Process.Pid }

// scrape reads and parses the manager's /metrics.
func (m *managerProcess) scrape() (map[string]*dto.MetricFamily, error) {
	code, body, err := get(m.metricsURL)
	if err != nil || code != http.StatusOK {
		return nil, fmt.Errorf("metrics: %d %v", code, err)
	}
	return parseScrape(string(body))
}

// counterSum adds up the series of a counter family with label labelName=labelValue (all
// results of a controller's reconciles, say); 0 when the family is not there yet.
func counterSum(families map[string]*dto.MetricFamily, name, labelName, labelValue string) float64 {
	var sum float64
	for _, m := range families[name].GetMetric() {
		if hasLabel(m, labelName, labelValue) {
			sum += m.GetCounter().GetValue()
		}
	}
	return sum
}

func get(url string) (int, []byte, error) { return getWithin(url, 30*time.Second) }

func getWithin(url string, timeout time.Duration) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
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
