package controllers

import (
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// dependenciesInput is what DependenciesReady reports on.
type dependenciesInput struct {
	explanation
	// planned: prod was read and the dependencies planned.
	planned bool
	// statuses are the stand-ins' states; nil when their step did not run.
	statuses []v1alpha1.DependencyStatus
	// missing are prod's backing services without a stand-in.
	missing []v1alpha1.MissingDependency
}

// setDependenciesReadyCondition: True when every dependency stand-in runs prod's version and is
// ready and prod uses no backing service without one. A probe that failed, a stand-in not ready
// yet, another version than prod's, and services without a stand-in make it False, in that order
// of importance. Ready skips the last two: the copy works, and the condition says what differs.
func setDependenciesReadyCondition(env *v1alpha1.MirrorEnvironment, in dependenciesInput) {
	const typ = v1alpha1.ConditionDependenciesReady
	if in.explains(env, typ) {
		return
	}
	if !in.planned || (in.statuses == nil && len(env.Spec.Dependencies) > 0) {
		notEvaluated(env, typ, in.err, "prod was not read")
		return
	}
	var failed, waiting, mismatched, ready []string
	for _, d := range in.statuses {
		switch {
		case d.Reason == v1alpha1.ReasonProbeFailed:
			failed = append(failed, d.Name+": "+d.Message)
		case !d.Ready:
			waiting = append(waiting, d.Name+": "+d.Message)
		case d.Reason == v1alpha1.ReasonVersionMismatch:
			mismatched = append(mismatched, d.Name+": "+d.Message)
		default:
			ready = append(ready, describeDependency(d))
		}
	}
	switch {
	case len(failed) > 0:
		setCondition(env, typ, metav1.ConditionFalse, v1alpha1.ReasonProbeFailed, "%s", strings.Join(failed, "; "))
	case len(waiting) > 0:
		setCondition(env, typ, metav1.ConditionFalse, v1alpha1.ReasonDependencyNotReady, "waiting for %s", strings.Join(waiting, "; "))
	case len(mismatched) > 0:
		setCondition(env, typ, metav1.ConditionFalse, v1alpha1.ReasonVersionMismatch, "%s", strings.Join(mismatched, "; "))
	case len(in.missing) > 0:
		var parts []string
		for _, m := range in.missing {
			p := fmt.Sprintf("%s (%s)", m.Host, m.Reference)
			if m.Suggestion != "" {
				p += ": " + m.Suggestion
			}
			parts = append(parts, p)
		}
		msg := fmt.Sprintf("%d backing service(s) of prod have no stand-in, so the copy cannot reach them: %s", len(in.missing), strings.Join(parts, "; "))
		if len(ready) > 0 {
			msg += "; ready: " + strings.Join(ready, ", ")
		}
		setCondition(env, typ, metav1.ConditionFalse, v1alpha1.ReasonDependenciesMissing, "%s", msg)
	case len(ready) == 0:
		setCondition(env, typ, metav1.ConditionTrue, v1alpha1.ReasonNoDependencies, "prod uses no backing service outside the cluster that envmirror can tell")
	default:
		setCondition(env, typ, metav1.ConditionTrue, v1alpha1.ReasonDependenciesReady, "%s", strings.Join(ready, ", "))
	}
}

// describeDependency: "cache: redis 7.0 (prod 7.1: …), ready".
func describeDependency(d v1alpha1.DependencyStatus) string {
	s := fmt.Sprintf("%s: %s %s", d.Name, d.Engine, d.Version)
	if d.ProdVersion != "" && d.ProdVersion != d.Version {
		s += " (prod " + d.ProdVersion
		if d.Message != "" {
			s += ": " + d.Message
		}
		s += ")"
	}
	if d.Definitions != "" {
		s += ", with prod's " + d.Definitions
	}
	return s
}
