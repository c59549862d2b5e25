package manager_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/yaml"

	"github.com/envmirror/envmirror/internal/manager"
)

// The suite runs the manager as it runs in a cluster: as the envmirror-manager ServiceAccount
// holding exactly config/rbac (applied as its kustomization lists it), with a token from the
// TokenRequest API, against a real kube-apiserver and etcd.
const (
	operatorNamespace = manager.DefaultNamespace
	operatorSA        = "envmirror-manager"
)

var (
	ctx         context.Context
	cancel      context.CancelFunc
	testEnv     *envtest.Environment
	adminCfg    *rest.Config
	admin       client.Client
	adminset    kubernetes.Interface
	operatorCfg *rest.Config
)

func TestManager(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Manager Suite")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))
	ctx, cancel = context.WithCancel(context.Background())
	Expect(os.Getenv("KUBEBUILDER_ASSETS")).NotTo(BeEmpty(),
		"KUBEBUILDER_ASSETS is not set: run the suite with `make test`, which builds kube-apiserver and etcd and sets it")
	testEnv = &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join("..", "..", "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	var err error
	adminCfg, err = testEnv.Start()
	Expect(err).NotTo(HaveOccurred())
	admin, err = client.New(adminCfg, client.Options{Scheme: manager.Scheme()})
	Expect(err).NotTo(HaveOccurred())
	adminset, err = kubernetes.NewForConfig(adminCfg)
	Expect(err).NotTo(HaveOccurred())

	Expect(admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: operatorNamespace}})).To(Succeed())
	applyKustomizationResources(filepath.Join("..", "..", "config", "rbac"))
	operatorCfg = serviceAccountConfig(operatorNamespace, operatorSA)
})

var _ = AfterSuite(func() {
	cancel()
	if testEnv != nil {
		Expect(testEnv.Stop()).To(Succeed())
	}
})

// applyKustomizationResources creates every object of the files a kustomization.yaml lists.
func applyKustomizationResources(dir string) {
	GinkgoHelper()
	raw, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	Expect(err).NotTo(HaveOccurred())
	var k struct {
		Resources []string `json:"resources"`
	}
	Expect(yaml.Unmarshal(raw, &k)).To(Succeed())
	Expect(k.Resources).NotTo(BeEmpty())
	for _, file := range k.Resources {
		createYAML(filepath.Join(dir, file))
	}
}

func createYAML(path string) {
	GinkgoHelper()
	raw, err := os.ReadFile(path)
	Expect(err).NotTo(HaveOccurred())
	for _, doc := range strings.Split(string(raw), "\n---") {
		obj := &unstructured.Unstructured{}
		Expect(yaml.Unmarshal([]byte(doc), &obj.Object)).To(Succeed(), path)
		if len(obj.Object) == 0 {
			continue
		}
		Expect(admin.Create(ctx, obj)).To(Succeed(), "%s: %s %s", path, obj.GetKind(), obj.GetName())
	}
}

// serviceAccountConfig creates the ServiceAccount if needed and returns a rest.Config that
// authenticates with a token the API server issued for it, as a pod's would.
func serviceAccountConfig(namespace, name string) *rest.Config {
	GinkgoHelper()
	cfg := rest.AnonymousClientConfig(adminCfg)
	cfg.BearerToken = serviceAccountToken(namespace, name)
	return cfg
}

func serviceAccountToken(namespace, name string) string {
	GinkgoHelper()
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace}}
	if err := admin.Get(ctx, client.ObjectKeyFromObject(sa), sa); err != nil {
		Expect(admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}})).To(Or(Succeed(), MatchError(ContainSubstring("already exists"))))
		Expect(admin.Create(ctx, sa)).To(Succeed())
	}
	tr, err := adminset.CoreV1().ServiceAccounts(namespace).CreateToken(ctx, name, &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
	Expect(err).NotTo(HaveOccurred())
	return tr.Status.Token
}

// bindClusterRole binds a ClusterRole to a ServiceAccount cluster-wide.
func bindClusterRole(role, namespace, sa string) {
	GinkgoHelper()
	Expect(admin.Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: role + "-" + namespace + "-" + sa},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: namespace, Name: sa}},
	})).To(Succeed())
}
