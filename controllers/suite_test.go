package controllers_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/yaml"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/controllers"
	"github.com/envmirror/envmirror/internal/source"
)

// The suite runs the operator the way it runs in a cluster: as a user bound to exactly the
// generated RBAC in config/rbac (not system:masters), against a real kube-apiserver and etcd.
const (
	operatorUser      = "envmirror-operator"
	operatorNamespace = "envmirror-system"
)

var (
	ctx      context.Context
	cancel   context.CancelFunc
	testEnv  *envtest.Environment
	adminCfg *rest.Config
	k8s      client.Client // admin, uncached: what the tests use to act and look
	scheme   *runtime.Scheme
	writes   writeCounter
	// auditLog is the main API server's audit log of writes (auditedDeletes reads it).
	auditLog  string
	opCfg     *rest.Config
	clusters  *source.Clusters
	mgrClient client.Client
	// newReconciler makes a reconciler like the suite's manager runs, reading and writing
	// through c (a spec can hand it a client that reads stale objects).
	newReconciler func(c client.Client) *controllers.MirrorEnvironmentReconciler
)

func TestControllers(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Controllers Suite")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))
	ctx, cancel = context.WithCancel(context.Background())
	Expect(os.Getenv("KUBEBUILDER_ASSETS")).NotTo(BeEmpty(),
		"KUBEBUILDER_ASSETS is not set: run the suite with `make test`, which builds kube-apiserver and etcd and sets it")

	scheme = runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(v1alpha1.AddToScheme(scheme))

	testEnv = &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join("..", "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	// The API server's own record of every write (metadata only): specs that must see no
	// delete count them here, whatever client sent them.
	auditDir, err := os.MkdirTemp("", "envmirror-audit-")
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(os.RemoveAll, auditDir)
	auditLog = filepath.Join(auditDir, "audit.log")
	Expect(os.WriteFile(filepath.Join(auditDir, "policy.yaml"), []byte(writesAuditPolicy), 0o600)).To(Succeed())
	testEnv.ControlPlane.GetAPIServer().Configure().
		Set("audit-policy-file", filepath.Join(auditDir, "policy.yaml")).
		Set("audit-log-path", auditLog).
		Set("audit-log-mode", "blocking")
	adminCfg, err = testEnv.Start()
	Expect(err).NotTo(HaveOccurred())
	k8s, err = client.New(adminCfg, client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())

	// The operator's RBAC, exactly as generated.
	Expect(k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: operatorNamespace}})).To(Succeed())
	createYAML(filepath.Join("..", "config", "rbac", "role.yaml"))
	createYAML(filepath.Join("..", "config", "rbac", "copywriter", "role.yaml"))
	user, err := testEnv.AddUser(envtest.User{Name: operatorUser}, nil)
	Expect(err).NotTo(HaveOccurred())
	subject := rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: operatorUser}
	Expect(k8s.Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "envmirror-manager"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "envmirror-manager"},
		Subjects:   []rbacv1.Subject{subject},
	})).To(Succeed())
	Expect(k8s.Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "envmirror-manager", Namespace: operatorNamespace},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "envmirror-manager"},
		Subjects:   []rbacv1.Subject{subject},
	})).To(Succeed())

	opCfg = rest.CopyConfig(user.Config())
	opCfg.Wrap(writes.wrap)
	identity, err := controllers.WhoAmI(ctx, opCfg)
	Expect(err).NotTo(HaveOccurred())
	Expect(identity.Name).To(Equal(operatorUser))

	mgr, err := ctrl.NewManager(opCfg, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Cache:                  controllers.CacheOptions(),
	})
	Expect(err).NotTo(HaveOccurred())
	clusters = source.NewClusters(scheme)
	clusters.AllowServers([]string{"127.0.0.1"}) // the cross-cluster spec's prod is a second local API server
	Expect(mgr.Add(clusters)).To(Succeed())
	mgrClient = mgr.GetClient()
	newReconciler = func(c client.Client) *controllers.MirrorEnvironmentReconciler {
		return &controllers.MirrorEnvironmentReconciler{
			Client:            c,
			APIReader:         mgr.GetAPIReader(),
			Scheme:            scheme,
			Recorder:          mgr.GetEventRecorder("envmirror"),
			Clusters:          clusters,
			Clock:             clock.RealClock{},
			Identity:          identity,
			CopyWriterRole:    "envmirror-copy-writer",
			OperatorNamespace: operatorNamespace,
			SeedImage:         "envmirror/manager:test",
			ResyncInterval:    time.Minute,
			PartialReadRetry:  2 * time.Second,
			ProbeRetryAfter:   5 * time.Second,
			Settings:          controllers.Settings{MaxTTL: 720 * time.Hour, AccessClusterRoles: []string{"edit", "view"}},
			Observe:           reconciles.observe,
		}
	}
	r := newReconciler(mgr.GetClient())
	Expect(r.SetupWithManager(mgr, controller.Options{MaxConcurrentReconciles: 4})).To(Succeed())
	go func() {
		defer GinkgoRecover()
		Expect(mgr.Start(ctx)).To(Succeed())
	}()
})

var _ = AfterSuite(func() {
	atRest.run(65 * time.Second)
	cancel()
	if testEnv != nil {
		Expect(testEnv.Stop()).To(Succeed())
	}
})

// createYAML creates every object of a multi-document YAML file.
func createYAML(path string) {
	data, err := os.ReadFile(path)
	Expect(err).NotTo(HaveOccurred())
	for _, doc := range strings.Split(string(data), "\n---") {
		if strings.TrimSpace(doc) == "" || strings.TrimSpace(doc) == "---" {
			continue
		}
		u := &unstructured.Unstructured{}
		Expect(yaml.Unmarshal([]byte(doc), &u.Object)).To(Succeed())
		if len(u.Object) == 0 {
			continue
		}
		Expect(k8s.Create(ctx, u)).To(Succeed(), "creating %s %s from %s", u.GetKind(), u.GetName(), path)
	}
}

// atRest holds checks that need the environments they look at left alone for a minute. They run
// at the end of the suite, so that the minute is spent running the other specs (which also
// shows that other environments' work does not wake these), not waiting.
var atRest atRestChecks

type atRestChecks struct {
	mu     sync.Mutex
	checks []atRestCheck
}

type atRestCheck struct {
	from  time.Time
	check func(rested time.Duration)
}

// after registers check to run at the end of the suite, at least min (run's argument) from now,
// with how long it rested.
func (a *atRestChecks) after(check func(rested time.Duration)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.checks = append(a.checks, atRestCheck{from: time.Now(), check: check})
}

func (a *atRestChecks) run(atLeast time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, c := range a.checks {
		if wait := atLeast - time.Since(c.from); wait > 0 {
			time.Sleep(wait)
		}
		c.check(time.Since(c.from))
	}
}

// reconcileCounter counts reconciles per environment.
type reconcileCounter struct {
	mu sync.Mutex
	n  map[types.NamespacedName]int
}

var reconciles = &reconcileCounter{n: map[types.NamespacedName]int{}}

func (c *reconcileCounter) observe(k types.NamespacedName) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[k]++
}

func (c *reconcileCounter) of(env *v1alpha1.MirrorEnvironment) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[types.NamespacedName{Namespace: env.Namespace, Name: env.Name}]
}

// writeCounter counts the operator's writes the API server accepted (events excluded: they
// are notes to people, not writes to the copy). A write refused for a stale resourceVersion
// changes nothing: the operator's optimistic status patch after a stale cache read is one.
type writeCounter struct {
	n     atomic.Int64
	mu    sync.Mutex
	paths []string
}

func (w *writeCounter) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripper(func(req *http.Request) (*http.Response, error) {
		// A status patch is listed with what it changed, so that a spec that expected no write
		// says which field moved.
		what := ""
		if req.Method == http.MethodPatch && strings.HasSuffix(req.URL.Path, "/status") && req.Body != nil {
			body, err := io.ReadAll(req.Body)
			if err != nil {
				return nil, err
			}
			req.Body = io.NopCloser(bytes.NewReader(body))
			what = " " + string(body[:min(len(body), 4000)])
		}
		resp, err := rt.RoundTrip(req)
		if req.Method != http.MethodGet && !strings.Contains(req.URL.Path, "/events") &&
			!strings.Contains(req.URL.Path, "selfsubjectreviews") &&
			(err != nil || resp.StatusCode != http.StatusConflict) {
			w.n.Add(1)
			w.mu.Lock()
			w.paths = append(w.paths, req.Method+" "+req.URL.Path+what)
			w.mu.Unlock()
		}
		return resp, err
	})
}

func (w *writeCounter) count() int64 { return w.n.Load() }

// inNamespaces counts the writes so far to objects in any of the namespaces.
func (w *writeCounter) inNamespaces(namespaces ...string) int {
	return len(w.since(0, namespaces...))
}

// mark is where the writes stand now, for since.
func (w *writeCounter) mark() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.paths)
}

// since lists the writes after mark to objects in any of the namespaces: a spec that expects
// none prints what was written.
func (w *writeCounter) since(mark int, namespaces ...string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, p := range w.paths[mark:] {
		_, rest, _ := strings.Cut(p, " ")    // after the method
		path, _, _ := strings.Cut(rest, " ") // before a status patch's body
		for _, ns := range namespaces {
			if strings.Contains(path, "/namespaces/"+ns+"/") || strings.HasSuffix(path, "/namespaces/"+ns) {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
