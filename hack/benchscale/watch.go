package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// watcher is the benchmark's own view of the cluster, fed by watches (as `kubectl wait` is):
// waiting for a thousand environments or namespaces by listing them every second would load
// the API server the benchmark measures with multi-megabyte lists.
type watcher struct {
	cache cache.Cache
}

// startWatcher starts informers for the objects the benchmark waits on and waits until they
// have synced.
func startWatcher(ctx context.Context, cfg *rest.Config, scheme *runtime.Scheme) (*watcher, error) {
	c, err := cache.New(cfg, cache.Options{Scheme: scheme})
	if err != nil {
		return nil, err
	}
	for _, obj := range []client.Object{&v1alpha1.MirrorEnvironment{}, &corev1.Namespace{},
		&appsv1.Deployment{}, &appsv1.StatefulSet{}, &batchv1.Job{}} {
		if _, err := c.GetInformer(ctx, obj); err != nil {
			return nil, err
		}
	}
	go func() { _ = c.Start(ctx) }()
	if !c.WaitForCacheSync(ctx) {
		return nil, fmt.Errorf("the benchmark's watches did not sync")
	}
	return &watcher{cache: c}, nil
}

// environments returns the benchmark's environments by phase, and their target namespaces.
func (w *watcher) environments(ctx context.Context) (phases map[string]int, targets []string, err error) {
	var list v1alpha1.MirrorEnvironmentList
	if err := w.cache.List(ctx, &list, client.InNamespace(envNamespace)); err != nil {
		return nil, nil, err
	}
	phases = map[string]int{}
	for _, e := range list.Items {
		if strings.HasPrefix(e.Name, "bench-") {
			phases[string(e.Status.Phase)]++
			if e.Status.TargetNamespace != "" {
				targets = append(targets, e.Status.TargetNamespace)
			}
		}
	}
	return phases, targets, nil
}

// namespacesLeft counts how many of names still exist (terminating ones included).
func (w *watcher) namespacesLeft(ctx context.Context, names map[string]bool) (int, error) {
	var list corev1.NamespaceList
	if err := w.cache.List(ctx, &list); err != nil {
		return 0, err
	}
	left := 0
	for _, ns := range list.Items {
		if names[ns.Name] {
			left++
		}
	}
	return left, nil
}

// workloadsReady counts the Deployments, StatefulSets and Jobs in the namespaces whose name
// starts with prefix, and how many of them are ready: what the floor waits for.
func (w *watcher) workloadsReady(ctx context.Context, prefix string) (ready, total int, err error) {
	var deps appsv1.DeploymentList
	var sets appsv1.StatefulSetList
	var jobs batchv1.JobList
	for _, l := range []client.ObjectList{&deps, &sets, &jobs} {
		if err := w.cache.List(ctx, l); err != nil {
			return 0, 0, err
		}
	}
	count := func(ns string, ok bool) {
		if strings.HasPrefix(ns, prefix) {
			total++
			if ok {
				ready++
			}
		}
	}
	for i := range deps.Items {
		count(deps.Items[i].Namespace, deploymentAvailable(&deps.Items[i]))
	}
	for i := range sets.Items {
		count(sets.Items[i].Namespace, statefulSetReady(&sets.Items[i]))
	}
	for i := range jobs.Items {
		count(jobs.Items[i].Namespace, jobComplete(&jobs.Items[i]))
	}
	return ready, total, nil
}

// deploymentAvailable is `kubectl rollout status`'s test: the controller has seen the spec,
// and every replica is updated and available.
func deploymentAvailable(d *appsv1.Deployment) bool {
	want := replicas(d.Spec.Replicas)
	s := d.Status
	return s.ObservedGeneration >= d.Generation && s.UpdatedReplicas >= want && s.AvailableReplicas >= want
}

func statefulSetReady(s *appsv1.StatefulSet) bool {
	want := replicas(s.Spec.Replicas)
	return s.Status.ObservedGeneration >= s.Generation && s.Status.ReadyReplicas >= want
}

func jobComplete(j *batchv1.Job) bool {
	for _, c := range j.Status.Conditions {
		if c.Type == batchv1.JobComplete && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

func replicas(r *int32) int32 {
	if r == nil {
		return 1
	}
	return *r
}

// poll calls check every interval until it reports done, ctx ends, or check fails; every 30 s
// it prints progress.
func poll(ctx context.Context, what string, interval time.Duration, check func(context.Context) (done bool, progress string, err error)) error {
	last := time.Now()
	for {
		done, progress, err := check(ctx)
		if err != nil {
			return fmt.Errorf("waiting for %s: %w", what, err)
		}
		if done {
			return nil
		}
		if time.Since(last) > 30*time.Second {
			step("  ... still waiting for %s (%s)", what, progress)
			last = time.Now()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w (%s)", what, ctx.Err(), progress)
		case <-time.After(interval):
		}
	}
}
