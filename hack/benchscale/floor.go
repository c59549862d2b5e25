package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// floorPrefix names the floor's namespaces (floorNamespace).
const floorPrefix = "bench-floor-"

func floorNamespace(i int) string { return fmt.Sprintf("%s%04d", floorPrefix, i) }

// floorResult is the raw apply the operator is compared with.
type floorResult struct {
	namespaces, objectsPerNamespace, workloadsPerNamespace int
	kinds                                                  map[string]int
	partial                                                map[string]int
	appliedIn, readyIn, deletedIn                          time.Duration
	traffic                                                traffic
	load                                                   [3]float64 // at the end of the apply and wait
	samples                                                sampleStats
	busiestRequests                                        int
}

// runFloor replays the first environment's copy, as the manager wrote it, into as many fresh
// namespaces as there were environments: each namespace's objects in the manager's order by a
// server-side apply of a client with no rate limit of its own (as the manager's), o.floorWorkers
// namespaces at once, as a user queued by API priority and fairness as the operator is. Timed
// until every Deployment is available (StatefulSets ready, Jobs complete: what the copy's
// Ready waits for), then until the namespaces are deleted.
func (b *bench) runFloor(ctx context.Context) error {
	capt := b.firstCopy
	if capt == nil {
		return fmt.Errorf("floor: the first environment's copy was not captured")
	}
	n := b.o.steps[len(b.o.steps)-1]
	tmpl, err := capt.objectsFor(floorNamespace(0))
	if err != nil {
		return fmt.Errorf("floor: %w", err)
	}
	res := &floorResult{namespaces: n, objectsPerNamespace: len(tmpl), kinds: kindCounts(tmpl), partial: capt.partial}
	b.r.floor = res
	res.workloadsPerNamespace = res.kinds["Deployment"] + res.kinds["StatefulSet"] + res.kinds["Job"]
	c, proxy, err := b.floorClient(ctx)
	if err != nil {
		return err
	}
	defer proxy.close()
	step("floor: applying %d objects (%s) into each of %d fresh namespaces, %d at once", len(tmpl), formatCounts(res.kinds), n, b.o.floorWorkers)
	start := time.Now()
	errs := parallel(b.o.floorWorkers, n, func(i int) error {
		objs, err := capt.objectsFor(floorNamespace(i))
		if err != nil {
			return err
		}
		for _, u := range objs {
			if err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner("envmirror-floor"), client.ForceOwnership); err != nil {
				return fmt.Errorf("%s %s/%s: %w", u.GetKind(), u.GetNamespace(), u.GetName(), err)
			}
		}
		return nil
	})
	if len(errs) > 0 {
		return fmt.Errorf("floor: %d namespaces failed, the first: %w", len(errs), errs[0])
	}
	res.appliedIn = time.Since(start)
	want := n * res.workloadsPerNamespace
	err = poll(ctx, fmt.Sprintf("the floor's %d workloads", want), 500*time.Millisecond, func(ctx context.Context) (bool, string, error) {
		ready, total, err := b.w.workloadsReady(ctx, floorPrefix)
		return ready >= want, fmt.Sprintf("%d of %d ready, %d seen", ready, want, total), err
	})
	if err != nil {
		return err
	}
	res.readyIn = time.Since(start)
	res.traffic, res.load = proxy.snapshot(), loadAverage()
	res.busiestRequests, _ = proxy.perSecond.busiest(start, time.Now())
	res.samples = statsOf(b.mon.between(start, time.Now()))
	step("floor: %d namespaces applied in %s, all workloads ready in %s", n, res.appliedIn.Round(100*time.Millisecond), res.readyIn.Round(100*time.Millisecond))
	return b.deleteFloor(ctx, c, res)
}

// deleteFloor deletes the floor's namespaces and times them until gone: the floor of the
// operator's deletion.
func (b *bench) deleteFloor(ctx context.Context, c client.Client, res *floorResult) error {
	step("floor: deleting the %d namespaces", res.namespaces)
	start := time.Now()
	errs := parallel(b.o.floorWorkers, res.namespaces, func(i int) error {
		err := c.Delete(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: floorNamespace(i)}})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	})
	if len(errs) > 0 {
		return fmt.Errorf("floor deletion: %w", errors.Join(errs...))
	}
	names := map[string]bool{}
	for i := 0; i < res.namespaces; i++ {
		names[floorNamespace(i)] = true
	}
	err := poll(ctx, "the floor's namespaces to be gone", 500*time.Millisecond, func(ctx context.Context) (bool, string, error) {
		left, err := b.w.namespacesLeft(ctx, names)
		return left == 0, fmt.Sprintf("%d left", left), err
	})
	if err != nil {
		return err
	}
	res.deletedIn = time.Since(start)
	step("floor: namespaces gone in %s", res.deletedIn.Round(100*time.Millisecond))
	return nil
}

// floorClient is a client as floorUser (bound to cluster-admin) through a counting proxy of
// its own, with no client-side rate limit (the manager's has none either).
func (b *bench) floorClient(ctx context.Context) (client.Client, *countingProxy, error) {
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "envmirror-benchscale-floor"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: floorUser}},
	}
	if err := b.k.create(ctx, binding); err != nil {
		return nil, nil, err
	}
	proxy, path, err := userProxy(b.o, floorUser)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		proxy.close()
		return nil, nil, err
	}
	cfg.QPS = -1
	c, err := client.New(cfg, client.Options{Scheme: b.k.c.Scheme()})
	if err != nil {
		proxy.close()
		return nil, nil, err
	}
	return c, proxy, nil
}
