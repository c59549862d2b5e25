// Package mirror holds the pure builders that turn prod's objects into their copies. Nothing
// here talks to an API server: the controller reads prod, calls Build, and applies the result,
// so every transformation is table-tested without a cluster.
package mirror

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// Scrubber rewrites and scrubs the plain values of pod specs: env values, command and args.
// internal/scrub implements it; the seam keeps this package free of secret-handling policy.
type Scrubber interface {
	Rewrite(s string) string
	// Value scrubs one plain key/value (an annotation, say) the way a ConfigMap entry is.
	Value(scope, key, value string) string
	Env(workload, container string, env []corev1.EnvVar) []corev1.EnvVar
	Args(workload, container string, args []string) []string
}

// Options is everything besides prod's objects that decides the copy.
type Options struct {
	Env             *v1alpha1.MirrorEnvironment
	TargetNamespace string
	Scrubber        Scrubber
}
