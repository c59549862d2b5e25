package controllers

import (
	"fmt"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/metrics"
)

// maxDriftItems bounds status.parity.drifted and followed (the API's limit).
const maxDriftItems = 100

// collectDrift gathers, after the apply steps, how the copy differs from what prod implies
// (objects not written, and with followProd: Never everything prod changed since provisioning)
// and what this reconcile changed to follow prod. Events tell people about the changes.
func (r *MirrorEnvironmentReconciler) collectDrift(s *scope) {
	components := make([]string, 0, len(s.applied))
	for c := range s.applied {
		components = append(components, c)
	}
	sort.Strings(components)
	var changed, reverted, synced []string
	for _, c := range components {
		res := s.applied[c]
		for _, f := range res.failed {
			s.drift = append(s.drift, f+" (not written)")
		}
		s.drift = append(s.drift, res.frozen...)
		changed = append(changed, res.changed...)
		reverted = append(reverted, res.reverted...)
		if res.writes() > 0 {
			synced = append(synced, fmt.Sprintf("%s: %d created, %d updated, %d unchanged, %d pruned", c, res.created, res.updated, res.unchanged, res.pruned))
		}
	}
	// One event per reconcile that wrote, not one per component, and none while the copy is
	// first provisioned (the phase events tell that story): events are API writes too.
	if len(synced) > 0 && s.env.Status.ProvisionedAt != nil {
		s.w.event(s.env, corev1.EventTypeNormal, "Synced", "Apply", "%s", strings.Join(synced, "; "))
	}
	for _, c := range changed {
		s.followed = append(s.followed, c+": updated to match prod and the spec")
	}
	for _, c := range reverted {
		s.followed = append(s.followed, c+": edited outside envmirror; reverted to prod's")
	}
	if len(changed) > 0 {
		s.w.event(s.env, corev1.EventTypeNormal, v1alpha1.ReasonProdChanged, "Follow",
			"updated the copy to match prod and the spec: %s", strings.Join(changed, ", "))
	}
	if len(reverted) > 0 {
		s.w.event(s.env, corev1.EventTypeWarning, "CopyEdited", "Revert",
			"reverted edits made to the copy outside envmirror: %s", strings.Join(reverted, ", "))
	}
	for _, d := range append(append([]string{}, s.drift...), changed...) {
		kind, _, _ := strings.Cut(d, "/")
		metrics.Drift(kind)
	}
	sort.Strings(s.drift)
	s.drift = capList(s.drift, maxDriftItems)
	s.followed = capList(s.followed, maxDriftItems)
}

func capList(l []string, n int) []string {
	if len(l) <= n {
		return l
	}
	return append(l[:n-1], fmt.Sprintf("and %d more", len(l)-n+1))
}

// differences says how a frozen copy differs from what prod implies now, per axis: image
// digests for workloads, keys for configuration, "spec" for anything else.
func differences(desired, live client.Object) string {
	switch d := desired.(type) {
	case *appsv1.Deployment:
		if l, ok := live.(*appsv1.Deployment); ok {
			return imageDifferences(&d.Spec.Template.Spec, &l.Spec.Template.Spec)
		}
	case *appsv1.StatefulSet:
		if l, ok := live.(*appsv1.StatefulSet); ok {
			return imageDifferences(&d.Spec.Template.Spec, &l.Spec.Template.Spec)
		}
	case *batchv1.CronJob:
		if l, ok := live.(*batchv1.CronJob); ok {
			return imageDifferences(&d.Spec.JobTemplate.Spec.Template.Spec, &l.Spec.JobTemplate.Spec.Template.Spec)
		}
	case *corev1.ConfigMap:
		if l, ok := live.(*corev1.ConfigMap); ok {
			return keyDifferences("config", keysOf(d.Data, d.BinaryData), keysOf(l.Data, l.BinaryData))
		}
	case *corev1.Secret:
		if l, ok := live.(*corev1.Secret); ok {
			return keyDifferences("config", keysOf(nil, d.Data), keysOf(nil, l.Data))
		}
	}
	return "infra: differs from prod"
}

func imageDifferences(desired, live *corev1.PodSpec) string {
	liveImages := map[string]string{}
	for _, c := range append(append([]corev1.Container{}, live.InitContainers...), live.Containers...) {
		liveImages[c.Name] = c.Image
	}
	var diffs []string
	for _, c := range append(append([]corev1.Container{}, desired.InitContainers...), desired.Containers...) {
		if got := liveImages[c.Name]; got != c.Image {
			diffs = append(diffs, fmt.Sprintf("container %s: prod runs %s, the copy %s", c.Name, c.Image, orNothing(got)))
		}
	}
	if len(diffs) == 0 {
		return "infra: the pod spec differs from prod's"
	}
	return "images: " + strings.Join(diffs, "; ")
}

func keysOf(data map[string]string, binary map[string][]byte) map[string]bool {
	out := map[string]bool{}
	for k := range data {
		out[k] = true
	}
	for k := range binary {
		out[k] = true
	}
	return out
}

func keyDifferences(axis string, desired, live map[string]bool) string {
	var added, removed []string
	for k := range desired {
		if !live[k] {
			added = append(added, k)
		}
	}
	for k := range live {
		if !desired[k] {
			removed = append(removed, k)
		}
	}
	sort.Strings(added)
	sort.Strings(removed)
	var parts []string
	if len(added) > 0 {
		parts = append(parts, "keys added in prod: "+strings.Join(added, ", "))
	}
	if len(removed) > 0 {
		parts = append(parts, "keys removed in prod: "+strings.Join(removed, ", "))
	}
	if len(parts) == 0 {
		return axis + ": values changed in prod"
	}
	return axis + ": " + strings.Join(parts, "; ")
}

func orNothing(s string) string {
	if s == "" {
		return "nothing"
	}
	return s
}
