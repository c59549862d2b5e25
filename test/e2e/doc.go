// Package e2e tests envmirror end to end against the local simulated cluster (hack/cluster):
// a real etcd, kube-apiserver, kube-controller-manager and kube-scheduler, with KWOK playing the
// kubelets. The suite runs the operator binary as a local process and drives everything through
// kubectl, the way a user would. The specs carry the build tag e2e, so `go test ./...` skips them.
//
// Run it with `make test-e2e` (cluster up, manifests, build bin/manager, then this suite), or by
// hand after those steps:
//
//	go test -tags e2e ./test/e2e/ -v -ginkgo.v
//
// Environment: ENVMIRROR_E2E_KUBECONFIG (default bin/cluster/kubeconfig), ENVMIRROR_E2E_KUBECTL
// (default bin/k8s/kubectl), ENVMIRROR_E2E_MANAGER (default bin/manager), ENVMIRROR_CLUSTER_DIR
// (default bin/cluster; the audit log and the operator's log live there).
// The operator runs as a user holding only config/rbac/role.yaml (the rights `make deploy` gives
// it), which also tests the RBAC markers; ENVMIRROR_E2E_OPERATOR_RBAC=0 runs it as the cluster
// admin instead. The user's certificate is issued by bin/envmirror-cluster (ENVMIRROR_E2E_CLUSTER).
package e2e
