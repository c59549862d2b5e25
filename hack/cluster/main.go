// Command cluster runs envmirror's local simulated Kubernetes cluster: etcd, kube-apiserver,
// kube-controller-manager and kube-scheduler built from source (hack/build-k8s.sh), plus KWOK
// playing the kubelets of a few fake nodes. Unlike envtest it runs the controllers, so
// Deployments become ready, Jobs complete, namespaces are really deleted and garbage collection
// works; pods report image digests (imageID) the way kubelets do. Nothing runs in containers.
//
// Usage (from the repository root):
//
//	go run ./hack/cluster up           start (idempotent); prints the kubeconfig path
//	go run ./hack/cluster down         stop every recorded process, remove the state folder
//	go run ./hack/cluster status       show components and nodes; exit 1 unless fully up
//	go run ./hack/cluster kubeconfig   print the kubeconfig path
//	go run ./hack/cluster spawn NAME -- CMD [ARGS...]   run CMD detached, logged and recorded
//	                                   with the cluster (make demo runs the operator so)
//	go run ./hack/cluster stop NAME    stop a spawned process
//	go run ./hack/cluster restart [--kill] [--down D] COMPONENT   stop a component (etcd,
//	                                   kube-apiserver, ...) and start it again in place; returns
//	                                   when it serves again (chaos tests restart the apiserver)
//	go run ./hack/cluster running NAME exit 0 when the recorded process NAME runs
//	go run ./hack/cluster user NAME [GROUP...]  write a kubeconfig for a new client certificate
//	                                   (no rights until RBAC grants some); prints its path
//	go run ./hack/cluster freeport     print a free TCP port on 127.0.0.1
//	go run ./hack/cluster load-images  import the image archives into a running real node again
//	                                   (after `make node-images`)
//	go run ./hack/cluster hostcheck    after `down` of a real node: fail unless the machine is as
//	                                   it was before its `up` (iptables, mounts, sysctls, ...)
//
// With ENVMIRROR_REAL_NODE=1 a new cluster also gets a real node (root and Linux only; see
// realnode.go): a kubelet with containerd, the CNI bridge, kube-proxy, CoreDNS, a PVC provisioner
// and a NetworkPolicy firewall, whose binaries are in ENVMIRROR_NODE_ASSETS (default bin/node)
// and whose images are the archives in ENVMIRROR_NODE_IMAGES (default bin/node/images); KWOK
// nodes then default to none.
//
// Environment: ENVMIRROR_CLUSTER_DIR (state folder, default bin/cluster), ENVMIRROR_K8S_ASSETS
// (default bin/k8s), ENVMIRROR_KWOK (default bin/kwok), ENVMIRROR_NODES (default 3), and
// ENVMIRROR_APISERVER_PORT, ENVMIRROR_ETCD_PORT, ENVMIRROR_ETCD_PEER_PORT to fix ports (by
// default free ports are picked when the cluster is created and kept until `down`).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// markerFile marks a folder as a cluster state folder; `down` removes nothing without it.
const markerFile = ".envmirror-cluster"

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	p, err := loadPaths()
	if err != nil {
		fatal(err)
	}
	switch os.Args[1] {
	case "up":
		err = up(p)
	case "down":
		err = down(p)
	case "status":
		if !status(p) {
			os.Exit(1)
		}
	case "kubeconfig":
		fmt.Println(p.kubeconfig)
		if !fileExists(p.kubeconfig) {
			fmt.Fprintf(os.Stderr, "(%s does not exist yet: run `up`)\n", p.kubeconfig)
			os.Exit(1)
		}
	case "spawn":
		err = spawnCmd(p, os.Args[2:])
	case "stop":
		if len(os.Args) != 3 {
			usage()
		}
		err = stopCmd(p, os.Args[2])
	case "restart":
		err = restartCmd(p, os.Args[2:])
	case "running":
		if len(os.Args) != 3 {
			usage()
		}
		rec, rerr := readRecord(p, os.Args[2])
		if rerr != nil || !rec.alive() {
			os.Exit(1)
		}
	case "user":
		if len(os.Args) < 3 {
			usage()
		}
		var s *state
		if s, err = readState(p); err == nil {
			var path string
			if path, err = issueUser(p, s, os.Args[2], os.Args[3:]); err == nil {
				fmt.Println(path)
			}
		}
	case "hostcheck":
		err = hostCheck(p)
	case "load-images":
		err = importImages(p)
	case "freeport":
		var port int
		if port, err = freePort(); err == nil {
			fmt.Println(port)
		}
	default:
		usage()
	}
	if err != nil {
		fatal(err)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: cluster up|down|status|kubeconfig|spawn NAME -- CMD...|stop NAME|restart [--kill] [--down D] COMPONENT|running NAME|user NAME [GROUP...]|freeport|hostcheck|load-images")
	os.Exit(2)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "cluster:", err)
	os.Exit(1)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "cluster: "+format+"\n", args...)
}

// nodeCount is the number of KWOK nodes a new cluster gets: ENVMIRROR_NODES, by default 3, or
// none beside a real node (pods placed on a simulated node would never run).
func nodeCount() int {
	def, lowest := 3, 1
	if realNodeWanted() {
		def, lowest = 0, 0
	}
	n, err := strconv.Atoi(env("ENVMIRROR_NODES", strconv.Itoa(def)))
	if err != nil || n < lowest || n > 26 {
		return def
	}
	return n
}

// up starts the cluster, repairs a partial one, or says it is already up.
func up(p paths) error {
	start := time.Now()
	unlock, err := lockFile(p)
	if err != nil {
		return err
	}
	defer unlock()
	s, stateErr := readState(p)
	if (s == nil && realNodeWanted()) || (s != nil && s.RealNode) {
		if err := realNodeAllowed(); err != nil {
			return err
		}
	}
	if err := checkBinaries(p, (s != nil && s.kwokNodes() > 0) || (s == nil && nodeCount() > 0)); err != nil {
		return err
	}
	if s != nil {
		var alive, dead []string
		for _, c := range clusterComponents(s) {
			if rec, err := readRecord(p, c); err == nil && rec.alive() {
				alive = append(alive, c)
			} else {
				dead = append(dead, c)
			}
		}
		// Every process runs: give a busy machine some time to answer before calling it broken.
		for i := 0; len(dead) == 0 && i < 15; i++ {
			if healthy(p, s) {
				logf("already up (state in %s)", p.dir)
				fmt.Println(p.kubeconfig)
				return nil
			}
			time.Sleep(2 * time.Second)
		}
		logf("cluster in %s is partially up (running: %s; not running: %s): restarting its components with the existing data",
			p.dir, orNone(alive), orNone(dead))
		stopComponents(p, s)
		err := startCluster(p, s)
		if err == nil {
			logf("repaired in %s", time.Since(start).Round(100*time.Millisecond))
			fmt.Println(p.kubeconfig)
			return nil
		}
		logf("repair failed: %v", err)
		logf("tearing the cluster down and creating a fresh one")
		if err := teardown(p); err != nil {
			return err
		}
	} else if fileExists(p.dir) {
		entries, _ := os.ReadDir(p.dir)
		if len(entries) > 0 {
			if !fileExists(filepath.Join(p.dir, markerFile)) {
				return fmt.Errorf("%s exists but is not a cluster state folder; move it away or set ENVMIRROR_CLUSTER_DIR", p.dir)
			}
			logf("%s holds an incomplete cluster (%v): starting afresh", p.dir, stateErr)
			if err := teardown(p); err != nil {
				return err
			}
		}
	}

	// A fresh cluster.
	if s, err = newState(p); err != nil {
		return err
	}
	if err := os.MkdirAll(p.dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(p.dir, markerFile), []byte("envmirror local cluster state; remove with `cluster down`\n"), 0o644); err != nil {
		return err
	}
	if s.RealNode {
		if err := saveHostBefore(p); err != nil {
			return err
		}
	}
	logf("creating a cluster in %s (apiserver port %d, etcd ports %d/%d, %d KWOK nodes%s)", p.dir, s.APIServerPort,
		s.EtcdPort, s.EtcdPeerPort, s.KwokNodes, map[bool]string{true: ", a real node", false: ""}[s.RealNode])
	if err := ensurePKI(filepath.Join(p.dir, "pki")); err != nil {
		return err
	}
	if err := writeState(p, s); err != nil {
		return err
	}
	if err := startCluster(p, s); err != nil {
		return fmt.Errorf("%w\nthe logs are in %s; `down` removes the cluster", err, filepath.Join(p.dir, "logs"))
	}
	logf("up in %s", time.Since(start).Round(100*time.Millisecond))
	fmt.Println(p.kubeconfig)
	return nil
}

// newState describes a new cluster: its ports, its KWOK nodes and whether it has a real node
// (refused, saying why, where one cannot run).
func newState(p paths) (*state, error) {
	s := &state{Created: time.Now().UTC(), KwokNodes: nodeCount(), RealNode: realNodeWanted()}
	var err error
	if s.RealNode {
		if err := realNodePreflight(p); err != nil {
			return nil, err
		}
		if s.HostIP, err = hostIP(); err != nil {
			return nil, err
		}
	}
	if s.EtcdPort, err = choosePort(etcdPortSpec); err != nil {
		return nil, err
	}
	if s.EtcdPeerPort, err = choosePort(etcdPeerPortSpec); err != nil {
		return nil, err
	}
	if s.APIServerPort, err = choosePort(apiserverPortSpec); err != nil {
		return nil, err
	}
	if s.EtcdPort == s.EtcdPeerPort || s.EtcdPort == s.APIServerPort || s.EtcdPeerPort == s.APIServerPort {
		return nil, fmt.Errorf("the cluster's ports must differ: etcd %d, etcd peer %d, apiserver %d", s.EtcdPort, s.EtcdPeerPort, s.APIServerPort)
	}
	return s, nil
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

func down(p paths) error {
	unlock, err := lockFile(p)
	if err != nil {
		return err
	}
	defer unlock()
	if !fileExists(p.dir) {
		logf("no cluster in %s: nothing to do", p.dir)
		return hostCheckIfRecorded(p)
	}
	if err := teardown(p); err != nil {
		return err
	}
	logf("stopped; removed %s", p.dir)
	return hostCheckIfRecorded(p)
}

// hostCheckIfRecorded runs the host check after a real node's `down`.
func hostCheckIfRecorded(p paths) error {
	if !fileExists(p.hostBefore()) {
		return nil
	}
	return hostCheck(p)
}

// status prints each recorded process and the cluster's health; true when fully up.
func status(p paths) bool {
	s, err := readState(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			fmt.Printf("no cluster in %s\n", p.dir)
		} else {
			fmt.Printf("cluster state in %s is unreadable: %v\n", p.dir, err)
		}
		return false
	}
	ok := true
	fmt.Printf("cluster state: %s (created %s)\n", p.dir, s.Created.Local().Format(time.RFC3339))
	comps := clusterComponents(s)
	seen := map[string]bool{}
	show := func(name string) {
		seen[name] = true
		rec, err := readRecord(p, name)
		switch {
		case err != nil:
			fmt.Printf("  %-24s not running\n", name)
			if slices.Contains(comps, name) {
				ok = false
			}
		case rec.alive():
			fmt.Printf("  %-24s running  pid %-8d log %s\n", name, rec.pid, p.log(name))
		default:
			fmt.Printf("  %-24s exited   (was pid %d; log %s)\n", name, rec.pid, p.log(name))
			if slices.Contains(comps, name) {
				ok = false
			}
		}
	}
	for _, c := range comps {
		show(c)
	}
	for _, rec := range records(p) {
		if !seen[rec.name] {
			show(rec.name)
		}
	}
	api, err := newAPIClient(p, s.APIServerPort)
	if err != nil {
		fmt.Printf("  apiserver: %v\n", err)
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if !api.ready(ctx) {
		fmt.Printf("  apiserver https://127.0.0.1:%d: not ready\n", s.APIServerPort)
		return false
	}
	fmt.Printf("  apiserver https://127.0.0.1:%d: ready\n", s.APIServerPort)
	n, summary, err := api.nodesReady(ctx)
	if err != nil {
		fmt.Printf("  nodes: %v\n", err)
		return false
	}
	fmt.Printf("  KWOK nodes: %d/%d ready (%s)\n", n, s.kwokNodes(), summary)
	if s.RealNode {
		ready, msg := api.nodeReady(ctx, realNodeName)
		fmt.Printf("  real node %s: ready=%v (%s)\n", realNodeName, ready, msg)
		ok = ok && ready
	}
	fmt.Printf("kubeconfig: %s\n", p.kubeconfig)
	return ok && n >= s.kwokNodes()
}

// spawnCmd runs a command detached and recorded with the cluster, so `down` stops it too.
func spawnCmd(p paths, args []string) error {
	if len(args) < 3 || args[1] != "--" {
		usage()
	}
	name, cmdline := args[0], args[2:]
	if slices.Contains(allComponents, name) || strings.ContainsAny(name, "/ ") {
		return fmt.Errorf("%q cannot name a spawned process", name)
	}
	if !fileExists(filepath.Join(p.dir, markerFile)) {
		return fmt.Errorf("no cluster in %s: run `up` first", p.dir)
	}
	if rec, err := readRecord(p, name); err == nil && rec.alive() {
		return fmt.Errorf("%s is already running (pid %d); stop it first", name, rec.pid)
	}
	bin, err := exec.LookPath(cmdline[0])
	if err != nil {
		return err
	}
	if cmdline[0], err = filepath.Abs(bin); err != nil {
		return err
	}
	rec, exited, err := spawn(p, name, cmdline, nil)
	if err != nil {
		return err
	}
	select {
	case werr := <-exited:
		os.Remove(p.pidFile(name))
		return fmt.Errorf("%s exited at once (%v); the end of %s:\n%s", name, werr, p.log(name), indent(tail(p.log(name), 25)))
	case <-time.After(1500 * time.Millisecond):
	}
	fmt.Printf("%s started: pid %d, log %s\n", name, rec.pid, p.log(name))
	return nil
}

func stopCmd(p paths, name string) error {
	rec, err := readRecord(p, name)
	if err != nil {
		logf("%s is not running", name)
		return nil
	}
	wasAlive := rec.alive()
	if err := stop(p, rec, 15*time.Second); err != nil {
		return err
	}
	if wasAlive {
		logf("stopped %s (pid %d)", name, rec.pid)
	} else {
		logf("%s had already exited", name)
	}
	return nil
}
