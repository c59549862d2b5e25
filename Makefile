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
KUBECTL := $(K8S_ASSETS)/kubectl

# Packages of the unit and envtest suites (the e2e suite needs the local cluster: make test-e2e).
UNIT_PKGS = $$(go list ./... | grep -v /test/e2e)
# make test fuzzes each target for a number of executions, not seconds: with a duration, Go 1.26's
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

.PHONY: generate
generate: $(CONTROLLER_GEN) ## Generate DeepCopy methods.
	$(CONTROLLER_GEN) object:headerFile=hack/boilerplate.go.txt paths="./api/..."

.PHONY: verify-gen
verify-gen: generate manifests ## Fail when generated files are stale (run `make generate manifests`).
	@changed=$$(git status --porcelain -- api config/crd config/rbac); \
	if [ -n "$$changed" ]; then \
		echo "generated files are out of date; run 'make generate manifests' and commit:"; \
		echo "$$changed"; git --no-pager diff --stat -- api config/crd config/rbac; exit 1; \
	fi

.PHONY: fmt
fmt: ## Run gofmt (fails on unformatted files in CI).
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

.PHONY: vet
vet: ## Run go vet.
	go vet ./...

.PHONY: test
test: generate manifests fmt vet k8s-assets ## Run the unit, envtest and PostgreSQL suites, plus short fuzzing.
	KUBEBUILDER_ASSETS=$(K8S_ASSETS) hack/with-postgres.sh go test $(UNIT_PKGS) -count=1 -timeout 30m
	$(MAKE) fuzz FUZZTIME=$(FUZZTIME)

.PHONY: fuzz
fuzz: ## Run every fuzz target for FUZZTIME each (default 10000 executions; longer by hand: make fuzz FUZZTIME=10m).
	@for pkg in $$(go list ./internal/...); do \
		for target in $$(go test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
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
build: generate ## Build the manager binary.
	go build -o $(BIN)/manager .

.PHONY: run
run: install ## Install the CRD into the current kubeconfig's cluster and run the manager here.
	go run . --leader-elect=false

.PHONY: docker-build
docker-build: ## Build the manager image (needs a Docker engine).
	docker build -t $(IMG) .

##@ Deployment
.PHONY: install
install: manifests generate k8s-assets ## Install the CRD and the copy-writer ClusterRole into the current kubeconfig's cluster.
	$(KUBECTL) apply --server-side -f config/crd/bases -f config/rbac/copywriter/role.yaml

.PHONY: uninstall
uninstall: manifests k8s-assets ## Remove the CRD and the copy-writer ClusterRole.
	$(KUBECTL) delete --ignore-not-found -f config/crd/bases -f config/rbac/copywriter/role.yaml

.PHONY: deploy
deploy: manifests $(KUSTOMIZE) k8s-assets ## Deploy the operator with config/default.
	cd config/manager && $(KUSTOMIZE) edit set image controller=$(IMG)
	$(KUSTOMIZE) build config/default | $(KUBECTL) apply --server-side -f -

.PHONY: undeploy
undeploy: $(KUSTOMIZE) k8s-assets ## Remove the operator.
	$(KUSTOMIZE) build config/default | $(KUBECTL) delete --ignore-not-found -f -

# The local simulated cluster, `make demo` and the e2e suite.
include hack/cluster.mk

##@ Tools (built from source, pinned in hack/tools/*/go.mod)
.PHONY: k8s-assets
k8s-assets: ## Build etcd, kube-apiserver and kubectl (first run ~12 min on 2 cores; cached per user).
	@dir=$$(hack/build-k8s.sh etcd kube-apiserver kubectl) && mkdir -p $(BIN) && ln -sfn "$$dir" $(K8S_ASSETS)

.PHONY: k8s-cluster-assets
k8s-cluster-assets: k8s-assets ## Also build kube-controller-manager and kube-scheduler.
	@hack/build-k8s.sh kube-controller-manager kube-scheduler >/dev/null

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
