package controllers

import (
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/types"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// statusCoalesce is how often an environment's status is patched at most for progress alone.
// While a copy provisions, its workloads become ready one by one and each wakes a reconcile;
// writing "3 of 7 ready", "4 of 7 ready", ... every time was the largest share of the
// operator's requests beyond the applies. Progress is still shown, at most this late; every
// other change (a phase, a condition's status or reason, a field) is written at once.
const statusCoalesce = 2 * time.Second

// statusPatches remembers when each environment's status was last patched.
type statusPatches struct{ last sync.Map }

func (p *statusPatches) patched(k types.NamespacedName, at time.Time) { p.last.Store(k, at) }

// coalesce reports how long to wait before writing a progress-only change of env's status
// (0: write it now).
func (p *statusPatches) coalesce(k types.NamespacedName, before, after *v1alpha1.MirrorEnvironmentStatus, now time.Time) time.Duration {
	if !progressOnly(before, after) {
		return 0
	}
	last, ok := p.last.Load(k)
	if !ok {
		return 0
	}
	if since := now.Sub(last.(time.Time)); since < statusCoalesce {
		return statusCoalesce - since
	}
	return 0
}

// progressOnly reports whether two statuses differ only in progress: ready counts, services'
// readiness and messages, databases' messages and condition messages. Phases, condition
// statuses and reasons, and every other field must be equal.
func progressOnly(a, b *v1alpha1.MirrorEnvironmentStatus) bool {
	return equality.Semantic.DeepEqual(withoutProgress(a), withoutProgress(b))
}

func withoutProgress(st *v1alpha1.MirrorEnvironmentStatus) *v1alpha1.MirrorEnvironmentStatus {
	out := st.DeepCopy()
	out.ReadyServices, out.ServicesReady = 0, ""
	for i := range out.Services {
		out.Services[i].Ready, out.Services[i].Message = false, ""
	}
	for i := range out.Data {
		out.Data[i].Message = ""
	}
	for i := range out.Dependencies {
		out.Dependencies[i].Ready, out.Dependencies[i].Message = false, ""
	}
	for i := range out.Conditions {
		out.Conditions[i].Message = "" // a message change alone keeps the transition time
	}
	return out
}
