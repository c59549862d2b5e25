package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// bench is one run: the cluster, the benchmark's watches, the manager under measurement behind
// its counting proxy, and the report it fills in as it goes.
type bench struct {
	o     options
	admin *rest.Config
	k     *cluster
	w     *watcher
	proxy *countingProxy
	m     *managerProcess
	mon   *monitor
	r     *report
	prods []string
	// firstCopy is what the manager wrote into the first environment's namespace until it
	// was Ready and settled: the objects the floor replays.
	firstCopy *capture
}

func run(ctx context.Context, o options, r *report) error {
	if err := os.MkdirAll(o.outDir, 0o755); err != nil {
		return err
	}
	// Profiles of an earlier run would be read as this one's.
	old, _ := filepath.Glob(filepath.Join(o.outDir, "*.pb.gz"))
	for _, p := range old {
		if err := os.Remove(p); err != nil {
			return err
		}
	}
	b, err := setUp(ctx, o, r)
	if err != nil {
		return err
	}
	proxy, m, err := startMeasuredManager(o)
	if err != nil {
		return err
	}
	b.proxy, b.m = proxy, m
	defer proxy.close()
	defer m.stop()
	b.mon = startMonitor(m, time.Second)
	defer b.mon.stop()

	if err := b.measureBase(ctx); err != nil {
		return err
	}
	if err := b.provision(ctx); err != nil {
		return err
	}
	b.atRest(ctx)
	if err := b.deleteAll(ctx); err != nil {
		return err
	}
	r.topHeap = b.heapReports()
	m.stop()
	if o.floor {
		return b.runFloor(ctx)
	}
	return nil
}

// setUp installs the operator's API and RBAC and prod, and starts the benchmark's watches.
func setUp(ctx context.Context, o options, r *report) (*bench, error) {
	admin, err := clientcmd.BuildConfigFromFlags("", filepath.Join(o.clusterDir, "kubeconfig"))
	if err != nil {
		return nil, fmt.Errorf("%w (is the cluster up? make bench-scale starts one)", err)
	}
	admin.QPS, admin.Burst = 100, 200
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, v1alpha1.AddToScheme} {
		if err := add(scheme); err != nil {
			return nil, err
		}
	}
	c, err := client.New(admin, client.Options{Scheme: scheme})
	if err != nil {
		return nil, err
	}
	b := &bench{o: o, admin: admin, k: &cluster{c: c, repoRoot: "."}, r: r}
	step("installing the CRDs and the operator's RBAC for user %s", operatorUser)
	if err := b.k.installOperatorAPI(ctx); err != nil {
		return nil, err
	}
	if err := b.k.requireClean(ctx); err != nil {
		return nil, err
	}
	if err := b.k.grantOperator(ctx, operatorUser); err != nil {
		return nil, err
	}
	step("applying %d prod namespaces (%s) and waiting until their pods run", o.prods, o.prod.describe())
	if b.prods, err = b.k.prodNamespaces(ctx, o.prod, o.prods); err != nil {
		return nil, err
	}
	if b.w, err = startWatcher(ctx, admin, scheme); err != nil {
		return nil, err
	}
	return b, nil
}

// measureBase reads the manager's memory on an empty cluster and with the unrelated namespaces.
// The empty stage counts the manager's requests from its start (its caches' first lists).
func (b *bench) measureBase(ctx context.Context) error {
	from := b.mark()
	if err := b.measure(ctx, "empty"); err != nil {
		return err
	}
	b.end(&stage{name: "empty", mem: b.r.lastMemory}, from)
	if b.o.unrelated == 0 {
		return nil
	}
	step("creating %d unrelated namespaces, each with %d pods, Secrets and ConfigMaps", b.o.unrelated, b.o.perNamespace)
	from = b.begin()
	if err := b.k.unrelatedNamespaces(ctx, b.o.unrelated, b.o.perNamespace); err != nil {
		return err
	}
	if err := b.measure(ctx, "unrelated"); err != nil {
		return err
	}
	b.end(&stage{name: "unrelated", mem: b.r.lastMemory}, from)
	return nil
}

// measure waits o.settle and reads the manager's memory, keeping the heap profile as
// heap-<stage>.pb.gz.
func (b *bench) measure(ctx context.Context, stageName string) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(b.o.settle):
	}
	mem, err := b.m.measure(b.heapProfile(stageName))
	if err != nil {
		return err
	}
	step("%s: RSS %.1f MiB, Go heap in use %.1f MiB (load %s)", stageName, mem.rssMiB, mem.heapInuseMiB, formatLoad(loadAverage()))
	b.r.lastMemory = &mem
	return nil
}

func (b *bench) heapProfile(stageName string) string {
	return filepath.Join(b.o.outDir, "heap-"+strings.ReplaceAll(stageName, " ", "-")+".pb.gz")
}

// provision creates the environments step by step (o.steps, the first environment alone),
// counting the manager's requests from creation until all are Ready and its memory settled.
// The first environment's copy is captured whole for the floor; a CPU profile is taken at the
// start of the largest step.
func (b *bench) provision(ctx context.Context) error {
	created := 0
	b.proxy.captureNamespace(targetNamespace(0, b.prods))
	for i, n := range b.o.steps {
		name := envStage(n)
		step("provisioning environments %d to %d", created+1, n)
		from := b.begin()
		if i == len(b.o.steps)-1 && i > 0 {
			b.r.cpuProfile = filepath.Join(b.o.outDir, "cpu-"+strings.ReplaceAll(name, " ", "-")+".pb.gz")
			go b.m.cpuProfile(b.r.cpuProfile, 30*time.Second)
		}
		if err := b.k.createEnvironments(ctx, b.o.prod, created, n, b.prods); err != nil {
			return err
		}
		if err := b.waitReady(ctx, n); err != nil {
			return err
		}
		readyIn := time.Since(from.at)
		step("%s more Ready in %s", envStage(n-created), readyIn.Round(100*time.Millisecond))
		if err := b.measure(ctx, name); err != nil {
			return err
		}
		b.end(&stage{name: name, envs: n, provisioned: n - created, readyIn: readyIn, mem: b.r.lastMemory}, from)
		if created == 0 {
			b.firstCopy = b.proxy.stopCapture()
		}
		created = n
	}
	return nil
}

// waitReady waits until n of the benchmark's environments are Ready.
func (b *bench) waitReady(ctx context.Context, n int) error {
	return poll(ctx, fmt.Sprintf("%d environments to be Ready", n), 500*time.Millisecond, func(ctx context.Context) (bool, string, error) {
		phases, _, err := b.w.environments(ctx)
		return phases["Ready"] >= n, formatCounts(phases), err
	})
}

// atRest watches the environments at rest for o.rest: requests and reconciles per second
// against the bound of resyncs spread over the interval.
func (b *bench) atRest(ctx context.Context) {
	envs := b.o.steps[len(b.o.steps)-1]
	step("at rest for %s (the manager's --resync-interval is %s)", b.o.rest, b.o.resyncInterval)
	from := b.begin()
	select {
	case <-ctx.Done():
	case <-time.After(b.o.rest):
	}
	s := b.end(&stage{name: "at rest", envs: envs}, from)
	b.r.restSamples = b.mon.between(from.at, time.Now())
	// Read after the window, so that the forced collection does not fall in it.
	if mem, err := b.m.measure(b.heapProfile(s.name)); err == nil {
		s.mem = &mem
	}
}

// deleteAll deletes every environment at once and waits until every environment and every
// target namespace is gone.
func (b *bench) deleteAll(ctx context.Context) error {
	_, targets, err := b.w.environments(ctx)
	if err != nil {
		return err
	}
	envs := b.o.steps[len(b.o.steps)-1]
	left := namespacesToGo(targets, envs, b.prods)
	step("deleting the %d environments (%d target namespaces)", envs, len(left))
	from := b.begin()
	// One DELETE each, as people deleting their environments would: a deletecollection of a
	// thousand outlives the API server's request timeout (it goes on, but the client sees an
	// error).
	errs := parallel(8, envs, func(i int) error {
		env := &v1alpha1.MirrorEnvironment{ObjectMeta: metav1.ObjectMeta{Name: envName(i), Namespace: envNamespace}}
		if err := b.k.c.Delete(ctx, env); err != nil && !apierrors.IsNotFound(err) {
			return err
		}
		return nil
	})
	if len(errs) > 0 {
		return fmt.Errorf("deleting %d environments failed, the first: %w", len(errs), errs[0])
	}
	s := &stage{name: "deletion", envs: 0}
	err = poll(ctx, "the environments to be gone", 500*time.Millisecond, func(ctx context.Context) (bool, string, error) {
		phases, _, err := b.w.environments(ctx)
		n := 0
		for _, c := range phases {
			n += c
		}
		if n == 0 && s.envsGoneIn == 0 {
			s.envsGoneIn = time.Since(from.at)
		}
		nsLeft, err2 := b.w.namespacesLeft(ctx, left)
		if err == nil {
			err = err2
		}
		return n == 0 && nsLeft == 0, fmt.Sprintf("%d environments, %d namespaces left", n, nsLeft), err
	})
	if err != nil {
		return err
	}
	s.readyIn = time.Since(from.at)
	step("all environments gone in %s, their namespaces in %s", s.envsGoneIn.Round(100*time.Millisecond), s.readyIn.Round(100*time.Millisecond))
	b.end(s, from)
	// What the manager keeps once every environment is gone (after the settling wait).
	if err := b.measure(ctx, "deleted"); err != nil {
		return err
	}
	s.mem = b.r.lastMemory
	return nil
}

// namespacesToGo are the namespaces the deletion waits for: those the environments report,
// and those they would have by the operator's default (an environment that has not reported
// its namespace is still waited for).
func namespacesToGo(reported []string, envs int, prods []string) map[string]bool {
	left := map[string]bool{}
	for _, t := range reported {
		left[t] = true
	}
	for i := 0; i < envs; i++ {
		left[targetNamespace(i, prods)] = true
	}
	return left
}

func formatLoad(l [3]float64) string { return fmt.Sprintf("%.2f %.2f %.2f", l[0], l[1], l[2]) }
