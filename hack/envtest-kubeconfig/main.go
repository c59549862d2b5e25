// Command envtest-kubeconfig starts a bare API server (etcd + kube-apiserver from
// KUBEBUILDER_ASSETS) with the envmirror CRD installed, writes an admin kubeconfig, and waits
// for Ctrl-C. It is for poking at the API by hand: `kubectl get mirrorenvironments`, the
// validation messages, the printer columns. Nothing runs controllers here; see `make demo`.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

func main() {
	out := flag.String("kubeconfig", filepath.Join("bin", "envtest", "kubeconfig"), "where to write the kubeconfig")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "envtest-kubeconfig:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join("config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	if _, err := env.Start(); err != nil {
		return err
	}
	defer func() { _ = env.Stop() }()
	admin, err := env.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return err
	}
	kubeconfig, err := admin.KubeConfig()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(out, kubeconfig, 0o600); err != nil {
		return err
	}
	fmt.Printf("API server up with the MirrorEnvironment CRD.\n  export KUBECONFIG=%s\n  bin/k8s/kubectl apply -f config/samples/envmirror_v1alpha1_mirrorenvironment.yaml\n  bin/k8s/kubectl get mirrorenvironments -A\nCtrl-C stops it.\n", out)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	return nil
}
