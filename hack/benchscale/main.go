// Command benchscale measures how envmirror's manager scales on the local simulated cluster
// (hack/cluster). `make bench-scale` runs it on a cluster of its own; it is not part of CI.
//
// The run, in stages: the manager on an empty cluster, then with unrelated namespaces full of
// workloads (which it must not hold in memory); the first environment alone (what one costs
// once: compiled rules, automata, per-prod caches), then more at each count of --environments
// (what each further one adds); the environments at rest for two resync intervals (no resync
// storm); all of them deleted at once. With --small-prod they mirror a prod of two workloads,
// a ConfigMap and a Secret, so that the simulated control plane holds a thousand copies on two
// cores; with --floor the first environment's copy, as the manager wrote it, is then replayed
// by a plain client's server-side apply into as many fresh namespaces: the floor the operator's
// time to Ready is compared with.
//
// The manager (bin/manager) runs as a local process with only the operator's RBAC
// (config/rbac/role.yaml bound to a user the cluster tool issues), behind a counting proxy: the
// proxy forwards to the API server with that user's certificate and counts every request by verb,
// resource and second, reads and watches included, and every object written. Each stage
// reports the manager's memory (VmRSS after a forced garbage collection, the median of three
// readings, and the Go heap in use; each stage's heap profile is kept for `go tool pprof`), the
// peak of VmRSS sampled every second, its requests, reconciles and their latency
// (controller-runtime's histograms from its metrics), its CPU time, and the machine's load.
//
// Targets (issues #12 and #22): RSS grows by at most 10% from an empty cluster to one with the
// unrelated namespaces; at most 0.3 MiB per further environment; peak RSS up to 100
// environments at most 110 MiB; API requests while provisioning at most 1.5 times the objects
// written; at rest, no second busier than resyncs spread at random allow. The program prints
// each figure with its target, and exits 0 whether or not a target is met: the figures are the
// result. A run that fails or times out prints what it measured until then.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap/zapcore"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
)

// operatorUser is the user the manager runs as, bound to config/rbac/role.yaml; floorUser
// applies the floor, bound to cluster-admin (not system:masters, which API priority and
// fairness exempts: the floor's requests queue as the operator's do).
const (
	operatorUser = "envmirror-operator"
	floorUser    = "envmirror-benchscale-floor"
)

type options struct {
	clusterDir, clusterTool, manager, outDir string
	unrelated, perNamespace, prods           int
	steps                                    []int
	prod                                     prod
	floor                                    bool
	floorWorkers                             int
	settle, rest, resyncInterval, timeout    time.Duration
	managerArgs                              []string
}

func parseOptions() options {
	var o options
	var steps, managerArgs string
	flag.StringVar(&o.clusterDir, "cluster-dir", "bin/cluster-bench", "the cluster's state folder (its kubeconfig is there)")
	flag.StringVar(&o.clusterTool, "cluster-tool", "bin/envmirror-cluster", "the cluster tool (issues the operator's user)")
	flag.StringVar(&o.manager, "manager", "bin/manager", "the manager binary")
	flag.StringVar(&o.outDir, "out", "bin/bench-scale", "folder for the manager's log and kubeconfig and the profiles")
	flag.IntVar(&o.unrelated, "unrelated", 100, "unrelated namespaces")
	flag.IntVar(&o.perNamespace, "per-namespace", 10, "pods, Secrets and ConfigMaps in each unrelated namespace")
	flag.IntVar(&o.prods, "prod-namespaces", 3, "prod namespaces the environments mirror in turn")
	flag.StringVar(&steps, "environments", "20,100", "environment counts to measure at, increasing (the first environment is always a stage of its own)")
	flag.BoolVar(&o.prod.small, "small-prod", false, "mirror a small prod (two workloads, a ConfigMap, a Secret) instead of the sample shop")
	flag.BoolVar(&o.floor, "floor", false, "after the operator's run, time a raw server-side apply of the first environment's objects into as many fresh namespaces")
	flag.IntVar(&o.floorWorkers, "floor-workers", 4, "namespaces the floor applies at once (the manager reconciles 4 environments at once by default)")
	flag.DurationVar(&o.settle, "settle", 20*time.Second, "wait before each memory reading")
	flag.DurationVar(&o.resyncInterval, "resync-interval", 2*time.Minute, "the manager's --resync-interval")
	flag.DurationVar(&o.rest, "rest", 0, "window at rest after provisioning (0: two resync intervals, the no-storm figure)")
	flag.StringVar(&managerArgs, "manager-args", "", "further flags for the manager, space-separated")
	flag.DurationVar(&o.timeout, "timeout", 45*time.Minute, "limit for the whole run (what was measured by then is printed)")
	flag.Parse()
	o.managerArgs = strings.Fields(managerArgs)
	if o.rest == 0 {
		o.rest = 2 * o.resyncInterval
	}
	prev := 0
	for _, s := range strings.Split(steps, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= prev {
			fmt.Fprintf(os.Stderr, "benchscale: --environments=%q: give increasing counts, e.g. 20,100\n", steps)
			os.Exit(2)
		}
		o.steps, prev = append(o.steps, n), n
	}
	o.steps = withFirstSteps(o.steps, o.prods)
	return o
}

// withFirstSteps puts the first environment, then the first of each prod, in stages of their
// own before the counts asked for: what they cost once is apart from the slope after them.
func withFirstSteps(steps []int, prods int) []int {
	out := []int{1}
	if prods > 1 {
		out = append(out, prods)
	}
	for _, n := range steps {
		if n > out[len(out)-1] {
			out = append(out, n)
		}
	}
	return out
}

func main() {
	o := parseOptions()
	// The benchmark's own watches and clients log their errors only.
	ctrllog.SetLogger(zap.New(zap.Level(zapcore.ErrorLevel)))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	r := &report{o: o, started: time.Now(), startLoad: loadAverage()}
	err := run(ctx, o, r)
	r.err = err
	r.print(os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchscale:", err)
		os.Exit(1)
	}
}

func step(format string, args ...any) {
	fmt.Printf("%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// userProxy issues user's certificate with the cluster tool and starts a counting proxy that
// forwards as that user; it returns the proxy and a kubeconfig (in the output folder) that
// talks to it.
func userProxy(o options, user string) (*countingProxy, string, error) {
	cmd := exec.Command(o.clusterTool, "user", user)
	cmd.Env = append(os.Environ(), "ENVMIRROR_CLUSTER_DIR="+o.clusterDir)
	out, err := cmd.Output()
	if err != nil {
		return nil, "", fmt.Errorf("%s user %s: %w", o.clusterTool, user, err)
	}
	userCfg, err := clientcmd.BuildConfigFromFlags("", strings.TrimSpace(string(out)))
	if err != nil {
		return nil, "", err
	}
	upstream, err := url.Parse(userCfg.Host)
	if err != nil {
		return nil, "", err
	}
	tlsConfig, err := rest.TLSConfigFor(userCfg)
	if err != nil {
		return nil, "", err
	}
	proxy, err := startProxy(upstream, tlsConfig)
	if err != nil {
		return nil, "", err
	}
	kc := clientcmdapi.NewConfig()
	kc.Clusters["proxy"] = &clientcmdapi.Cluster{Server: proxy.url()}
	kc.AuthInfos["proxy"] = &clientcmdapi.AuthInfo{}
	kc.Contexts["proxy"] = &clientcmdapi.Context{Cluster: "proxy", AuthInfo: "proxy"}
	kc.CurrentContext = "proxy"
	path := filepath.Join(o.outDir, user+".kubeconfig")
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		proxy.close()
		return nil, "", err
	}
	return proxy, path, nil
}

// startMeasuredManager starts the counting proxy (as the operator's user) and the manager
// behind it.
func startMeasuredManager(o options) (*countingProxy, *managerProcess, error) {
	proxy, path, err := userProxy(o, operatorUser)
	if err != nil {
		return nil, nil, err
	}
	args := append([]string{"--resync-interval=" + o.resyncInterval.String()}, o.managerArgs...)
	step("starting %s %s as %s, through a counting proxy at %s", o.manager, strings.Join(args, " "), operatorUser, proxy.url())
	m, err := startManager(o.manager, path, o.outDir, args...)
	if err != nil {
		proxy.close()
		return nil, nil, err
	}
	return proxy, m, nil
}
