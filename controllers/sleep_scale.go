package controllers

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/internal/mirror"
)

// Sleeping records on each object what it ran with, and waking puts exactly that back. The
// patches are merge patches of spec.replicas (or spec.suspend) and the annotation only, by the
// operator's field manager: nothing else of the copy changes, the applied-hash annotation
// stays, and a copy restored unchanged is not written again by the apply steps.
const (
	// annotationAwakeReplicas is the replica count a Deployment or StatefulSet had when the
	// copy fell asleep.
	annotationAwakeReplicas = "envmirror.io/awake-replicas"
	// annotationAwakeSuspend is whether a CronJob was suspended when the copy fell asleep.
	annotationAwakeSuspend = "envmirror.io/awake-suspend"
)

// scaleCounts says what sleeping or waking changed, by kind of object.
type scaleCounts struct {
	workloads, standIns, cronJobs int
}

func (c scaleCounts) total() int { return c.workloads + c.standIns + c.cronJobs }

func (c scaleCounts) String() string {
	if c.total() == 0 {
		return "nothing (already so)"
	}
	return fmt.Sprintf("%d workload(s), %d stand-in(s), %d CronJob(s)", c.workloads, c.standIns, c.cronJobs)
}

func (c *scaleCounts) count(obj client.Object) {
	switch {
	case kindOf(obj) == "CronJob":
		c.cronJobs++
	case obj.GetLabels()[mirror.LabelComponent] == mirror.ComponentData:
		c.standIns++
	default:
		c.workloads++
	}
}

// sleepers lists the copy's objects that run pods on their own: its Deployments, StatefulSets
// and CronJobs (copies of prod's workloads, converted kinds and stand-ins alike), by the
// environment's uid, in the copy's namespace only.
func (r *MirrorEnvironmentReconciler) sleepers(ctx context.Context, s *scope) ([]client.Object, error) {
	var out []client.Object
	for _, list := range []client.ObjectList{&appsv1.DeploymentList{}, &appsv1.StatefulSetList{}, &batchv1.CronJobList{}} {
		if err := r.List(ctx, list, client.InNamespace(s.target), client.MatchingLabels{mirror.LabelEnvironmentUID: string(s.env.UID)}); err != nil {
			return nil, err
		}
		gvk, err := r.gvkOfItems(list)
		if err != nil {
			return nil, err
		}
		for _, obj := range items(list) {
			obj.GetObjectKind().SetGroupVersionKind(gvk)
			if obj.GetDeletionTimestamp().IsZero() {
				out = append(out, obj)
			}
		}
	}
	return out, nil
}

// items are a typed list's objects.
func items(list client.ObjectList) []client.Object {
	switch l := list.(type) {
	case *appsv1.DeploymentList:
		out := make([]client.Object, 0, len(l.Items))
		for i := range l.Items {
			out = append(out, &l.Items[i])
		}
		return out
	case *appsv1.StatefulSetList:
		out := make([]client.Object, 0, len(l.Items))
		for i := range l.Items {
			out = append(out, &l.Items[i])
		}
		return out
	case *batchv1.CronJobList:
		out := make([]client.Object, 0, len(l.Items))
		for i := range l.Items {
			out = append(out, &l.Items[i])
		}
		return out
	}
	return nil
}

// scaleDown puts the copy to sleep: each object not yet asleep records what it ran with and
// is scaled to zero (suspended). An object already asleep is not written again, unless
// something started it in the meantime.
func (r *MirrorEnvironmentReconciler) scaleDown(ctx context.Context, s *scope) (scaleCounts, error) {
	return r.scaleEach(ctx, s, putToSleep, "putting %s/%s to sleep")
}

// scaleUp wakes the copy: each object that sleeping scaled down gets back what it ran with.
func (r *MirrorEnvironmentReconciler) scaleUp(ctx context.Context, s *scope) (scaleCounts, error) {
	return r.scaleEach(ctx, s, wake, "waking %s/%s")
}

// scaleEach applies change to every object that sleeping scales and patches those it changed;
// failing names the object in action (a format with its kind and name).
func (r *MirrorEnvironmentReconciler) scaleEach(ctx context.Context, s *scope, change func(client.Object) bool, action string) (scaleCounts, error) {
	var counts scaleCounts
	objs, err := r.sleepers(ctx, s)
	if err != nil {
		return counts, err
	}
	for _, obj := range objs {
		before, ok := obj.DeepCopyObject().(client.Object)
		if !ok || !change(obj) {
			continue
		}
		if err := s.w.patch(ctx, obj, client.MergeFrom(before), client.FieldOwner(mirror.FieldOwner)); client.IgnoreNotFound(err) != nil {
			return counts, fmt.Errorf(action+": %w", kindOf(obj), obj.GetName(), err)
		}
		counts.count(obj)
	}
	return counts, nil
}

// putToSleep changes obj to its sleeping state and reports whether that changed anything. An
// object already at zero (or suspended) that sleeping did not scale is left alone: waking has
// nothing to restore there.
func putToSleep(obj client.Object) bool {
	ann := obj.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	switch o := obj.(type) {
	case *appsv1.Deployment:
		return sleepReplicas(&o.Spec.Replicas, ann, obj)
	case *appsv1.StatefulSet:
		return sleepReplicas(&o.Spec.Replicas, ann, obj)
	case *batchv1.CronJob:
		suspended := ptr.Deref(o.Spec.Suspend, false)
		if suspended {
			return false
		}
		if _, recorded := ann[annotationAwakeSuspend]; !recorded {
			ann[annotationAwakeSuspend] = "false"
			obj.SetAnnotations(ann)
		}
		o.Spec.Suspend = ptr.To(true)
		return true
	}
	return false
}

func sleepReplicas(replicas **int32, ann map[string]string, obj client.Object) bool {
	n := ptr.Deref(*replicas, 1)
	if n == 0 {
		return false
	}
	if _, recorded := ann[annotationAwakeReplicas]; !recorded {
		ann[annotationAwakeReplicas] = strconv.Itoa(int(n))
		obj.SetAnnotations(ann)
	}
	*replicas = ptr.To[int32](0)
	return true
}

// wake restores obj from what sleeping recorded and reports whether there was anything.
func wake(obj client.Object) bool {
	ann := obj.GetAnnotations()
	switch o := obj.(type) {
	case *appsv1.Deployment:
		return wakeReplicas(&o.Spec.Replicas, ann, obj)
	case *appsv1.StatefulSet:
		return wakeReplicas(&o.Spec.Replicas, ann, obj)
	case *batchv1.CronJob:
		v, ok := ann[annotationAwakeSuspend]
		if !ok {
			return false
		}
		o.Spec.Suspend = ptr.To(strings.EqualFold(v, "true"))
		delete(ann, annotationAwakeSuspend)
		obj.SetAnnotations(ann)
		return true
	}
	return false
}

func wakeReplicas(replicas **int32, ann map[string]string, obj client.Object) bool {
	v, ok := ann[annotationAwakeReplicas]
	if !ok {
		return false
	}
	// A value that is not a replica count (edited by hand) wakes the object with one replica,
	// and without its applied hash, so that the apply that follows writes what the spec asks.
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil || n < 0 {
		n = 1
		delete(ann, mirror.AnnotationAppliedHash)
	}
	*replicas = ptr.To(int32(n))
	delete(ann, annotationAwakeReplicas)
	obj.SetAnnotations(ann)
	return true
}
