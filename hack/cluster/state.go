package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

const (
	serviceCIDR  = "10.96.0.0/16"
	serviceAPIIP = "10.96.0.1"
	podCIDR      = "10.244.0.0/16"
	clusterName  = "envmirror"
)

// env reads an environment variable with a default.
func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// paths of everything the cluster keeps. All state lives under one folder.
type paths struct {
	dir        string // ENVMIRROR_CLUSTER_DIR, default bin/cluster
	assets     string // folder with etcd, kube-apiserver, kube-controller-manager, kube-scheduler
	kwok       string // the kwok binary
	kubeconfig string // the admin kubeconfig users and tools read
	nodeAssets string // the real node's binaries (kubelet, kube-proxy, cni/, coredns, ...)
	nodeImages string // the image archives the real node imports, and their names (*.ref)
}

func loadPaths() (paths, error) {
	abs := func(p string) (string, error) { return filepath.Abs(p) }
	var p paths
	var err error
	if p.dir, err = abs(env("ENVMIRROR_CLUSTER_DIR", "bin/cluster")); err != nil {
		return p, err
	}
	if p.assets, err = abs(env("ENVMIRROR_K8S_ASSETS", "bin/k8s")); err != nil {
		return p, err
	}
	if p.kwok, err = abs(env("ENVMIRROR_KWOK", "bin/kwok")); err != nil {
		return p, err
	}
	if p.nodeAssets, err = abs(env("ENVMIRROR_NODE_ASSETS", "bin/node")); err != nil {
		return p, err
	}
	if p.nodeImages, err = abs(env("ENVMIRROR_NODE_IMAGES", filepath.Join(p.nodeAssets, "images"))); err != nil {
		return p, err
	}
	p.kubeconfig = filepath.Join(p.dir, "kubeconfig")
	return p, nil
}

func (p paths) pki(name string) string      { return filepath.Join(p.dir, "pki", name) }
func (p paths) log(component string) string { return filepath.Join(p.dir, "logs", component+".log") }
func (p paths) pidFile(name string) string  { return filepath.Join(p.dir, "pids", name+".pid") }
func (p paths) componentKubeconfig(name string) string {
	return filepath.Join(p.dir, "kubeconfigs", name+".kubeconfig")
}
func (p paths) stateFile() string { return filepath.Join(p.dir, "state.json") }

// nodeDir holds the real node's configuration files (its data lives in nodeDataDir).
func (p paths) nodeDir() string { return filepath.Join(p.dir, "node") }

// hostBefore is the host's state before the real node first came up; it lives beside the
// state folder because `down` removes the folder and then compares against it.
func (p paths) hostBefore() string { return p.dir + ".host-before.json" }

// state is what must survive between `up` runs: the ports baked into the kubeconfigs and etcd's
// member data.
type state struct {
	EtcdPort      int       `json:"etcdPort"`
	EtcdPeerPort  int       `json:"etcdPeerPort"`
	APIServerPort int       `json:"apiserverPort"`
	Created       time.Time `json:"created"`
	// RealNode: the cluster runs a real node (ENVMIRROR_REAL_NODE=1 when it was created), whose
	// apiserver pods reach at HostIP. KwokNodes is the number of simulated nodes.
	RealNode  bool   `json:"realNode,omitempty"`
	HostIP    string `json:"hostIP,omitempty"`
	KwokNodes int    `json:"kwokNodes"`
}

// clusterComponents are the processes of this cluster, in start order.
func clusterComponents(s *state) []string {
	out := []string{compEtcd, compAPIServer, compController, compScheduler}
	if s == nil || s.KwokNodes > 0 {
		out = append(out, compKwok)
	}
	if s != nil && s.RealNode {
		out = append(out, nodeComponents...)
	}
	return out
}

func readState(p paths) (*state, error) {
	b, err := os.ReadFile(p.stateFile())
	if err != nil {
		return nil, err
	}
	var s state
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", p.stateFile(), err)
	}
	if s.EtcdPort == 0 || s.EtcdPeerPort == 0 || s.APIServerPort == 0 {
		return nil, fmt.Errorf("%s: incomplete", p.stateFile())
	}
	return &s, nil
}

func writeState(p paths, s *state) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(p.stateFile(), append(b, '\n'), 0o644)
}

// portSpec is one port the cluster listens on, with the variable that fixes it.
type portSpec struct {
	envVar string
	what   string
}

var (
	apiserverPortSpec = portSpec{"ENVMIRROR_APISERVER_PORT", "kube-apiserver's secure port"}
	etcdPortSpec      = portSpec{"ENVMIRROR_ETCD_PORT", "etcd's client port"}
	etcdPeerPortSpec  = portSpec{"ENVMIRROR_ETCD_PEER_PORT", "etcd's peer port"}
)

// componentPort is a port a component listens on.
type componentPort struct {
	number int
	spec   portSpec
}

// componentPorts are the ports the component listens on, which must be free before it starts.
func componentPorts(s *state, name string) []componentPort {
	switch name {
	case compEtcd:
		return []componentPort{{s.EtcdPort, etcdPortSpec}, {s.EtcdPeerPort, etcdPeerPortSpec}}
	case compAPIServer:
		return []componentPort{{s.APIServerPort, apiserverPortSpec}}
	}
	return nil
}

// choosePort returns the port fixed by the spec's variable (which must be free), or else a free
// port picked by the kernel.
func choosePort(spec portSpec) (int, error) {
	if v := os.Getenv(spec.envVar); v != "" {
		port, err := strconv.Atoi(v)
		if err != nil || port <= 0 || port > 65535 {
			return 0, fmt.Errorf("%s=%q is not a port number", spec.envVar, v)
		}
		return port, checkPortFree(port, spec)
	}
	port, err := freePort()
	if err != nil {
		return 0, fmt.Errorf("finding a free port for %s: %w", spec.what, err)
	}
	return port, nil
}

// freePort asks the kernel for a free port on 127.0.0.1.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func checkPortFree(port int, spec portSpec) error {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("port %d (%s) is already in use by another process (%v); free it or set %s to another port",
			port, spec.what, err, spec.envVar)
	}
	return l.Close()
}

// lockFile serializes `up` and `down` of one cluster folder (make demo and make test-e2e may run
// together). The lock sits next to the folder so `down` can remove the folder while holding it.
func lockFile(p paths) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(p.dir), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p.dir+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		fmt.Fprintf(os.Stderr, "waiting for another up/down of %s to finish...\n", p.dir)
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
			f.Close()
			return nil, err
		}
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}
