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
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Kinds are the prod kinds a snapshot reads; remote caches watch exactly these.
func Kinds() []client.Object {
	return []client.Object{
		&appsv1.Deployment{}, &appsv1.StatefulSet{}, &appsv1.DaemonSet{}, &batchv1.CronJob{},
		&corev1.Service{}, &corev1.ServiceAccount{}, &rbacv1.Role{}, &rbacv1.RoleBinding{},
		&corev1.PersistentVolumeClaim{}, &networkingv1.Ingress{}, &networkingv1.NetworkPolicy{},
		&corev1.ConfigMap{}, &corev1.Secret{}, &corev1.Pod{},
	}
}

// Error says why prod could not be read. Reason is a condition reason.
type Error struct {
	Reason string
	Err    error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Reasons of Error; they match the API's condition reasons.
const (
	ReasonInvalid     = "SourceInvalid"
	ReasonUnreachable = "SourceUnreachable"
)

// Clusters hands out read-only access to prod clusters reached through kubeconfig Secrets. Each
// (kubeconfig, namespace) gets one informer cache, shared by every environment that uses it and
// stopped when the last one lets go, so hundreds of environments over one prod cost one watch
// per kind. Events on a remote cluster's objects enqueue the environments that read it.
type Clusters struct {
	scheme      *runtime.Scheme
	enqueue     func(types.NamespacedName)
	syncTimeout time.Duration

	mu      sync.Mutex
	ctx     context.Context
	remotes map[string]*remote
	// users maps an environment to the remote key it reads, for release and event fan-out.
	users map[types.NamespacedName]string
}

type remote struct {
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
		remotes:     map[string]*remote{},
		users:       map[types.NamespacedName]string{},
	}
}

// SetEnqueue sets what is called, for every environment reading a remote cluster, when that
// cluster's objects change. Set it before the first Reader call.
func (c *Clusters) SetEnqueue(enqueue func(types.NamespacedName)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.enqueue = enqueue
}

// Start records the manager's context: remote caches stop with it. It implements
// manager.Runnable.
func (c *Clusters) Start(ctx context.Context) error {
	c.mu.Lock()
	c.ctx = ctx
	c.mu.Unlock()
	<-ctx.Done()
	c.mu.Lock()
	defer c.mu.Unlock()
	for key, r := range c.remotes {
		r.cancel()
		delete(c.remotes, key)
	}
	return nil
}

// Reader returns a reader of prod namespace in the cluster the kubeconfig points to, for env.
func (c *Clusters) Reader(ctx context.Context, env types.NamespacedName, kubeconfig []byte, namespace string) (client.Reader, error) {
	sum := sha256.Sum256(kubeconfig)
	key := hex.EncodeToString(sum[:8]) + "/" + namespace

	c.mu.Lock()
	if r, ok := c.remotes[key]; ok {
		c.use(env, key)
		c.mu.Unlock()
		return r.cache, nil
	}
	c.mu.Unlock()

	cfg, err := RESTConfig(kubeconfig)
	if err != nil {
		return nil, &Error{ReasonInvalid, err}
	}
	if err := probe(ctx, cfg, c.scheme, namespace); err != nil {
		return nil, err
	}
	r, err := c.startCache(cfg, namespace, key)
	if err != nil {
		return nil, err
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if existing, ok := c.remotes[key]; ok { // another reconcile won the race
		r.cancel()
		r = existing
	}
	c.remotes[key] = r
	c.use(env, key)
	return r.cache, nil
}

// Release lets go of whatever env was reading; the last user stops the cache.
func (c *Clusters) Release(env types.NamespacedName) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.use(env, "")
}

// use points env at key ("" for none) and stops caches nobody uses. Callers hold mu.
func (c *Clusters) use(env types.NamespacedName, key string) {
	old, had := c.users[env]
	if key == "" {
		delete(c.users, env)
	} else {
		c.users[env] = key
	}
	if !had || old == key {
		return
	}
	for _, k := range c.users {
		if k == old {
			return
		}
	}
	if r, ok := c.remotes[old]; ok {
		r.cancel()
		delete(c.remotes, old)
	}
}

func (c *Clusters) startCache(cfg *rest.Config, namespace, key string) (*remote, error) {
	c.mu.Lock()
	parent := c.ctx
	c.mu.Unlock()

	ca, err := cache.New(cfg, cache.Options{
		Scheme:            c.scheme,
		DefaultNamespaces: map[string]cache.Config{namespace: {}},
		DefaultTransform:  cache.TransformStripManagedFields(),
	})
	if err != nil {
		return nil, &Error{ReasonInvalid, fmt.Errorf("creating a cache for the prod cluster: %w", err)}
	}
	ctx, cancel := context.WithCancel(parent)
	r := &remote{cache: ca, cancel: cancel}
	handler := toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { c.notify(key) },
		UpdateFunc: func(any, any) { c.notify(key) },
		DeleteFunc: func(any) { c.notify(key) },
	}
	for _, obj := range Kinds() {
		inf, err := ca.GetInformer(ctx, obj)
		if err != nil {
			cancel()
			return nil, &Error{ReasonUnreachable, fmt.Errorf("watching %T in the prod cluster: %w", obj, err)}
		}
		if _, err := inf.AddEventHandler(handler); err != nil {
			cancel()
			return nil, &Error{ReasonUnreachable, err}
		}
	}
	go func() { _ = ca.Start(ctx) }()
	syncCtx, done := context.WithTimeout(ctx, c.syncTimeout)
	defer done()
	if !ca.WaitForCacheSync(syncCtx) {
		cancel()
		return nil, &Error{ReasonUnreachable, fmt.Errorf("the prod cluster's objects in namespace %q did not load within %s", namespace, c.syncTimeout)}
	}
	return r, nil
}

// notify enqueues the environments reading key. Informer callbacks run on the informers'
// goroutines, so this only takes the lock long enough to copy the names.
func (c *Clusters) notify(key string) {
	c.mu.Lock()
	var envs []types.NamespacedName
	for env, k := range c.users {
		if k == key {
			envs = append(envs, env)
		}
	}
	enqueue := c.enqueue
	c.mu.Unlock()
	for _, env := range envs {
		enqueue(env)
	}
}

// RESTConfig parses a kubeconfig from a Secret. Exec plugins, auth-provider plugins and file
// references are refused: a kubeconfig in a Secret must not make the operator run a program or
// read its own files (the same rule Flux and Argo CD apply).
func RESTConfig(kubeconfig []byte) (*rest.Config, error) {
	raw, err := clientcmd.Load(kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("the kubeconfig does not parse: %w", err)
	}
	for name, a := range raw.AuthInfos {
		switch {
		case a.Exec != nil:
			return nil, fmt.Errorf("kubeconfig user %q uses an exec plugin, which the operator does not run; use a token or client certificate", name)
		case a.AuthProvider != nil:
			return nil, fmt.Errorf("kubeconfig user %q uses an auth-provider plugin, which the operator does not run; use a token or client certificate", name)
		case a.TokenFile != "" || a.ClientCertificate != "" || a.ClientKey != "":
			return nil, fmt.Errorf("kubeconfig user %q refers to files; embed the data (token, client-certificate-data, client-key-data) instead", name)
		}
	}
	for name, cl := range raw.Clusters {
		if cl.CertificateAuthority != "" {
			return nil, fmt.Errorf("kubeconfig cluster %q refers to a CA file; embed certificate-authority-data instead", name)
		}
	}
	cfg, err := clientcmd.NewDefaultClientConfig(*raw, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("the kubeconfig is not usable: %w", err)
	}
	cfg.Timeout = 15 * time.Second
	cfg.UserAgent = "envmirror (read-only)"
	return cfg, nil
}

// probe makes one cheap direct request so that an unreachable server, bad credentials or
// missing permissions become a clear message instead of a cache that never syncs.
func probe(ctx context.Context, cfg *rest.Config, scheme *runtime.Scheme, namespace string) error {
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return &Error{ReasonInvalid, fmt.Errorf("creating a client for the prod cluster: %w", err)}
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	ns := &corev1.Namespace{}
	err = c.Get(ctx, client.ObjectKey{Name: namespace}, ns)
	if err == nil || apierrors.IsForbidden(err) {
		// Reading the Namespace object itself is not required; listing in it is.
		err = c.List(ctx, &appsv1.DeploymentList{}, client.InNamespace(namespace), client.Limit(1))
	}
	switch {
	case err == nil:
		return nil
	case apierrors.IsNotFound(err):
		return &Error{ReasonUnreachable, fmt.Errorf("namespace %q does not exist in the prod cluster", namespace)}
	case apierrors.IsUnauthorized(err):
		return &Error{ReasonUnreachable, fmt.Errorf("the prod cluster rejected the kubeconfig's credentials: %w", err)}
	case apierrors.IsForbidden(err):
		return &Error{ReasonUnreachable, fmt.Errorf("the kubeconfig's user may not list in namespace %q (it needs get/list/watch on the mirrored kinds): %w", namespace, err)}
	default:
		var se *Error
		if errors.As(err, &se) {
			return se
		}
		return &Error{ReasonUnreachable, fmt.Errorf("the prod cluster is unreachable: %w", err)}
	}
}
