//go:build realpods

// Package realpods is the real-pod suite: it runs on the local cluster's real node (kubelet,
// containerd, CNI, kube-proxy, CoreDNS, local-path PVCs, kube-router's NetworkPolicies) and proves
// from outside the operator — querying databases, connecting from pods — what the KWOK cluster
// cannot: that the pods run. `make test-realpods` brings the cluster up, runs it, takes the
// cluster down and checks that the host is as it was.
package realpods

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var (
	repoRoot   string
	kubeconfig string
	kubectlBin string
	// imagesDir holds the node's image archives and their names (NAME.ref).
	imagesDir string
	runID     string
)

func TestRealPods(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "envmirror real-pod suite")
}

var _ = BeforeSuite(func() {
	var err error
	repoRoot, err = filepath.Abs("../..")
	Expect(err).NotTo(HaveOccurred())
	abs := func(envVar, def string) string {
		v := os.Getenv(envVar)
		if v == "" {
			v = def
		}
		if !filepath.IsAbs(v) {
			v = filepath.Join(repoRoot, v)
		}
		return filepath.Clean(v)
	}
	kubeconfig = abs("ENVMIRROR_REALPODS_KUBECONFIG", "bin/cluster-realpods/kubeconfig")
	kubectlBin = abs("ENVMIRROR_REALPODS_KUBECTL", "bin/k8s/kubectl")
	imagesDir = abs("ENVMIRROR_NODE_IMAGES", "bin/node/images")
	runID = fmt.Sprintf("%04x", rand.IntN(1<<16))
	for _, f := range []string{kubeconfig, kubectlBin, imagesDir} {
		if _, err := os.Stat(f); err != nil {
			Fail(fmt.Sprintf("%s is missing: `make test-realpods` brings up the real node and runs this suite", f))
		}
	}
	Expect(kubectl("get", "--raw", "/readyz")).To(Equal("ok"))
	Expect(kubectl("get", "node", "envmirror-real-node", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")).
		To(Equal("True"), "the real node is not Ready")
})

const (
	poll        = time.Second
	podTimeout  = 2 * time.Minute
	realNode    = "envmirror-real-node"
	busyboxName = "busybox"
)

// imageRef is a node image's name as hack/images wrote it (e.g. docker.io/library/postgres:15.18).
func imageRef(name string) string {
	b, err := os.ReadFile(filepath.Join(imagesDir, name+".ref"))
	Expect(err).NotTo(HaveOccurred(), "image %s was not built (make node-images)", name)
	return strings.TrimSpace(string(b))
}

func kubectlIn(stdin string, args ...string) (string, error) {
	cmd := exec.Command(kubectlBin, append([]string{"--kubeconfig", kubeconfig}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	err := cmd.Run()
	if err != nil {
		return strings.TrimSpace(out.String()), fmt.Errorf("kubectl %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

func kubectl(args ...string) (string, error) { return kubectlIn("", args...) }

func mustKubectl(args ...string) string {
	GinkgoHelper()
	out, err := kubectl(args...)
	Expect(err).NotTo(HaveOccurred())
	return out
}

// apply applies a manifest (server-side, as a test field manager).
func apply(manifest string) {
	GinkgoHelper()
	_, err := kubectlIn(manifest, "apply", "--server-side", "--field-manager=realpods", "-f", "-")
	Expect(err).NotTo(HaveOccurred())
}

func getJSON(g Gomega, out any, args ...string) {
	s, err := kubectl(append(args, "-o", "json")...)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(json.Unmarshal([]byte(s), out)).To(Succeed())
}

// newNamespace creates a namespace for one spec and deletes it afterwards.
func newNamespace(base string, labels ...string) string {
	GinkgoHelper()
	ns := base + "-" + runID
	m := fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  labels: {%s}\n", ns, strings.Join(labels, ", "))
	apply(m)
	DeferCleanup(func() { _, _ = kubectl("delete", "namespace", ns, "--wait=false") })
	return ns
}

// waitPodReady waits until a pod is Ready, printing its events and log when it is not.
func waitPodReady(ns, pod string, timeout time.Duration) {
	GinkgoHelper()
	_, err := kubectl("-n", ns, "wait", "--for=condition=Ready", "pod/"+pod, "--timeout="+timeout.String())
	if err != nil {
		describe, _ := kubectl("-n", ns, "describe", "pod", pod)
		logs, _ := kubectl("-n", ns, "logs", pod, "--all-containers", "--tail=40")
		Fail(fmt.Sprintf("pod %s/%s not Ready within %s: %v\n%s\nlog:\n%s", ns, pod, timeout, err, describe, logs))
	}
}

// execIn runs a command in a pod's (first) container.
func execIn(ns, pod string, cmd ...string) (string, error) {
	return kubectl(append([]string{"-n", ns, "exec", pod, "--"}, cmd...)...)
}

// clientPod starts a busybox pod that sleeps, for commands run with execIn.
func clientPod(ns, name string, labels ...string) {
	GinkgoHelper()
	apply(fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: %s, namespace: %s, labels: {%s}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: client
    image: %s
    command: [sleep, "3600"]
`, name, ns, strings.Join(labels, ", "), imageRef(busyboxName)))
	waitPodReady(ns, name, podTimeout)
}

// canConnect reports whether a pod opens a TCP connection to host:port within a few seconds
// (bash's /dev/tcp under busybox's timeout: refused and dropped both fail).
func canConnect(ns, pod, host string, port int) bool {
	_, err := execIn(ns, pod, "timeout", "4", "bash", "-c", fmt.Sprintf("exec 3<>/dev/tcp/%s/%d", host, port))
	return err == nil
}

func decodeBase64(s string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	return string(b), err
}
