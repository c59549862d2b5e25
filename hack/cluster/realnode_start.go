package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// nodeAddons holds CoreDNS, the StorageClass and the provisioner's ConfigMap; see the file.
//
//go:embed node-addons.yaml
var nodeAddons string

// nodeEnv is the environment of the node's processes: the tools they call (iptables, ipset,
// conntrack, runc, mount) live in the sbin folders, which a user's PATH may lack.
func nodeEnv() []string {
	return []string{"PATH=" + os.Getenv("PATH") + ":/usr/local/sbin:/usr/sbin:/sbin"}
}

func lookPath(tool string) (string, error) {
	for _, dir := range []string{"/usr/local/sbin", "/usr/sbin", "/sbin"} {
		if p := filepath.Join(dir, tool); fileExists(p) {
			return p, nil
		}
	}
	return exec.LookPath(tool)
}

// nodeArgv returns each node component's command line.
func nodeArgv(p paths, s *state, name string) []string {
	asset := func(bin string) string { return filepath.Join(p.nodeAssets, bin) }
	switch name {
	case compContainerd:
		bin, _ := lookPath("containerd")
		return []string{bin, "--config=" + filepath.Join(p.nodeDir(), "containerd.toml"), "--log-level=warn"}
	case compKubelet:
		return []string{
			asset("kubelet"),
			"--config=" + filepath.Join(p.nodeDir(), "kubelet.yaml"),
			"--kubeconfig=" + p.componentKubeconfig(compKubelet),
			"--root-dir=" + kubeletRoot,
			"--hostname-override=" + realNodeName,
			"--node-ip=" + s.HostIP,
			"--node-labels=envmirror.io/real-node=true",
			"--v=1",
		}
	case compKubeProxy:
		return []string{asset("kube-proxy"), "--config=" + filepath.Join(p.nodeDir(), "kube-proxy.yaml"), "--v=1"}
	case compKubeRouter:
		// Only the NetworkPolicy firewall: the CNI bridge routes and kube-proxy serves Services.
		return []string{
			asset("kube-router"),
			"--kubeconfig=" + p.componentKubeconfig(compKubeRouter),
			"--hostname-override=" + realNodeName,
			"--run-firewall=true", "--run-router=false", "--run-service-proxy=false",
			"--enable-cni=false", "--enable-ipv6=false",
			"--service-cluster-ip-range=" + serviceCIDR,
			"--metrics-port=0", "--health-port=0",
			"--iptables-sync-period=1m", "--v=1",
		}
	case compLocalPath:
		return []string{
			asset("local-path-provisioner"), "start",
			"--kubeconfig=" + p.componentKubeconfig(compLocalPath),
			"--namespace=kube-system", "--configmap-name=local-path-config",
			"--service-account-name=local-path-provisioner",
			"--provisioner-name=rancher.io/local-path",
			"--helper-image=" + busyboxImage,
		}
	}
	panic("unknown node component " + name)
}

// startNode starts containerd, imports the images, then the kubelet and the node's network and
// storage components, applies the add-ons and waits until the node is Ready and DNS answers.
func startNode(p paths, s *state, w *watcher, launch func(name string, argv []string, env []string) error) error {
	if err := writeNodeConfigs(p, s); err != nil {
		return err
	}
	if err := setIPForward(); err != nil {
		return err
	}
	if err := launch(compContainerd, nodeArgv(p, s, compContainerd), nodeEnv()); err != nil {
		return err
	}
	if err := w.wait("containerd to serve", 60*time.Second, func(ctx context.Context) (bool, string) {
		out, err := ctr(ctx, "version")
		return err == nil, strings.TrimSpace(out)
	}); err != nil {
		return err
	}
	if err := importImages(p); err != nil {
		return err
	}
	// The add-ons first: the provisioner reads its ConfigMap at start, and CoreDNS is scheduled
	// as soon as the node registers.
	if err := applyAddons(p); err != nil {
		return err
	}
	for _, c := range []string{compKubelet, compKubeProxy, compLocalPath} {
		if err := launch(c, nodeArgv(p, s, c), nodeEnv()); err != nil {
			return err
		}
	}
	api, err := newAPIClient(p, s.APIServerPort)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := w.wait("the real node to be Ready", 180*time.Second, func(ctx context.Context) (bool, string) {
		return api.nodeReady(ctx, realNodeName)
	}); err != nil {
		return err
	}
	logf("real node Ready in %s", time.Since(start).Round(100*time.Millisecond))
	// kube-router finds its node by name at start: only once the kubelet registered it.
	if err := launch(compKubeRouter, nodeArgv(p, s, compKubeRouter), nodeEnv()); err != nil {
		return err
	}
	return w.wait("CoreDNS to be available", 180*time.Second, func(ctx context.Context) (bool, string) {
		return api.deploymentAvailable(ctx, "kube-system", "coredns")
	})
}

// setIPForward turns on forwarding for the bridge; `down` restores what was there.
func setIPForward() error {
	return os.WriteFile("/proc/sys/net/ipv4/ip_forward", []byte("1\n"), 0o644)
}

// ctr runs containerd's own client against the node's containerd, in the CRI namespace.
func ctr(ctx context.Context, args ...string) (string, error) {
	full := append([]string{"--address=" + containerdSocket, "--namespace=k8s.io"}, args...)
	out, err := exec.CommandContext(ctx, "ctr", full...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("ctr %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// importImages imports every OCI/docker archive in the images folder (hack/images builds them
// and caches them by content; the Makefile links them there). Nothing is ever pulled.
func importImages(p paths) error {
	archives, _ := filepath.Glob(filepath.Join(p.nodeImages, "*.tar"))
	if len(archives) == 0 {
		return fmt.Errorf("no image archives in %s (run `make node-images`, or set ENVMIRROR_NODE_IMAGES)", p.nodeImages)
	}
	sort.Strings(archives)
	start := time.Now()
	for _, a := range archives {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		_, err := ctr(ctx, "images", "import", a)
		cancel()
		if err != nil {
			return fmt.Errorf("importing %s: %w", a, err)
		}
	}
	logf("imported %d images in %s", len(archives), time.Since(start).Round(100*time.Millisecond))
	return nil
}

// applyAddons applies CoreDNS, the StorageClass and the provisioner's ConfigMap with kubectl.
func applyAddons(p paths) error {
	coredns, err := os.ReadFile(filepath.Join(p.nodeImages, "coredns.ref"))
	if err != nil {
		return fmt.Errorf("the CoreDNS image's name: %w", err)
	}
	manifest := strings.NewReplacer(
		"COREDNS_IMAGE", strings.TrimSpace(string(coredns)),
		"BUSYBOX_IMAGE", busyboxImage,
		"CLUSTER_DNS_IP", clusterDNSIP,
		"LOCAL_PATH_DIR", localPathDir,
	).Replace(nodeAddons)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(p.assets, "kubectl"), "--kubeconfig="+p.kubeconfig,
		"apply", "--server-side", "--force-conflicts", "--field-manager=envmirror-cluster", "-f", "-")
	cmd.Stdin = strings.NewReader(manifest)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("applying the node's add-ons: %w: %s", err, out)
	}
	return nil
}

// nodeReady reports whether a node is Ready and free of the not-ready taint.
func (c *apiClient) nodeReady(ctx context.Context, name string) (bool, string) {
	code, body, err := c.do(ctx, http.MethodGet, "/api/v1/nodes/"+name, nil)
	if err != nil {
		return false, err.Error()
	}
	if code != http.StatusOK {
		return false, fmt.Sprintf("node %s: %d", name, code)
	}
	var n struct {
		Spec struct {
			Taints []struct{ Key string } `json:"taints"`
		} `json:"spec"`
		Status struct {
			Conditions []struct{ Type, Status, Message string } `json:"conditions"`
		} `json:"status"`
	}
	if err := json.Unmarshal(body, &n); err != nil {
		return false, err.Error()
	}
	for _, t := range n.Spec.Taints {
		if t.Key == "node.kubernetes.io/not-ready" {
			return false, "tainted not-ready"
		}
	}
	for _, cond := range n.Status.Conditions {
		if cond.Type == "Ready" {
			return cond.Status == "True", cond.Message
		}
	}
	return false, "no Ready condition yet"
}

// deploymentAvailable reports whether a Deployment has all its replicas available.
func (c *apiClient) deploymentAvailable(ctx context.Context, ns, name string) (bool, string) {
	code, body, err := c.do(ctx, http.MethodGet, "/apis/apps/v1/namespaces/"+ns+"/deployments/"+name, nil)
	if err != nil {
		return false, err.Error()
	}
	if code != http.StatusOK {
		return false, fmt.Sprintf("deployment %s/%s: %d", ns, name, code)
	}
	var d struct {
		Spec   struct{ Replicas int }
		Status struct {
			AvailableReplicas int `json:"availableReplicas"`
		}
	}
	if err := json.Unmarshal(body, &d); err != nil {
		return false, err.Error()
	}
	return d.Status.AvailableReplicas >= d.Spec.Replicas && d.Spec.Replicas > 0,
		fmt.Sprintf("%d/%d available", d.Status.AvailableReplicas, d.Spec.Replicas)
}
