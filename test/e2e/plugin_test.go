//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/cli"
)

// `kubectl mirror` against the local cluster, as a developer and a CI job use it. Each
// environment's branch carries the run id, so names never meet a leftover of an earlier run.
var _ = Describe("kubectl mirror", Ordered, ContinueOnFailure, func() {
	var (
		branch, name, target string
	)

	BeforeAll(func() {
		if operator == nil {
			By("starting the operator")
			operator = startOperator()
		}
		branch = "feature/x-" + runID
		name = cli.EnvironmentName(branch)
		target = sourceNamespace + "-" + name
		DeferCleanup(func() {
			_, _ = kubectl("-n", envNamespace, "delete", "mirrorenvironment", name, "--ignore-not-found", "--wait=false")
		})
	})

	It("up --branch feature/x --wait exits 0 and prints the namespace and how to reach the copy", func() {
		res := kubectlMirror("up", "--branch", branch, "--from", sourceNamespace, "--wait", "--timeout", readyTimeout.String())
		Expect(res.code).To(Equal(cli.ExitOK), res.String())
		Expect(res.stdout).To(ContainSubstring("mirrorenvironment %s/%s created (branch %s)", envNamespace, name, branch))
		Expect(res.stdout).To(MatchRegexp(`✓ workloads +\d+/\d+ ready`), "progress per axis")
		Expect(res.stdout).To(ContainSubstring("✓ config"))
		Expect(res.stdout).To(ContainSubstring("namespace: " + target))
		Expect(res.stdout).To(Or(ContainSubstring("url: "), ContainSubstring("kubectl mirror open "+name)),
			"a URL, or the port-forward hint")
		Expect(envField(name, "{.status.phase}")).To(Equal("Ready"))
		Expect(envField(name, "{.spec.branch}")).To(Equal(branch))
		Expect(fieldManagers(name)).To(ContainElement(cli.FieldManager), "server-side apply with field manager %s", cli.FieldManager)
	})

	It("adds the caller, as kubectl auth whoami names them, to spec.access", func() {
		me := strings.TrimSpace(mustKubectl("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"))
		Expect(me).NotTo(BeEmpty())
		Expect(envField(name, `{.spec.access.subjects[?(@.kind=="User")].name}`)).To(ContainSubstring(me))
	})

	It("up again with the same flags changes nothing and is Ready at once", func() {
		generation := envField(name, "{.metadata.generation}")
		res := kubectlMirror("up", "--branch", branch, "--from", sourceNamespace, "--wait", "--timeout", "1m")
		Expect(res.code).To(Equal(cli.ExitOK), res.String())
		Expect(res.stdout).To(ContainSubstring("updated"))
		Expect(envField(name, "{.metadata.generation}")).To(Equal(generation), "an identical apply must not bump the generation")
	})

	It("ls lists it with its branch and phase", func() {
		res := kubectlMirror("ls")
		Expect(res.code).To(Equal(cli.ExitOK), res.String())
		Expect(res.stdout).To(MatchRegexp(`(?m)^%s +%s +%s +Ready `, envNamespace, name, branch))
	})

	It("status shows the parity report on each axis", func() {
		res := kubectlMirror("status", "--branch", branch) // NAME derived from the branch
		Expect(res.code).To(Equal(cli.ExitOK), res.String())
		for _, want := range []string{
			"Environment:  " + envNamespace + "/" + name, "Namespace:    " + target, "Phase:        Ready",
			"Infrastructure: ", "Isolation: DenyProd",
			"Dependencies: images ", "WORKLOAD/CONTAINER", "pinned to prod's digest",
			"Configuration: ", "keys: ", "generated",
			"Data: ", "Drift: ", "Conditions:",
		} {
			Expect(res.stdout).To(ContainSubstring(want), res.stdout)
		}
	})

	It("open --print prints the URL or the port-forward command", func() {
		res := kubectlMirror("open", name, "--print")
		Expect(res.code).To(Equal(cli.ExitOK), res.String())
		Expect(res.stdout).To(Or(HavePrefix("http"), ContainSubstring("kubectl port-forward -n "+target+" svc/frontend ")))
	})

	It("extend +24h moves status.expiresAt to a day from now [needs operator: spec.expiresAt]", func() {
		before := time.Now()
		res := kubectlMirror("extend", name, "+24h", "--wait", "--timeout", "1m")
		Expect(res.code).To(Equal(cli.ExitOK), res.String())
		at, err := time.Parse(time.RFC3339, envField(name, "{.status.expiresAt}"))
		Expect(err).NotTo(HaveOccurred())
		Expect(at).To(BeTemporally("~", before.Add(24*time.Hour), time.Minute))

		By("and refusing a time in the past without asking the cluster")
		res = kubectlMirror("extend", name, "--", "-1h")
		Expect(res.code).To(Equal(cli.ExitError))
		Expect(res.stderr).To(ContainSubstring("not in the future"))
	})

	It("down --wait removes the environment and its namespace", func() {
		res := kubectlMirror("down", name, "--wait", "--timeout", goneTimeout.String())
		Expect(res.code).To(Equal(cli.ExitOK), res.String())
		Expect(res.stdout).To(ContainSubstring("namespace " + target + " is gone"))
		Expect(notFound("namespace", target)).To(BeTrue())
		Expect(notFound("-n", envNamespace, "mirrorenvironment", name)).To(BeTrue())

		By("and down --ignore-not-found of a gone environment exits 0, as a CI teardown needs")
		Expect(kubectlMirror("down", name, "--ignore-not-found").code).To(Equal(cli.ExitOK))
		Expect(kubectlMirror("down", name).code).To(Equal(cli.ExitError))
	})
})

var _ = Describe("kubectl mirror up with a bad override", func() {
	BeforeEach(func() {
		if operator == nil {
			By("starting the operator")
			operator = startOperator()
		}
	})

	It("exits 2 with the reason when the override names no workload of prod", func() {
		branch := "feature/bad-override-" + runID
		name := cli.EnvironmentName(branch)
		DeferCleanup(func() {
			_, _ = kubectl("-n", envNamespace, "delete", "mirrorenvironment", name, "--ignore-not-found", "--wait=false")
		})
		res := kubectlMirror("up", "--branch", branch, "--from", sourceNamespace, "--set", "no-such-workload=registry.example/x:1",
			"--wait", "--timeout", readyTimeout.String())
		Expect(res.code).To(Equal(cli.ExitFailed), res.String())
		Expect(res.stderr).To(ContainSubstring(v1alpha1.ReasonOverrideNotFound))
		Expect(res.stderr).To(ContainSubstring("no-such-workload"))
		Expect(res.stdout).To(ContainSubstring("✗ workloads"), "the failing axis is marked")
	})
})

// ---- running the plugin ----------------------------------------------------------------------

var (
	pluginOnce sync.Once
	pluginPath string
	pluginErr  error
)

// pluginBin is ENVMIRROR_E2E_PLUGIN, or kubectl-mirror built from this tree once per run.
func pluginBin() string {
	GinkgoHelper()
	pluginOnce.Do(func() {
		if p := os.Getenv("ENVMIRROR_E2E_PLUGIN"); p != "" {
			pluginPath, pluginErr = filepath.Abs(p)
			return
		}
		dir, err := os.MkdirTemp("", "kubectl-mirror-e2e-")
		if err != nil {
			pluginErr = err
			return
		}
		pluginPath = filepath.Join(dir, "kubectl-mirror")
		cmd := exec.Command("go", "build", "-o", pluginPath, "./cmd/kubectl-mirror")
		cmd.Dir = repoRoot
		if out, err := cmd.CombinedOutput(); err != nil {
			pluginErr = fmt.Errorf("go build ./cmd/kubectl-mirror: %w\n%s", err, out)
		}
	})
	Expect(pluginErr).NotTo(HaveOccurred())
	return pluginPath
}

type pluginResult struct {
	args           []string
	stdout, stderr string
	code           int
}

func (r pluginResult) String() string {
	return fmt.Sprintf("kubectl mirror %s: exit %d\n--- stdout\n%s--- stderr\n%s", strings.Join(r.args, " "), r.code, r.stdout, r.stderr)
}

// kubectlMirror runs `kubectl mirror ARGS` against the cluster in the environments' namespace.
func kubectlMirror(args ...string) pluginResult {
	GinkgoHelper()
	full := append([]string{"--kubeconfig", kubeconfig, "-n", envNamespace}, args...)
	cmd := exec.Command(pluginBin(), full...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := pluginResult{args: args, stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		res.code = exit.ExitCode()
	case err != nil:
		Fail(fmt.Sprintf("running kubectl mirror: %v", err))
	}
	GinkgoWriter.Println(res.String())
	return res
}

// fieldManagers are the field managers of the environment's managedFields.
func fieldManagers(name string) []string {
	var obj struct {
		Metadata struct {
			ManagedFields []struct {
				Manager string `json:"manager"`
			} `json:"managedFields"`
		} `json:"metadata"`
	}
	Expect(json.Unmarshal([]byte(mustKubectl("-n", envNamespace, "get", "mirrorenvironment", name, "-o", "json", "--show-managed-fields")), &obj)).To(Succeed())
	var out []string
	for _, m := range obj.Metadata.ManagedFields {
		out = append(out, m.Manager)
	}
	return out
}
