package controllers_test

import (
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/deps"
	"github.com/envmirror/envmirror/internal/mirror"
	"github.com/envmirror/envmirror/internal/seed/contract"
)

const (
	elastiCacheHost = "shop-cache.x1y2z3.ng.0001.use1.cache.amazonaws.com"
	amazonMQHost    = "b-5f2c1e7a-0b3d.mq.us-east-1.amazonaws.com"
	openSearchHost  = "search-shop-3kd8.us-east-1.es.amazonaws.com"
	checkoutImage   = "registry.example/shop/checkout:4.2.0"
)

// custom builds a custom resource of the test CRDs (testdata/crds).
func custom(apiVersion, kind, ns, name string, spec map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": apiVersion, "kind": kind, "spec": spec}}
	u.SetNamespace(ns)
	u.SetName(name)
	return u
}

// probeJobs lists an environment's probe Jobs in the operator's namespace.
func probeJobs(env *v1alpha1.MirrorEnvironment) []batchv1.Job {
	jobs := &batchv1.JobList{}
	Expect(k8s.List(ctx, jobs, client.InNamespace(operatorNamespace), client.MatchingLabels{
		mirror.LabelEnvironmentUID: string(getEnv(env).UID), mirror.LabelComponent: mirror.ComponentDeps})).To(Succeed())
	return jobs.Items
}

// finishProbe plays the Job controller and kubelet for a probe Job: its pod leaves the probe's
// summary in its termination message, and the Job completes (or fails).
func finishProbe(job *batchv1.Job, summary deps.Summary, ok bool) {
	// As the Job controller makes it: the template's labels plus job-name.
	labels := map[string]string{"job-name": job.Name}
	for k, v := range job.Spec.Template.Labels {
		labels[k] = v
	}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: job.Namespace, Name: job.Name + "-probe", Labels: labels},
		Spec: *job.Spec.Template.Spec.DeepCopy()}
	Expect(k8s.Create(ctx, pod)).To(Succeed())
	pod.Status = corev1.PodStatus{Phase: corev1.PodSucceeded, ContainerStatuses: []corev1.ContainerStatus{{Name: "probe", Image: job.Spec.Template.Spec.Containers[0].Image,
		State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Message: string(summary.Compact())}}}}}
	Expect(k8s.Status().Update(ctx, pod)).To(Succeed())
	finishJob(job, contract.Summary{}, ok)
}

func dependencyStatus(env *v1alpha1.MirrorEnvironment, name string) v1alpha1.DependencyStatus {
	for _, d := range getEnv(env).Status.Dependencies {
		if d.Name == name {
			return d
		}
	}
	return v1alpha1.DependencyStatus{}
}

var _ = Describe("dependencies beyond PostgreSQL and prod's custom resources", Ordered, func() {
	var (
		prod   *prodShop
		devNS  string
		env    *v1alpha1.MirrorEnvironment
		target string
	)

	BeforeAll(func() {
		_, err := envtest.InstallCRDs(adminCfg, envtest.CRDInstallOptions{Paths: []string{filepath.Join("testdata", "crds")}})
		Expect(err).NotTo(HaveOccurred())
		// The copy's cluster runs cert-manager with one usable ClusterIssuer.
		issuer := custom("cert-manager.io/v1", "ClusterIssuer", "", "letsencrypt-staging", map[string]any{"acme": map[string]any{}})
		Expect(k8s.Create(ctx, issuer)).To(Succeed())
		issuer.Object["status"] = map[string]any{"conditions": []any{map[string]any{"type": "Ready", "status": "True"}}}
		Expect(k8s.Status().Update(ctx, issuer)).To(Succeed())

		prod = &prodShop{ns: unique("deps-prod")}
		ns := prod.ns
		createNamespace(ns, nil)
		grantMirroring(ns)
		devNS = unique("dev")
		createNamespace(devNS, nil)
		redisPassword, mqPassword, readerPassword := prod.canary("redis-auth"), prod.canary("mq-password"), prod.canary("mq-reader")
		// Prod Secret values pasted where no scrubber looks: a copied kind's field under a
		// harmless key, and a Certificate's secretTemplate, which is copied as it is. Only the
		// known-value sweep can find them (issue 19: those objects skipped it).
		monitorRegion, certOwner := prod.canary("monitor-region"), prod.canary("cert-owner")

		api := container("api", apiImage)
		api.EnvFrom = []corev1.EnvFromSource{
			{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "app-env"}}},
			{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "app-config"}}},
		}
		checkout := podTemplate("checkout", container("app", checkoutImage))
		for _, o := range []client.Object{
			// ElastiCache, reached through an ExternalName; Amazon MQ and OpenSearch by host.
			&corev1.Service{ObjectMeta: meta(ns, "cache", nil), Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName,
				ExternalName: elastiCacheHost, Ports: []corev1.ServicePort{{Port: 6379}}}},
			&corev1.ConfigMap{ObjectMeta: meta(ns, "app-config", nil), Data: map[string]string{
				"AMQP_URL": "amqps://" + amazonMQHost + ":5671/orders", "SEARCH_URL": "https://" + openSearchHost}},
			&corev1.Secret{ObjectMeta: meta(ns, "app-env", nil), Data: map[string][]byte{
				"REDIS_URL": []byte("rediss://default:" + redisPassword + "@" + elastiCacheHost + ":6379/0"),
				"MQ_URL":    []byte("amqps://shop:" + mqPassword + "@" + amazonMQHost + ":5671"),
			}},
			&corev1.Secret{ObjectMeta: meta(ns, "shop-tls", nil), Type: corev1.SecretTypeTLS, Data: map[string][]byte{
				"tls.crt": []byte(prod.canary("cert-manager-crt")), "tls.key": []byte(prod.canary("cert-manager-key"))}},
			&appsv1.Deployment{ObjectMeta: meta(ns, "api", labels("api")), Spec: appsv1.DeploymentSpec{
				Selector: &metav1.LabelSelector{MatchLabels: labels("api")}, Template: podTemplate("api", api)}},
			&autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: meta(ns, "api", nil), Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
				ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "api"}, MaxReplicas: 10}},
			// The Rollout's template is the CRD's JSON, as Argo's users write it.
			custom("argoproj.io/v1alpha1", "Rollout", ns, "checkout", map[string]any{"replicas": int64(4),
				"selector": map[string]any{"matchLabels": map[string]any{"app": "checkout", "app.kubernetes.io/part-of": "shop"}},
				"template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": "checkout", "app.kubernetes.io/part-of": "shop"}},
					"spec": map[string]any{"containers": []any{map[string]any{"name": "app", "image": checkoutImage}}}},
				"strategy": map[string]any{"canary": map[string]any{"steps": []any{map[string]any{"setWeight": int64(20)}}}}}),
			custom("external-secrets.io/v1beta1", "ExternalSecret", ns, "db-creds", map[string]any{
				"secretStoreRef": map[string]any{"kind": "ClusterSecretStore", "name": "prod-vault"}, "target": map[string]any{"name": "db"},
				"data": []any{map[string]any{"secretKey": "password", "remoteRef": map[string]any{"key": "prod/db"}}}}),
			&corev1.Secret{ObjectMeta: meta(ns, "pasted", nil), Data: map[string][]byte{
				"region": []byte(monitorRegion), "owner": []byte(certOwner)}},
			custom("cert-manager.io/v1", "Certificate", ns, "shop", map[string]any{"secretName": "shop-tls",
				"secretTemplate": map[string]any{"annotations": map[string]any{"owner": certOwner}},
				"dnsNames":       []any{"shop.example.com"}, "issuerRef": map[string]any{"kind": "ClusterIssuer", "name": "letsencrypt-staging"}}),
			custom("cert-manager.io/v1", "Certificate", ns, "internal", map[string]any{"secretName": "internal-tls",
				"dnsNames": []any{"api.internal.example.com"}, "issuerRef": map[string]any{"kind": "Issuer", "name": "prod-ca"}}),
			custom("keda.sh/v1alpha1", "ScaledObject", ns, "worker", map[string]any{"scaleTargetRef": map[string]any{"name": "worker"}}),
			custom("monitoring.coreos.com/v1", "ServiceMonitor", ns, "api", map[string]any{"endpoints": []any{map[string]any{"port": "metrics",
				"params": map[string]any{"region": []any{monitorRegion}}}}}),
		} {
			Expect(k8s.Create(ctx, o)).To(Succeed(), "creating %s", o.GetName())
		}
		prod.runPods("api", 1, podTemplate("api", api).Spec, "")
		prod.runPods("checkout", 2, checkout.Spec, "")

		// The read-only URL of prod's broker, for the probe, in the environment's own namespace.
		Expect(k8s.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: devNS, Name: "mq-readonly"},
			Data: map[string][]byte{"url": []byte("https://reader:" + readerPassword + "@" + amazonMQHost)}})).To(Succeed())

		env = newEnv(devNS, "deps", ns)
		env.Spec.Dependencies = []v1alpha1.DependencySpec{
			{Name: "cache", Engine: v1alpha1.EngineRedis, Version: "7.1"},
			{Name: "mq", Engine: v1alpha1.EngineRabbitMQ, Replaces: []string{amazonMQHost}, DefinitionsFromProd: true,
				VersionFrom: &v1alpha1.VersionProbe{SecretRef: v1alpha1.SecretKeyRef{Name: "mq-readonly"}}},
		}
		Expect(k8s.Create(ctx, env)).To(Succeed())
		target = ns + "-deps"
		eventuallyCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionTrue, v1alpha1.ReasonCopied)
	})

	It("stands in for ElastiCache 7.1 with Redis OSS 7.0, and points the app's REDIS_URL at it", func() {
		sts := copyOf(target, "cache", &appsv1.StatefulSet{})
		Expect(sts.Spec.Template.Spec.Containers[0].Image).To(Equal("redis:7.0"))
		Expect(*sts.Spec.Template.Spec.SecurityContext.RunAsNonRoot).To(BeTrue())
		svc := copyOf(target, "cache", &corev1.Service{})
		Expect(svc.Spec.Type).NotTo(Equal(corev1.ServiceTypeExternalName), "the ExternalName to ElastiCache is replaced")
		Expect(svc.Spec.Selector).To(Equal(sts.Spec.Selector.MatchLabels))

		creds := copyOf(target, "cache-credentials", &corev1.Secret{})
		Expect(string(creds.Data["uri"])).To(MatchRegexp(`^redis://default:[^@]+@cache:6379$`))
		Eventually(func() string {
			return string(copyOf(target, "app-env", &corev1.Secret{}).Data["REDIS_URL"])
		}).Should(Equal(string(creds.Data["uri"])), "the app reaches the stand-in with its generated password")

		st := dependencyStatus(env, "cache")
		Expect(st.ProdVersion).To(Equal("7.1"))
		Expect(st.Version).To(Equal("7.0"))
		Expect(st.Message).To(ContainSubstring("ElastiCache 7.1 is compatible with Redis OSS 7.0"))
	})

	It("reads RabbitMQ's version from prod with a probe Job in the operator's namespace", func() {
		var job batchv1.Job
		Eventually(func() []batchv1.Job { return probeJobs(env) }).Should(HaveLen(1))
		job = probeJobs(env)[0]
		Expect(job.Spec.Template.Spec.Containers[0].Args).To(Equal([]string{"probe", "--engine=rabbitmq", "--summary-file=/dev/termination-log"}))
		url := copyOf(operatorNamespace, job.Name, &corev1.Secret{})
		Expect(string(url.Data["SOURCE_URL"])).To(HavePrefix("https://reader:"), "prod's URL is handed over in the operator's namespace only")
		Eventually(func() string { return dependencyStatus(env, "mq").Reason }).Should(Equal(v1alpha1.ReasonProgressing))
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "mq"}, &appsv1.StatefulSet{})).NotTo(Succeed(), "no stand-in before its version is known")

		finishProbe(&job, deps.Summary{Engine: "rabbitmq", Version: "3.13.7", Distribution: "rabbitmq"}, true)
		Eventually(func() string {
			sts := &appsv1.StatefulSet{}
			if k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "mq"}, sts) != nil {
				return ""
			}
			return sts.Spec.Template.Spec.Containers[0].Image
		}, 20*time.Second).Should(Equal("rabbitmq:3.13.7-management"), "the stand-in runs the version the probe read")
		Eventually(gone(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: operatorNamespace, Name: job.Name}})).Should(BeTrue(),
			"prod's URL is deleted once read")

		mq := copyOf(target, "mq-credentials", &corev1.Secret{})
		Eventually(func() string { return string(copyOf(target, "app-env", &corev1.Secret{}).Data["MQ_URL"]) }).Should(Equal(string(mq.Data["uri"])))
		Eventually(func() string { return copyOf(target, "app-config", &corev1.ConfigMap{}).Data["AMQP_URL"] }).Should(Equal("amqp://mq:5672/orders"),
			"the configuration's amqps URL to Amazon MQ leads to the stand-in")
		Eventually(func() string { return dependencyStatus(env, "mq").ProdVersion }).Should(Equal("3.13.7"))
	})

	It("copies prod's definitions into a ready stand-in before calling it ready", func() {
		markCopiesReady(target)
		var defs batchv1.Job
		Eventually(func() []batchv1.Job { return probeJobs(env) }, 20*time.Second).Should(HaveLen(2))
		for _, j := range probeJobs(env) {
			if strings.Contains(j.Name, "-defs-") {
				defs = j
			}
		}
		Expect(defs.Spec.Template.Spec.Containers[0].Args).To(ContainElement("--definitions"))
		urls := copyOf(operatorNamespace, defs.Name, &corev1.Secret{})
		Expect(string(urls.Data["TARGET_URL"])).To(MatchRegexp(`^http://app:[^@]+@mq\.`+target+`\.svc:15672$`), "the stand-in's management API")
		Expect(string(urls.Data["SOURCE_URL"])).To(HavePrefix("https://reader:"))
		Eventually(func() string { return dependencyStatus(env, "mq").Message }).Should(ContainSubstring("copying prod's definitions"))
		Expect(dependencyStatus(env, "mq").Ready).To(BeFalse(), "not ready before prod's definitions are in")

		finishProbe(&defs, deps.Summary{Engine: "rabbitmq", Version: "3.13.7", Definitions: "1 vhosts, 4 exchanges, 6 queues, 9 bindings and 1 policies (users, permissions and parameters are not copied)"}, true)
		Eventually(func() bool { return dependencyStatus(env, "mq").Ready }, 20*time.Second).Should(BeTrue())
		Expect(dependencyStatus(env, "mq").Definitions).To(HavePrefix("1 vhosts, 4 exchanges"))
		Eventually(gone(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: operatorNamespace, Name: defs.Name}})).Should(BeTrue())

		By("the stand-in restarts (its pod deleted): its volume keeps the definitions, which are not copied again")
		sts := copyOf(target, "mq", &appsv1.StatefulSet{})
		sts.Status.ReadyReplicas, sts.Status.AvailableReplicas = 0, 0
		Expect(k8s.Status().Update(ctx, sts)).To(Succeed())
		Eventually(func() bool { return dependencyStatus(env, "mq").Ready }, 20*time.Second).Should(BeFalse())
		Consistently(func() []string {
			var names []string
			for _, j := range probeJobs(env) {
				names = append(names, j.Name+"/"+string(j.UID))
			}
			return names
		}, 3*time.Second).Should(ContainElement(defs.Name+"/"+string(defs.UID)), "the record of the copy stays while the stand-in restarts")
		markStandInReady(target, "mq")
		Eventually(func() bool { return dependencyStatus(env, "mq").Ready }, 20*time.Second).Should(BeTrue(), "ready again at once, without a new copy")
		Expect(probeJobs(env)).To(ContainElement(HaveField("UID", defs.UID)))
	})

	It("is Ready once the stand-ins are, and lists the backing service it has none for", func() {
		Eventually(func(g Gomega) {
			markCopiesReady(target)
			g.Expect(condition(env, v1alpha1.ConditionReady).Status).To(Equal(metav1.ConditionTrue))
		}, 30*time.Second, time.Second).Should(Succeed())
		c := eventuallyCondition(env, v1alpha1.ConditionDependenciesReady, metav1.ConditionFalse, v1alpha1.ReasonDependenciesMissing)
		Expect(c.Message).To(ContainSubstring(openSearchHost))
		Expect(c.Message).To(ContainSubstring("cache: redis 7.0 (prod 7.1"))
		missing := getEnv(env).Status.Parity.MissingDependencies
		Expect(missing).To(HaveLen(1))
		Expect(missing[0].Host).To(Equal(openSearchHost))
		Expect(missing[0].Engine).To(Equal(v1alpha1.EngineOpenSearch))
		Expect(missing[0].Suggestion).To(ContainSubstring("engine: opensearch"))
		for _, d := range getEnv(env).Status.Dependencies {
			Expect(d.Ready).To(BeTrue(), "dependency %s", d.Name)
		}
	})

	It("writes nothing when reconciling a converged environment with stand-ins and probes", func() {
		rv := resourceVersions(target)
		jobs := len(probeJobs(env))
		// Other specs' environments live on in this API server: count the writes about this one.
		settled(env)
		before := writes.mark()
		for i := range 3 {
			updateEnv(env, func(e *v1alpha1.MirrorEnvironment) {
				e.Annotations = map[string]string{"test/poke": strings.Repeat("x", i+1)}
			})
			time.Sleep(700 * time.Millisecond)
		}
		Expect(writes.since(before, env.Namespace, target)).To(BeEmpty(), "API writes during reconciles of a converged environment")
		Expect(resourceVersions(target)).To(Equal(rv))
		Expect(probeJobs(env)).To(HaveLen(jobs), "a finished probe is not run again")
	})

	It("copies a Rollout as a Deployment, an ExternalSecret as a generated Secret, and Certificates", func() {
		d := copyOf(target, "checkout", &appsv1.Deployment{})
		Expect(d.Spec.Template.Spec.Containers[0].Image).To(Equal(pinned(checkoutImage)), "pinned to the digest the Rollout's pods run")
		Expect(*d.Spec.Replicas).To(Equal(int32(1)))
		Expect(d.Annotations[mirror.AnnotationSource]).To(Equal("Rollout/" + prod.ns + "/checkout"))
		var sourceKind string
		for _, sv := range getEnv(env).Status.Services {
			if sv.Name == "checkout" {
				sourceKind = sv.SourceKind
			}
		}
		Expect(sourceKind).To(Equal("Rollout"))

		db := copyOf(target, "db", &corev1.Secret{})
		Expect(db.Data).To(HaveKey("password"))
		Expect(db.Data["password"]).NotTo(BeEmpty(), "generated: prod's secret store is never read")

		cert := &unstructured.Unstructured{}
		cert.SetGroupVersionKind(schema.GroupVersionKind{Group: "cert-manager.io", Version: "v1", Kind: "Certificate"})
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "shop"}, cert)).To(Succeed())
		hosts, _, _ := unstructured.NestedStringSlice(cert.Object, "spec", "dnsNames")
		Expect(hosts).To(Equal([]string{"shop-deps.example.com"}))
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "shop-tls"}, &corev1.Secret{})).NotTo(Succeed(),
			"the copied Certificate's Secret is cert-manager's to write")
		internal := copyOf(target, "internal-tls", &corev1.Secret{})
		Expect(internal.Type).To(Equal(corev1.SecretTypeTLS))
		Expect(string(internal.Data["tls.crt"])).To(HavePrefix("-----BEGIN CERTIFICATE-----"), "a prod Issuer the copy cannot use: self-signed")
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "internal"}, cert)).NotTo(Succeed())
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "db-creds"}, custom("external-secrets.io/v1beta1", "ExternalSecret", "", "", nil))).NotTo(Succeed(),
			"the ExternalSecret itself is never copied")
	})

	It("lists prod's other kinds with their count, and those it may not list", func() {
		notCopied := map[string]v1alpha1.KindCount{}
		for _, k := range getEnv(env).Status.Parity.NotCopied {
			notCopied[k.Kind] = k
		}
		Expect(notCopied).To(HaveKey("autoscaling/HorizontalPodAutoscaler"))
		Expect(notCopied["autoscaling/HorizontalPodAutoscaler"].Count).To(Equal(int32(1)))
		Expect(notCopied["keda.sh/ScaledObject"].Count).To(Equal(int32(1)))
		Expect(notCopied["keda.sh/ScaledObject"].Reason).To(ContainSubstring("autoscaling is not copied"))
		Expect(notCopied).NotTo(HaveKey("argoproj.io/Rollout"))
		var forbidden string
		for k, v := range notCopied {
			if strings.HasSuffix(k, " kinds") {
				forbidden = v.Reason
			}
		}
		Expect(forbidden).To(ContainSubstring("servicemonitors.monitoring.coreos.com"))
		_, grants, found := strings.Cut(forbidden, "grant it list on: ")
		Expect(found).To(BeTrue(), forbidden)
		for _, kind := range strings.Split(strings.TrimSuffix(grants, ")"), ", ") {
			Expect(kind).NotTo(Or(Not(ContainSubstring(".")), HaveSuffix(".k8s.io"), HaveSuffix(".apps"), HaveSuffix(".batch"),
				HaveSuffix(".policy"), HaveSuffix(".autoscaling")), "the operator's own role lets it list every namespaced kind Kubernetes itself serves")
		}

		By("once granted, a Copy rule copies the kind as it is, and a Skip rule hides one")
		grantOperator("monitoring.coreos.com", "servicemonitors")
		updateEnv(env, func(e *v1alpha1.MirrorEnvironment) {
			e.Spec.Kinds = []v1alpha1.KindRule{
				{Group: "keda.sh", Kind: "ScaledObject", Action: v1alpha1.KindSkip},
				{Group: "monitoring.coreos.com", Kind: "ServiceMonitor", Action: v1alpha1.KindCopy},
			}
		})
		monitor := custom("monitoring.coreos.com/v1", "ServiceMonitor", "", "", nil)
		Eventually(func() error { return k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "api"}, monitor) }, 20*time.Second).Should(Succeed())
		Expect(monitor.GetLabels()[mirror.LabelComponent]).To(Equal(mirror.ComponentKinds))
		Expect(scanNamespace(target, prod.canaries)).To(BeEmpty(), "a copied kind carries a prod Secret value")
		Eventually(func() []v1alpha1.KindCount { return getEnv(env).Status.Parity.NotCopied }, 20*time.Second).ShouldNot(
			ContainElement(HaveField("Kind", "keda.sh/ScaledObject")))
		Expect(getEnv(env).Status.Parity.NotCopied).NotTo(ContainElement(HaveField("Reason", ContainSubstring("servicemonitors"))))

		By("and a kind no longer copied is pruned")
		updateEnv(env, func(e *v1alpha1.MirrorEnvironment) { e.Spec.Kinds = e.Spec.Kinds[:1] })
		Eventually(gone(monitor), 20*time.Second).Should(BeTrue())
	})

	It("leaves no prod secret value anywhere in the copy", func() {
		Expect(prod.canaries).To(HaveLen(7), "prod's URLs' passwords, the probe's read-only password, cert-manager's pair, two pasted values")
		Expect(scanNamespace(target, prod.canaries)).To(BeEmpty())
		Expect(len(scanNamespace(prod.ns, prod.canaries))).To(BeNumerically(">=", 4), "the scan can fail: prod is full of canaries")
	})

	It("says why a probe cannot run, and probes once the Secret is there", func() {
		other := newEnv(devNS, "deps-probe", prod.ns)
		other.Spec.Dependencies = []v1alpha1.DependencySpec{{Name: "mq", Engine: v1alpha1.EngineRabbitMQ,
			VersionFrom: &v1alpha1.VersionProbe{SecretRef: v1alpha1.SecretKeyRef{Name: "not-yet"}}}}
		Expect(k8s.Create(ctx, other)).To(Succeed())
		c := eventuallyCondition(other, v1alpha1.ConditionDependenciesReady, metav1.ConditionFalse, v1alpha1.ReasonProbeFailed)
		Expect(c.Message).To(ContainSubstring("the Secret " + devNS + "/not-yet with prod's URL does not exist"))
		Expect(getEnv(other).Status.Phase).To(Equal(v1alpha1.PhaseFailed))

		Expect(k8s.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: devNS, Name: "not-yet"},
			Data: map[string][]byte{"url": []byte("https://reader:pw@" + amazonMQHost)}})).To(Succeed())
		Eventually(func() []batchv1.Job { return probeJobs(other) }, 20*time.Second).Should(HaveLen(1), "the Secret's creation wakes the environment")
		job := probeJobs(other)[0]
		finishProbe(&job, deps.Summary{Engine: "rabbitmq", Error: "GET /api/overview: HTTP 401"}, false)
		Eventually(func() string { return condition(other, v1alpha1.ConditionDependenciesReady).Message }).Should(ContainSubstring("HTTP 401"))
		Expect(condition(other, v1alpha1.ConditionDependenciesReady).Reason).To(Equal(v1alpha1.ReasonProbeFailed))
	})
})

// grantOperator does what an administrator does to let the operator read and copy one more
// kind: a ClusterRole for it, bound to the operator's user.
func grantOperator(group, resource string) {
	name := "envmirror-" + resource
	Expect(k8s.Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: []rbacv1.PolicyRule{{
		APIGroups: []string{group}, Resources: []string{resource}, Verbs: []string{"get", "list", "watch", "create", "patch", "delete"}}}})).To(Succeed())
	Expect(k8s.Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: operatorUser}}})).To(Succeed())
	DeferCleanup(func() {
		_ = k8s.Delete(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}})
		_ = k8s.Delete(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}})
	})
}
