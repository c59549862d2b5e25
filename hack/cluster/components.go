package main

import (
	_ "embed"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// kwokStages holds KWOK's own fast node/pod/volume stages (with imageID added); see the file.
//
//go:embed kwok-stages.yaml
var kwokStages string

// Component names, in start order. They name the log, pid and kubeconfig files.
const (
	compEtcd       = "etcd"
	compAPIServer  = "kube-apiserver"
	compController = "kube-controller-manager"
	compScheduler  = "kube-scheduler"
	compKwok       = "kwok"
)

// writeConfigs (re)writes the kubeconfigs, the audit policy and kwok's configuration. They are
// derived from the PKI and the ports, so writing them on every `up` is cheap and repairs edits.
func writeConfigs(p paths, s *state) error {
	for _, d := range []string{"kubeconfigs", "logs", "pids", "etcd"} {
		if err := os.MkdirAll(filepath.Join(p.dir, d), 0o755); err != nil {
			return err
		}
	}
	ca, err := readFileOr(p.pki("ca.crt"))
	if err != nil {
		return err
	}
	server := fmt.Sprintf("https://127.0.0.1:%d", s.APIServerPort)
	kubeconfigs := []struct{ path, identity, user string }{
		{p.kubeconfig, "admin", "envmirror-admin"},
		{p.componentKubeconfig(compController), "controller-manager", "system:kube-controller-manager"},
		{p.componentKubeconfig(compScheduler), "scheduler", "system:kube-scheduler"},
		{p.componentKubeconfig(compKwok), "admin", "envmirror-admin"},
	}
	if s.RealNode {
		// The kubelet and kube-proxy as the identities bootstrap RBAC and the Node authorizer
		// know; the policy controller and the provisioner (cluster-wide readers and writers of
		// policies, pods and volumes) as the admin.
		kubeconfigs = append(kubeconfigs,
			struct{ path, identity, user string }{p.componentKubeconfig(compKubelet), "kubelet", "system:node:" + realNodeName},
			struct{ path, identity, user string }{p.componentKubeconfig(compKubeProxy), "kube-proxy", "system:kube-proxy"},
			struct{ path, identity, user string }{p.componentKubeconfig(compKubeRouter), "admin", "envmirror-admin"},
			struct{ path, identity, user string }{p.componentKubeconfig(compLocalPath), "admin", "envmirror-admin"})
	}
	for _, kc := range kubeconfigs {
		cert, err := readFileOr(p.pki(kc.identity + ".crt"))
		if err != nil {
			return err
		}
		key, err := readFileOr(p.pki(kc.identity + ".key"))
		if err != nil {
			return err
		}
		if err := os.WriteFile(kc.path, []byte(kubeconfig(server, kc.user, ca, cert, key)), 0o600); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(p.dir, "audit-policy.yaml"), []byte(auditPolicy), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(p.dir, "kwok.yaml"), []byte(kwokConfig+kwokStages), 0o644)
}

// kubeconfig renders a kubeconfig with the credentials inline, so the file can be copied anywhere.
func kubeconfig(server, user string, ca, cert, key []byte) string {
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: %[1]s
  cluster:
    server: %[2]s
    certificate-authority-data: %[3]s
users:
- name: %[4]s
  user:
    client-certificate-data: %[5]s
    client-key-data: %[6]s
contexts:
- name: %[1]s
  context:
    cluster: %[1]s
    user: %[4]s
current-context: %[1]s
`, clusterName, server, b64(ca), user, b64(cert), b64(key))
}

// auditPolicy records every write (metadata only) so tests can prove who wrote what where — e.g.
// that the operator never writes to the source namespace. Leases and events are left out: they
// are most of the traffic and nobody's business.
const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: None
  resources:
  - group: coordination.k8s.io
  - group: ""
    resources: ["events"]
  - group: events.k8s.io
- level: Metadata
  verbs: ["create", "update", "patch", "delete", "deletecollection"]
- level: None
`

// kwokConfig is the KwokConfiguration document. KWOK v0.8.0 does not default its options when
// given a config file, so every option it needs is spelled out. Nodes are managed by annotation
// (kwok.x-k8s.io/node=fake), the way KWOK's docs create fake nodes.
var kwokConfig = `# KWOK configuration written by hack/cluster (regenerated on every up).
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokConfiguration
options:
  cidr: ` + podCIDR + `
  nodeIP: 10.0.0.1
  manageAllNodes: false
  manageNodesWithAnnotationSelector: kwok.x-k8s.io/node=fake
  podPlayStageParallelism: 8
  nodePlayStageParallelism: 2
  nodeLeaseParallelism: 2
  podsOnNodeSyncParallelism: 2
  nodeLeaseDurationSeconds: 40
  enablePodsOnNodeSyncListPager: true
  enablePodsOnNodeSyncStreamWatch: false
`

// argv returns each component's command line.
func argv(p paths, s *state, name string) []string {
	pki := p.pki
	switch name {
	case compEtcd:
		client := "http://127.0.0.1:" + strconv.Itoa(s.EtcdPort)
		peer := "http://127.0.0.1:" + strconv.Itoa(s.EtcdPeerPort)
		return []string{
			filepath.Join(p.assets, "etcd"),
			"--name=envmirror",
			"--data-dir=" + filepath.Join(p.dir, "etcd"),
			"--listen-client-urls=" + client,
			"--advertise-client-urls=" + client,
			"--listen-peer-urls=" + peer,
			"--initial-advertise-peer-urls=" + peer,
			"--initial-cluster=envmirror=" + peer,
			// A throwaway dev cluster on a busy machine: skip fsync, keep the database small.
			"--unsafe-no-fsync=true",
			"--quota-backend-bytes=" + strconv.Itoa(2<<30),
			"--auto-compaction-retention=1h",
			"--log-level=warn",
		}
	case compAPIServer:
		return append([]string{
			filepath.Join(p.assets, "kube-apiserver"),
			"--etcd-servers=http://127.0.0.1:" + strconv.Itoa(s.EtcdPort),
			"--secure-port=" + strconv.Itoa(s.APIServerPort),
			"--tls-cert-file=" + pki("apiserver.crt"),
			"--tls-private-key-file=" + pki("apiserver.key"),
			"--client-ca-file=" + pki("ca.crt"),
			"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
			"--service-account-key-file=" + pki("sa.pub"),
			"--service-account-signing-key-file=" + pki("sa.key"),
			"--authorization-mode=RBAC,Node",
			"--service-cluster-ip-range=" + serviceCIDR,
			"--allow-privileged=true",
			"--audit-policy-file=" + filepath.Join(p.dir, "audit-policy.yaml"),
			"--audit-log-path=" + p.log("audit"),
			"--audit-log-maxsize=100",
			"--audit-log-maxbackup=1",
			"--profiling=false",
		}, apiserverNetworkArgs(p, s)...)
	case compController:
		kc := p.componentKubeconfig(compController)
		return []string{
			filepath.Join(p.assets, "kube-controller-manager"),
			"--kubeconfig=" + kc,
			"--authentication-kubeconfig=" + kc,
			"--authorization-kubeconfig=" + kc,
			"--root-ca-file=" + pki("ca.crt"),
			"--service-account-private-key-file=" + pki("sa.key"),
			"--use-service-account-credentials=true",
			"--service-cluster-ip-range=" + serviceCIDR,
			"--cluster-name=" + clusterName,
			"--leader-elect=false",
			"--secure-port=0",
			// Every default controller, node lifecycle included (it lifts the not-ready taint from
			// KWOK's nodes); nodeipam stays off (KWOK hands out pod IPs).
			"--controllers=*,-nodeipam",
			"--profiling=false",
		}
	case compScheduler:
		kc := p.componentKubeconfig(compScheduler)
		return []string{
			filepath.Join(p.assets, "kube-scheduler"),
			"--kubeconfig=" + kc,
			"--authentication-kubeconfig=" + kc,
			"--authorization-kubeconfig=" + kc,
			"--leader-elect=false",
			"--secure-port=0",
			"--profiling=false",
		}
	case compKwok:
		return []string{
			p.kwok,
			"--kubeconfig=" + p.componentKubeconfig(compKwok),
			"--config=" + filepath.Join(p.dir, "kwok.yaml"),
		}
	}
	panic("unknown component " + name)
}

// apiserverNetworkArgs: the simulated cluster's apiserver listens on 127.0.0.1 only and keeps
// no endpoints for the kubernetes Service (nothing in it runs). A real node's pods reach it
// through that Service, so it listens on the machine's address too, advertises it, keeps the
// Service's endpoints, and talks to the kubelet (logs, exec, port-forward) with a client cert.
func apiserverNetworkArgs(p paths, s *state) []string {
	if !s.RealNode {
		return []string{"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--endpoint-reconciler-type=none"}
	}
	return []string{
		"--bind-address=0.0.0.0",
		"--advertise-address=" + s.HostIP,
		"--endpoint-reconciler-type=lease",
		"--kubelet-client-certificate=" + p.pki("apiserver-kubelet-client.crt"),
		"--kubelet-client-key=" + p.pki("apiserver-kubelet-client.key"),
		"--kubelet-preferred-address-types=InternalIP,Hostname",
	}
}

// binaries lists the executables `up` needs, with how to get each.
func checkBinaries(p paths, needKwok bool) error {
	var missing []string
	for _, name := range []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"} {
		if _, err := os.Stat(filepath.Join(p.assets, name)); err != nil {
			missing = append(missing, filepath.Join(p.assets, name))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing control-plane binaries: %s\n(run `make k8s-cluster-assets`, or set ENVMIRROR_K8S_ASSETS)",
			strings.Join(missing, ", "))
	}
	if _, err := os.Stat(p.kwok); err != nil && needKwok {
		return fmt.Errorf("missing %s (run `make %s`, or set ENVMIRROR_KWOK)", p.kwok, p.kwok)
	}
	return nil
}

// fakeNode is a KWOK node: KWOK manages it because of the annotation, and keeps the capacity.
func fakeNode(i int) map[string]any {
	name := fmt.Sprintf("kwok-node-%d", i)
	resources := map[string]any{"cpu": "32", "memory": "256Gi", "pods": "110", "ephemeral-storage": "500Gi"}
	return map[string]any{
		"apiVersion": "v1",
		"kind":       "Node",
		"metadata": map[string]any{
			"name": name,
			"annotations": map[string]any{
				"kwok.x-k8s.io/node":           "fake",
				"node.alpha.kubernetes.io/ttl": "0",
			},
			"labels": map[string]any{
				"type":                             "kwok",
				"kubernetes.io/hostname":           name,
				"kubernetes.io/os":                 "linux",
				"kubernetes.io/arch":               "amd64",
				"node.kubernetes.io/instance-type": "kwok.xlarge",
				"topology.kubernetes.io/zone":      fmt.Sprintf("local-%c", 'a'+i),
			},
		},
		"spec": map[string]any{},
		"status": map[string]any{
			"capacity":    resources,
			"allocatable": resources,
			"addresses": []any{
				map[string]any{"type": "InternalIP", "address": fmt.Sprintf("10.0.0.%d", 10+i)},
				map[string]any{"type": "Hostname", "address": name},
			},
			"nodeInfo": map[string]any{
				"architecture":    "amd64",
				"operatingSystem": "linux",
				"osImage":         "KWOK simulated node",
			},
		},
	}
}

// defaultStorageClass makes PVCs without a class bind through KWOK's volume stages.
var defaultStorageClass = map[string]any{
	"apiVersion": "storage.k8s.io/v1",
	"kind":       "StorageClass",
	"metadata": map[string]any{
		"name":        "kwok-volume",
		"annotations": map[string]any{"storageclass.kubernetes.io/is-default-class": "true"},
	},
	"provisioner":       "kwok.x-k8s.io/volume",
	"reclaimPolicy":     "Delete",
	"volumeBindingMode": "Immediate",
}
