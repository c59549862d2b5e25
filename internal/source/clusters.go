package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Kinds are the prod kinds a snapshot reads; prod caches watch exactly these.
func Kinds() []client.Object {
	return []client.Object{
		&appsv1.Deployment{}, &appsv1.StatefulSet{}, &appsv1.DaemonSet{}, &batchv1.CronJob{},
		&corev1.Service{}, &corev1.ServiceAccount{}, &rbacv1.Role{}, &rbacv1.RoleBinding{},
		&corev1.PersistentVolumeClaim{}, &networkingv1.Ingress{}, &networkingv1.NetworkPolicy{},
		&corev1.ConfigMap{}, &corev1.Secret{}, &corev1.Pod{},
	}
}

// InputKinds are what an environment reads from its own namespace: kubeconfig, DSN and dev
// Secrets, schema ConfigMaps.
func InputKinds() []client.Object { return []client.Object{&corev1.Secret{}, &corev1.ConfigMap{}} }

// Error says why prod could not be read. Reason is a condition reason.
type Error struct {
	Reason string
	Err    error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Reasons of Error; they match the API's condition reasons.
const (
	ReasonInvalid      = "SourceInvalid"
	ReasonUnreachable  = "SourceUnreachable"
	ReasonTLS          = "SourceTLSError"
	ReasonUnauthorized = "SourceUnauthorized"
	ReasonForbidden    = "SourceForbidden"
	ReasonNotFound     = "SourceNotFound"
)

// Target is a namespace to cache: in this cluster (Kubeconfig nil) or another.
type Target struct {
	Kubeconfig []byte
	Namespace  string
	// Role names what the cache is for ("prod", "inputs"); it picks the kinds.
	Role Role
}

// Role is what a namespace cache is for.
type Role string

const (
	// RoleProd caches a source namespace: every kind a snapshot reads.
	RoleProd Role = "prod"
	// RoleInputs caches an environment's own namespace: Secrets and ConfigMaps.
	RoleInputs Role = "inputs"
)

func (r Role) kinds() []client.Object {
	if r == RoleInputs {
		return InputKinds()
	}
	return Kinds()
}

// Clusters hands out read-only caches of single namespaces, of this cluster or of clusters
// reached through kubeconfig Secrets. The operator's own cache holds only what it wrote (see
// controllers.CacheOptions); what it reads elsewhere — prod, and each environment's inputs — is
// cached per namespace, started when an environment first needs it, shared by every environment
// that uses it, and stopped when the last one lets go. So memory grows with what the operator
// serves, not with the cluster: a hundred environments over one prod cost one watch per kind,
// and a namespace nobody mirrors costs nothing. Events on a cached object enqueue the
// environments that use it and care (see Filter).
type Clusters struct {
	scheme      *runtime.Scheme
	enqueue     func(types.NamespacedName)
	syncTimeout time.Duration
	// apiChanged is called with a cluster's key ("local", "remote/<hash>") when a CRD or an
	// APIService of that cluster changes: its discovery is stale.
	apiChanged func(cluster string)
	// kindSyncWait bounds how long a newly watched kind is waited for before it is reported
	// not read yet.
	kindSyncWait time.Duration

	mu  sync.Mutex
	ctx context.Context
	// local is this cluster's rest config (nil: local targets are refused).
	local *rest.Config
	// allowed lists the API server hosts remote kubeconfigs may point at (empty: any public
	// host; see checkServer).
	allowed []string
	caches  map[string]*namespaceCache
	// users maps an environment to what it reads, by role.
	users map[types.NamespacedName]map[Role]use
}

type use struct {
	key    string
	filter Filter
}

// Filter decides whether an event on obj (old is nil on create and delete) concerns one user.
type Filter func(old, obj client.Object) bool

type namespaceCache struct {
	cache  cache.Cache
	cancel context.CancelFunc
	// cluster names the cluster, for the discovery of its API (see OnAPIChange).
	cluster string

	mu sync.Mutex
	// watched are the other kinds watched in the namespace (prod's Rollouts, say), started when
	// an environment first asks for them.
	watched map[schema.GroupVersionKind]bool
	// watchErrs is the last list or watch failure of each kind, by reflector type ("group/
	// version, Kind=..."): a kind that never synced because it may not be listed is a lasting
	// unknown, not a passing one.
	watchErrs map[string]error
}

// NewClusters returns an empty registry.
func NewClusters(scheme *runtime.Scheme) *Clusters {
	return &Clusters{
		scheme:       scheme,
		enqueue:      func(types.NamespacedName) {},
		apiChanged:   func(string) {},
		syncTimeout:  30 * time.Second,
		kindSyncWait: 5 * time.Second,
		ctx:          context.Background(),
		caches:       map[string]*namespaceCache{},
		users:        map[types.NamespacedName]map[Role]use{},
	}
}

// SetLocal gives the rest config of this cluster, for local targets.
func (c *Clusters) SetLocal(cfg *rest.Config) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.local = rest.CopyConfig(cfg)
}

// LocalConfig is this cluster's rest config (nil before SetLocal).
func (c *Clusters) LocalConfig() *rest.Config {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.local == nil {
		return nil
	}
	return rest.CopyConfig(c.local)
}

// AllowServers restricts remote kubeconfigs to these API server hosts ("host", "host:port" or
// "*.suffix"). Set it before the first Reader call.
func (c *Clusters) AllowServers(hosts []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.allowed = append([]string(nil), hosts...)
}

// RemoteConfig parses a kubeconfig of a remote prod with the allow-list of AllowServers: every
// client of a remote prod (its caches, the census of its kinds) is made the same way.
func (c *Clusters) RemoteConfig(kubeconfig []byte) (*rest.Config, error) {
	c.mu.Lock()
	allowed := c.allowed
	c.mu.Unlock()
	return RESTConfig(kubeconfig, allowed)
}

// OnAPIChange sets what is called when the API of a cluster read for prod changes (a CRD or
// an APIService is added, changed or removed), with the cluster's key as ClusterKey gives it.
// Set it before the first Reader call.
func (c *Clusters) OnAPIChange(f func(cluster string)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.apiChanged = f
}

// ClusterKey names the cluster of a kubeconfig (nil: this cluster) in OnAPIChange's calls.
func ClusterKey(kubeconfig []byte) string {
	if kubeconfig == nil {
		return "local"
	}
	sum := sha256.Sum256(kubeconfig)
	return "remote/" + hex.EncodeToString(sum[:8])
}

// SetEnqueue sets what is called for an environment when an object it reads changes. Set it
// before the first Reader call.
func (c *Clusters) SetEnqueue(enqueue func(types.NamespacedName)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.enqueue = enqueue
}

// Start records the manager's context: caches stop with it. It implements manager.Runnable.
func (c *Clusters) Start(ctx context.Context) error {
	c.mu.Lock()
	c.ctx = ctx
	c.mu.Unlock()
	<-ctx.Done()
	c.mu.Lock()
	defer c.mu.Unlock()
	for key, nc := range c.caches {
		nc.cancel()
		delete(c.caches, key)
	}
	return nil
}

// Reader returns a reader of the target namespace for env in role; filter (nil: every event)
// decides which events on it enqueue env.
func (c *Clusters) Reader(ctx context.Context, env types.NamespacedName, t Target, filter Filter) (client.Reader, error) {
	key := cacheKey(t)
	c.mu.Lock()
	if nc, ok := c.caches[key]; ok {
		c.setUse(env, t.Role, use{key, filter})
		c.mu.Unlock()
		return nc.cache, nil
	}
	local, allowed := c.local, c.allowed
	c.mu.Unlock()

	cfg := local
	if t.Kubeconfig != nil {
		var err error
		if cfg, err = RESTConfig(t.Kubeconfig, allowed); err != nil {
			return nil, &Error{ReasonInvalid, err}
		}
		if err := probe(ctx, cfg, c.scheme, t.Namespace); err != nil {
			return nil, err
		}
	} else if cfg == nil {
		return nil, errors.New("no configuration for this cluster's namespace caches (SetLocal)")
	}
	nc, err := c.startCache(cfg, t, key)
	if err != nil {
		return nil, err
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if existing, ok := c.caches[key]; ok { // another reconcile won the race
		nc.cancel()
		nc = existing
	}
	c.caches[key] = nc
	c.setUse(env, t.Role, use{key, filter})
	return nc.cache, nil
}

func cacheKey(t Target) string {
	cluster := "local"
	if t.Kubeconfig != nil {
		sum := sha256.Sum256(t.Kubeconfig)
		cluster = hex.EncodeToString(sum[:8])
	}
	return cluster + "/" + t.Namespace + "/" + string(t.Role)
}

// Release lets go of whatever env was reading in role (every role when none is given); the
// last user of a cache stops it.
func (c *Clusters) Release(env types.NamespacedName, roles ...Role) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(roles) == 0 {
		for r := range c.users[env] {
			roles = append(roles, r)
		}
	}
	for _, r := range roles {
		c.setUse(env, r, use{})
	}
}

// Caches reports how many namespace caches run, for tests and metrics.
func (c *Clusters) Caches() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.caches)
}

// setUse points env's role at u (an empty key: none) and stops caches nobody uses. Callers
// hold mu.
func (c *Clusters) setUse(env types.NamespacedName, role Role, u use) {
	roles := c.users[env]
	old := roles[role].key
	if u.key == "" {
		delete(roles, role)
		if len(roles) == 0 {
			delete(c.users, env)
		}
	} else {
		if roles == nil {
			roles = map[Role]use{}
			c.users[env] = roles
		}
		roles[role] = u
	}
	if old == "" || old == u.key {
		return
	}
	for _, rs := range c.users {
		for _, other := range rs {
			if other.key == old {
				return
			}
		}
	}
	if nc, ok := c.caches[old]; ok {
		nc.cancel()
		delete(c.caches, old)
	}
}

func (c *Clusters) startCache(cfg *rest.Config, t Target, key string) (*namespaceCache, error) {
	c.mu.Lock()
	parent := c.ctx
	c.mu.Unlock()

	nc := &namespaceCache{cluster: ClusterKey(t.Kubeconfig), watched: map[schema.GroupVersionKind]bool{}, watchErrs: map[string]error{}}
	ca, err := cache.New(cfg, cache.Options{
		Scheme:            c.scheme,
		DefaultNamespaces: map[string]cache.Config{t.Namespace: {}},
		DefaultTransform:  cache.TransformStripManagedFields(),
		DefaultWatchErrorHandler: func(ctx context.Context, r *toolscache.Reflector, err error) {
			nc.mu.Lock()
			nc.watchErrs[r.TypeDescription()] = err
			nc.mu.Unlock()
			toolscache.DefaultWatchErrorHandler(ctx, r, err)
		},
	})
	if err != nil {
		return nil, &Error{ReasonInvalid, fmt.Errorf("creating a cache for namespace %q: %w", t.Namespace, err)}
	}
	ctx, cancel := context.WithCancel(parent)
	nc.cache, nc.cancel = ca, cancel
	handler := toolscache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) { c.notify(key, nil, obj) },
		UpdateFunc: func(old, obj any) {
			c.notify(key, old, obj)
		},
		DeleteFunc: func(obj any) {
			if d, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
				obj = d.Obj
			}
			c.notify(key, nil, obj)
		},
	}
	var synced []toolscache.InformerSynced
	for _, obj := range t.Role.kinds() {
		inf, err := ca.GetInformer(ctx, obj)
		if err != nil {
			cancel()
			return nil, Classify(err, t.Namespace)
		}
		if _, err := inf.AddEventHandler(handler); err != nil {
			cancel()
			return nil, Classify(err, t.Namespace)
		}
		synced = append(synced, inf.HasSynced)
	}
	if t.Role == RoleProd {
		c.watchAPI(ctx, cfg, ca, nc.cluster)
	}
	go func() { _ = ca.Start(ctx) }()
	syncCtx, done := context.WithTimeout(ctx, c.syncTimeout)
	defer done()
	// The snapshot's kinds only: the watch of the cluster's API may be refused (a remote prod's
	// reader), and then discovery is simply re-read on its TTL.
	if !toolscache.WaitForCacheSync(syncCtx.Done(), synced...) {
		cancel()
		return nil, &Error{ReasonUnreachable, fmt.Errorf("the objects in namespace %q did not load within %s", t.Namespace, c.syncTimeout)}
	}
	return nc, nil
}

// notify enqueues the environments reading key whose filter accepts the event. Informer
// callbacks run on the informers' goroutines, so this only takes the lock long enough to copy
// the users.
func (c *Clusters) notify(key string, oldObj, newObj any) {
	obj, ok := newObj.(client.Object)
	if !ok {
		return
	}
	old, _ := oldObj.(client.Object)
	c.mu.Lock()
	var envs []types.NamespacedName
	var filters []Filter
	for env, roles := range c.users {
		for _, u := range roles {
			if u.key == key {
				envs = append(envs, env)
				filters = append(filters, u.filter)
			}
		}
	}
	enqueue := c.enqueue
	c.mu.Unlock()
	for i, env := range envs {
		if filters[i] == nil || filters[i](old, obj) {
			enqueue(env)
		}
	}
}
