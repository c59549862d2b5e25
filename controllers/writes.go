package controllers

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/metrics"
	"github.com/envmirror/envmirror/internal/mirror"
	"github.com/envmirror/envmirror/internal/scrub"
)

// writer is the reconciler's only way to change anything (writes_test.go fails the build of
// any other write call in this package). Whatever it sends passes the final sweep: every prod
// Secret value this reconcile knows is replaced in every object, status message and event
// note, whichever step made them. Every delete names an entry of deletions.go and brings the
// evidence its check needs. The one write that is not swept is createCredential's: prod's own
// DSN or URL, copied into the operator's namespace for a Job that reads prod.
type writer struct {
	c        client.Client
	recorder events.EventRecorder
	// operatorNamespace is where credential Secrets may be written.
	operatorNamespace string
	// sweep is set once the plan knows prod's Secret values (nil before: nothing of them has
	// been read into anything yet).
	sweep *scrub.Sweep
}

func (r *MirrorEnvironmentReconciler) newWriter() *writer {
	return &writer{c: r.Client, recorder: r.Recorder, operatorNamespace: r.OperatorNamespace}
}

// swept returns obj with every known prod Secret value replaced (obj itself when none was
// found), and how many were.
func (w *writer) swept(obj client.Object) (client.Object, int, error) {
	if w.sweep == nil {
		return obj, 0, nil
	}
	out, err := sweepObjects(w.sweep, []client.Object{obj}, map[string]int32{})
	if err != nil {
		return nil, 0, err
	}
	if out[0] == obj {
		return obj, 0, nil
	}
	return out[0], 1, nil
}

// create creates obj, swept.
func (w *writer) create(ctx context.Context, obj client.Object) error {
	swept, n, err := w.swept(obj)
	if err != nil {
		return err
	}
	w.late(ctx, obj, n)
	metrics.Write(kindOf(obj), "create")
	if err := w.c.Create(ctx, swept); err != nil {
		return err
	}
	obj.SetResourceVersion(swept.GetResourceVersion())
	obj.SetUID(swept.GetUID())
	return nil
}

// createCredential creates a Secret holding prod's DSN or URL for a Job that reads prod. It is
// the one unswept write, so it is refused anywhere but the operator's own namespace: prod's
// credentials never enter a copy's namespace.
func (w *writer) createCredential(ctx context.Context, sec *corev1.Secret) error {
	if w.operatorNamespace == "" || sec.Namespace != w.operatorNamespace {
		return fmt.Errorf("refusing to write prod credentials into namespace %q: only the operator's namespace holds them", sec.Namespace)
	}
	metrics.Write("Secret", "create")
	return w.c.Create(ctx, sec)
}

// apply server-side applies u, swept, as the operator's field manager.
func (w *writer) apply(ctx context.Context, u *unstructured.Unstructured) error {
	if w.sweep != nil {
		if n := w.sweep.Object(u.Object); n > 0 {
			w.late(ctx, u, n)
		}
	}
	metrics.Write(u.GetKind(), "apply")
	return w.c.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner(mirror.FieldOwner), client.ForceOwnership)
}

// late logs values the final sweep replaced in what a step had already swept: a step that
// bypassed the plan's sweep, which is a bug, but never a leak.
func (w *writer) late(ctx context.Context, obj client.Object, n int) {
	if n > 0 {
		log.FromContext(ctx).Info("the final sweep replaced prod Secret values a step left in an object", "kind", kindOf(obj), "object", client.ObjectKeyFromObject(obj), "count", n)
	}
}

// patch patches obj's metadata (finalizers), or the replicas sleeping changes, with patch.
func (w *writer) patch(ctx context.Context, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
	metrics.Write(kindOf(obj), "patch")
	return w.c.Patch(ctx, obj, patch, opts...)
}

// patchStatus patches env's status, swept, with the optimistic lock of patch.
func (w *writer) patchStatus(ctx context.Context, env *v1alpha1.MirrorEnvironment, patch client.Patch) error {
	if w.sweep != nil {
		u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&env.Status)
		if err != nil {
			return err
		}
		if n := w.sweep.Object(u); n > 0 {
			var st v1alpha1.MirrorEnvironmentStatus
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u, &st); err != nil {
				return err
			}
			env.Status = st
		}
	}
	metrics.Write("MirrorEnvironment", "status")
	return w.c.Status().Patch(ctx, env, patch)
}

// maxEventNote is the API server's limit on an Event's note (events.k8s.io/v1): a longer one
// is rejected, and the event lost.
const maxEventNote = 1024

// event records an Event about obj, its note swept and cut to what the API server accepts.
func (w *writer) event(obj runtime.Object, eventType, reason, action, format string, args ...any) {
	if w.recorder == nil {
		return
	}
	note := fmt.Sprintf(format, args...)
	if w.sweep != nil {
		note, _ = w.sweep.String(note)
	}
	if len(note) > maxEventNote {
		cut := maxEventNote - len("…")
		for cut > 0 && (note[cut]&0xC0) == 0x80 {
			cut--
		}
		note = note[:cut] + "…"
	}
	w.recorder.Eventf(obj, nil, eventType, reason, action, "%s", note)
}

// delete deletes obj when d's check passes on ev. It reports whether it sent the delete; a
// refused check is not an error (the object stays, and the refusal is returned for the
// caller to report), a failed request is.
func (w *writer) delete(ctx context.Context, d deletion, ev evidence, obj client.Object, opts ...client.DeleteOption) (bool, error, error) {
	if refusal := d.check(ev, obj); refusal != nil {
		log.FromContext(ctx).V(1).Info("not deleting", "deletion", d.name, "kind", kindOf(obj), "object", client.ObjectKeyFromObject(obj), "because", refusal.Error())
		return false, refusal, nil
	}
	log.FromContext(ctx).Info("deleting", "deletion", d.name, "kind", kindOf(obj), "object", client.ObjectKeyFromObject(obj))
	metrics.Write(kindOf(obj), "delete")
	if err := w.c.Delete(ctx, obj, opts...); client.IgnoreNotFound(err) != nil {
		return false, nil, err
	}
	return true, nil, nil
}
