package controllers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	authnv1 "k8s.io/api/authentication/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/internal/mirror"
)

// WhoAmI asks the API server who the operator is, for the RoleBindings it makes for itself.
func WhoAmI(ctx context.Context, cfg *rest.Config) (rbacv1.Subject, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return rbacv1.Subject{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	rev, err := cs.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authnv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		return rbacv1.Subject{}, err
	}
	return SubjectFor(rev.Status.UserInfo.Username)
}

// SubjectFor turns a username into the RBAC subject that names it.
func SubjectFor(username string) (rbacv1.Subject, error) {
	if rest, ok := strings.CutPrefix(username, "system:serviceaccount:"); ok {
		ns, name, found := strings.Cut(rest, ":")
		if !found {
			return rbacv1.Subject{}, fmt.Errorf("malformed service account username %q", username)
		}
		return rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: name}, nil
	}
	if username == "" {
		return rbacv1.Subject{}, errors.New("the API server returned no username")
	}
	return rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: username}, nil
}

// StripManagedFieldsOfProd is the cache transform. It drops managedFields from cached objects
// that are not the operator's (in a big cluster they are a large share of a cache's memory), and
// from its own copies keeps each entry's manager, operation and subresource — what shows that
// someone edited a copy by hand (foreignEditor) — but not the field sets, 40% of a copy's bytes.
func StripManagedFieldsOfProd(obj any) (any, error) {
	o, ok := obj.(client.Object)
	if !ok {
		return obj, nil
	}
	if !mirror.IsManaged(o.GetLabels()) {
		o.SetManagedFields(nil)
		return obj, nil
	}
	fields := o.GetManagedFields()
	for i := range fields {
		fields[i].FieldsV1 = nil
	}
	return obj, nil
}
