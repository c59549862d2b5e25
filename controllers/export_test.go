package controllers

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/scrub"
)

// TestWriter lets the envtest suite (package controllers_test) drive the writer against the
// real API server.
type TestWriter struct{ w *writer }

func NewTestWriter(c client.Client, rec events.EventRecorder, operatorNamespace string, sw *scrub.Sweep) TestWriter {
	return TestWriter{&writer{c: c, recorder: rec, operatorNamespace: operatorNamespace, sweep: sw}}
}

func (t TestWriter) Create(ctx context.Context, obj client.Object) error { return t.w.create(ctx, obj) }
func (t TestWriter) CreateCredential(ctx context.Context, s *corev1.Secret) error {
	return t.w.createCredential(ctx, s)
}
func (t TestWriter) Apply(ctx context.Context, u *unstructured.Unstructured) error {
	return t.w.apply(ctx, u)
}
func (t TestWriter) PatchStatus(ctx context.Context, env *v1alpha1.MirrorEnvironment, p client.Patch) error {
	return t.w.patchStatus(ctx, env, p)
}
func (t TestWriter) Event(obj runtime.Object, note string) {
	t.w.event(obj, corev1.EventTypeNormal, "Test", "Test", "%s", note)
}
