package mirror

import (
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// AccessBindingName names the RoleBinding that gives spec.access.subjects their role in the
// copy. The copy-writer binding and this one are the only RoleBindings the operator generates.
const AccessBindingName = "envmirror-access"

// AccessBinding gives the environment's developers a ClusterRole (edit by default) in the
// copy's namespace, and nowhere else: a RoleBinding, not a ClusterRoleBinding, so the rights go
// with the namespace. Nil when spec.access lists nobody.
func AccessBinding(env *v1alpha1.MirrorEnvironment, target string) *rbacv1.RoleBinding {
	a := env.Spec.Access
	if a == nil || len(a.Subjects) == 0 {
		return nil
	}
	role := a.ClusterRole
	if role == "" {
		role = "edit"
	}
	rb := &rbacv1.RoleBinding{
		TypeMeta:   metaType("rbac.authorization.k8s.io/v1", "RoleBinding"),
		ObjectMeta: metav1.ObjectMeta{Name: AccessBindingName, Namespace: target},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
	}
	for _, s := range a.Subjects {
		sub := rbacv1.Subject{Kind: s.Kind, Name: s.Name}
		switch s.Kind {
		case rbacv1.ServiceAccountKind:
			sub.Namespace = s.Namespace
		default:
			sub.APIGroup = rbacv1.GroupName
		}
		rb.Subjects = append(rb.Subjects, sub)
	}
	return rb
}
