package controllers_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// prodShop is a realistic prod namespace: an API that reaches the others by cluster DNS, a
// worker, a frontend behind a LoadBalancer, Redis, a Postgres StatefulSet, a log agent
// DaemonSet, a nightly CronJob, configuration with secrets in it, RBAC, an Ingress, a
// NetworkPolicy, an HPA and a PDB, and running pods that report the digests they run.
type prodShop struct {
	ns string
	// c writes prod; nil means the suite's cluster.
	c client.Client
	// canaries are unique strings planted in every secret value, sensitive plain value and
	// embedded credential; none may appear in the copy.
	canaries []string
}

// digest is the fake registry digest of an image, as a kubelet would report it.
func digest(image string) string {
	sum := sha256.Sum256([]byte(image + "@prod"))
	return "sha256:" + hex.EncodeToString(sum[:])
}

func (p *prodShop) canary(what string) string {
	c := fmt.Sprintf("CANARY-%s-%s-%d", p.ns, what, len(p.canaries))
	p.canaries = append(p.canaries, c)
	return c
}

func labels(app string) map[string]string {
	return map[string]string{"app": app, "app.kubernetes.io/part-of": "shop"}
}

func container(name, image string) corev1.Container {
	return corev1.Container{
		Name: name, Image: image,
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("1Gi")},
			Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: resource.MustParse("2Gi")},
		},
	}
}

func podTemplate(app string, containers ...corev1.Container) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: labels(app)},
		Spec:       corev1.PodSpec{Containers: containers},
	}
}

const (
	apiImage    = "registry.example/shop/api:1.8.2"
	workerImage = "registry.example/shop/worker:2.0.0"
	webImage    = "registry.example/shop/web:3.1.0"
	redisImage  = "redis:7.2"
	pgImage     = "postgres:16.4"
	agentImage  = "fluent/fluent-bit:3.0"
)

func (p *prodShop) client() client.Client {
	if p.c == nil {
		return k8s
	}
	return p.c
}

// create makes the prod namespace and everything in it.
func (p *prodShop) create() {
	ns := p.ns
	Expect(p.client().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: map[string]string{"env": "prod"}}})).To(Succeed())
	if p.c == nil { // prod in this cluster consents to being mirrored; a remote prod is read with the environment's own kubeconfig
		grantMirroring(ns, v1alpha1.SecretKeys{Secret: "app-secrets", Keys: []string{"publishable-key"}})
	}
	api := container("api", apiImage)
	api.Env = []corev1.EnvVar{
		{Name: "CATALOG_URL", Value: "http://catalog." + ns + ".svc.cluster.local:8080/v1"},
		{Name: "REDIS_ADDR", Value: "redis." + ns + ".svc:6379"},
		{Name: "WORKER_HOST", Value: "worker." + ns},
		{Name: "API_TOKEN", Value: p.canary("env-token")},
		{Name: "ORDERS_URL", Value: "postgres://app:" + p.canary("env-dsn-password") + "@postgres." + ns + ":5432/orders"},
		{Name: "DB_PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: "app-secrets"}, Key: "db-password"}}},
	}
	api.EnvFrom = []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "shop-config"}}}}
	migrate := container("migrate", apiImage)
	migrate.Args = []string{"migrate", "--db-password=" + p.canary("arg-password"), "--target=postgres." + ns + ".svc.cluster.local"}
	apiTpl := podTemplate("api", api)
	apiTpl.Spec.InitContainers = []corev1.Container{migrate}
	apiTpl.Spec.ServiceAccountName = "api"
	apiTpl.Spec.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "regcred"}}
	apiTpl.Spec.Volumes = []corev1.Volume{
		{Name: "tls", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "shop-tls"}}},
		{Name: "uploads", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "uploads"}}},
	}
	worker := container("worker", workerImage)
	worker.Args = []string{"--queue=redis://redis." + ns + ".svc.cluster.local:6379/0"}

	// A prod Secret value pasted where nothing says it is one — under a harmless ConfigMap key,
	// in a pod annotation, in a CronJob's args — is found by the known-value sweep alone.
	pasted := p.canary("secret-pasted-elsewhere")
	apiTpl.Annotations = map[string]string{"runbook.example/notes": "relay login: " + pasted}
	objs := []client.Object{
		&corev1.ConfigMap{ObjectMeta: meta(ns, "shop-config", nil), Data: map[string]string{
			"notes":                  "the relay login is " + pasted + " (ask ops)",
			"CATALOG_URL":            "http://catalog." + ns + ".svc.cluster.local:8080",
			"FEATURE_FLAGS":          "checkout-v2,fast-search",
			"SMTP_PASSWORD":          p.canary("cm-smtp-password"),
			"application.properties": "db.url=jdbc:postgresql://postgres." + ns + ":5432/orders\ndb.user=app\ndb.password=" + p.canary("cm-properties-password") + "\n",
		}},
		&corev1.Secret{ObjectMeta: meta(ns, "app-secrets", nil), Type: corev1.SecretTypeOpaque, Data: map[string][]byte{
			"db-password":     []byte(p.canary("secret-db-password")),
			"stripe-key":      []byte(p.canary("secret-stripe")),
			"publishable-key": []byte("pk_live_public_value"),
			"DATABASE_URL":    []byte("postgres://app:" + p.canary("secret-dsn") + "@postgres:5432/orders"),
			"relay-login":     []byte(pasted),
		}},
		&corev1.Secret{ObjectMeta: meta(ns, "shop-tls", nil), Type: corev1.SecretTypeTLS, Data: map[string][]byte{
			"tls.crt": []byte(p.canary("tls-crt")), "tls.key": []byte(p.canary("tls-key")),
		}},
		&corev1.Secret{ObjectMeta: meta(ns, "regcred", nil), Type: corev1.SecretTypeDockerConfigJson, Data: map[string][]byte{
			".dockerconfigjson": []byte(`{"auths":{"registry.example":{"auth":"` + p.canary("registry-auth") + `"}}}`),
		}},
		&corev1.ServiceAccount{ObjectMeta: meta(ns, "api", labels("api")), ImagePullSecrets: []corev1.LocalObjectReference{{Name: "regcred"}}},
		&rbacv1.Role{ObjectMeta: meta(ns, "api-reader", nil), Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "list"}}}},
		&rbacv1.RoleBinding{ObjectMeta: meta(ns, "api-reader", nil),
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "api-reader"},
			Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "api", Namespace: ns}, {Kind: "ServiceAccount", Name: "monitor", Namespace: "monitoring"}}},
		&corev1.PersistentVolumeClaim{ObjectMeta: meta(ns, "uploads", nil), Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("50Gi")}},
			VolumeName:  "pv-prod-uploads",
		}},
		&appsv1.Deployment{ObjectMeta: meta(ns, "api", labels("api")), Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](3), Selector: &metav1.LabelSelector{MatchLabels: labels("api")}, Template: apiTpl}},
		&appsv1.Deployment{ObjectMeta: meta(ns, "worker", labels("worker")), Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](2), Selector: &metav1.LabelSelector{MatchLabels: labels("worker")}, Template: podTemplate("worker", worker)}},
		&appsv1.Deployment{ObjectMeta: meta(ns, "web", labels("web")), Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](4), Selector: &metav1.LabelSelector{MatchLabels: labels("web")}, Template: podTemplate("web", container("web", webImage))}},
		&appsv1.Deployment{ObjectMeta: meta(ns, "redis", labels("redis")), Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels("redis")}, Template: podTemplate("redis", container("redis", redisImage))}},
		&appsv1.StatefulSet{ObjectMeta: meta(ns, "postgres", labels("postgres")), Spec: appsv1.StatefulSetSpec{
			Replicas: ptr.To[int32](2), ServiceName: "postgres", Selector: &metav1.LabelSelector{MatchLabels: labels("postgres")},
			Template: podTemplate("postgres", container("postgres", pgImage)),
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{ObjectMeta: metav1.ObjectMeta{Name: "data"}, Spec: corev1.PersistentVolumeClaimSpec{
				AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("100Gi")}},
			}}},
		}},
		&appsv1.DaemonSet{ObjectMeta: meta(ns, "log-agent", labels("log-agent")), Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels("log-agent")}, Template: podTemplate("log-agent", container("agent", agentImage))}},
		&batchv1.CronJob{ObjectMeta: meta(ns, "nightly-report", labels("report")), Spec: batchv1.CronJobSpec{
			Schedule: "0 3 * * *", JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: func() corev1.PodTemplateSpec {
				t := podTemplate("report", container("report", apiImage))
				t.Spec.Containers[0].Args = []string{"report", "--deliver-via=relay", "--relay-login", pasted}
				t.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
				return t
			}()}}}},
		&corev1.Service{ObjectMeta: meta(ns, "api", labels("api")), Spec: corev1.ServiceSpec{
			Selector: labels("api"), Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080)}}}},
		&corev1.Service{ObjectMeta: metaAnnotated(ns, "web", map[string]string{"external-dns.alpha.kubernetes.io/hostname": "shop.example.com", "service.beta.kubernetes.io/aws-load-balancer-type": "nlb"}),
			Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Selector: labels("web"), Ports: []corev1.ServicePort{{Name: "http", Port: 80}}}},
		&corev1.Service{ObjectMeta: meta(ns, "admin", nil), Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort,
			Selector: labels("api"), Ports: []corev1.ServicePort{{Name: "http", Port: 8081}}}},
		&corev1.Service{ObjectMeta: meta(ns, "postgres", labels("postgres")), Spec: corev1.ServiceSpec{ClusterIP: corev1.ClusterIPNone,
			Selector: labels("postgres"), Ports: []corev1.ServicePort{{Name: "pg", Port: 5432}}}},
		&corev1.Service{ObjectMeta: meta(ns, "redis", labels("redis")), Spec: corev1.ServiceSpec{
			Selector: labels("redis"), Ports: []corev1.ServicePort{{Name: "redis", Port: 6379}}}},
		&corev1.Service{ObjectMeta: meta(ns, "worker", labels("worker")), Spec: corev1.ServiceSpec{
			Selector: labels("worker"), Ports: []corev1.ServicePort{{Name: "metrics", Port: 9090}}}},
		&corev1.Service{ObjectMeta: meta(ns, "orders-db", nil), Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName,
			ExternalName: "orders.prod.rds.example.com"}},
		&networkingv1.Ingress{ObjectMeta: metaAnnotated(ns, "shop", map[string]string{
			"external-dns.alpha.kubernetes.io/hostname": "shop.example.com",
			"cert-manager.io/cluster-issuer":            "letsencrypt-prod",
			"nginx.ingress.kubernetes.io/auth-url":      "http://auth." + ns + ".svc.cluster.local/verify",
		}), Spec: networkingv1.IngressSpec{
			TLS: []networkingv1.IngressTLS{{Hosts: []string{"shop.example.com"}, SecretName: "shop-tls"}},
			Rules: []networkingv1.IngressRule{{Host: "shop.example.com", IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
				Paths: []networkingv1.HTTPIngressPath{{Path: "/", PathType: ptr.To(networkingv1.PathTypePrefix), Backend: networkingv1.IngressBackend{
					Service: &networkingv1.IngressServiceBackend{Name: "web", Port: networkingv1.ServiceBackendPort{Number: 80}}}}}}}}},
		}},
		&networkingv1.NetworkPolicy{ObjectMeta: meta(ns, "api-ingress", nil), Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: labels("api")},
			Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{
				{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{corev1.LabelMetadataName: ns}}},
				{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{corev1.LabelMetadataName: "ingress-nginx"}}},
			}}},
		}},
		&autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: meta(ns, "api", nil), Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "api"}, MaxReplicas: 10}},
		&policyv1.PodDisruptionBudget{ObjectMeta: meta(ns, "api", nil), Spec: policyv1.PodDisruptionBudgetSpec{
			MinAvailable: ptr.To(intstr.FromInt32(2)), Selector: &metav1.LabelSelector{MatchLabels: labels("api")}}},
	}
	for _, o := range objs {
		Expect(p.client().Create(ctx, o)).To(Succeed(), "creating %T %s", o, o.GetName())
	}

	// Running pods, with the digests a kubelet reports.
	p.runPods("api", 3, apiTpl.Spec, "")
	p.runPods("worker", 2, podTemplate("worker", worker).Spec, "")
	p.runPods("web", 4, podTemplate("web", container("web", webImage)).Spec, "")
	p.runPods("redis", 1, podTemplate("redis", container("redis", redisImage)).Spec, "")
	p.runPods("postgres", 2, podTemplate("postgres", container("postgres", pgImage)).Spec, "")
	p.runPods("log-agent", 3, podTemplate("log-agent", container("agent", agentImage)).Spec, "")
}

// runPods creates n pods of an app with container statuses carrying imageIDs. digestSalt
// changes the digest, as a rollout of a moved tag would.
func (p *prodShop) runPods(app string, n int, spec corev1.PodSpec, digestSalt string) {
	for i := range n {
		pod := &corev1.Pod{ObjectMeta: meta(p.ns, fmt.Sprintf("%s-%s%d", app, digestSalt, i), labels(app)), Spec: *spec.DeepCopy()}
		Expect(p.client().Create(ctx, pod)).To(Succeed())
		statuses := func(cs []corev1.Container) []corev1.ContainerStatus {
			var out []corev1.ContainerStatus
			for _, c := range cs {
				repo := c.Image
				if i := strings.LastIndex(repo, ":"); i > strings.LastIndex(repo, "/") {
					repo = repo[:i]
				}
				out = append(out, corev1.ContainerStatus{Name: c.Name, Image: c.Image, Ready: true,
					ImageID: "docker-pullable://" + repo + "@" + digest(c.Image+digestSalt)})
			}
			return out
		}
		pod.Status = corev1.PodStatus{Phase: corev1.PodRunning,
			InitContainerStatuses: statuses(spec.InitContainers), ContainerStatuses: statuses(spec.Containers),
			StartTime: &metav1.Time{Time: time.Now()}}
		Expect(p.client().Status().Update(ctx, pod)).To(Succeed())
	}
}

func meta(ns, name string, l map[string]string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: ns, Name: name, Labels: l, Annotations: map[string]string{
		"kubectl.kubernetes.io/last-applied-configuration": `{"note":"whole manifest here"}`,
	}}
}

func metaAnnotated(ns, name string, ann map[string]string) metav1.ObjectMeta {
	m := meta(ns, name, nil)
	for k, v := range ann {
		m.Annotations[k] = v
	}
	return m
}

// markCopiesReady plays the controller-manager that envtest does not run: every copied
// Deployment and StatefulSet reports its replicas ready.
func markCopiesReady(ns string) {
	deps := &appsv1.DeploymentList{}
	Expect(k8s.List(ctx, deps, client.InNamespace(ns))).To(Succeed())
	for i := range deps.Items {
		d := &deps.Items[i]
		n := ptr.Deref(d.Spec.Replicas, 1)
		d.Status = appsv1.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: n, UpdatedReplicas: n, ReadyReplicas: n, AvailableReplicas: n}
		Expect(k8s.Status().Update(ctx, d)).To(Succeed())
	}
	sts := &appsv1.StatefulSetList{}
	Expect(k8s.List(ctx, sts, client.InNamespace(ns))).To(Succeed())
	for i := range sts.Items {
		s := &sts.Items[i]
		n := ptr.Deref(s.Spec.Replicas, 1)
		s.Status = appsv1.StatefulSetStatus{ObservedGeneration: s.Generation, Replicas: n, UpdatedReplicas: n, ReadyReplicas: n, AvailableReplicas: n}
		Expect(k8s.Status().Update(ctx, s)).To(Succeed())
	}
}
