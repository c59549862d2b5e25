package main

import (
	"bytes"
	"context"
	"crypto/rand"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

const (
	fieldOwner = "envmirror-benchscale"
	// envNamespace holds the benchmark's MirrorEnvironments and the schema ConfigMap
	// (config/samples/dev-envs.yaml).
	envNamespace = "dev-envs"
	// sampleProd is the namespace of config/samples/prod-shop, smallProd the small prod's;
	// further prod namespaces are copies of them under other names.
	sampleProd = "shop-prod"
	smallProd  = "small-prod"
	// unrelatedLabel marks the unrelated workloads, which the operator must not hold in memory.
	unrelatedLabel = "bench.envmirror.io/unrelated"
	// unrelatedPrefix names the unrelated namespaces.
	unrelatedPrefix = "unrelated-"
)

//go:embed small-prod.yaml
var smallProdYAML string

// nodePort matches a Service port's fixed nodePort field.
var nodePort = regexp.MustCompile(`(?m)\bnodePort: *[0-9]+ *,? *`)

// cluster is the benchmark's view of the simulated cluster, as its admin.
type cluster struct {
	c        client.Client
	repoRoot string
}

// applyFiles server-side applies every YAML document of the files (a folder: its *.yaml), with
// edit applied to the text first (nil: none).
func (k *cluster) applyFiles(ctx context.Context, edit func(string) string, paths ...string) error {
	for _, p := range paths {
		files := []string{filepath.Join(k.repoRoot, p)}
		if fi, err := os.Stat(files[0]); err == nil && fi.IsDir() {
			files, _ = filepath.Glob(filepath.Join(files[0], "*.yaml"))
		}
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			text := string(raw)
			if edit != nil {
				text = edit(text)
			}
			if err := k.applyYAML(ctx, text); err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
		}
	}
	return nil
}

func (k *cluster) applyYAML(ctx context.Context, text string) error {
	dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(text), 4096)
	for {
		var obj map[string]any
		if err := dec.Decode(&obj); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		if len(obj) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: obj}
		if err := k.c.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner(fieldOwner), client.ForceOwnership); err != nil {
			return fmt.Errorf("applying %s %s: %w", u.GetKind(), u.GetName(), err)
		}
	}
}

// waitFor polls check every interval until it returns true or ctx ends.
func waitFor(ctx context.Context, what string, interval time.Duration, check func(context.Context) (bool, error)) error {
	last := time.Now()
	for {
		ok, err := check(ctx)
		if ok {
			return nil
		}
		if time.Since(last) > 30*time.Second {
			fmt.Printf("  ... still waiting for %s (%v)\n", what, err)
			last = time.Now()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w (last: %v)", what, ctx.Err(), err)
		case <-time.After(interval):
		}
	}
}

// installOperatorAPI applies the CRDs and the copy-writer ClusterRole, and waits until the CRDs
// are served.
func (k *cluster) installOperatorAPI(ctx context.Context) error {
	if err := k.applyFiles(ctx, nil, "config/crd/bases", "config/rbac/copywriter"); err != nil {
		return err
	}
	for _, name := range []string{"mirrorenvironments.envmirror.io", "mirrorsources.envmirror.io"} {
		crd := &unstructured.Unstructured{}
		crd.SetGroupVersionKind(schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"})
		err := waitFor(ctx, "CRD "+name, time.Second, func(ctx context.Context) (bool, error) {
			if err := k.c.Get(ctx, client.ObjectKey{Name: name}, crd); err != nil {
				return false, err
			}
			conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
			for _, c := range conds {
				if m, ok := c.(map[string]any); ok && m["type"] == "Established" && m["status"] == "True" {
					return true, nil
				}
			}
			return false, nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// grantOperator binds config/rbac/role.yaml (what `make deploy` grants the operator) to user.
func (k *cluster) grantOperator(ctx context.Context, user string) error {
	raw, err := os.ReadFile(filepath.Join(k.repoRoot, "config/rbac/role.yaml"))
	if err != nil {
		return err
	}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(raw), 4096)
	subject := []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: user}}
	for {
		var role unstructured.Unstructured
		if err := dec.Decode(&role.Object); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		if role.Object == nil {
			continue
		}
		if err := k.c.Apply(ctx, client.ApplyConfigurationFromUnstructured(&role), client.FieldOwner(fieldOwner), client.ForceOwnership); err != nil {
			if !apierrors.IsNotFound(err) {
				return err
			}
			// A Role in the operator's namespace, which does not exist yet.
			if err := k.create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: role.GetNamespace()}}); err != nil {
				return err
			}
			if err := k.c.Apply(ctx, client.ApplyConfigurationFromUnstructured(&role), client.FieldOwner(fieldOwner), client.ForceOwnership); err != nil {
				return err
			}
		}
		ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: role.GetKind(), Name: role.GetName()}
		meta := metav1.ObjectMeta{Name: "envmirror-benchscale", Namespace: role.GetNamespace()}
		var binding client.Object = &rbacv1.ClusterRoleBinding{ObjectMeta: meta, RoleRef: ref, Subjects: subject}
		if role.GetKind() == "Role" {
			binding = &rbacv1.RoleBinding{ObjectMeta: meta, RoleRef: ref, Subjects: subject}
		}
		if err := k.create(ctx, binding); err != nil {
			return err
		}
	}
}

// create creates obj; one that exists already is fine (a rerun on a kept cluster).
func (k *cluster) create(ctx context.Context, obj client.Object) error {
	if err := k.c.Create(ctx, obj); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	return nil
}

// prod is what the environments mirror: the sample shop (config/samples/prod-shop, twelve
// services, a database every other environment stands in for), or the small prod.
type prod struct {
	small bool
}

// namespace is the i-th prod namespace (0: the original's name).
func (p prod) namespace(i int) string {
	base := sampleProd
	if p.small {
		base = smallProd
	}
	if i == 0 {
		return base
	}
	return fmt.Sprintf("%s-%d", base, i+1)
}

// partOf is the app.kubernetes.io/part-of label an environment selects prod's objects by.
func (p prod) partOf() string {
	if p.small {
		return "small"
	}
	return "shop"
}

func (p prod) describe() string {
	if p.small {
		return "the small prod (hack/benchscale/small-prod.yaml: 2 Deployments of 2 and 1 replicas, a ConfigMap, a Secret)"
	}
	return "the sample shop (config/samples/prod-shop), every other environment with a database"
}

// prodNamespaces applies prod as count namespaces (the original name, then -2, -3, ...), each
// granting dev-envs, and waits until their pods run and report image digests, as prod's pods do.
func (k *cluster) prodNamespaces(ctx context.Context, p prod, count int) ([]string, error) {
	if err := k.applyFiles(ctx, nil, "config/samples/dev-envs.yaml"); err != nil {
		return nil, err
	}
	var names []string
	for i := 0; i < count; i++ {
		ns := p.namespace(i)
		names = append(names, ns)
		rename := func(s string) string {
			if i == 0 {
				return s
			}
			// A node port is cluster-wide: only the original keeps its own.
			return nodePort.ReplaceAllString(strings.ReplaceAll(s, p.namespace(0), ns), "")
		}
		var err error
		if p.small {
			err = k.applyYAML(ctx, rename(smallProdYAML))
		} else {
			err = k.applyFiles(ctx, rename, "config/samples/prod-shop")
		}
		if err != nil {
			return nil, err
		}
	}
	for _, ns := range names {
		if err := waitFor(ctx, "prod pods in "+ns, 2*time.Second, func(ctx context.Context) (bool, error) { return k.prodPodsRun(ctx, ns) }); err != nil {
			return nil, err
		}
	}
	return names, nil
}

// prodPodsRun reports whether every pod in ns runs and reports its image digest (a finished run
// of prod's CronJob apart).
func (k *cluster) prodPodsRun(ctx context.Context, ns string) (bool, error) {
	var pods corev1.PodList
	if err := k.c.List(ctx, &pods, client.InNamespace(ns)); err != nil {
		return false, err
	}
	if len(pods.Items) == 0 {
		return false, nil
	}
	for _, p := range pods.Items {
		if p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		if p.Status.Phase != corev1.PodRunning || len(p.Status.ContainerStatuses) == 0 || p.Status.ContainerStatuses[0].ImageID == "" {
			return false, fmt.Errorf("pod %s is %s", p.Name, p.Status.Phase)
		}
	}
	return true, nil
}

// unrelatedNamespaces creates n namespaces the operator has nothing to do with, each with a
// Deployment of perNamespace pods, perNamespace Secrets (4 KiB) and perNamespace ConfigMaps
// (8 KiB), and waits until their pods run.
func (k *cluster) unrelatedNamespaces(ctx context.Context, n, perNamespace int) error {
	labels := map[string]string{unrelatedLabel: "true"}
	errs := parallel(8, n, func(i int) error {
		ns := fmt.Sprintf("%s%03d", unrelatedPrefix, i)
		objs := []client.Object{&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: labels}}}
		for j := 0; j < perNamespace; j++ {
			meta := metav1.ObjectMeta{Name: fmt.Sprintf("item-%02d", j), Namespace: ns, Labels: labels}
			secret := make([]byte, 4<<10)
			_, _ = rand.Read(secret)
			objs = append(objs,
				&corev1.Secret{ObjectMeta: meta, Data: map[string][]byte{"tls.key": secret}},
				&corev1.ConfigMap{ObjectMeta: meta, Data: map[string]string{"app.properties": strings.Repeat("key.name=value\n", (8<<10)/15)}})
		}
		objs = append(objs, &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: ns, Labels: labels},
			Spec: appsv1.DeploymentSpec{
				Replicas: ptr.To(int32(perNamespace)),
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "app"}},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "app", unrelatedLabel: "true"}},
					Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.example/unrelated/app:1.0"}}},
				},
			},
		})
		for _, o := range objs {
			if err := k.create(ctx, o); err != nil {
				return fmt.Errorf("%s: %w", ns, err)
			}
		}
		return nil
	})
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	want := n * perNamespace
	return waitFor(ctx, fmt.Sprintf("%d unrelated pods to run", want), 5*time.Second, func(ctx context.Context) (bool, error) {
		var pods corev1.PodList
		if err := k.c.List(ctx, &pods, client.MatchingLabels(labels)); err != nil {
			return false, err
		}
		running := 0
		for _, p := range pods.Items {
			if p.Status.Phase == corev1.PodRunning {
				running++
			}
		}
		return running >= want, fmt.Errorf("%d of %d running", running, want)
	})
}

// parallel runs do(0..n-1) on workers goroutines and returns the errors.
func parallel(workers, n int, do func(i int) error) []error {
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := do(i); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return errs
}

// envName names the i-th environment of the benchmark.
func envName(i int) string { return fmt.Sprintf("bench-%03d", i) }

// targetNamespace is the namespace the i-th environment's copy lives in (the operator's
// default: "<prod namespace>-<environment name>").
func targetNamespace(i int, prods []string) string { return prods[i%len(prods)] + "-" + envName(i) }

// createEnvironments creates environments from..to-1, mirroring the prod namespaces in turn;
// of the sample shop, every other one has a database (a stand-in and a seeding Job).
func (k *cluster) createEnvironments(ctx context.Context, p prod, from, to int, prods []string) error {
	errs := parallel(4, to-from, func(i int) error {
		i += from
		manifest := fmt.Sprintf(`apiVersion: envmirror.io/v1alpha1
kind: MirrorEnvironment
metadata: {name: %[1]s, namespace: %[2]s}
spec:
  source:
    namespace: %[3]s
    selector: {matchLabels: {app.kubernetes.io/part-of: %[4]s}}
  branch: bench/%[1]s
  workloads: {replicas: 1}
`, envName(i), envNamespace, prods[i%len(prods)], p.partOf())
		if !p.small && i%2 == 0 {
			manifest += `  data:
  - name: orders-db
    engine: postgres
    standIn: {version: "16.4"}
    schema: {configMapRef: {name: shop-orders-schema, key: schema.sql}}
    rows: {default: 50}
`
		}
		return k.applyYAML(ctx, manifest)
	})
	return errors.Join(errs...)
}

// formatCounts prints a count map in a stable order.
func formatCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		name := k
		if name == "" {
			name = "(none)"
		}
		parts[i] = fmt.Sprintf("%s=%d", name, m[k])
	}
	return strings.Join(parts, " ")
}
