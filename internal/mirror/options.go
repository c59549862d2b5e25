// Package mirror holds the pure builders that turn prod's objects into their copies. Nothing
// here talks to an API server: the controller reads prod, calls Build, and applies the result,
// so every transformation is table-tested without a cluster.
package mirror

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// Labels and annotations the operator writes.
const (
	LabelEnvironment          = "envmirror.io/environment"
	LabelEnvironmentNamespace = "envmirror.io/environment-namespace"
	LabelEnvironmentUID       = "envmirror.io/environment-uid"
	LabelManagedBy            = "app.kubernetes.io/managed-by"
	ManagedByValue            = "envmirror"

	// AnnotationSource records which prod object a copy was made from ("Kind/namespace/name").
	AnnotationSource = "envmirror.io/source"
	// AnnotationAppliedHash is the hash of what was last applied; equal hashes skip the write.
	AnnotationAppliedHash = "envmirror.io/applied-hash"

	// FieldOwner is the server-side apply field manager.
	FieldOwner = "envmirror"
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

// OwnershipLabels are the labels tying an object to its environment. Label values are limited
// to 63 characters; the uid label is what identifies the environment without ambiguity.
func OwnershipLabels(env *v1alpha1.MirrorEnvironment) map[string]string {
	return map[string]string{
		LabelEnvironment:          LabelValue(env.Name),
		LabelEnvironmentNamespace: LabelValue(env.Namespace),
		LabelEnvironmentUID:       string(env.UID),
		LabelManagedBy:            ManagedByValue,
	}
}

// LabelValue shortens s to a valid label value, keeping it unique with a hash suffix.
func LabelValue(s string) string {
	if len(s) <= 63 {
		return s
	}
	return Shorten(s, 63)
}

// Shorten cuts s to max characters, replacing the tail with a stable hash so that two long
// names stay distinct. The result starts and ends with an alphanumeric character when s does.
func Shorten(s string, max int) string {
	if len(s) <= max {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	suffix := hex.EncodeToString(sum[:])[:8]
	head := s[:max-len(suffix)-1]
	for len(head) > 0 && !isAlnum(head[len(head)-1]) {
		head = head[:len(head)-1]
	}
	return head + "-" + suffix
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z'
}

// DefaultTargetNamespace is "<source namespace>-<environment name>", at most 63 characters.
// Dots, valid in the environment's name but not in a namespace's, become dashes.
func DefaultTargetNamespace(env *v1alpha1.MirrorEnvironment) string {
	return Shorten(env.Spec.Source.Namespace+"-"+strings.ReplaceAll(env.Name, ".", "-"), 63)
}

// TargetNamespace is the namespace the copy lives in: the spec's, or the one the environment
// already uses (the default derives from the source namespace, which may change), or the default.
func TargetNamespace(env *v1alpha1.MirrorEnvironment) string {
	switch {
	case env.Spec.TargetNamespace != "":
		return env.Spec.TargetNamespace
	case env.Status.TargetNamespace != "":
		return env.Status.TargetNamespace
	}
	return DefaultTargetNamespace(env)
}
