package mirror

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ConfigMap wraps scrubbed data in a copy of prod's ConfigMap.
func (b *Builder) ConfigMap(in *corev1.ConfigMap, data map[string]string, binaryData map[string][]byte) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   metaType("v1", "ConfigMap"),
		ObjectMeta: b.meta("ConfigMap", in.ObjectMeta),
		Immutable:  in.Immutable,
		Data:       data,
		BinaryData: binaryData,
	}
}

// Secret wraps a scrubbed Secret (name, type and data from internal/scrub) as the copy. Prod's
// annotations are not copied at all: tools keep whole manifests in them, values included.
func (b *Builder) Secret(scrubbed *corev1.Secret) *corev1.Secret {
	meta := b.meta("Secret", metav1.ObjectMeta{Name: scrubbed.Name, Namespace: b.opts.Env.Spec.Source.Namespace, Labels: scrubbed.Labels})
	for k, v := range scrubbed.Annotations {
		meta.Annotations[k] = v
	}
	return &corev1.Secret{
		TypeMeta:   metaType("v1", "Secret"),
		ObjectMeta: meta,
		Type:       scrubbed.Type,
		Data:       scrubbed.Data,
	}
}
