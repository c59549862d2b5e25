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
}

// NewClusters returns an empty registry.
func NewClusters(scheme *runtime.Scheme) *Clusters {
	return &Clusters{
		scheme:      scheme,
		enqueue:     func(types.NamespacedName) {},
		syncTimeout: 30 * time.Second,
		ctx:         context.Background(),
		caches:      map[string]*namespaceCache{},
		users:       map[types.NamespacedName]map[Role]use{},
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

	ca, err := cache.New(cfg, cache.Options{
		Scheme:            c.scheme,
		DefaultNamespaces: map[string]cache.Config{t.Namespace: {}},
		DefaultTransform:  cache.TransformStripManagedFields(),
	})
	if err != nil {
		return nil, &Error{ReasonInvalid, fmt.Errorf("creating a cache for namespace %q: %w", t.Namespace, err)}
	}
	ctx, cancel := context.WithCancel(parent)
	nc := &namespaceCache{cache: ca, cancel: cancel}
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
	}
	go func() { _ = ca.Start(ctx) }()
	syncCtx, done := context.WithTimeout(ctx, c.syncTimeout)
	defer done()
	if !ca.WaitForCacheSync(syncCtx) {
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
