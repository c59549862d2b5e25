package mirror

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// This file is the one place that says how the operator marks what it writes.

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

	// LabelComponent says which apply step owns a copy, so that each prunes only its own.
	LabelComponent = "envmirror.io/component"
)

// Components: the apply steps, each owning (and pruning) its own objects in the copy.
const (
	// ComponentFoundation marks what the copy stands on (the keyring, the operator's writer
	// binding): created once, never applied or pruned.
	ComponentFoundation = "foundation"
	ComponentAccess     = "access"
	ComponentIsolation  = "isolation"
	ComponentConfig     = "config"
	ComponentWorkloads  = "workloads"
	ComponentNetwork    = "network"
	ComponentData       = "data"
	ComponentDeps       = "dependencies"
	// ComponentKinds owns the copies of prod's other kinds applied as they are (Certificates,
	// kinds with a Copy rule).
	ComponentKinds = "kinds"
)

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

// ComponentLabels are OwnershipLabels plus the apply step that owns the object.
func ComponentLabels(env *v1alpha1.MirrorEnvironment, component string) map[string]string {
	l := OwnershipLabels(env)
	l[LabelComponent] = component
	return l
}

// IsManaged reports whether labels mark an object the operator wrote.
func IsManaged(labels map[string]string) bool { return labels[LabelManagedBy] == ManagedByValue }

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
