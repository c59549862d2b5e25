# envmirror Makefile. Everything the project needs is built from the Go module proxy (or, for
# PostgreSQL, installed from Debian's packages) by the targets below; nothing is assumed to be on
# the machine but Go.

SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec

IMG ?= envmirror/manager:dev
K8S_VERSION ?= v1.37.2
BIN := $(CURDIR)/bin
export PATH := $(BIN):$(PATH)

CONTROLLER_GEN := $(BIN)/controller-gen
KUSTOMIZE := $(BIN)/kustomize
KWOK := $(BIN)/kwok
# The control-plane binaries live in a per-user cache keyed by version (see hack/build-k8s.sh);
# bin/k8s points at it.
K8S_ASSETS := $(BIN)/k8s
# kubectl: KUBECTL=... when given; else bin/k8s/kubectl when it was built (the version the project
# tests against; the machine's /usr/bin/kubectl may be an old dispatcher that rejects --kubeconfig
# before the subcommand); else the kubectl on PATH. Only when there is none does `make kubectl`
# build one. Expanded at each use, so a bin/k8s built by an earlier prerequisite is picked up.
KUBECTL ?= $(or $(wildcard $(K8S_ASSETS)/kubectl),$(shell command -v kubectl 2>/dev/null),$(K8S_ASSETS)/kubectl)
HELM := $(BIN)/helm
CHART := charts/envmirror
DIST := dist
# The image's version stamp (main.version) and the platforms of docker-buildx.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
CONTAINER_TOOL ?= docker
PLATFORMS ?= linux/amd64,linux/arm64
# Extra flags for the manager started by `make run`, e.g. RUN_ARGS='--watch-namespaces=dev-envs'.
RUN_ARGS ?=

# Packages of the unit and envtest suites (the e2e suite needs the local cluster: make test-e2e).
UNIT_PKGS = $$(go list ./... | grep -v /test/e2e)
# make fuzz (run by CI after make test) fuzzes each target for a number of executions, not seconds: with a duration, Go 1.26's
# fuzz coordinator can report a spurious "context deadline exceeded" failure when the time runs
# out mid-execution (golang/go#75804, fixed in Go 1.27). By hand: make fuzz FUZZTIME=10m.
FUZZTIME ?= 10000x

.PHONY: all
all: build

##@ Help
.PHONY: help
help: ## Show the targets.
	@awk 'BEGIN {FS = ":.*##"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) }' $(MAKEFILE_LIST)

##@ Development
.PHONY: manifests
manifests: $(CONTROLLER_GEN) ## Generate the CRD and RBAC manifests from the markers in api/ and controllers/.
	$(CONTROLLER_GEN) rbac:roleName=envmirror-manager crd paths="./api/..." paths="./controllers" \
		output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac
	$(CONTROLLER_GEN) rbac:roleName=envmirror-copy-writer paths="./controllers/copywriter" \
		output:rbac:artifacts:config=config/rbac/copywriter
	@$(MAKE) --no-print-directory chart-sync >/dev/null

.PHONY: generate
generate: $(CONTROLLER_GEN) ## Generate DeepCopy methods.
	$(CONTROLLER_GEN) object:headerFile=hack/boilerplate.go.txt paths="./api/..."

.PHONY: verify-gen
verify-gen: generate manifests ## Fail when generated files are stale (run `make generate manifests`).
	@changed=$$(git status --porcelain -- api config/crd config/rbac $(CHART)/crds $(CHART)/files/rbac); \
	if [ -n "$$changed" ]; then \
		echo "generated files are out of date; run 'make generate manifests' and commit:"; \
		echo "$$changed"; git --no-pager diff --stat -- api config/crd config/rbac $(CHART); exit 1; \
	fi

.PHONY: fmt
fmt: ## Run gofmt (fails on unformatted files in CI).
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

.PHONY: vet
vet: ## Run go vet.
	go vet ./...

.PHONY: test
test: generate manifests fmt vet k8s-assets ## Run the unit, envtest and PostgreSQL suites (fuzz targets run their seed corpora; `make fuzz` fuzzes).
	KUBEBUILDER_ASSETS=$(K8S_ASSETS) hack/with-postgres.sh hack/with-services.sh go test $(UNIT_PKGS) -count=1 -timeout 30m

.PHONY: fuzz
fuzz: ## Run every fuzz target for FUZZTIME each (default 10000 executions; longer by hand: make fuzz FUZZTIME=10m).
	@# A package whose tests do not compile must fail here, not drop its targets silently: the
	@# listing runs on its own so that its exit status counts (grep finding no target is fine).
	@for pkg in $$(go list ./api/... ./internal/... ./controllers/... ./hack/...); do \
		listed=$$(go test -list '^Fuzz' $$pkg) || { echo "fuzz: cannot list the fuzz targets of $$pkg"; exit 1; }; \
		for target in $$(echo "$$listed" | grep '^Fuzz' || true); do \
			echo "fuzz $$pkg $$target ($(FUZZTIME))"; \
			go test $$pkg -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) || exit 1; \
		done; \
	done

.PHONY: bench
bench: ## Run the benchmarks (seeding throughput needs PostgreSQL, started by hack/with-postgres.sh).
	hack/with-postgres.sh go test ./... -run '^$$' -bench . -benchmem

.PHONY: envtest-kubeconfig
envtest-kubeconfig: k8s-assets ## Start a standalone envtest API server with the CRDs; prints a kubeconfig path.
	KUBEBUILDER_ASSETS=$(K8S_ASSETS) go run ./hack/envtest-kubeconfig

##@ Build
.PHONY: build
build: generate build-plugin ## Build the manager binary and the kubectl mirror plugin.
	go build -o $(BIN)/manager .

.PHONY: run
run: install ## Install the CRD and run the manager here, against the current kubeconfig (RUN_ARGS=... adds flags).
	go run . --leader-elect=false $(RUN_ARGS)

.PHONY: docker-build
docker-build: ## Build the manager image IMG (needs a container engine; CONTAINER_TOOL=podman works too).
	$(CONTAINER_TOOL) build --build-arg VERSION=$(VERSION) -t $(IMG) .

.PHONY: docker-push
docker-push: ## Push the manager image IMG.
	$(CONTAINER_TOOL) push $(IMG)

.PHONY: docker-buildx
docker-buildx: ## Build and push IMG for PLATFORMS (default linux/amd64,linux/arm64) with docker buildx.
	$(CONTAINER_TOOL) buildx build --push --platform=$(PLATFORMS) --build-arg VERSION=$(VERSION) -t $(IMG) .

.PHONY: build-installer
build-installer: kubectl ## Render dist/install.yaml: CRD, RBAC, namespace, the manager Deployment running IMG, metrics Service.
	@mkdir -p $(DIST)
	@# A throwaway overlay in dist/ sets the image: kustomize roots must be relative paths. The tag
	@# is quoted: a version that is a commit's short hash can be all digits, which YAML reads as
	@# a number and kustomize refuses.
	@overlay=$$(mktemp -d $(DIST)/.overlay.XXXXXX) && trap 'rm -rf "$$overlay"' EXIT && \
	name='$(IMG)' && pin="newTag: latest" && \
	case "$$name" in *@*) pin="digest: $${name#*@}"; name=$${name%@*} ;; esac && \
	last=$${name##*/} && \
	if [[ $$last == *:* ]]; then [[ $$pin == digest:* ]] || pin="newTag: '$${name##*:}'"; name=$${name%:*}; fi && \
	printf 'resources:\n- %s\nimages:\n- name: envmirror/manager\n  newName: %s\n  %s\n' \
		../../config/default "$$name" "$$pin" > "$$overlay/kustomization.yaml" && \
	$(KUBECTL) kustomize "$$overlay" > $(DIST)/install.yaml.tmp && mv $(DIST)/install.yaml.tmp $(DIST)/install.yaml
	@echo "wrote $(DIST)/install.yaml (image $(IMG))"

##@ Deployment (need only kubectl: the one on PATH, or KUBECTL=...)
.PHONY: kubectl
kubectl: ## Make sure there is a kubectl; build bin/k8s/kubectl only when there is none (minutes, once per user).
	@if ! command -v "$(KUBECTL)" >/dev/null; then \
		echo "no kubectl on PATH: building one (KUBECTL=... uses yours)" >&2; \
		dir=$$(hack/build-k8s.sh kubectl) && mkdir -p $(BIN) && ln -sfn "$$dir" $(K8S_ASSETS); \
	fi

.PHONY: install
install: kubectl ## Install the CRD and the copy-writer ClusterRole into the current kubeconfig's cluster.
	$(KUBECTL) apply --server-side -f config/crd/bases -f config/rbac/copywriter/role.yaml
	hack/wait-established.sh $(KUBECTL) -- mirrorenvironments.envmirror.io mirrorsources.envmirror.io

.PHONY: uninstall
uninstall: kubectl ## Remove the CRD (and so every MirrorEnvironment) and the copy-writer ClusterRole.
	$(KUBECTL) delete --ignore-not-found -f config/crd/bases -f config/rbac/copywriter/role.yaml

.PHONY: deploy
deploy: build-installer ## Deploy the operator running IMG (dist/install.yaml) to the current kubeconfig's cluster.
	$(KUBECTL) apply --server-side -f $(DIST)/install.yaml

.PHONY: undeploy
undeploy: build-installer ## Remove the operator, its CRD and RBAC.
	$(KUBECTL) delete --ignore-not-found -f $(DIST)/install.yaml

##@ Helm chart (charts/envmirror)
.PHONY: chart-sync
chart-sync: ## Copy the generated CRDs and RBAC rules from config/ into the chart (after make manifests).
	rm -rf $(CHART)/crds && mkdir -p $(CHART)/crds $(CHART)/files/rbac
	cp config/crd/bases/*.yaml $(CHART)/crds/
	cp config/rbac/role.yaml $(CHART)/files/rbac/manager-role.yaml
	cp config/rbac/copywriter/role.yaml $(CHART)/files/rbac/copy-writer-role.yaml

.PHONY: verify-chart
verify-chart: ## Fail when the chart's CRDs or RBAC rules differ from config/ (run make chart-sync).
	@ok=1; \
	diff -r config/crd/bases $(CHART)/crds || ok=0; \
	diff config/rbac/role.yaml $(CHART)/files/rbac/manager-role.yaml || ok=0; \
	diff config/rbac/copywriter/role.yaml $(CHART)/files/rbac/copy-writer-role.yaml || ok=0; \
	if [ $$ok = 0 ]; then echo "the chart's CRDs or RBAC rules are stale: run 'make chart-sync' and commit"; exit 1; fi

.PHONY: helm
helm: $(HELM) ## Build Helm (pinned in hack/tools/helm; cached per user).

.PHONY: test-chart
test-chart: verify-chart $(HELM) build-installer ## helm lint; helm template and dist/install.yaml applied with --dry-run=server to the current kubeconfig's cluster.
	$(HELM) lint --strict $(CHART)
	for values in $(CHART)/ci/*-values.yaml; do $(HELM) lint --strict $(CHART) -f "$$values"; done
	$(HELM) template envmirror $(CHART) -f $(CHART)/ci/full-values.yaml \
		--api-versions monitoring.coreos.com/v1/ServiceMonitor >/dev/null
	@# A server-side dry run cannot create the namespace the rest lives in: create them for real.
	@# The chart renders a release of its own (envmirror-chart), so that it never collides with
	@# a real install from dist/install.yaml (a Deployment's selector cannot change);
	@# --force-conflicts because the objects may exist, applied by another field manager.
	$(KUBECTL) apply --server-side -f config/manager/namespace.yaml
	printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: envmirror-chart\n  labels: {pod-security.kubernetes.io/enforce: restricted}\n' | \
		$(KUBECTL) apply --server-side -f -
	$(HELM) template envmirror-chart $(CHART) --namespace envmirror-chart --include-crds | \
		$(KUBECTL) apply --server-side --force-conflicts --dry-run=server --field-manager=envmirror-test-chart -f -
	$(KUBECTL) apply --server-side --force-conflicts --dry-run=server --field-manager=envmirror-test-chart -f $(DIST)/install.yaml

# The local simulated cluster, `make demo` and the e2e suite.
include hack/cluster.mk

##@ Tools (built from source, pinned in hack/tools/*/go.mod)
.PHONY: k8s-assets
k8s-assets: ## Build etcd, kube-apiserver and kubectl (first run ~12 min on 2 cores; cached per user).
	@dir=$$(hack/build-k8s.sh etcd kube-apiserver kubectl) && mkdir -p $(BIN) && ln -sfn "$$dir" $(K8S_ASSETS)

.PHONY: k8s-cluster-assets
k8s-cluster-assets: k8s-assets ## Also build kube-controller-manager and kube-scheduler.
	@hack/build-k8s.sh kube-controller-manager kube-scheduler >/dev/null

$(HELM): hack/tools/helm/go.mod hack/tools/helm/build.sh
	@mkdir -p $(BIN) && ln -sfn "$$(hack/tools/helm/build.sh)" $@

$(CONTROLLER_GEN): hack/tools/codegen/go.mod
	cd hack/tools/codegen && go build -o $@ sigs.k8s.io/controller-tools/cmd/controller-gen

$(KUSTOMIZE): hack/tools/codegen/go.mod
	cd hack/tools/codegen && go build -o $@ sigs.k8s.io/kustomize/kustomize/v5

$(KWOK): hack/tools/kwok/go.mod hack/build-k8s.sh
	@mkdir -p $(BIN) && ln -sfn "$$(hack/build-k8s.sh kwok)/kwok" $@

.PHONY: clean
clean: ## Remove bin/ (the per-user control-plane cache stays).
	rm -rf $(BIN) cover.out

##@ kubectl mirror and docs
CRD_REF_DOCS := $(BIN)/crd-ref-docs
API_REFERENCE := docs/reference/api.md

.PHONY: build-plugin
build-plugin: ## Build the kubectl mirror plugin into bin/kubectl-mirror (with bin/ on PATH: kubectl mirror --help).
	go build -ldflags '-s -w' -o $(BIN)/kubectl-mirror ./cmd/kubectl-mirror

.PHONY: docs
docs: $(CRD_REF_DOCS) ## Generate the API reference (docs/reference/api.md) from the Go types in api/.
	$(CRD_REF_DOCS) --source-path=./api --config=hack/tools/docs/config.yaml --renderer=markdown \
		--output-path=$(API_REFERENCE) --log-level=ERROR

.PHONY: verify-docs
verify-docs: docs ## Fail when the API reference is stale (run `make docs` and commit).
	@changed=$$(git status --porcelain -- $(API_REFERENCE)); \
	if [ -n "$$changed" ]; then \
		echo "$(API_REFERENCE) is out of date; run 'make docs' and commit:"; \
		git --no-pager diff --stat -- $(API_REFERENCE); exit 1; \
	fi

$(CRD_REF_DOCS): hack/tools/docs/go.mod
	cd hack/tools/docs && go build -o $@ github.com/elastic/crd-ref-docs

##@ Scale benchmark (not in CI)
# The benchmark runs on a cluster of its own (the e2e cluster stays as it is), with KWOK nodes
# enough for its pods. BENCH_ENVIRONMENTS are the environment counts it measures at (the first
# environment is always a stage of its own); BENCH_RESYNC_INTERVAL is the manager's
# --resync-interval (the window at rest lasts two); BENCH_ARGS passes further flags, e.g.
# BENCH_ARGS='--rest=30s --unrelated=10'; BENCH_KEEP=1 keeps the cluster afterwards
# (make bench-scale-down removes it).
BENCH_CLUSTER_DIR ?= $(BIN)/cluster-bench
BENCH_NODES ?= 20
BENCH_ENVIRONMENTS ?= 20,100
BENCH_RESYNC_INTERVAL ?= 2m
BENCH_MODE ?=
BENCH_ARGS ?=
BENCH_KEEP ?=
BENCH_CLUSTER_ENV = ENVMIRROR_NODES=$(BENCH_NODES) ENVMIRROR_CLUSTER_DIR=$(BENCH_CLUSTER_DIR) \
	ENVMIRROR_K8S_ASSETS=$(K8S_ASSETS) ENVMIRROR_KWOK=$(KWOK)
# The thousand-environment mode: a small prod (two workloads, a ConfigMap, a Secret) that the
# simulated control plane holds a thousand copies of on 2 cores, no unrelated namespaces (the
# default run measures those), and the floor: the same copies by a raw server-side apply.
BENCH_1000_ENVIRONMENTS ?= 100,1000
BENCH_1000_NODES ?= 25
BENCH_1000_MODE ?= --small-prod --floor --unrelated=0 --timeout=100m

.PHONY: bench-scale
bench-scale: k8s-cluster-assets $(KWOK) $(CLUSTER) ## Print the manager's memory, API requests, reconcile latency, resyncs at rest and deletion at 1, 20 and 100 environments of the sample shop (~15 min).
	go build -o $(BIN)/manager .
	go build -o $(BIN)/benchscale ./hack/benchscale
	@# A fresh cluster every run: `up` on a folder left by an earlier run (BENCH_KEEP=1, or a
	@# run cut short) restarts it with its data, environments and floor namespaces included.
	@$(BENCH_CLUSTER_ENV) $(CLUSTER) down >/dev/null
	@$(BENCH_CLUSTER_ENV) $(CLUSTER) up >/dev/null
	@status=0; $(BENCH_CLUSTER_ENV) $(BIN)/benchscale --cluster-dir=$(BENCH_CLUSTER_DIR) --cluster-tool=$(CLUSTER) \
		--manager=$(BIN)/manager --out=$(BIN)/bench-scale --environments=$(BENCH_ENVIRONMENTS) \
		--resync-interval=$(BENCH_RESYNC_INTERVAL) $(BENCH_MODE) $(BENCH_ARGS) || status=$$?; \
	if [ -z "$(BENCH_KEEP)" ]; then $(BENCH_CLUSTER_ENV) $(CLUSTER) down; fi; exit $$status

.PHONY: bench-scale-1000
bench-scale-1000: ## The same with 1,000 environments of a small prod, timed against a raw server-side apply of the same objects (~1 h on 2 shared cores).
	@$(MAKE) --no-print-directory bench-scale BENCH_ENVIRONMENTS=$(BENCH_1000_ENVIRONMENTS) BENCH_NODES=$(BENCH_1000_NODES) \
		BENCH_MODE='$(BENCH_1000_MODE)'

.PHONY: bench-scale-down
bench-scale-down: $(CLUSTER) ## Remove the benchmark's cluster (after BENCH_KEEP=1).
	@$(BENCH_CLUSTER_ENV) $(CLUSTER) down
