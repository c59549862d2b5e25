package main

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// requireClean refuses a cluster that holds an earlier run's environments or namespaces: the
// manager's memory on an "empty" cluster, the objects it writes while provisioning and the
// time to Ready would all be measured against what is already there (an environment that
// exists is Ready without a write).
func (k *cluster) requireClean(ctx context.Context) error {
	var envs v1alpha1.MirrorEnvironmentList
	if err := k.c.List(ctx, &envs); err != nil {
		return err
	}
	var nss corev1.NamespaceList
	if err := k.c.List(ctx, &nss); err != nil {
		return err
	}
	envNames := make([]string, 0, len(envs.Items))
	for _, e := range envs.Items {
		envNames = append(envNames, e.Namespace+"/"+e.Name)
	}
	nsNames := make([]string, 0, len(nss.Items))
	for _, ns := range nss.Items {
		nsNames = append(nsNames, ns.Name)
	}
	if left := leftovers(envNames, nsNames); len(left) > 0 {
		return fmt.Errorf("the cluster holds %d objects of an earlier run (%s%s): start from a fresh cluster (make bench-scale-down)",
			len(left), strings.Join(left[:min(len(left), 5)], ", "), map[bool]string{true: ", ...", false: ""}[len(left) > 5])
	}
	return nil
}

// leftovers are the names, among the cluster's MirrorEnvironments ("namespace/name") and
// namespaces, that a run of the benchmark makes: any MirrorEnvironment at all, the target
// namespaces of its environments ("<prod>-bench-NNN"), the floor's and the unrelated ones.
func leftovers(environments, namespaces []string) []string {
	out := append([]string(nil), environments...)
	for _, ns := range namespaces {
		if strings.HasPrefix(ns, floorPrefix) || strings.HasPrefix(ns, unrelatedPrefix) || strings.Contains(ns, "-bench-") {
			out = append(out, "namespace "+ns)
		}
	}
	return out
}
