# The local simulated cluster (hack/cluster), `make demo` (hack/demo.sh) and the e2e suite
# (test/e2e). Included by the Makefile. No container runtime is needed: etcd, the control plane
# and KWOK run as local processes; the operator runs as a local process too.

# Where the cluster keeps its state: certificates, etcd data, logs, PIDs and the kubeconfig.
CLUSTER_DIR ?= $(BIN)/cluster
CLUSTER_KUBECONFIG := $(CLUSTER_DIR)/kubeconfig
CLUSTER := $(BIN)/envmirror-cluster
CLUSTER_ENV := ENVMIRROR_CLUSTER_DIR=$(CLUSTER_DIR) ENVMIRROR_K8S_ASSETS=$(K8S_ASSETS) ENVMIRROR_KWOK=$(KWOK) \
	ENVMIRROR_NODE_ASSETS=$(BIN)/node
# ENVMIRROR_REAL_NODE=1 gives a new cluster a real node (root, Linux; see hack/realnode.mk): the
# node's binaries and images are built first.
ENVMIRROR_REAL_NODE ?=
export ENVMIRROR_REAL_NODE
# Beside a real node KWOK nodes are only there when ENVMIRROR_NODES asks for some.
REAL_NODE_MODE := $(filter 1 true yes,$(ENVMIRROR_REAL_NODE))
CLUSTER_PREREQS := k8s-cluster-assets $(CLUSTER) $(if $(REAL_NODE_MODE),node-assets node-images $(if $(ENVMIRROR_NODES),$(KWOK)),$(KWOK))
E2E_TIMEOUT ?= 40m
# Extra arguments for the e2e suite, e.g. E2E_ARGS='-ginkgo.focus=ttl'. The suite runs the operator
# with only config/rbac/role.yaml's rights (ENVMIRROR_E2E_OPERATOR_RBAC=0: as the cluster admin).
E2E_ARGS ?=

$(CLUSTER): $(wildcard hack/cluster/*.go) hack/cluster/kwok-stages.yaml hack/cluster/node-addons.yaml go.mod
	go build -o $@ ./hack/cluster

##@ Local cluster and demo
.PHONY: cluster-up
cluster-up: $(CLUSTER_PREREQS) ## Start the local cluster (etcd, control plane, KWOK nodes; ENVMIRROR_REAL_NODE=1: a real node too); idempotent.
	@$(CLUSTER_ENV) $(CLUSTER) up >/dev/null
	@echo "kubeconfig: $(CLUSTER_KUBECONFIG)   (e.g. $(KUBECTL) --kubeconfig $(CLUSTER_KUBECONFIG) get nodes)"

.PHONY: cluster-down
cluster-down: $(CLUSTER) ## Stop the local cluster (and anything started with it) and remove its state.
	@$(CLUSTER_ENV) $(CLUSTER) down

.PHONY: cluster-hostcheck
cluster-hostcheck: $(CLUSTER) ## After a real node's cluster-down: fail unless the machine is as it was before its cluster-up.
	@$(CLUSTER_ENV) $(CLUSTER) hostcheck

.PHONY: cluster-status
cluster-status: $(CLUSTER) ## Show the local cluster's processes and nodes.
	@$(CLUSTER_ENV) $(CLUSTER) status

# make demo runs on a real node where the machine allows it (Linux, root), else on KWOK nodes;
# DEMO_KWOK=1 asks for KWOK anyway.
DEMO_KWOK ?=
DEMO_REAL_NODE := $(if $(DEMO_KWOK),,$(shell [ "$$(uname -s)" = Linux ] && [ "$$(id -u)" = 0 ] && echo 1))

.PHONY: demo
demo: k8s-cluster-assets $(CLUSTER) manifests $(if $(DEMO_REAL_NODE),node-assets node-images,$(KWOK)) ## Start the cluster (a real node where Linux and root allow) and the operator, a prod and a MirrorEnvironment; wait for Ready; on a real node, count rows in the copy's database.
	@BIN=$(BIN) CLUSTER=$(CLUSTER) KUBECTL=$(KUBECTL) $(CLUSTER_ENV) ENVMIRROR_REAL_NODE=$(DEMO_REAL_NODE) \
		NODE_MANAGER_IMG=$(NODE_MANAGER_IMG) hack/demo.sh up

.PHONY: demo-down
demo-down: $(CLUSTER) ## Stop the demo's operator and the cluster (a real node's host changes are undone and checked).
	@BIN=$(BIN) CLUSTER=$(CLUSTER) KUBECTL=$(KUBECTL) $(CLUSTER_ENV) hack/demo.sh down

.PHONY: test-e2e
test-e2e: cluster-up manifests $(CLUSTER) $(HELM) ## Run the end-to-end suite against the local cluster (starts its own operator).
	go build -o $(BIN)/manager .
	go build -o $(BIN)/kubectl-mirror ./cmd/kubectl-mirror
	ENVMIRROR_E2E_KUBECONFIG=$(CLUSTER_KUBECONFIG) ENVMIRROR_E2E_KUBECTL=$(KUBECTL) ENVMIRROR_E2E_HELM=$(HELM) \
	ENVMIRROR_E2E_PLUGIN=$(BIN)/kubectl-mirror \
	ENVMIRROR_E2E_MANAGER=$(BIN)/manager ENVMIRROR_E2E_CLUSTER=$(CLUSTER) ENVMIRROR_CLUSTER_DIR=$(CLUSTER_DIR) \
		go test -tags e2e ./test/e2e/ -v -count=1 -timeout $(E2E_TIMEOUT) -ginkgo.v $(E2E_ARGS)

include hack/realnode.mk
