# The real node of the local cluster (hack/cluster with ENVMIRROR_REAL_NODE=1), its images and the
# real-pod suite (test/realpods). Included by hack/cluster.mk. Needs root on Linux.
#
#   make cluster-up ENVMIRROR_REAL_NODE=1   the cluster with a real node (kubelet + containerd)
#   make node-assets node-images            only build what the real node runs
#   make test-realpods                      the real-pod suite on its own cluster, then down and
#                                           the host check

NODE_ASSETS := $(BIN)/node
NODE_IMAGES := $(NODE_ASSETS)/images
# The operator's image on the real node: the Dockerfile's, built with `go build` (same flags).
NODE_MANAGER_IMG ?= envmirror/manager:$(VERSION)
# The real-pod suite's cluster, apart from the e2e suite's KWOK one.
REALPODS_CLUSTER_DIR ?= $(BIN)/cluster-realpods
REALPODS_TIMEOUT ?= 45m
# Extra arguments, e.g. REALPODS_ARGS='-ginkgo.label-filter=smoke' (the node alone), or
# '-ginkgo.label-filter=!issue18-defect' (leave out the specs that fail on known operator defects).
REALPODS_ARGS ?=
REALPODS_CLUSTER_ENV = ENVMIRROR_REAL_NODE=1 ENVMIRROR_CLUSTER_DIR=$(REALPODS_CLUSTER_DIR) \
	ENVMIRROR_K8S_ASSETS=$(K8S_ASSETS) ENVMIRROR_KWOK=$(KWOK) ENVMIRROR_NODE_ASSETS=$(NODE_ASSETS)

##@ Real node (root, Linux)
.PHONY: node-packages
node-packages: ## Install containerd, runc, iptables, ipset, conntrack and the engines from Debian's packages when missing.
	@hack/cluster/node/install-packages.sh

.PHONY: node-assets
node-assets: node-packages ## Build kubelet, kube-proxy, the CNI plugins, CoreDNS, kube-router and local-path-provisioner (cached per user).
	@mkdir -p $(NODE_ASSETS)
	@dir=$$(hack/build-k8s.sh kubelet kube-proxy) && ln -sfn "$$dir/kubelet" $(NODE_ASSETS)/kubelet && \
		ln -sfn "$$dir/kube-proxy" $(NODE_ASSETS)/kube-proxy
	@hack/cluster/node/build.sh | while read -r name dir; do \
		case $$name in \
			cni) ln -sfn "$$dir" $(NODE_ASSETS)/cni ;; \
			local-path) ln -sfn "$$dir/local-path-provisioner" $(NODE_ASSETS)/local-path-provisioner ;; \
			*) ln -sfn "$$dir/$$name" $(NODE_ASSETS)/$$name ;; \
		esac; \
	done

.PHONY: node-images
node-images: node-packages ## Build the node's images (pause, busybox, CoreDNS, the manager, PostgreSQL, Redis, RabbitMQ, MariaDB) as OCI archives (cached by content).
	@mkdir -p $(NODE_ASSETS)
	@CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o $(NODE_ASSETS)/manager .
	@go run ./hack/images -out $(NODE_IMAGES) -repo $(CURDIR) -coredns $(NODE_ASSETS)/coredns \
		-manager $(NODE_ASSETS)/manager -manager-image $(NODE_MANAGER_IMG)

.PHONY: test-realpods
test-realpods: k8s-cluster-assets $(CLUSTER) node-assets node-images manifests ## The real-pod suite on a real node of its own (root, Linux): up, run, down and the host check.
	@$(MAKE) --no-print-directory build-installer IMG=$(NODE_MANAGER_IMG) >/dev/null
	@$(REALPODS_CLUSTER_ENV) $(CLUSTER) up >/dev/null
	@status=0; \
	ENVMIRROR_REALPODS_KUBECONFIG=$(REALPODS_CLUSTER_DIR)/kubeconfig ENVMIRROR_REALPODS_KUBECTL=$(K8S_ASSETS)/kubectl \
	ENVMIRROR_NODE_IMAGES=$(NODE_IMAGES) ENVMIRROR_REALPODS_MANAGER_IMAGE=$(NODE_MANAGER_IMG) \
	ENVMIRROR_CLUSTER_DIR=$(REALPODS_CLUSTER_DIR) ENVMIRROR_REALPODS_CLUSTER=$(CLUSTER) \
		go test -tags realpods ./test/realpods/ -v -count=1 -timeout $(REALPODS_TIMEOUT) -ginkgo.v $(REALPODS_ARGS) || status=$$?; \
	if [ $$status -ne 0 ]; then \
		kept=$(BIN)/realpods-failed-$$(date +%Y%m%dT%H%M%S); mkdir -p $$kept; \
		cp -r $(REALPODS_CLUSTER_DIR)/logs $$kept/ 2>/dev/null || true; \
		iptables-save > $$kept/iptables-save.txt 2>&1 || true; \
		echo "== the suite failed: the node's logs and iptables as they were are kept in $$kept (down removes the cluster)"; \
		for log in kube-proxy kube-router kubelet; do \
			echo "== the last lines of $$log.log"; tail -n 30 $$kept/logs/$$log.log 2>/dev/null || true; \
		done; \
	fi; \
	echo "== taking the real node down and checking that the host is as it was"; \
	$(REALPODS_CLUSTER_ENV) $(CLUSTER) down || status=1; \
	exit $$status

.PHONY: realpods-down
realpods-down: $(CLUSTER) ## Take down the real-pod suite's cluster (after an interrupted run) and check the host.
	@$(REALPODS_CLUSTER_ENV) $(CLUSTER) down
