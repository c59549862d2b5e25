// Command benchscale measures how envmirror's manager scales on the local simulated cluster
// (hack/cluster): its memory with no environment on an empty cluster, then with unrelated
// namespaces full of workloads (which it must not hold in memory), then at a growing number of
// environments; and the API requests it makes to provision them, against the objects it writes.
// `make bench-scale` runs it on a cluster of its own; it is not part of CI.
//
// The manager (bin/manager) runs as a local process with only the operator's RBAC
// (config/rbac/role.yaml bound to a user the cluster tool issues), behind a counting proxy: the
// proxy forwards to the API server with that user's certificate and counts every request by verb
// and resource, reads and watches included, and every object written. Memory is VmRSS after a
// forced garbage collection (pprof's heap?gc=1), the median of three readings, next to the Go
// heap in use; each stage's heap profile is kept in the output folder for `go tool pprof`.
//
// Targets (issue #12): RSS grows by at most 10% from an empty cluster to one with the unrelated
// namespaces; at most 0.3 MiB per environment above that base; API requests while provisioning at
// most 1.5 times the objects written. The program prints each figure with its target, and exits 0
// whether or not a target is met: the figures are the result.
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

	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// operatorUser is the user the manager runs as, bound to config/rbac/role.yaml.
const operatorUser = "envmirror-operator"

type options struct {
	clusterDir, clusterTool, manager, outDir string
	unrelated, perNamespace, prods           int
	steps                                    []int
	settle, rest, timeout                    time.Duration
}

func parseOptions() options {
	var o options
	var steps string
	flag.StringVar(&o.clusterDir, "cluster-dir", "bin/cluster-bench", "the cluster's state folder (its kubeconfig is there)")
	flag.StringVar(&o.clusterTool, "cluster-tool", "bin/envmirror-cluster", "the cluster tool (issues the operator's user)")
	flag.StringVar(&o.manager, "manager", "bin/manager", "the manager binary")
	flag.StringVar(&o.outDir, "out", "bin/bench-scale", "folder for the manager's log and kubeconfig and the heap profiles")
	flag.IntVar(&o.unrelated, "unrelated", 100, "unrelated namespaces")
	flag.IntVar(&o.perNamespace, "per-namespace", 10, "pods, Secrets and ConfigMaps in each unrelated namespace")
	flag.IntVar(&o.prods, "prod-namespaces", 3, "prod namespaces the environments mirror in turn")
	flag.StringVar(&steps, "environments", "20,100", "environment counts to measure at, increasing")
	flag.DurationVar(&o.settle, "settle", 20*time.Second, "wait before each memory reading")
	flag.DurationVar(&o.rest, "rest", 60*time.Second, "window to count requests at rest at the end")
	flag.DurationVar(&o.timeout, "timeout", 45*time.Minute, "limit for the whole run")
	flag.Parse()
	prev := 0
	for _, s := range strings.Split(steps, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= prev {
			fmt.Fprintf(os.Stderr, "benchscale: --environments=%q: give increasing counts, e.g. 20,100\n", steps)
			os.Exit(2)
		}
		o.steps, prev = append(o.steps, n), n
	}
	return o
}

func main() {
	o := parseOptions()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "benchscale:", err)
		os.Exit(1)
	}
}

func step(format string, args ...any) {
	fmt.Printf("%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func run(ctx context.Context, o options) error {
	if err := os.MkdirAll(o.outDir, 0o755); err != nil {
		return err
	}
	admin, err := clientcmd.BuildConfigFromFlags("", filepath.Join(o.clusterDir, "kubeconfig"))
	if err != nil {
		return fmt.Errorf("%w (is the cluster up? make bench-scale starts one)", err)
	}
	admin.QPS, admin.Burst = 100, 200
	c, err := client.New(admin, client.Options{Scheme: clientgoscheme.Scheme})
	if err != nil {
		return err
	}
	k := &cluster{c: c, repoRoot: "."}

	step("installing the CRDs and the operator's RBAC for user %s", operatorUser)
	if err := k.installOperatorAPI(ctx); err != nil {
		return err
	}
	if err := k.grantOperator(ctx, operatorUser); err != nil {
		return err
	}
	step("applying %d prod namespaces (the sample shop) and waiting until their pods run", o.prods)
	prods, err := k.prodNamespaces(ctx, o.prods)
	if err != nil {
		return err
	}
	proxy, m, err := startMeasuredManager(o)
	if err != nil {
		return err
	}
	defer proxy.close()
	defer m.stop()

	r := &report{}
	measure := func(stage string, envs int) error {
		time.Sleep(o.settle)
		mem, err := m.measure(filepath.Join(o.outDir, fmt.Sprintf("heap-%s.pb.gz", strings.ReplaceAll(stage, " ", "-"))))
		if err == nil {
			step("%s: RSS %.1f MiB, Go heap in use %.1f MiB", stage, mem.rssMiB, mem.heapInuseMiB)
			r.memory = append(r.memory, memoryRow{stage: stage, envs: envs, memory: mem})
		}
		return err
	}
	if err := measure("empty", 0); err != nil {
		return err
	}
	step("creating %d unrelated namespaces, each with %d pods, Secrets and ConfigMaps", o.unrelated, o.perNamespace)
	if err := k.unrelatedNamespaces(ctx, o.unrelated, o.perNamespace); err != nil {
		return err
	}
	if err := measure("unrelated", 0); err != nil {
		return err
	}
	created, err := provision(ctx, o, k, prods, proxy, m, r, measure)
	if err != nil {
		return err
	}
	step("counting requests at rest for %s", o.rest)
	proxy.reset()
	reconcilesBefore := m.reconciles()
	time.Sleep(o.rest)
	r.rest = trafficRow{envs: created, readyIn: o.rest, traffic: proxy.snapshot(), reconciles: m.reconciles() - reconcilesBefore}
	r.heapTop = topHeap(filepath.Join(o.outDir, fmt.Sprintf("heap-%d-environments.pb.gz", created)), 15)
	r.print(os.Stdout, o)
	return nil
}

// provision creates the environments step by step (o.steps), measuring memory and counting the
// manager's requests from creation until all are Ready and settled; it returns how many exist.
func provision(ctx context.Context, o options, k *cluster, prods []string, proxy *countingProxy, m *managerProcess,
	r *report, measure func(stage string, envs int) error) (int, error) {
	created := 0
	for _, n := range o.steps {
		step("provisioning environments %d to %d", created+1, n)
		proxy.reset()
		reconcilesBefore, start := m.reconciles(), time.Now()
		if err := k.createEnvironments(ctx, created, n, prods); err != nil {
			return created, err
		}
		if err := k.waitReady(ctx, n); err != nil {
			return created, err
		}
		readyIn := time.Since(start)
		if err := measure(fmt.Sprintf("%d environments", n), n); err != nil {
			return created, err
		}
		r.traffic = append(r.traffic, trafficRow{envs: n - created, readyIn: readyIn, traffic: proxy.snapshot(),
			reconciles: m.reconciles() - reconcilesBefore})
		created = n
	}
	return created, nil
}

// startMeasuredManager starts the counting proxy (as the operator's user) and the manager
// behind it.
func startMeasuredManager(o options) (*countingProxy, *managerProcess, error) {
	cmd := exec.Command(o.clusterTool, "user", operatorUser)
	cmd.Env = append(os.Environ(), "ENVMIRROR_CLUSTER_DIR="+o.clusterDir)
	out, err := cmd.Output()
	if err != nil {
		return nil, nil, fmt.Errorf("%s user %s: %w", o.clusterTool, operatorUser, err)
	}
	userCfg, err := clientcmd.BuildConfigFromFlags("", strings.TrimSpace(string(out)))
	if err != nil {
		return nil, nil, err
	}
	upstream, err := url.Parse(userCfg.Host)
	if err != nil {
		return nil, nil, err
	}
	tlsConfig, err := rest.TLSConfigFor(userCfg)
	if err != nil {
		return nil, nil, err
	}
	proxy, err := startProxy(upstream, tlsConfig)
	if err != nil {
		return nil, nil, err
	}
	kc := clientcmdapi.NewConfig()
	kc.Clusters["proxy"] = &clientcmdapi.Cluster{Server: proxy.url()}
	kc.AuthInfos["proxy"] = &clientcmdapi.AuthInfo{}
	kc.Contexts["proxy"] = &clientcmdapi.Context{Cluster: "proxy", AuthInfo: "proxy"}
	kc.CurrentContext = "proxy"
	path := filepath.Join(o.outDir, "manager.kubeconfig")
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		proxy.close()
		return nil, nil, err
	}
	step("starting %s as %s, through a counting proxy at %s", o.manager, operatorUser, proxy.url())
	m, err := startManager(o.manager, path, o.outDir)
	if err != nil {
		proxy.close()
		return nil, nil, err
	}
	return proxy, m, nil
}
