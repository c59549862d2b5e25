package mirror

import (
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
)

// ServiceAccount copies a ServiceAccount without its token Secret references (the copy's
// tokens are the copy cluster's to issue).
func (b *Builder) ServiceAccount(in *corev1.ServiceAccount) *corev1.ServiceAccount {
	return &corev1.ServiceAccount{
		TypeMeta:                     metaType("v1", "ServiceAccount"),
		ObjectMeta:                   b.meta("ServiceAccount", in.ObjectMeta),
		ImagePullSecrets:             in.ImagePullSecrets,
		AutomountServiceAccountToken: in.AutomountServiceAccountToken,
	}
}

// Role copies a Role as it is.
func (b *Builder) Role(in *rbacv1.Role) *rbacv1.Role {
	return &rbacv1.Role{
		TypeMeta:   metaType("rbac.authorization.k8s.io/v1", "Role"),
		ObjectMeta: b.meta("Role", in.ObjectMeta),
		Rules:      in.DeepCopy().Rules,
	}
}

// RoleBinding copies a RoleBinding with subjects in the source namespace moved to the target
// namespace; otherwise the copy would grant prod's service accounts access to the copy and
// leave the copy's own service accounts without it.
func (b *Builder) RoleBinding(in *rbacv1.RoleBinding) *rbacv1.RoleBinding {
	out := &rbacv1.RoleBinding{
		TypeMeta:   metaType("rbac.authorization.k8s.io/v1", "RoleBinding"),
		ObjectMeta: b.meta("RoleBinding", in.ObjectMeta),
		RoleRef:    in.RoleRef,
		Subjects:   in.DeepCopy().Subjects,
	}
	for i := range out.Subjects {
		if out.Subjects[i].Namespace == in.Namespace {
			out.Subjects[i].Namespace = b.opts.TargetNamespace
		}
	}
	return out
}
