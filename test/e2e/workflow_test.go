//go:build e2e

package e2e

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/yaml"

	"github.com/envmirror/envmirror/internal/cli"
)

// The GitHub Actions recipe of docs/examples/github-actions/preview.yaml, run step by step
// against the local cluster the way a runner would: the `run:` steps of the job a pull-request
// event selects, in bash -eo pipefail, with GITHUB_OUTPUT, GITHUB_ENV and GITHUB_PATH honoured
// and ${{ }} expressions filled from the event. Only what lies outside the cluster is stubbed:
// docker (build and push), curl (the plugin's download: it copies the binary built here) and gh
// (the pull-request comment: it records the body).
var _ = Describe("The GitHub Actions preview workflow", Ordered, func() {
	var (
		wf     workflow
		runner *actionsRunner
		branch string
		name   string
	)

	BeforeAll(func() {
		if operator == nil {
			By("starting the operator")
			operator = startOperator()
		}
		raw, err := os.ReadFile(filepath.Join(repoRoot, "docs/examples/github-actions/preview.yaml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(yaml.Unmarshal(raw, &wf)).To(Succeed())
		Expect(wf.Jobs).To(HaveKey("up"))
		Expect(wf.Jobs).To(HaveKey("down"))
		branch = "feature/pr-preview-" + runID
		name = cli.EnvironmentName(branch)
		runner = newActionsRunner(wf, branch)
		DeferCleanup(func() {
			_, _ = kubectl("-n", envNamespace, "delete", "mirrorenvironment", name, "--ignore-not-found", "--wait=false")
		})
	})

	It("opened: brings the branch's environment up with the PR's image and comments its URL", func() {
		runner.run("up", "opened", "1f2e3d4c5b6a79880000000000000000000000aa")
		Expect(envField(name, "{.status.phase}")).To(Equal("Ready"))
		Expect(envField(name, `{.spec.overrides[?(@.workload=="api")].image}`)).To(Equal("registry.example/shop/api:pr-42-1f2e3d4"))
		comment := runner.lastComment()
		Expect(comment).To(ContainSubstring("Preview environment for `" + branch + "` is ready: "))
		Expect(comment).To(Or(ContainSubstring("https://"), ContainSubstring("kubectl port-forward -n "+sourceNamespace+"-"+name)))
		Expect(comment).To(ContainSubstring("namespace `" + sourceNamespace + "-" + name + "`"))
	})

	It("synchronize: moves the same environment to the new commit's image", func() {
		runner.run("up", "synchronize", "9a8b7c6d5e4f30210000000000000000000000bb")
		Expect(envField(name, `{.spec.overrides[?(@.workload=="api")].image}`)).To(Equal("registry.example/shop/api:pr-42-9a8b7c6"))
		Expect(envField(name, "{.status.phase}")).To(Equal("Ready"))
	})

	It("closed: removes the environment and its namespace", func() {
		runner.run("down", "closed", "9a8b7c6d5e4f30210000000000000000000000bb")
		Expect(notFound("-n", envNamespace, "mirrorenvironment", name)).To(BeTrue())
		Expect(notFound("namespace", sourceNamespace+"-"+name)).To(BeTrue())
	})
})

type workflow struct {
	Env  map[string]string `json:"env"`
	Jobs map[string]struct {
		Env   map[string]string `json:"env"`
		Steps []struct {
			Name string            `json:"name"`
			ID   string            `json:"id"`
			Uses string            `json:"uses"`
			Run  string            `json:"run"`
			Env  map[string]string `json:"env"`
		} `json:"steps"`
	} `json:"jobs"`
}

// actionsRunner runs a workflow's jobs like a GitHub runner, for one pull request.
type actionsRunner struct {
	wf       workflow
	branch   string
	stubs    string // directory of the docker, curl, gh stubs and the kubectl link
	comments string // where the gh stub appends comment bodies
}

func newActionsRunner(wf workflow, branch string) *actionsRunner {
	GinkgoHelper()
	dir := GinkgoT().TempDir()
	r := &actionsRunner{wf: wf, branch: branch, stubs: filepath.Join(dir, "stubs"), comments: filepath.Join(dir, "comments")}
	Expect(os.MkdirAll(r.stubs, 0o755)).To(Succeed())
	stub := func(name, script string) {
		Expect(os.WriteFile(filepath.Join(r.stubs, name), []byte("#!/usr/bin/env bash\nset -eu\n"+script), 0o755)).To(Succeed())
	}
	stub("docker", `echo "docker $*" >&2`+"\n")
	// curl -fsSL -o PATH URL: the release download becomes a copy of the plugin built here.
	stub("curl", fmt.Sprintf(`out=""
while [ $# -gt 0 ]; do case "$1" in -o) out=$2; shift 2 ;; *) shift ;; esac; done
[[ "$out" == */kubectl-mirror ]] || { echo "curl stub: only the kubectl-mirror download is expected" >&2; exit 1; }
cp %q "$out"
`, pluginBin()))
	// gh pr comment N [--edit-last] --body B: records B (--edit-last fails the first time, as
	// on a PR without a comment of ours, so the fallback is exercised too).
	stub("gh", fmt.Sprintf(`body=""; edit=""
while [ $# -gt 0 ]; do case "$1" in --body) body=$2; shift 2 ;; --edit-last) edit=1; shift ;; *) shift ;; esac; done
if [ -n "$edit" ] && [ ! -s %[1]q ]; then echo "no comments found for current user" >&2; exit 1; fi
printf '%%s\n\x1e\n' "$body" >> %[1]q
`, r.comments))
	Expect(os.Symlink(kubectlBin, filepath.Join(r.stubs, "kubectl"))).To(Succeed())
	return r
}

var workflowExpression = regexp.MustCompile(`\$\{\{\s*([^}]+?)\s*\}\}`)

// run runs the job's steps for a pull_request event with this action and head commit.
func (r *actionsRunner) run(job, action, sha string) {
	GinkgoHelper()
	By(fmt.Sprintf("running job %q for pull_request.%s at %s", job, action, sha[:7]))
	temp := GinkgoT().TempDir()
	envFile, pathFile := filepath.Join(temp, "github_env"), filepath.Join(temp, "github_path")
	for _, f := range []string{envFile, pathFile} {
		Expect(os.WriteFile(f, nil, 0o644)).To(Succeed())
	}
	kubeconfigData, err := os.ReadFile(kubeconfig)
	Expect(err).NotTo(HaveOccurred())
	values := map[string]string{
		"github.head_ref": r.branch, "github.event.pull_request.number": "42", "github.event.action": action,
		"github.event.pull_request.head.sha": sha, "github.token": "test-token", "github.repository": "example/shop",
		"secrets.PREVIEW_KUBECONFIG": base64.StdEncoding.EncodeToString(kubeconfigData),
	}
	fill := func(s string) string {
		return workflowExpression.ReplaceAllStringFunc(s, func(m string) string {
			key := workflowExpression.FindStringSubmatch(m)[1]
			v, ok := values[key]
			Expect(ok).To(BeTrue(), "the workflow uses ${{ %s }}, which this runner does not provide", key)
			return v
		})
	}
	base := []string{"HOME=" + os.Getenv("HOME"), "RUNNER_TEMP=" + temp, "GITHUB_ENV=" + envFile, "GITHUB_PATH=" + pathFile,
		"GITHUB_EVENT_NAME=pull_request", "GITHUB_HEAD_REF=" + r.branch, "GITHUB_SHA=" + sha, "CI=true"}
	for k, v := range r.wf.Env {
		base = append(base, k+"="+fill(v))
	}
	for k, v := range r.wf.Jobs[job].Env {
		base = append(base, k+"="+fill(v))
	}
	for i, step := range r.wf.Jobs[job].Steps {
		if step.Run == "" {
			GinkgoWriter.Printf("skipping step %d (%s): an action, not a shell step\n", i, step.Uses)
			continue
		}
		outputFile := filepath.Join(temp, fmt.Sprintf("output-%d", i))
		Expect(os.WriteFile(outputFile, nil, 0o644)).To(Succeed())
		env := append(slices.Clone(base), "GITHUB_OUTPUT="+outputFile)
		for k, v := range step.Env {
			env = append(env, k+"="+fill(v))
		}
		env = append(env, readKeyValues(envFile)...) // GITHUB_ENV wins, as on a runner
		paths := append(readLines(pathFile), r.stubs, os.Getenv("PATH"))
		env = append(env, "PATH="+strings.Join(paths, ":"))

		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", fill(step.Run))
		cmd.Env, cmd.Dir = env, repoRoot
		start := time.Now()
		out, err := cmd.CombinedOutput()
		GinkgoWriter.Printf("---- step %q (%s)\n%s\n", step.Name, time.Since(start).Round(time.Second), out)
		Expect(err).NotTo(HaveOccurred(), "step %q failed:\n%s", step.Name, out)
		if step.ID != "" {
			for _, kv := range readKeyValues(outputFile) {
				k, v, _ := strings.Cut(kv, "=")
				values["steps."+step.ID+".outputs."+k] = v
			}
		}
	}
}

// lastComment is the body of the last pull-request comment the job made.
func (r *actionsRunner) lastComment() string {
	GinkgoHelper()
	b, err := os.ReadFile(r.comments)
	Expect(err).NotTo(HaveOccurred(), "the job made no pull-request comment")
	parts := strings.Split(strings.TrimSuffix(string(b), "\n\x1e\n"), "\n\x1e\n")
	return parts[len(parts)-1]
}

// readKeyValues reads KEY=value lines (GITHUB_ENV, GITHUB_OUTPUT; no multi-line values).
func readKeyValues(path string) []string {
	var out []string
	for _, l := range readLines(path) {
		if strings.Contains(l, "=") {
			out = append(out, l)
		}
	}
	return out
}

func readLines(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			out = append(out, l)
		}
	}
	return out
}
