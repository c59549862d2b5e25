package controllers_test

import (
	"encoding/json"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/controllers"
	"github.com/envmirror/envmirror/internal/scrub"
)

// The writer is the only way the reconciler writes (TestOnlyTheWriterWrites). These specs send
// a prod Secret value through each of its ways to the real API server — created objects,
// applied objects, status, events — and read back what was stored.
var _ = Describe("the final sweep of everything the operator writes", func() {
	It("replaces prod Secret values in objects, status messages and events, and keeps prod credentials in the operator's namespace", func() {
		ns := unique("final-sweep")
		createNamespace(ns, nil)
		const value = "tz7Qm4-prod-only-b91c"
		key, err := scrub.NewKeyring()
		Expect(err).NotTo(HaveOccurred())
		sweep := scrub.NewSweep([]corev1.Secret{{ObjectMeta: metav1.ObjectMeta{Name: "db"}, Data: map[string][]byte{"password": []byte(value)}}}, key, nil)
		recorder := newEventRecorder()
		w := controllers.NewTestWriter(k8s, recorder, operatorNamespace, sweep)
		stored := func(obj client.Object) string {
			Expect(k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj)).To(Succeed())
			b, err := json.Marshal(obj)
			Expect(err).NotTo(HaveOccurred())
			return string(b)
		}

		created := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "created", Annotations: map[string]string{"note": "pw " + value}},
			Data: map[string]string{"harmless-key": value}}
		Expect(w.Create(ctx, created)).To(Succeed())
		Expect(stored(created)).NotTo(ContainSubstring(value))

		applied := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"namespace": ns, "name": "applied"}, "data": map[string]any{"x": "url?token=" + value}}}
		Expect(w.Apply(ctx, applied)).To(Succeed())
		Expect(stored(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "applied"}})).NotTo(ContainSubstring(value))

		env := newEnv(ns, "sweep-status", "nowhere")
		env.Spec.Source.KubeconfigSecretRef = &v1alpha1.SecretKeyRef{Name: "absent"} // keeps the operator's own reconcile away
		Expect(k8s.Create(ctx, env)).To(Succeed())
		Eventually(func() []metav1.Condition { return getEnv(env).Status.Conditions }, 30*time.Second).ShouldNot(BeEmpty())
		Eventually(func() error {
			e := getEnv(env)
			before := e.DeepCopy()
			e.Status.Parity.NotCopied = []v1alpha1.KindCount{{Kind: "argoproj.io/Rollout", Reason: "its workloadRef names Deployment " + value}}
			return w.PatchStatus(ctx, e, client.MergeFrom(before))
		}, 10*time.Second).Should(Succeed())
		Expect(stored(env)).NotTo(ContainSubstring(value))
		Expect(stored(env)).To(ContainSubstring("its workloadRef names Deployment"), "the status was written")

		w.Event(env, "a note quoting "+value)
		Eventually(recorder.notes, 10*time.Second).Should(ContainElement(ContainSubstring("a note quoting")))
		Expect(recorder.notes()).NotTo(ContainElement(ContainSubstring(value)))

		// prod's DSN is the one thing written unswept, and only into the operator's namespace.
		cred := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "dsn"}, Data: map[string][]byte{"SOURCE_DSN": []byte(value)}}
		Expect(w.CreateCredential(ctx, cred)).To(MatchError(ContainSubstring("only the operator's namespace")))
		cred.Namespace = operatorNamespace
		Expect(w.CreateCredential(ctx, cred)).To(Succeed())
		DeferCleanup(func() { _ = k8s.Delete(ctx, cred) })
		var kept corev1.Secret
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(cred), &kept)).To(Succeed())
		Expect(string(kept.Data["SOURCE_DSN"])).To(Equal(value), "the Job reading prod needs prod's DSN as it is")
	})
})

// eventRecorder writes events to the API server, as the manager's does, and remembers their
// notes as the API server stored them.
type eventRecorder struct{ ns string }

func newEventRecorder() *eventRecorder { return &eventRecorder{} }

// Eventf stores an events.k8s.io Event about obj, as the manager's recorder does.
func (r *eventRecorder) Eventf(regarding runtime.Object, _ runtime.Object, eventType, reason, action, note string, args ...any) {
	o := regarding.(client.Object)
	r.ns = o.GetNamespace()
	ev := &eventsv1.Event{ObjectMeta: metav1.ObjectMeta{Namespace: o.GetNamespace(), GenerateName: "sweep-"},
		EventTime: metav1.NewMicroTime(time.Now()), ReportingController: "envmirror-test", ReportingInstance: "test",
		Action: action, Reason: reason, Type: eventType, Note: fmt.Sprintf(note, args...),
		Regarding: corev1.ObjectReference{Kind: "MirrorEnvironment", Namespace: o.GetNamespace(), Name: o.GetName()}}
	Expect(k8s.Create(ctx, ev)).To(Succeed())
}

// notes are the notes of the events stored in the namespace written to.
func (r *eventRecorder) notes() []string {
	list := &eventsv1.EventList{}
	Expect(k8s.List(ctx, list, client.InNamespace(r.ns))).To(Succeed())
	var out []string
	for _, e := range list.Items {
		out = append(out, e.Note)
	}
	return out
}
