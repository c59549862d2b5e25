package controllers_test

import (
	"fmt"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	authzv1 "k8s.io/api/authorization/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

var uniq atomic.Int64

// unique returns a name no other spec uses, so specs can run in any order.
func unique(prefix string) string { return fmt.Sprintf("%s-%d", prefix, uniq.Add(1)) }

func createNamespace(name string, labels map[string]string) {
	Expect(k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}})).To(Succeed())
}

// grantMirroring lets every namespace mirror prod namespace ns (a MirrorSource, as prod's
// owners would write it), allowing keep to be copied verbatim.
func grantMirroring(ns string, keep ...v1alpha1.SecretKeys) {
	Expect(k8s.Create(ctx, &v1alpha1.MirrorSource{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "all-dev-namespaces"},
		Spec: v1alpha1.MirrorSourceSpec{
			From: []v1alpha1.MirrorSourceFrom{{NamespaceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
				Key: corev1.LabelMetadataName, Operator: metav1.LabelSelectorOpExists}}}}},
			KeepSecrets: keep,
		},
	})).To(Succeed())
}

// newEnv returns a MirrorEnvironment of prod namespace src in namespace ns.
func newEnv(ns, name, src string) *v1alpha1.MirrorEnvironment {
	return &v1alpha1.MirrorEnvironment{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.MirrorEnvironmentSpec{
			Source: v1alpha1.SourceSpec{Namespace: src},
			Branch: "feature/" + name,
		},
	}
}

func getEnv(env *v1alpha1.MirrorEnvironment) *v1alpha1.MirrorEnvironment {
	out := &v1alpha1.MirrorEnvironment{}
	Expect(k8s.Get(ctx, client.ObjectKeyFromObject(env), out)).To(Succeed())
	return out
}

// condition returns an environment's condition of a type, or an empty one.
func condition(env *v1alpha1.MirrorEnvironment, typ string) metav1.Condition {
	out := &v1alpha1.MirrorEnvironment{}
	if err := k8s.Get(ctx, client.ObjectKeyFromObject(env), out); err != nil {
		return metav1.Condition{}
	}
	if c := apimeta.FindStatusCondition(out.Status.Conditions, typ); c != nil {
		return *c
	}
	return metav1.Condition{}
}

// eventuallyCondition waits for a condition with a status and reason.
func eventuallyCondition(env *v1alpha1.MirrorEnvironment, typ string, status metav1.ConditionStatus, reason string) metav1.Condition {
	var c metav1.Condition
	EventuallyWithOffset(1, func(g Gomega) {
		c = condition(env, typ)
		g.Expect(c.Status).To(Equal(status), "condition %s: %+v", typ, c)
		g.Expect(c.Reason).To(Equal(reason), "condition %s: %+v", typ, c)
	}, 30*time.Second, 100*time.Millisecond).Should(Succeed())
	return c
}

func gone(obj client.Object) func() bool {
	return func() bool {
		return apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj))
	}
}

// listOf returns an empty list for an object's kind.
func listOf(obj client.Object) client.ObjectList {
	gvk, err := apiutil.GVKForObject(obj, scheme)
	Expect(err).NotTo(HaveOccurred())
	gvk.Kind += "List"
	o, err := scheme.New(gvk)
	Expect(err).NotTo(HaveOccurred())
	return o.(client.ObjectList)
}

func items(list client.ObjectList) []client.Object {
	objs, err := apimeta.ExtractList(list)
	Expect(err).NotTo(HaveOccurred())
	out := make([]client.Object, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.(client.Object))
	}
	return out
}

// copyKinds are the kinds a copy can contain.
var copyKinds = []client.Object{
	&appsv1.Deployment{}, &appsv1.StatefulSet{}, &batchv1.CronJob{}, &batchv1.Job{}, &corev1.Service{},
	&corev1.ServiceAccount{}, &corev1.ConfigMap{}, &corev1.Secret{}, &corev1.PersistentVolumeClaim{},
	&rbacv1.Role{}, &rbacv1.RoleBinding{}, &networkingv1.Ingress{}, &networkingv1.NetworkPolicy{},
}

// resourceVersions maps "Kind/name" to resourceVersion for everything in a namespace.
func resourceVersions(ns string) map[string]string {
	out := map[string]string{}
	for _, k := range copyKinds {
		list := listOf(k)
		Expect(k8s.List(ctx, list, client.InNamespace(ns))).To(Succeed())
		for _, o := range items(list) {
			out[fmt.Sprintf("%T/%s", o, o.GetName())] = o.GetResourceVersion()
		}
	}
	return out
}

// canOperator asks the API server whether the operator's user may do something.
func canOperator(verb, group, resource, ns string) bool {
	sar := &authzv1.SubjectAccessReview{Spec: authzv1.SubjectAccessReviewSpec{
		User: operatorUser,
		ResourceAttributes: &authzv1.ResourceAttributes{
			Namespace: ns, Verb: verb, Group: group, Resource: resource,
		},
	}}
	Expect(k8s.Create(ctx, sar)).To(Succeed())
	return sar.Status.Allowed
}

// updateEnv changes an environment's spec, retrying on conflicts with the operator's status
// writes.
func updateEnv(env *v1alpha1.MirrorEnvironment, change func(*v1alpha1.MirrorEnvironment)) {
	EventuallyWithOffset(1, func() error {
		e := getEnv(env)
		change(e)
		return k8s.Update(ctx, e)
	}, 10*time.Second).Should(Succeed())
}

// settled waits until the environment's status has stopped moving for longer than the
// operator defers progress-only writes (statusCoalesce, 2 s): a spec that counts writes from
// now on must not count a progress write the previous spec's changes left pending. (The
// "leaves edits outside the copy's fields alone" flake: the previous spec's hand edit made a
// copy not ready, and the coalesced "4 of 6 ready" landed in the next spec's window.)
//
// The periodic check of prod is recorded once a minute (status.parity.lastCheckedAt): when it
// is due within the window, settled waits for it first.
func settled(env *v1alpha1.MirrorEnvironment) {
	GinkgoHelper()
	const quiet, resync = 3 * time.Second, time.Minute // the suite's ResyncInterval
	if last := getEnv(env).Status.Parity.LastCheckedAt; last != nil && time.Since(last.Time) > resync-15*time.Second {
		Eventually(func() time.Time { return getEnv(env).Status.Parity.LastCheckedAt.Time }, 2*resync, time.Second).
			ShouldNot(Equal(last.Time), "the periodic check was due")
	}
	last, since := getEnv(env).ResourceVersion, time.Now()
	Eventually(func() time.Duration {
		if rv := getEnv(env).ResourceVersion; rv != last {
			last, since = rv, time.Now()
		}
		return time.Since(since)
	}, 30*time.Second, 200*time.Millisecond).Should(BeNumerically(">", quiet), "the environment's status kept changing")
}
