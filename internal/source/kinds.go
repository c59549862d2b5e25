package source

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
)

// CustomKinds are prod's objects of the kinds a Snapshot does not read (custom resources, and
// built-in kinds such as HorizontalPodAutoscalers): a census of every namespaced kind prod's API
// serves, counted from metadata only, and the whole objects of the kinds asked for (those the
// operator converts or copies).
type CustomKinds struct {
	// Census has one entry per kind present in prod (or that could not be listed), sorted.
	Census []KindCensus
	// Objects are the whole objects of the kinds asked for that prod has.
	Objects map[schema.GroupKind][]unstructured.Unstructured
}

// KindCensus counts prod's objects of one kind that no controller owns: an object made by a
// controller from another (a ReplicaSet, a Certificate's Secret) is made again from its owner.
type KindCensus struct {
	GroupKind schema.GroupKind
	// Resource is the kind's plural resource name, for RBAC messages.
	Resource string
	Count    int
	// Forbidden: the operator may not list the kind in prod.
	Forbidden bool
	// Err says why the kind could not be counted otherwise.
	Err string
}

// String is "group/Kind" ("Kind" in the core group).
func (c KindCensus) String() string { return GroupKindString(c.GroupKind) }

// GroupKindString writes a GroupKind as status does: "argoproj.io/Rollout", "Pod".
func GroupKindString(gk schema.GroupKind) string {
	if gk.Group == "" {
		return gk.Kind
	}
	return gk.Group + "/" + gk.Kind
}

// notCounted are kinds the census leaves out: those a Snapshot reads, and the cluster's own
// bookkeeping, which a copy makes for itself.
var notCounted = map[schema.GroupKind]bool{
	{Group: "apps", Kind: "Deployment"}: true, {Group: "apps", Kind: "StatefulSet"}: true,
	{Group: "apps", Kind: "DaemonSet"}: true, {Group: "batch", Kind: "CronJob"}: true,
	{Kind: "Service"}: true, {Kind: "ServiceAccount"}: true, {Kind: "ConfigMap"}: true, {Kind: "Secret"}: true,
	{Kind: "PersistentVolumeClaim"}: true, {Kind: "Pod"}: true,
	{Group: "rbac.authorization.k8s.io", Kind: "Role"}: true, {Group: "rbac.authorization.k8s.io", Kind: "RoleBinding"}: true,
	{Group: "networking.k8s.io", Kind: "Ingress"}: true, {Group: "networking.k8s.io", Kind: "NetworkPolicy"}: true,
	{Kind: "Event"}: true, {Group: "events.k8s.io", Kind: "Event"}: true, {Kind: "Endpoints"}: true,
	{Group: "discovery.k8s.io", Kind: "EndpointSlice"}: true, {Group: "coordination.k8s.io", Kind: "Lease"}: true,
}

// notCountedGroups are API groups whose kinds are never prod's application: metrics, and
// envmirror's own (a MirrorSource in prod is its owners' grant).
var notCountedGroups = map[string]bool{"metrics.k8s.io": true, "envmirror.io": true}

// Bounds of one census.
const (
	censusPage        = 500
	censusMaxPerKind  = 10000
	maxObjectsPerKind = 1000
)

// KindReader reads prod's other kinds. It caches, per cluster, what the API serves (discovery)
// and, per prod namespace and selector, the result, for ttl: a busy environment reconciles many
// times a minute, and a census lists every kind.
type KindReader struct {
	ttl time.Duration
	now func() time.Time

	mu        sync.Mutex
	discovery map[string]cachedDiscovery
	results   map[string]cachedResult
}

type apiResource struct {
	gvr  schema.GroupVersionResource
	kind string
}

type cachedDiscovery struct {
	at        time.Time
	resources []apiResource
}

type cachedResult struct {
	at     time.Time
	kinds  *CustomKinds
	wanted string
}

// NewKindReader returns a reader that caches for ttl.
func NewKindReader(ttl time.Duration) *KindReader {
	return &KindReader{ttl: ttl, now: time.Now, discovery: map[string]cachedDiscovery{}, results: map[string]cachedResult{}}
}

// KindsRequest says what to read.
type KindsRequest struct {
	// Cluster identifies the cluster for the caches ("local", or a hash of the kubeconfig).
	Cluster   string
	Config    *rest.Config
	Namespace string
	Selector  labels.Selector
	// Full are the kinds whose whole objects are wanted.
	Full []schema.GroupKind
	// Fresh skips the caches (a new or changed environment sees kinds installed since).
	Fresh bool
}

// Read takes the census of prod's namespace and reads the whole objects of the kinds asked for.
// A kind that cannot be listed is reported in the census, never an error: only a cluster whose
// discovery fails altogether is.
func (k *KindReader) Read(ctx context.Context, req KindsRequest) (*CustomKinds, error) {
	sel := ""
	if req.Selector != nil {
		sel = req.Selector.String()
	}
	wanted := fmt.Sprint(req.Full)
	key := req.Cluster + "|" + req.Namespace + "|" + sel
	k.mu.Lock()
	if r, ok := k.results[key]; ok && !req.Fresh && r.wanted == wanted && k.now().Sub(r.at) < k.ttl {
		k.mu.Unlock()
		return r.kinds, nil
	}
	k.mu.Unlock()
	resources, err := k.resources(req.Cluster, req.Config, req.Fresh)
	if err != nil {
		return nil, err
	}
	out, err := readKinds(ctx, req, resources, sel)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	k.results[key] = cachedResult{at: k.now(), kinds: out, wanted: wanted}
	k.mu.Unlock()
	return out, nil
}

// resources lists the namespaced resources the cluster serves that can be listed, preferred
// versions only.
func (k *KindReader) resources(cluster string, cfg *rest.Config, fresh bool) ([]apiResource, error) {
	k.mu.Lock()
	if d, ok := k.discovery[cluster]; ok && !fresh && k.now().Sub(d.at) < k.ttl {
		k.mu.Unlock()
		return d.resources, nil
	}
	k.mu.Unlock()
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	lists, err := dc.ServerPreferredNamespacedResources()
	if err != nil && !(discovery.IsGroupDiscoveryFailedError(err) && len(lists) > 0) {
		return nil, fmt.Errorf("discovering prod's API: %w", err)
	}
	var out []apiResource
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range l.APIResources {
			if strings.Contains(r.Name, "/") || !slices.Contains(r.Verbs, "list") {
				continue
			}
			out = append(out, apiResource{gvr: gv.WithResource(r.Name), kind: r.Kind})
		}
	}
	k.mu.Lock()
	k.discovery[cluster] = cachedDiscovery{at: k.now(), resources: out}
	k.mu.Unlock()
	return out, nil
}

func readKinds(ctx context.Context, req KindsRequest, resources []apiResource, sel string) (*CustomKinds, error) {
	meta, err := metadata.NewForConfig(req.Config)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(req.Config)
	if err != nil {
		return nil, err
	}
	out := &CustomKinds{Objects: map[schema.GroupKind][]unstructured.Unstructured{}}
	for _, r := range resources {
		gk := schema.GroupKind{Group: r.gvr.Group, Kind: r.kind}
		if notCounted[gk] || notCountedGroups[gk.Group] {
			continue
		}
		c := KindCensus{GroupKind: gk, Resource: r.gvr.Resource}
		if slices.Contains(req.Full, gk) {
			items, err := listAll(ctx, req.Namespace, sel, maxObjectsPerKind, func(opts metav1.ListOptions) ([]unstructured.Unstructured, string, error) {
				l, err := dyn.Resource(r.gvr).Namespace(req.Namespace).List(ctx, opts)
				if err != nil {
					return nil, "", err
				}
				return l.Items, l.GetContinue(), nil
			})
			c.Forbidden, c.Err = classifyListError(err)
			if err == nil {
				out.Objects[gk] = items
				c.Count = countUnowned(items, func(u *unstructured.Unstructured) []metav1.OwnerReference { return u.GetOwnerReferences() })
			}
		} else {
			items, err := listAll(ctx, req.Namespace, sel, censusMaxPerKind, func(opts metav1.ListOptions) ([]metav1.PartialObjectMetadata, string, error) {
				l, err := meta.Resource(r.gvr).Namespace(req.Namespace).List(ctx, opts)
				if err != nil {
					return nil, "", err
				}
				return l.Items, l.Continue, nil
			})
			c.Forbidden, c.Err = classifyListError(err)
			if err == nil {
				c.Count = countUnowned(items, func(m *metav1.PartialObjectMetadata) []metav1.OwnerReference { return m.OwnerReferences })
			}
		}
		if c.Count == 0 && !c.Forbidden && c.Err == "" {
			continue // prod has none (or the kind went away since discovery)
		}
		out.Census = append(out.Census, c)
	}
	sort.Slice(out.Census, func(i, j int) bool { return out.Census[i].String() < out.Census[j].String() })
	return out, nil
}

// listAll lists every page, up to max items.
func listAll[T any](ctx context.Context, ns, sel string, max int, list func(metav1.ListOptions) ([]T, string, error)) ([]T, error) {
	var all []T
	opts := metav1.ListOptions{LabelSelector: sel, Limit: censusPage}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		items, next, err := list(opts)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if next == "" || len(all) >= max {
			return all, nil
		}
		opts.Continue = next
	}
}

// countUnowned counts the objects no controller owns.
func countUnowned[T any](items []T, owners func(*T) []metav1.OwnerReference) int {
	n := 0
	for i := range items {
		controlled := false
		for _, o := range owners(&items[i]) {
			controlled = controlled || (o.Controller != nil && *o.Controller)
		}
		if !controlled {
			n++
		}
	}
	return n
}

// classifyListError says whether a list failed for lack of rights, or how else.
func classifyListError(err error) (bool, string) {
	switch {
	case err == nil, apierrors.IsNotFound(err):
		return false, ""
	case apierrors.IsForbidden(err):
		return true, ""
	}
	return false, err.Error()
}
