package controllers_test

import (
	"fmt"
	"sort"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/deps"
	"github.com/envmirror/envmirror/internal/mirror"
)

// Pod Security "restricted" (issue 12, item 3): every pod the operator writes runs in a namespace
// that enforces it — the operator's own namespace (schema Jobs) and copies in clusters that label
// every namespace so. The API server's PodSecurity admission plugin judges a pod made from each
// template the real builders produce; a privileged pod shows the check can fail.

// restrictedNamespace creates a namespace that enforces Pod Security "restricted".
func restrictedNamespace() string {
	ns := unique("restricted")
	createNamespace(ns, map[string]string{
		"pod-security.kubernetes.io/enforce":         "restricted",
		"pod-security.kubernetes.io/enforce-version": "latest",
	})
	return ns
}

// operatorPodTemplates builds every pod template the operator writes for an environment with a
// database of each kind and a dependency of each engine, by the names "Kind/name".
func operatorPodTemplates(ns string) map[string]corev1.PodTemplateSpec {
	env := &v1alpha1.MirrorEnvironment{
		ObjectMeta: metav1.ObjectMeta{Namespace: "dev", Name: "restricted", UID: "0d5e6f7a"},
		Spec: v1alpha1.MirrorEnvironmentSpec{
			Source: v1alpha1.SourceSpec{Namespace: "shop"},
			Data: []v1alpha1.DatabaseSpec{
				{Name: "orders-db", StandIn: &v1alpha1.StandInSpec{Version: "16.4"},
					Schema: &v1alpha1.SchemaSource{FromDatabase: &v1alpha1.FromDatabaseSchema{SecretRef: v1alpha1.SecretKeyRef{Name: "dsn"}}}},
				{Name: "legacy-db", Workload: "postgres", Connection: &v1alpha1.ConnectionSpec{Database: "app", User: "app",
					PasswordSecretRef: v1alpha1.SecretKeyRef{Name: "postgres", Key: "password"}}},
				{Name: "shop-db", Engine: v1alpha1.DatabaseMySQL, StandIn: &v1alpha1.StandInSpec{Version: "8.0.36"}},
				{Name: "legacy-mysql", Engine: v1alpha1.DatabaseMariaDB, Workload: "mariadb", Connection: &v1alpha1.ConnectionSpec{
					Database: "app", User: "app", PasswordSecretRef: v1alpha1.SecretKeyRef{Name: "mariadb", Key: "password"}}},
			},
		},
	}
	// Dependency stand-ins join the stand-ins' objects when they are built: list every engine, so
	// that each of them is judged here from then on.
	for i, engine := range []v1alpha1.DependencyEngine{v1alpha1.EngineRedis, v1alpha1.EngineValkey, v1alpha1.EngineRabbitMQ,
		v1alpha1.EngineElasticsearch, v1alpha1.EngineOpenSearch, v1alpha1.EngineMySQL, v1alpha1.EngineMariaDB} {
		env.Spec.Dependencies = append(env.Spec.Dependencies, v1alpha1.DependencySpec{
			Name: fmt.Sprintf("dep-%d-%s", i, engine), Engine: engine, Version: "1.2.3"})
	}
	b := mirror.NewBuilder(mirror.Options{Env: env, TargetNamespace: ns}, nil)
	versions := map[string]mirror.DependencyVersion{}
	for _, d := range env.Spec.Dependencies {
		r, err := deps.Resolve(d.Engine, d.Version, "")
		Expect(err).NotTo(HaveOccurred(), "engine %s", d.Engine)
		versions[d.Name] = mirror.DependencyVersion{Resolved: r}
	}
	objs := mirror.NewStandIns(env, func(string) string { return "password" }, nil).WithDependencies(versions).Objects(b)
	Expect(len(objs)).To(BeNumerically(">=", 3*len(env.Spec.Dependencies)), "every dependency stand-in is built and judged")
	for i := range env.Spec.Data {
		objs = append(objs, b.SeedJob(mirror.SeedJobInput{Database: &env.Spec.Data[i], Hash: "0123456789", Image: "envmirror/manager:test",
			SpecJSON: "{}", SchemaSQL: i == 0, PullSecrets: []corev1.LocalObjectReference{{Name: "regcred"}}}))
	}
	objs = append(objs, mirror.SchemaJob(env, ns, mirror.SchemaJobName(env, "orders-db", "0123456789"), "schema-dsn", "postgres:16.4"),
		mirror.SchemaJobFor(mirror.SchemaJobInput{Env: env, OperatorNamespace: ns, Name: mirror.SchemaJobName(env, "shop-db", "0123456789"),
			SecretName: "schema-mysql", Image: "mysql:8.0.36", Engine: v1alpha1.DatabaseMySQL}))

	out := map[string]corev1.PodTemplateSpec{}
	for _, o := range objs {
		switch o := o.(type) {
		case *batchv1.Job:
			out["Job/"+o.Name] = o.Spec.Template
		case *appsv1.StatefulSet:
			// Its pods get a volume for each claim template, as the StatefulSet controller adds.
			tpl := *o.Spec.Template.DeepCopy()
			for _, claim := range o.Spec.VolumeClaimTemplates {
				tpl.Spec.Volumes = append(tpl.Spec.Volumes, corev1.Volume{Name: claim.Name, VolumeSource: corev1.VolumeSource{
					PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claim.Name + "-" + o.Name + "-0"}}})
			}
			out["StatefulSet/"+o.Name] = tpl
		case *appsv1.Deployment:
			out["Deployment/"+o.Name] = o.Spec.Template
		case *batchv1.CronJob:
			out["CronJob/"+o.Name] = o.Spec.JobTemplate.Spec.Template
		}
	}
	return out
}

// admitPod server-side dry-runs a pod made from a template.
func admitPod(ns, name string, tpl corev1.PodTemplateSpec) error {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, GenerateName: "pss-", Labels: tpl.Labels}, Spec: tpl.Spec}
	if err := k8s.Create(ctx, pod, client.DryRunAll); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

var _ = Describe("Pod Security restricted", func() {
	It("admits a pod of every template the operator writes", func() {
		ns := restrictedNamespace()
		templates := operatorPodTemplates(ns)
		names := make([]string, 0, len(templates))
		for name := range templates {
			names = append(names, name)
		}
		sort.Strings(names)
		Expect(names).To(ContainElements(HavePrefix("StatefulSet/orders-db"), HavePrefix("Job/orders-db-seed-"),
			HavePrefix("Job/legacy-db-seed-"), HaveSuffix("-orders-db-schema-0123456789"), "StatefulSet/shop-db",
			HavePrefix("Job/shop-db-seed-"), HavePrefix("Job/legacy-mysql-seed-"), HaveSuffix("-shop-db-schema-0123456789")))
		for _, name := range names {
			Expect(admitPod(ns, name, templates[name])).To(Succeed())
		}
		GinkgoWriter.Printf("Pod Security restricted admitted %d pod templates: %v\n", len(names), names)
	})

	It("refuses a privileged pod, so the check above can fail", func() {
		ns := restrictedNamespace()
		privileged := corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "root", Image: "postgres:16.4", SecurityContext: &corev1.SecurityContext{Privileged: ptr.To(true)}}}}}
		err := admitPod(ns, "privileged", privileged)
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring(`violates PodSecurity "restricted:latest"`))

		// And a template of the operator's without its security context is refused too: the
		// builders' settings are what admits them.
		tpl := operatorPodTemplates(ns)["StatefulSet/orders-db"]
		tpl.Spec.SecurityContext = nil
		for i := range tpl.Spec.Containers {
			tpl.Spec.Containers[i].SecurityContext = nil
		}
		err = admitPod(ns, "stand-in without its security context", tpl)
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring("allowPrivilegeEscalation != false"))
	})
})
