//go:build e2e

package e2e

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// A prod whose app reaches a managed Redis (ElastiCache) through an ExternalName Service and a
// REDIS_URL in a Secret: the copy gets a Redis stand-in at the version prod runs, in place of
// the ExternalName, and the app's REDIS_URL leads to it with the stand-in's generated password.
var _ = Describe("dependency stand-ins", func() {
	BeforeEach(func() {
		if operator == nil {
			By("starting the operator")
			operator = startOperator()
		}
	})

	It("gives a prod that reaches ElastiCache a Redis stand-in at prod's version, wired into REDIS_URL", func() {
		prodNS, name := "cache-prod-"+runID, envName("cache")
		const host = "shop-cache.x1y2z3.ng.0001.use1.cache.amazonaws.com"
		canary := "FAKE-prod-redis-auth-" + runID
		By("creating a prod namespace whose app uses ElastiCache")
		_, err := kubectlIn(elastiCacheProd(prodNS, host, canary), "apply", "-f", "-")
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { _, _ = kubectl("delete", "namespace", prodNS, "--ignore-not-found", "--wait=false") })
		mustKubectl("-n", prodNS, "wait", "--for", "condition=Available", "--timeout=120s", "deployment/app")

		By("mirroring it with a Redis dependency at prod's ElastiCache version")
		_, err = kubectlIn(fmt.Sprintf(`apiVersion: envmirror.io/v1alpha1
kind: MirrorEnvironment
metadata: {name: %s, namespace: %s}
spec:
  source: {namespace: %s}
  branch: e2e/cache
  dependencies:
  - {name: cache, engine: redis, version: "7.2"}
`, name, envNamespace, prodNS), "apply", "-f", "-")
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() {
			_, _ = kubectl("-n", envNamespace, "delete", "mirrorenvironment", name, "--ignore-not-found", "--wait=false")
		})
		waitForPhase(name, "Ready", readyTimeout)
		target := targetNamespace(name)

		By("running redis:7.2 in place of the ExternalName")
		var sts appsv1.StatefulSet
		getJSON(Default, &sts, "-n", target, "statefulset", "cache")
		Expect(sts.Spec.Template.Spec.Containers[0].Image).To(Equal("redis:7.2"))
		var svc corev1.Service
		getJSON(Default, &svc, "-n", target, "service", "cache")
		Expect(svc.Spec.Type).To(Equal(corev1.ServiceTypeClusterIP))
		Expect(svc.Spec.Selector).To(Equal(sts.Spec.Selector.MatchLabels))

		By("pointing the app's REDIS_URL at the stand-in, with its generated password")
		var creds, appEnv corev1.Secret
		getJSON(Default, &creds, "-n", target, "secret", "cache-credentials")
		getJSON(Default, &appEnv, "-n", target, "secret", "app-env")
		Expect(string(creds.Data["uri"])).To(MatchRegexp(`^redis://default:[^@]+@cache:6379$`))
		Expect(string(appEnv.Data["REDIS_URL"])).To(Equal(string(creds.Data["uri"])))

		By("reporting the versions in status")
		Expect(envField(name, `{.status.dependencies[0].prodVersion}`)).To(Equal("7.2"))
		Expect(envField(name, `{.status.dependencies[0].version}`)).To(Equal("7.2"))
		Expect(envField(name, `{.status.dependencies[0].ready}`)).To(Equal("true"))
		Expect(envField(name, `{.status.conditions[?(@.type=="DependenciesReady")].status}`)).To(Equal("True"))

		By("leaving prod's Redis password out of the copy")
		var secrets corev1.SecretList
		getJSON(Default, &secrets, "-n", target, "secrets")
		for _, sec := range secrets.Items {
			for k, v := range sec.Data {
				Expect(string(v)).NotTo(ContainSubstring(canary), "Secret %s key %s holds prod's Redis password", sec.Name, k)
			}
		}
		Expect(mustKubectl("-n", target, "get", "configmaps,deployments,statefulsets,services,jobs", "-o", "json")).NotTo(ContainSubstring(canary))
	})
})

// elastiCacheProd is a prod namespace whose app reaches ElastiCache through the ExternalName
// Service "cache" and a REDIS_URL in its Secret, granting envNamespace the right to mirror it.
func elastiCacheProd(prodNS, host, canary string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Namespace
metadata: {name: %[1]s}
---
apiVersion: envmirror.io/v1alpha1
kind: MirrorSource
metadata: {name: all-dev-namespaces, namespace: %[1]s}
spec:
  from:
  - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: %[2]s}}
---
apiVersion: v1
kind: Service
metadata: {name: cache, namespace: %[1]s}
spec:
  type: ExternalName
  externalName: %[3]s
  ports: [{port: 6379}]
---
apiVersion: v1
kind: Secret
metadata: {name: app-env, namespace: %[1]s}
stringData:
  REDIS_URL: rediss://default:%[4]s@%[3]s:6379
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: %[1]s, labels: {app: app}}
spec:
  replicas: 1
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers:
      - name: app
        image: registry.example/shop/cart:1.4.0
        envFrom: [{secretRef: {name: app-env}}]
`, prodNS, envNamespace, host, canary)
}
