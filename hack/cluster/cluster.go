package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// kwokNodes is the number of simulated nodes: as recorded, or (for a state written before the
// count was recorded) ENVMIRROR_NODES.
func (s *state) kwokNodes() int {
	if s.KwokNodes == 0 && !s.RealNode {
		return nodeCount()
	}
	return s.KwokNodes
}

// healthy: every component runs, the apiserver is ready and the nodes are Ready.
func healthy(p paths, s *state) bool {
	for _, c := range clusterComponents(s) {
		rec, err := readRecord(p, c)
		if err != nil || !rec.alive() {
			return false
		}
	}
	api, err := newAPIClient(p, s.APIServerPort)
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if !api.ready(ctx) {
		return false
	}
	n, _, err := api.nodesReady(ctx)
	if err != nil || n < s.kwokNodes() {
		return false
	}
	if s.RealNode {
		ok, _ := api.nodeReady(ctx, realNodeName)
		return ok
	}
	return true
}

// startCluster starts every component in order and waits until the cluster can run pods. If a
// component exits meanwhile, it prints the end of its log, stops the others and fails.
func startCluster(p paths, s *state) (err error) {
	if err := writeConfigs(p, s); err != nil {
		return err
	}
	var started []*procRecord
	w := watcher{p: p, exits: map[string]<-chan error{}}
	defer func() {
		if err != nil {
			if s.RealNode && slices.ContainsFunc(started, func(r *procRecord) bool { return r.name == compKubelet }) {
				teardownNode(p, s)
			}
			for i := len(started) - 1; i >= 0; i-- {
				_ = stop(p, started[i], 10*time.Second)
			}
		}
	}()
	launchEnv := func(name string, argv, env []string) error {
		rec, err := w.launchEnv(s, name, argv, env)
		if err == nil {
			started = append(started, rec)
		}
		return err
	}
	launch := func(name string) error { return launchEnv(name, argv(p, s, name), nil) }

	for _, name := range []string{compEtcd, compAPIServer} {
		if err := launch(name); err != nil {
			return err
		}
		if err := w.waitReady(s, name); err != nil {
			return err
		}
	}
	api, err := newAPIClient(p, s.APIServerPort)
	if err != nil {
		return err
	}
	for _, c := range []string{compController, compScheduler, compKwok} {
		if c == compKwok && s.kwokNodes() == 0 {
			continue
		}
		if err := launch(c); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The default StorageClass first: PVCs created later get it. A real node brings its own.
	if !s.RealNode {
		if err := api.create(ctx, "/apis/storage.k8s.io/v1/storageclasses", defaultStorageClass); err != nil {
			return err
		}
	}
	if err := createKwokNodes(ctx, api, &w, s); err != nil {
		return err
	}
	if s.RealNode {
		if err := startNode(p, s, &w, launchEnv); err != nil {
			return err
		}
	}
	return w.wait("the default ServiceAccount in namespace default", 120*time.Second, func(ctx context.Context) (bool, string) {
		ok, err := api.exists(ctx, "/api/v1/namespaces/default/serviceaccounts/default")
		if err != nil {
			return false, err.Error()
		}
		return ok, "not created yet"
	})
}

// createKwokNodes creates the simulated nodes and waits until they are Ready.
func createKwokNodes(ctx context.Context, api *apiClient, w *watcher, s *state) error {
	for i := 0; i < s.kwokNodes(); i++ {
		if err := api.create(ctx, "/api/v1/nodes", fakeNode(i)); err != nil {
			return err
		}
	}
	if s.kwokNodes() > 0 {
		nodesStart := time.Now()
		if err := w.wait(fmt.Sprintf("%d nodes to be Ready", s.kwokNodes()), 180*time.Second, func(ctx context.Context) (bool, string) {
			n, summary, err := api.nodesReady(ctx)
			if err != nil {
				return false, err.Error()
			}
			return n >= s.kwokNodes(), summary
		}); err != nil {
			return err
		}
		logf("nodes Ready in %s", time.Since(nodesStart).Round(100*time.Millisecond))
	}
	return nil
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// stopComponents stops the cluster's own recorded processes, last started first. A real node's
// pods are deleted through its kubelet first, so their networks are torn down by the CNI.
func stopComponents(p paths, s *state) {
	if s != nil && s.RealNode {
		teardownNode(p, s)
	}
	for _, c := range slices.Backward(allComponents) {
		if rec, err := readRecord(p, c); err == nil {
			stopOrLog(p, rec, 15*time.Second)
		}
	}
}

// allComponents names every component any cluster may run.
var allComponents = append([]string{compEtcd, compAPIServer, compController, compScheduler, compKwok}, nodeComponents...)

// teardown stops every recorded process (spawned ones such as the operator first), removes
// what a real node left on the host, and removes the state folder.
func teardown(p paths) error {
	for _, rec := range records(p) {
		if slices.Contains(allComponents, rec.name) {
			continue
		}
		if rec.alive() {
			logf("stopping %s (pid %d)", rec.name, rec.pid)
		}
		stopOrLog(p, rec, 15*time.Second)
	}
	s, _ := readState(p)
	realNode := (s != nil && s.RealNode) || nodeOwnedBy(p)
	if realNode {
		if s == nil {
			s = &state{RealNode: true}
		}
		teardownNode(p, s)
	}
	for _, c := range slices.Backward(allComponents) {
		if rec, err := readRecord(p, c); err == nil {
			if rec.alive() {
				logf("stopping %s (pid %d)", c, rec.pid)
			}
			if err := stop(p, rec, 15*time.Second); err != nil {
				return err
			}
		}
	}
	if realNode {
		if err := cleanHost(p); err != nil {
			return err
		}
	}
	if !fileExists(filepath.Join(p.dir, markerFile)) {
		return fmt.Errorf("not removing %s: it has no %s marker", p.dir, markerFile)
	}
	return os.RemoveAll(p.dir)
}

// nodeOwnedBy reports whether the machine's real node belongs to this cluster folder.
func nodeOwnedBy(p paths) bool {
	owner, err := os.ReadFile(nodeOwnerFile)
	return err == nil && strings.TrimSpace(string(owner)) == p.dir
}
