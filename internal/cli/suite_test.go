package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// The commands against a real API server (envtest: kube-apiserver and etcd with the CRDs, no
// operator). Where a spec needs the operator's answer, it writes the status itself.

const (
	devNamespace  = "dev"
	prodNamespace = "prod"
	developer     = "jane@example.com"
)

var (
	ctx           context.Context
	cancel        context.CancelFunc
	testEnv       *envtest.Environment
	k8s           client.Client
	devKubeconfig string // jane, a cluster admin, with context namespace dev
)

func TestCommands(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "kubectl mirror commands")
}

var _ = BeforeSuite(func() {
	ctx, cancel = context.WithCancel(context.Background())
	Expect(os.Getenv("KUBEBUILDER_ASSETS")).NotTo(BeEmpty(),
		"KUBEBUILDER_ASSETS is not set: run the suite with `make test`, which builds kube-apiserver and etcd and sets it")
	scheme := runtime.NewScheme()
	Expect(clientgoscheme.AddToScheme(scheme)).To(Succeed())
	Expect(v1alpha1.AddToScheme(scheme)).To(Succeed())
	testEnv = &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join("..", "..", "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := testEnv.Start()
	Expect(err).NotTo(HaveOccurred())
	k8s, err = client.New(cfg, client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())
	for _, ns := range []string{devNamespace, prodNamespace, "other-prod"} {
		Expect(k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: map[string]string{"team": "shop"}}})).To(Succeed())
	}
	devKubeconfig = userKubeconfig(envtest.User{Name: developer, Groups: []string{"system:masters"}}, devNamespace)
})

var _ = AfterSuite(func() {
	cancel()
	if testEnv != nil {
		Expect(testEnv.Stop()).To(Succeed())
	}
})

// userKubeconfig writes a kubeconfig for the user whose context's namespace is ns.
func userKubeconfig(u envtest.User, ns string) string {
	GinkgoHelper()
	user, err := testEnv.AddUser(u, nil)
	Expect(err).NotTo(HaveOccurred())
	raw, err := user.KubeConfig()
	Expect(err).NotTo(HaveOccurred())
	kc, err := clientcmd.Load(raw)
	Expect(err).NotTo(HaveOccurred())
	kc.Contexts[kc.CurrentContext].Namespace = ns
	path := filepath.Join(GinkgoT().TempDir(), "kubeconfig")
	Expect(clientcmd.WriteToFile(*kc, path)).To(Succeed())
	return path
}

type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// run runs `kubectl mirror ARGS` in-process with the kubeconfig, as main does.
func run(kubeconfig string, args ...string) result {
	streams, _, out, errOut := genericiooptions.NewTestIOStreams()
	cmd := NewCommand(streams)
	cmd.SetArgs(append([]string{"--kubeconfig", kubeconfig, "--cache-dir", GinkgoT().TempDir()}, args...))
	err := cmd.ExecuteContext(ctx)
	if err != nil {
		fmt.Fprintln(errOut, "error:", err)
	}
	return result{stdout: out.String(), stderr: errOut.String(), code: ExitCode(err)}
}

func getEnv(name string) *v1alpha1.MirrorEnvironment {
	GinkgoHelper()
	env := &v1alpha1.MirrorEnvironment{}
	Expect(k8s.Get(ctx, client.ObjectKey{Namespace: devNamespace, Name: name}, env)).To(Succeed())
	return env
}
