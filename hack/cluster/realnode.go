package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// The real node: one kubelet with Debian's containerd and runc, the CNI bridge, kube-proxy,
// kube-router's NetworkPolicy firewall and rancher's local-path provisioner, all as local
// processes recorded with the cluster, beside (or instead of) the KWOK nodes. It runs real
// containers, so it needs root on Linux and changes host-wide state (iptables, a bridge,
// ip_forward, kernel tunables, cgroups, mounts); `down` undoes all of it and `hostcheck` proves
// it. Only one real node may run on a machine: its paths are fixed.
const (
	realNodeName = "envmirror-real-node"
	// nodeDataDir holds what outlives a container (kubelet's root, containerd's content and
	// snapshots, the CNI configuration and binaries, PV data); nodeRunDir the sockets and
	// runtime state. Both are removed by `down`.
	nodeDataDir = "/var/lib/envmirror-node"
	nodeRunDir  = "/run/envmirror-node"
	// nodeOwnerFile names the cluster folder that runs the real node.
	nodeOwnerFile = nodeRunDir + "/owner"
	// nodeBridge is the CNI bridge, nodePodCIDR the node's pod addresses (apart from KWOK's
	// simulated ones in podCIDR), clusterDNSIP CoreDNS's Service address.
	nodeBridge   = "envmirror0"
	nodePodCIDR  = "10.245.0.0/16"
	clusterDNSIP = "10.96.0.10"
)

// Components of the real node, in start order.
const (
	compContainerd = "containerd"
	compKubelet    = "kubelet"
	compKubeProxy  = "kube-proxy"
	compKubeRouter = "kube-router"
	compLocalPath  = "local-path-provisioner"
)

var nodeComponents = []string{compContainerd, compKubelet, compKubeProxy, compLocalPath, compKubeRouter}

// Paths the node's components use.
var (
	containerdSocket = filepath.Join(nodeRunDir, "containerd.sock")
	kubeletRoot      = filepath.Join(nodeDataDir, "kubelet")
	cniBinDir        = filepath.Join(nodeDataDir, "cni", "bin")
	cniConfDir       = filepath.Join(nodeDataDir, "cni", "net.d")
	localPathDir     = filepath.Join(nodeDataDir, "local-path")
)

// realNodeWanted reports whether ENVMIRROR_REAL_NODE asks for a real node.
func realNodeWanted() bool {
	switch strings.ToLower(os.Getenv("ENVMIRROR_REAL_NODE")) {
	case "1", "true", "yes":
		return true
	}
	return false
}

// realNodeAllowed refuses a real node off Linux or without root, saying why.
func realNodeAllowed() error {
	if runtime.GOOS != "linux" {
		return fmt.Errorf("a real node (ENVMIRROR_REAL_NODE=1) runs only on Linux, not %s; unset ENVMIRROR_REAL_NODE for the KWOK-only cluster", runtime.GOOS)
	}
	if os.Geteuid() != 0 {
		return errors.New("a real node (ENVMIRROR_REAL_NODE=1) needs root: kubelet, containerd and the CNI bridge change iptables, mounts and cgroups; run as root, or unset ENVMIRROR_REAL_NODE for the KWOK-only cluster")
	}
	return nil
}

// realNodePreflight refuses a real node where it cannot run, saying why.
func realNodePreflight(p paths) error {
	if err := realNodeAllowed(); err != nil {
		return err
	}
	if owner, err := os.ReadFile(nodeOwnerFile); err == nil && strings.TrimSpace(string(owner)) != p.dir {
		return fmt.Errorf("a real node already runs on this machine for the cluster in %s (only one can): `down` it there first", strings.TrimSpace(string(owner)))
	}
	var missing []string
	for _, name := range []string{"kubelet", "kube-proxy", "coredns", "kube-router", "local-path-provisioner", "cni/bridge", "cni/host-local", "cni/loopback", "cni/portmap"} {
		if !fileExists(filepath.Join(p.nodeAssets, name)) {
			missing = append(missing, filepath.Join(p.nodeAssets, name))
		}
	}
	for _, tool := range []string{"containerd", "containerd-shim-runc-v2", "runc", "ctr", "iptables", "ipset", "conntrack", "ip"} {
		if _, err := lookPath(tool); err != nil {
			missing = append(missing, tool+" (Debian package)")
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the real node is missing: %s\n(run `make cluster-up ENVMIRROR_REAL_NODE=1`, which builds and installs them, or set ENVMIRROR_NODE_ASSETS)", strings.Join(missing, ", "))
	}
	return nil
}

// hostIP is the machine's own address the apiserver advertises to pods: the source address of
// its default route, found without sending a packet (a UDP socket only picks a route).
func hostIP() (string, error) {
	conn, err := net.Dial("udp4", "192.0.2.254:9")
	if err == nil {
		defer conn.Close()
		if ip := conn.LocalAddr().(*net.UDPAddr).IP; ip != nil && !ip.IsLoopback() {
			return ip.String(), nil
		}
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return "", err
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
			return n.IP.String(), nil
		}
	}
	return "", errors.New("no non-loopback IPv4 address for the apiserver to advertise to pods")
}

// writeNodeConfigs writes containerd's, the kubelet's, kube-proxy's, the CNI's and the
// provisioner's configuration, and links the CNI plugins where containerd looks for them.
func writeNodeConfigs(p paths, s *state) error {
	for _, d := range []string{nodeDataDir, nodeRunDir, cniBinDir, cniConfDir, localPathDir, kubeletRoot, p.nodeDir()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if err := os.WriteFile(nodeOwnerFile, []byte(p.dir+"\n"), 0o644); err != nil {
		return err
	}
	for _, plugin := range []string{"bridge", "host-local", "loopback", "portmap"} {
		dst := filepath.Join(cniBinDir, plugin)
		_ = os.Remove(dst)
		if err := os.Symlink(filepath.Join(p.nodeAssets, "cni", plugin), dst); err != nil {
			return err
		}
	}
	files := map[string]string{
		filepath.Join(p.nodeDir(), "containerd.toml"):      containerdConfig,
		filepath.Join(cniConfDir, "10-envmirror.conflist"): cniConfig,
		filepath.Join(p.nodeDir(), "kubelet.yaml"):         kubeletConfig(p),
		filepath.Join(p.nodeDir(), "kube-proxy.yaml"):      kubeProxyConfig(p),
		filepath.Join(p.nodeDir(), "resolv.conf"):          "# pods with dnsPolicy Default: no resolver outside the machine\nnameserver 127.0.0.1\n",
	}
	for path, content := range files {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// containerdConfig: Debian's containerd with every path under the node's own folders (so `down`
// knows what to remove), the images imported locally (nothing is ever pulled), and
// restrict_oom_score_adj, without which runc fails on these machines (processes lack
// CAP_SYS_RESOURCE: "nsexec: failed to update /proc/self/oom_score_adj"). Plugins that would
// create folders elsewhere (/opt/containerd) or probe other snapshotters are off.
var containerdConfig = `# containerd for envmirror's real node, written by hack/cluster.
version = 2
root = "` + nodeDataDir + `/containerd"
state = "` + nodeRunDir + `/containerd"
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing"]

[grpc]
  address = "` + nodeRunDir + `/containerd.sock"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "` + pauseImage + `"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  enable_unprivileged_ports = true
  enable_unprivileged_icmp = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    discard_unpacked_layers = false
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "` + nodeRunDir + `/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "` + nodeDataDir + `/cni/bin"
    conf_dir = "` + nodeDataDir + `/cni/net.d"
`

// pauseImage is the sandbox image, built locally (hack/images) like every other image.
const pauseImage = "localhost/envmirror/pause:1.0"

// cniConfig: a bridge with its own name and a host-local range apart from KWOK's, no masquerade
// (pods only talk to the machine, each other and Services; kube-proxy masquerades hairpin
// traffic), and host-local's allocations under the node's folder.
var cniConfig = `{
  "cniVersion": "1.0.0",
  "name": "envmirror",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "` + nodeBridge + `",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "` + nodeDataDir + `/cni/ipam",
        "ranges": [[{"subnet": "` + nodePodCIDR + `"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
`

// kubeletConfig: the settings without which kubelet 1.37 fails here (failCgroupV1: false on
// this cgroup v1 host, cgroupfs without systemd, swap tolerated), thresholds relaxed for a
// shared disk, and every folder it would create elsewhere moved under the node's own.
func kubeletConfig(p paths) string {
	return `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupDriver: cgroupfs
failSwapOn: false
containerRuntimeEndpoint: unix://` + containerdSocket + `
podLogsDir: ` + nodeDataDir + `/pod-logs
volumePluginDir: ` + nodeDataDir + `/volume-plugins
resolvConf: ` + filepath.Join(p.nodeDir(), "resolv.conf") + `
clusterDomain: cluster.local
clusterDNS: [` + clusterDNSIP + `]
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: ` + p.pki("ca.crt") + `}
authorization:
  mode: Webhook
evictionHard:
  memory.available: 100Mi
  nodefs.available: 1%
  nodefs.inodesFree: 1%
  imagefs.available: 1%
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
maxPods: 110
`
}

// kubeProxyConfig: iptables mode, node ports only on the machine's primary address, and no
// conntrack sysctl changed (0 leaves each as it is).
func kubeProxyConfig(p paths) string {
	return `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: ` + p.componentKubeconfig(compKubeProxy) + `
hostnameOverride: ` + realNodeName + `
mode: iptables
clusterCIDR: ` + nodePodCIDR + `
nodePortAddresses: [primary]
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: ""
iptables:
  localhostNodePorts: false
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
  udpTimeout: 0s
  udpStreamTimeout: 0s
`
}

// busyboxImage runs the provisioner's helper pods (Debian's busybox-static, built locally).
const busyboxImage = "localhost/envmirror/busybox:1.35"
