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

// StripManagedFieldsOfProd is the cache transform: it drops managedFields from cached objects,
// except from our own copies, where they show whether someone edited a copy by hand. In a big
// cluster managedFields are a large share of the cache's memory.
func StripManagedFieldsOfProd(obj any) (any, error) {
	if o, ok := obj.(client.Object); ok && o.GetLabels()[mirror.LabelManagedBy] != mirror.ManagedByValue {
		o.SetManagedFields(nil)
	}
	return obj, nil
}
