package source

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
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
		{errors.New("boom: a remote server's own words"), false, "the API server's answer could not be read"},
	} {
		if f, m := classifyListError(tc.err); f != tc.forbidden || m != tc.msg {
			t.Errorf("%v: %v %q", tc.err, f, m)
		}
	}
	if GroupKindString(schema.GroupKind{Kind: "Pod"}) != "Pod" || GroupKindString(schema.GroupKind{Group: "keda.sh", Kind: "ScaledObject"}) != "keda.sh/ScaledObject" {
		t.Error("GroupKindString")
	}
}

// censusServer is a real HTTPS server speaking enough of the Kubernetes API for a census: the
// core group, argoproj.io with Rollouts, and a group whose discovery fails. Lists answer with
// the items given, or fail with a status code and a body holding a canary.
type censusServer struct {
	rolloutsCode   int // 0: list the rollouts
	brokenGroup    bool
	discoveryCode  int // 0: serve discovery
	rolloutsListed int
	// delay holds every census list (from metadata) that long; censusLists counts them.
	delay       time.Duration
	censusLists atomic.Int32
}

const censusCanary = "REMOTE-SERVER-WORDS-91d2"

func (c *censusServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fail := func(code int) {
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":%q,"reason":%q,"code":%d}`, censusCanary, censusCanary, code)
	}
	if strings.Contains(r.Header.Get("Accept"), "PartialObjectMetadataList") {
		c.censusLists.Add(1)
		time.Sleep(c.delay)
	}
	if c.discoveryCode != 0 && (r.URL.Path == "/api" || r.URL.Path == "/apis") {
		fail(c.discoveryCode)
		return
	}
	switch r.URL.Path {
	case "/api":
		fmt.Fprint(w, `{"kind":"APIVersions","versions":["v1"]}`)
	case "/api/v1":
		fmt.Fprint(w, `{"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"configmaps","namespaced":true,"kind":"ConfigMap","verbs":["list"]}]}`)
	case "/apis":
		groups := `{"name":"argoproj.io","versions":[{"groupVersion":"argoproj.io/v1alpha1","version":"v1alpha1"}],"preferredVersion":{"groupVersion":"argoproj.io/v1alpha1","version":"v1alpha1"}}`
		if c.brokenGroup {
			groups += `,{"name":"broken.example","versions":[{"groupVersion":"broken.example/v1","version":"v1"}],"preferredVersion":{"groupVersion":"broken.example/v1","version":"v1"}}`
		}
		fmt.Fprintf(w, `{"kind":"APIGroupList","apiVersion":"v1","groups":[%s]}`, groups)
	case "/apis/argoproj.io/v1alpha1":
		fmt.Fprint(w, `{"kind":"APIResourceList","groupVersion":"argoproj.io/v1alpha1","resources":[{"name":"rollouts","namespaced":true,"kind":"Rollout","verbs":["list","get","watch"]}]}`)
	case "/apis/broken.example/v1":
		fail(http.StatusServiceUnavailable)
	case "/apis/argoproj.io/v1alpha1/namespaces/shop/rollouts":
		if c.rolloutsCode != 0 {
			fail(c.rolloutsCode)
			return
		}
		c.rolloutsListed++
		fmt.Fprint(w, `{"kind":"RolloutList","apiVersion":"argoproj.io/v1alpha1","metadata":{},"items":[{"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout","metadata":{"name":"web","namespace":"shop"}}]}`)
	default:
		fail(http.StatusNotFound)
	}
}

// TestCensusKnowsWhatItDoesNotKnow: a kind whose list fails and a group whose discovery fails
// are reported as unknown (so nothing made from them is pruned), in words of our own; a
// discovery that fails altogether is an error; incomplete results are not cached.
func TestCensusKnowsWhatItDoesNotKnow(t *testing.T) {
	rollout := schema.GroupKind{Group: "argoproj.io", Kind: "Rollout"}
	srv := &censusServer{}
	ts := httptest.NewTLSServer(srv)
	defer ts.Close()
	cfg := &rest.Config{Host: ts.URL, TLSClientConfig: rest.TLSClientConfig{Insecure: true}}
	reader := NewKindReader(time.Hour)
	read := func() (*CustomKinds, error) {
		return reader.Read(context.Background(), KindsRequest{Cluster: "c", Config: cfg, Namespace: "shop", Full: []schema.GroupKind{rollout}})
	}
	noCanary := func(v any, err error) {
		t.Helper()
		b, _ := json.Marshal(v)
		if strings.Contains(string(b), censusCanary) || (err != nil && strings.Contains(err.Error(), censusCanary)) {
			t.Fatalf("the server's words reached the result: %s %v", b, err)
		}
	}

	srv.rolloutsCode, srv.brokenGroup = http.StatusInternalServerError, true
	got, err := read()
	if err != nil {
		t.Fatal(err)
	}
	noCanary(got, nil)
	if ok, why := got.Complete(rollout); ok || !strings.Contains(why, "HTTP 500") {
		t.Errorf("a failed list of Rollouts: complete=%v %q", ok, why)
	}
	if ok, why := got.Complete(schema.GroupKind{Group: "broken.example", Kind: "Anything"}); ok || !strings.Contains(why, "HTTP 503") {
		t.Errorf("a kind of a group whose discovery failed: complete=%v %q", ok, why)
	}
	if ok, _ := got.Complete(schema.GroupKind{Kind: "ConfigMap"}); !ok {
		t.Error("a kind of a group that was discovered is known")
	}

	// The fault lifted: the next read sees it at once (nothing incomplete was cached).
	srv.rolloutsCode, srv.brokenGroup = 0, false
	got, err = read()
	if err != nil {
		t.Fatal(err)
	}
	if ok, why := got.Complete(rollout); !ok || len(got.Objects[rollout]) != 1 {
		t.Errorf("after the fault: complete=%v %q, %d rollouts", ok, why, len(got.Objects[rollout]))
	}

	srv.discoveryCode = http.StatusBadGateway
	got, err = reader.Read(context.Background(), KindsRequest{Cluster: "other", Config: cfg, Namespace: "shop", Full: []schema.GroupKind{rollout}})
	noCanary(got, err)
	if err == nil || !strings.Contains(err.Error(), "HTTP 502") {
		t.Errorf("a failed discovery: %v", err)
	}
}

// TestCensusCountedOnceForEnvironmentsTogether: the environments of one prod that need its census
// at the same moment (its ttl ran out, the operator started) share one count: without it a
// thousand environments would each list every kind prod's API serves at once.
func TestCensusCountedOnceForEnvironmentsTogether(t *testing.T) {
	srv := &censusServer{delay: 300 * time.Millisecond}
	ts := httptest.NewTLSServer(srv)
	defer ts.Close()
	cfg := &rest.Config{Host: ts.URL, TLSClientConfig: rest.TLSClientConfig{Insecure: true}}
	reader := NewKindReader(time.Hour)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			got, err := reader.Read(context.Background(), KindsRequest{Cluster: "c", Config: cfg, Namespace: "shop"})
			if err == nil && len(got.Census) != 1 {
				err = fmt.Errorf("census %v, want the one Rollout", got.Census)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// One kind to count (ConfigMaps are read by the Snapshot, not counted), listed once for all eight.
	if n := srv.censusLists.Load(); n != 1 {
		t.Errorf("%d census lists for 8 environments read together, want 1", n)
	}
}
