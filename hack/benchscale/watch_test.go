package main

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestReadiness(t *testing.T) {
	dep := func(gen, observed int64, want *int32, updated, available int32) *appsv1.Deployment {
		return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Generation: gen}, Spec: appsv1.DeploymentSpec{Replicas: want},
			Status: appsv1.DeploymentStatus{ObservedGeneration: observed, UpdatedReplicas: updated, AvailableReplicas: available}}
	}
	deployments := []struct {
		name string
		d    *appsv1.Deployment
		want bool
	}{
		{"available", dep(2, 2, ptr.To(int32(2)), 2, 2), true},
		{"one replica by default", dep(1, 1, nil, 1, 1), true},
		{"not yet observed", dep(2, 1, ptr.To(int32(1)), 1, 1), false},
		{"rolling", dep(1, 1, ptr.To(int32(2)), 1, 2), false},
		{"not available", dep(1, 1, ptr.To(int32(2)), 2, 1), false},
		{"scaled to zero", dep(1, 1, ptr.To(int32(0)), 0, 0), true},
	}
	for _, tt := range deployments {
		if got := deploymentAvailable(tt.d); got != tt.want {
			t.Errorf("deployment %s: available = %v, want %v", tt.name, got, tt.want)
		}
	}
	set := &appsv1.StatefulSet{Spec: appsv1.StatefulSetSpec{Replicas: ptr.To(int32(1))}}
	if statefulSetReady(set) {
		t.Error("a StatefulSet with no ready replica is ready")
	}
	set.Status.ReadyReplicas = 1
	if !statefulSetReady(set) {
		t.Error("a StatefulSet with its replica ready is not ready")
	}
	job := &batchv1.Job{Status: batchv1.JobStatus{Conditions: []batchv1.JobCondition{{Type: batchv1.JobFailed, Status: corev1.ConditionTrue}}}}
	if jobComplete(job) {
		t.Error("a failed Job is complete")
	}
	job.Status.Conditions = append(job.Status.Conditions, batchv1.JobCondition{Type: batchv1.JobComplete, Status: corev1.ConditionTrue})
	if !jobComplete(job) {
		t.Error("a Job with Complete=True is not complete")
	}
}
