package source

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
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
	// Unknown are the kinds asked for whose objects could not be read completely, with why (a
	// classified reason, never a server's answer). Objects has none of them: that prod has none
	// is not known, so nothing made from them may be pruned.
	Unknown map[schema.GroupKind]string
	// UnknownGroups are the API groups whose discovery failed, with why: what kinds they serve
	// is not known, so neither are prod's objects of any kind in them.
	UnknownGroups map[string]string
}

// Complete reports whether the objects of kind gk were read completely: listed, or known to
// be absent from prod's API.
func (c *CustomKinds) Complete(gk schema.GroupKind) (bool, string) {
	if why, ok := c.Unknown[gk]; ok {
		return false, why
	}
	if why, ok := c.UnknownGroups[gk.Group]; ok {
		return false, why
	}
	return true, ""
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
	// Err says why the kind could not be counted otherwise: a classified reason, never what the
	// server answered (a remote prod's server is not trusted to write into status).
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
	// counting lets the environments of one prod that miss the shared census together (its ttl
	// ran out, the operator started) wait for one count instead of each listing every kind.
	counting singleflight.Group
}

type apiResource struct {
	gvr  schema.GroupVersionResource
	kind string
}

type cachedDiscovery struct {
	at        time.Time
	resources []apiResource
	// failedGroups are the groups whose discovery failed, with a classified reason.
	failedGroups map[string]string
}

type cachedResult struct {
	at    time.Time
	kinds *CustomKinds
}

// NewKindReader returns a reader that caches for ttl.
func NewKindReader(ttl time.Duration) *KindReader {
	return &KindReader{ttl: ttl, now: time.Now, discovery: map[string]cachedDiscovery{}, results: map[string]cachedResult{}}
}

// Invalidate forgets what a cluster's API serves and the censuses taken of it: one of its CRDs
// or APIServices changed (Clusters.OnAPIChange).
func (k *KindReader) Invalidate(cluster string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.discovery, cluster)
	for key := range k.results {
		if strings.HasPrefix(key, cluster+"|") {
			delete(k.results, key)
		}
	}
}

// KindsRequest says what to read.
type KindsRequest struct {
	// Cluster identifies the cluster for the caches (ClusterKey).
	Cluster   string
	Config    *rest.Config
	Namespace string
	Selector  labels.Selector
	// Full are the kinds whose whole objects are wanted.
	Full []schema.GroupKind
	// Watched serves the whole objects of the Full kinds from watches (Clusters.KindObjects);
	// nil lists them afresh.
	Watched WatchedKind
}

// WatchedKind returns prod's objects of a kind from a watch; synced is false (and why says
// why, lasting whether it will stay so) until the watch has listed them.
type WatchedKind func(ctx context.Context, gvk schema.GroupVersionKind) (objs []unstructured.Unstructured, synced bool, why string, lasting bool, err error)

// Read takes the census of prod's namespace and reads the whole objects of the kinds asked for.
// The census (counts, from metadata) is shared by the environments mirroring the namespace for
// the reader's ttl, or until the cluster's API changes; the whole objects come from watches,
// fresh on every call. A kind that cannot be read is reported in the census, never an error:
// only a cluster whose discovery fails altogether is.
func (k *KindReader) Read(ctx context.Context, req KindsRequest) (*CustomKinds, error) {
	sel := ""
	if req.Selector != nil {
		sel = req.Selector.String()
	}
	disc, err := k.resources(req.Cluster, req.Config)
	if err != nil {
		return nil, err
	}
	census, err := k.census(ctx, req, disc, sel)
	if err != nil {
		return nil, err
	}
	out := census.clone()
	full := map[schema.GroupKind]bool{}
	for _, gk := range req.Full {
		full[gk] = true
	}
	for _, r := range disc.resources {
		gk := schema.GroupKind{Group: r.gvr.Group, Kind: r.kind}
		if full[gk] && !notCounted[gk] && !notCountedGroups[gk.Group] {
			if err := readWhole(ctx, req, r, sel, out); err != nil {
				return nil, err
			}
		}
	}
	sort.Slice(out.Census, func(i, j int) bool { return out.Census[i].String() < out.Census[j].String() })
	return out, nil
}

// census counts prod's objects of every kind from their metadata, or returns the count taken a
// moment ago. An incomplete census is not shared: the next reconcile counts again, so a passing
// fault is over as soon as it is.
func (k *KindReader) census(ctx context.Context, req KindsRequest, disc cachedDiscovery, sel string) (*CustomKinds, error) {
	key := req.Cluster + "|" + req.Namespace + "|" + sel
	k.mu.Lock()
	if r, ok := k.results[key]; ok && k.now().Sub(r.at) < k.ttl {
		k.mu.Unlock()
		return r.kinds, nil
	}
	k.mu.Unlock()
	v, err, _ := k.counting.Do(key, func() (any, error) {
		out, err := countKinds(ctx, req, disc.resources, sel)
		if err != nil {
			return nil, err
		}
		out.UnknownGroups = disc.failedGroups
		failed := slices.ContainsFunc(out.Census, func(c KindCensus) bool { return c.Err != "" })
		if !failed && len(out.UnknownGroups) == 0 {
			k.mu.Lock()
			k.results[key] = cachedResult{at: k.now(), kinds: out}
			k.mu.Unlock()
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	// Shared with whoever waited on the same count: callers clone it before changing it (Read).
	return v.(*CustomKinds), nil
}

// clone copies a census, so that a shared one is never changed.
func (c *CustomKinds) clone() *CustomKinds {
	out := &CustomKinds{Census: append([]KindCensus(nil), c.Census...), Objects: map[schema.GroupKind][]unstructured.Unstructured{},
		Unknown: maps.Clone(c.Unknown), UnknownGroups: c.UnknownGroups}
	if out.Unknown == nil {
		out.Unknown = map[schema.GroupKind]string{}
	}
	return out
}

// readWhole reads the whole objects of one kind into out, replacing its census entry.
func readWhole(ctx context.Context, req KindsRequest, r apiResource, sel string, out *CustomKinds) error {
	gk := schema.GroupKind{Group: r.gvr.Group, Kind: r.kind}
	c := KindCensus{GroupKind: gk, Resource: r.gvr.Resource}
	delete(out.Unknown, gk)
	out.Census = slices.DeleteFunc(out.Census, func(e KindCensus) bool { return e.GroupKind == gk })
	var items []unstructured.Unstructured
	if req.Watched != nil {
		objs, synced, why, lasting, err := req.Watched(ctx, r.gvr.GroupVersion().WithKind(r.kind))
		if err != nil {
			return err
		}
		switch {
		case synced:
			items = selected(objs, req.Selector)
		case lasting:
			c.Forbidden = true
			out.Unknown[gk] = why
		default:
			c.Err = why
			out.Unknown[gk] = "watching " + r.gvr.Resource + " in prod: " + why
		}
	} else {
		listed, err := listWhole(ctx, req, r, sel)
		c.Forbidden, c.Err = classifyListError(err)
		switch {
		case err == nil:
			items = listed
		case c.Forbidden:
			out.Unknown[gk] = "the operator may not list " + r.gvr.Resource + " in prod"
		case c.Err != "":
			out.Unknown[gk] = "listing " + r.gvr.Resource + " in prod: " + c.Err
		}
	}
	if _, unknown := out.Unknown[gk]; !unknown {
		out.Objects[gk] = items
		c.Count = countUnowned(items, func(u *unstructured.Unstructured) []metav1.OwnerReference { return u.GetOwnerReferences() })
	}
	if c.Count > 0 || c.Forbidden || c.Err != "" {
		out.Census = append(out.Census, c)
	}
	return nil
}

// selected keeps the objects sel matches (all, without a selector).
func selected(objs []unstructured.Unstructured, sel labels.Selector) []unstructured.Unstructured {
	if sel == nil || sel.Empty() {
		return objs
	}
	var out []unstructured.Unstructured
	for _, o := range objs {
		if sel.Matches(labels.Set(o.GetLabels())) {
			out = append(out, o)
		}
	}
	return out
}

// listWhole lists the whole objects of one kind.
func listWhole(ctx context.Context, req KindsRequest, r apiResource, sel string) ([]unstructured.Unstructured, error) {
	dyn, err := dynamic.NewForConfig(req.Config)
	if err != nil {
		return nil, err
	}
	return listAll(ctx, req.Namespace, sel, maxObjectsPerKind, func(opts metav1.ListOptions) ([]unstructured.Unstructured, string, error) {
		l, err := dyn.Resource(r.gvr).Namespace(req.Namespace).List(ctx, opts)
		if err != nil {
			return nil, "", err
		}
		return l.Items, l.GetContinue(), nil
	})
}

// resources lists the namespaced resources the cluster serves that can be listed, preferred
// versions only, and the groups whose discovery failed. A discovery that failed altogether is
// an error, classified: its message never carries the server's answer.
func (k *KindReader) resources(cluster string, cfg *rest.Config) (cachedDiscovery, error) {
	k.mu.Lock()
	if d, ok := k.discovery[cluster]; ok && k.now().Sub(d.at) < k.ttl {
		k.mu.Unlock()
		return d, nil
	}
	k.mu.Unlock()
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return cachedDiscovery{}, fmt.Errorf("discovering prod's API: %s", Problem(err))
	}
	lists, err := dc.ServerPreferredNamespacedResources()
	var failed *discovery.ErrGroupDiscoveryFailed
	partial := errors.As(err, &failed) && len(lists) > 0
	if err != nil && !partial {
		return cachedDiscovery{}, fmt.Errorf("discovering prod's API: %s", Problem(err))
	}
	d := cachedDiscovery{at: k.now()}
	if partial {
		d.failedGroups = map[string]string{}
		for gv, gerr := range failed.Groups {
			d.failedGroups[gv.Group] = "discovering " + gv.String() + ": " + Problem(gerr)
		}
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
	d.resources = out
	if !partial {
		k.mu.Lock()
		k.discovery[cluster] = d
		k.mu.Unlock()
	}
	return d, nil
}

// countKinds counts prod's objects of every kind it serves, from their metadata.
func countKinds(ctx context.Context, req KindsRequest, resources []apiResource, sel string) (*CustomKinds, error) {
	meta, err := metadata.NewForConfig(req.Config)
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
		if c.Count == 0 && !c.Forbidden && c.Err == "" {
			continue // prod has none (or the kind went away since discovery)
		}
		out.Census = append(out.Census, c)
	}
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

// classifyListError says whether a list failed for lack of rights, or how else (classified).
func classifyListError(err error) (bool, string) {
	switch {
	case err == nil, apierrors.IsNotFound(err):
		return false, ""
	case apierrors.IsForbidden(err):
		return true, ""
	}
	return false, Problem(err)
}

// Problem says what kind of failure a request to prod's API server met, in words of our own:
// an HTTP status, a timeout, an unreachable server. What the server answered is never part of
// it, so that a remote server cannot write text of its choosing into status.
func Problem(err error) string {
	var status apierrors.APIStatus
	var op *net.OpError
	var dns *net.DNSError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, errInternalAddress):
		return "the server resolves to an address the operator never dials"
	case errors.Is(err, context.Canceled):
		return "the read was cancelled"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return "the API server did not answer in time"
	case apierrors.IsUnauthorized(err):
		return "the API server refused the credentials (HTTP 401)"
	case apierrors.IsForbidden(err):
		return "the operator may not read it (HTTP 403)"
	case errors.As(err, &status) && status.Status().Code != 0:
		// Only the code: a Status's reason and message are the server's own words.
		return fmt.Sprintf("the API server answered HTTP %d", status.Status().Code)
	case errors.As(err, &dns):
		return "the API server's name does not resolve"
	case errors.As(err, &op):
		return "the API server could not be reached (" + op.Op + ")"
	}
	return "the API server's answer could not be read"
}
