//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// operatorNamespace is where config/default installs the operator. The chart's checks render a
// release of their own in chartNamespace, so that they never collide with a real install (a
// Deployment's selector cannot change).
const (
	operatorNamespace = "envmirror-system"
	chartRelease      = "envmirror-chart"
	chartNamespace    = "envmirror-chart"
)

// What a user installs: the chart (helm template) and dist/install.yaml (config/default, which
// `make build-installer` renders with kubectl's kustomize), each checked by the API server itself.
var _ = Describe("Installing envmirror", func() {
	chart := func() string { return filepath.Join(repoRoot, "charts/envmirror") }

	BeforeEach(func() {
		// A server-side dry run cannot create the namespace the rest lives in: create them for
		// real, both enforcing Pod Security restricted.
		mustKubectl("apply", "--server-side", "-f", filepath.Join(repoRoot, "config/manager/namespace.yaml"))
		_, err := kubectlIn(restrictedNamespace(chartNamespace), "apply", "--server-side", "-f", "-")
		Expect(err).NotTo(HaveOccurred())
	})

	It("lints the Helm chart and the API server accepts what it renders", func() {
		values, err := filepath.Glob(filepath.Join(chart(), "ci", "*-values.yaml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(values).NotTo(BeEmpty())
		mustHelm("lint", "--strict", chart())
		for _, v := range values {
			mustHelm("lint", "--strict", chart(), "-f", v)
		}
		rendered := mustHelm("template", chartRelease, chart(), "--namespace", chartNamespace, "--include-crds")
		expectServerDryRun(rendered)
		expectRestrictedPod(managerDeployment(rendered))
	})

	It("renders an install.yaml the API server accepts", func() {
		rendered := renderedInstall()
		for _, kind := range []string{"Namespace", "CustomResourceDefinition", "ClusterRole", "Role", "ServiceAccount", "Deployment", "Service"} {
			Expect(rendered).To(MatchRegexp(`(?m)^kind: `+kind+`$`), "install.yaml has no %s", kind)
		}
		expectServerDryRun(rendered)
		expectRestrictedPod(managerDeployment(rendered))
	})

	It("would notice a manager pod that Pod Security restricted refuses", func() {
		d := managerDeployment(renderedInstall())
		d.Spec.Template.Spec.SecurityContext = nil
		d.Spec.Template.Spec.Containers[0].SecurityContext = nil
		_, err := kubectlIn(podFrom(d), "create", "--dry-run=server", "-f", "-")
		Expect(err).To(MatchError(ContainSubstring(`violates PodSecurity "restricted`)))
	})
})

// renderedInstall is config/default as kubectl's kustomize renders it: dist/install.yaml with
// the default image.
func renderedInstall() string {
	GinkgoHelper()
	return mustKubectl("kustomize", filepath.Join(repoRoot, "config/default"))
}

// mustHelm runs the pinned Helm (ENVMIRROR_E2E_HELM, default bin/helm: `make helm`).
func mustHelm(args ...string) string {
	GinkgoHelper()
	helm := os.Getenv("ENVMIRROR_E2E_HELM")
	if helm == "" {
		helm = filepath.Join(repoRoot, "bin/helm")
	}
	if _, err := os.Stat(helm); err != nil {
		Fail(fmt.Sprintf("%s is missing: build it with `make helm`", helm))
	}
	out, err := exec.Command(helm, args...).CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), "helm %s:\n%s", strings.Join(args, " "), out)
	return string(out)
}

// expectServerDryRun applies manifests with a server-side dry run: admission, schema and RBAC
// escalation checks all run, nothing is stored.
func expectServerDryRun(manifests string) {
	GinkgoHelper()
	// --force-conflicts: the objects may exist for real, applied by another field manager (the
	// deployed-operator specs), as on a cluster being upgraded.
	out, err := kubectlIn(manifests, "apply", "--server-side", "--force-conflicts", "--dry-run=server",
		"--field-manager=envmirror-e2e", "-f", "-")
	Expect(err).NotTo(HaveOccurred())
	Expect(out).To(MatchRegexp(`deployment.apps/[a-z-]*envmirror[a-z-]*-manager serverside-applied \(server dry run\)`))
}

// managerDeployment finds the manager's Deployment among rendered manifests.
func managerDeployment(manifests string) *appsv1.Deployment {
	GinkgoHelper()
	for _, doc := range strings.Split(manifests, "\n---") {
		var d appsv1.Deployment
		Expect(yaml.Unmarshal([]byte(doc), &d)).To(Succeed())
		if d.Kind == "Deployment" && strings.HasSuffix(d.Name, "-manager") {
			return &d
		}
	}
	Fail("no manager Deployment in the rendered manifests")
	return nil
}

// podFrom is a Pod of the Deployment's template in the Deployment's namespace, under the
// namespace's default ServiceAccount (the operator's may not exist in a dry run).
func podFrom(d *appsv1.Deployment) string {
	GinkgoHelper()
	spec := d.Spec.Template.Spec
	spec.ServiceAccountName = ""
	pod := corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: "envmirror-psa-check-" + runID, Namespace: d.Namespace},
		Spec:       spec,
	}
	b, err := json.Marshal(pod)
	Expect(err).NotTo(HaveOccurred())
	return string(b)
}

// expectRestrictedPod creates the Deployment's pod with a server-side dry run in its namespace,
// which enforces Pod Security restricted: Deployments only warn, Pods are refused.
func expectRestrictedPod(d *appsv1.Deployment) {
	GinkgoHelper()
	Expect(mustKubectl("get", "namespace", d.Namespace, "-o",
		`jsonpath={.metadata.labels.pod-security\.kubernetes\.io/enforce}`)).To(Equal("restricted"))
	_, err := kubectlIn(podFrom(d), "create", "--dry-run=server", "-f", "-")
	Expect(err).NotTo(HaveOccurred(), "the manager's pod must pass Pod Security restricted")
}

// restrictedNamespace is a Namespace that enforces Pod Security restricted.
func restrictedNamespace(name string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Namespace
metadata:
  name: %s
  labels: {pod-security.kubernetes.io/enforce: restricted}
`, name)
}
