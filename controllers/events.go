package controllers

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
)

// maxEventNote is the API server's limit on an Event's note (events.k8s.io/v1): a longer one
// is rejected, and the event lost.
const maxEventNote = 1024

// event records an Event about obj, with the note cut to what the API server accepts.
func (r *MirrorEnvironmentReconciler) event(obj runtime.Object, eventType, reason, action, format string, args ...any) {
	if r.Recorder == nil {
		return
	}
	note := fmt.Sprintf(format, args...)
	if len(note) > maxEventNote {
		cut := maxEventNote - len("…")
		for cut > 0 && (note[cut]&0xC0) == 0x80 {
			cut--
		}
		note = note[:cut] + "…"
	}
	r.Recorder.Eventf(obj, nil, eventType, reason, action, "%s", note)
}
