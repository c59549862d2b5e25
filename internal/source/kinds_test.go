package source

import (
	"context"
	"errors"
	"fmt"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"
)

// Objects a controller made from another (a ReplicaSet of a Deployment, a Certificate's
// Secret) are made again from their owner in the copy: the census counts only the others.
func TestCountUnowned(t *testing.T) {
	items := []metav1.PartialObjectMetadata{
		{ObjectMeta: metav1.ObjectMeta{Name: "top"}},
		{ObjectMeta: metav1.ObjectMeta{Name: "made", OwnerReferences: []metav1.OwnerReference{{Name: "x", Controller: ptr.To(true)}}}},
		{ObjectMeta: metav1.ObjectMeta{Name: "referenced", OwnerReferences: []metav1.OwnerReference{{Name: "x"}}}},
	}
	if n := countUnowned(items, func(m *metav1.PartialObjectMetadata) []metav1.OwnerReference { return m.OwnerReferences }); n != 2 {
		t.Errorf("counted %d", n)
	}
}

func TestListAllPages(t *testing.T) {
	pages := 0
	all, err := listAll(context.Background(), "ns", "", 1200, func(o metav1.ListOptions) ([]int, string, error) {
		pages++
		if o.Limit != censusPage || (pages > 1) != (o.Continue != "") {
			t.Fatalf("page %d: %+v", pages, o)
		}
		return make([]int, censusPage), fmt.Sprint("next-", pages), nil
	})
	if err != nil || len(all) != 1500 || pages != 3 {
		t.Errorf("%d items in %d pages (%v): the bound stops after the page that passes it", len(all), pages, err)
	}
}

func TestClassifyListError(t *testing.T) {
	gr := schema.GroupResource{Group: "keda.sh", Resource: "scaledobjects"}
	for _, tc := range []struct {
		err       error
		forbidden bool
		msg       string
	}{
		{nil, false, ""},
		{apierrors.NewForbidden(gr, "", errors.New("no")), true, ""},
		{apierrors.NewNotFound(gr, ""), false, ""},
		{errors.New("boom"), false, "boom"},
	} {
		if f, m := classifyListError(tc.err); f != tc.forbidden || m != tc.msg {
			t.Errorf("%v: %v %q", tc.err, f, m)
		}
	}
	if GroupKindString(schema.GroupKind{Kind: "Pod"}) != "Pod" || GroupKindString(schema.GroupKind{Group: "keda.sh", Kind: "ScaledObject"}) != "keda.sh/ScaledObject" {
		t.Error("GroupKindString")
	}
}
