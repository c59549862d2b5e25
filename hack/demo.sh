#!/usr/bin/env bash
# `make demo` and `make demo-down`.
#
#   hack/demo.sh up     cluster up (idempotent), CRDs, the operator as a background process, a prod
#                       shop (config/samples/prod-shop) and a MirrorEnvironment copying it; waits
#                       until the environment is Ready, leaves everything running and shows the
#                       kubectl mirror commands to try.
#   hack/demo.sh down   stops the operator and the cluster.
#
# The Makefile passes BIN, CLUSTER, KUBECTL and ENVMIRROR_CLUSTER_DIR; the defaults below let the
# script run on its own from the repository root too (after `make cluster-up manifests`).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
BIN=${BIN:-$root/bin}
CLUSTER=${CLUSTER:-$BIN/envmirror-cluster}
KUBECTL=${KUBECTL:-$BIN/k8s/kubectl}
export ENVMIRROR_CLUSTER_DIR=${ENVMIRROR_CLUSTER_DIR:-$BIN/cluster}
export ENVMIRROR_K8S_ASSETS=${ENVMIRROR_K8S_ASSETS:-$BIN/k8s}
export ENVMIRROR_KWOK=${ENVMIRROR_KWOK:-$BIN/kwok}
KUBECONFIG_PATH=$ENVMIRROR_CLUSTER_DIR/kubeconfig
MANAGER_LOG=$ENVMIRROR_CLUSTER_DIR/logs/manager.log
DEMO_TIMEOUT=${DEMO_TIMEOUT:-300}   # seconds to wait for the environment to become Ready

ENV_NAMESPACE=dev-envs
ENV_NAME=checkout-fix-42
SOURCE_NAMESPACE=shop-prod

bold=$'\e[1m'; dim=$'\e[2m'; reset=$'\e[0m'
[ -t 1 ] || { bold=; dim=; reset=; }
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$reset"; }
k() { "$KUBECTL" --kubeconfig "$KUBECONFIG_PATH" "$@"; }
die() { printf '\ndemo: %s\n' "$*" >&2; exit 1; }

manager_log_tail() {
  printf '\n--- the last 40 lines of the operator log (%s) ---\n' "$MANAGER_LOG" >&2
  tail -n 40 "$MANAGER_LOG" >&2 2>/dev/null || echo "(no log)" >&2
}

up() {
  step "Local cluster (etcd, kube-apiserver, controller-manager, scheduler, KWOK nodes)"
  "$CLUSTER" up >/dev/null
  k get nodes

  step "CRDs (and the copy-writer ClusterRole)"
  k apply --server-side -f config/crd/bases
  k wait --for condition=Established --timeout=60s crd/mirrorenvironments.envmirror.io
  # The ClusterRole the operator binds to itself in each target namespace (part of config/rbac).
  if [ -d config/rbac/copywriter ]; then k apply --server-side -f config/rbac/copywriter; fi

  step "Operator (bin/manager, a local process: there is no container runtime here)"
  go build -o "$BIN/manager" .
  go build -o "$BIN/kubectl-mirror" ./cmd/kubectl-mirror   # the plugin the end of the demo shows
  "$CLUSTER" stop manager 2>/dev/null
  local port
  port=$("$CLUSTER" freeport)
  "$CLUSTER" spawn manager -- "$BIN/manager" --kubeconfig="$KUBECONFIG_PATH" --leader-elect=false \
    --metrics-bind-address=0 --health-probe-bind-address="127.0.0.1:$port"
  local i
  for i in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then break; fi
    if ! "$CLUSTER" running manager; then
      manager_log_tail; die "the operator exited during start"
    fi
    [ "$i" -lt 120 ] || { manager_log_tail; die "the operator did not become ready on 127.0.0.1:$port/readyz within 60s"; }
    sleep 0.5
  done
  echo "operator ready (health probes on 127.0.0.1:$port, log $MANAGER_LOG)"

  step "\"Production\": the shop in namespace $SOURCE_NAMESPACE (config/samples/prod-shop)"
  k apply -f config/samples/prod-shop/
  k -n "$SOURCE_NAMESPACE" wait --for condition=Available --timeout=180s deployment --all
  k -n "$SOURCE_NAMESPACE" rollout status statefulset/postgres --timeout=180s
  k -n "$SOURCE_NAMESPACE" get deployments,statefulsets,services
  echo
  echo "${dim}prod's pods report the image digests they run (KWOK fills imageID like a kubelet):${reset}"
  k -n "$SOURCE_NAMESPACE" get pods -o jsonpath='{range .items[*]}{range .status.containerStatuses[*]}  {.image}  ->  {.imageID}{"\n"}{end}{end}' | sort -u

  step "A MirrorEnvironment: branch feature/checkout-fix-42 gets a copy of prod"
  k apply -f config/samples/dev-envs.yaml
  k apply -f config/samples/envmirror_v1alpha1_mirrorenvironment.yaml

  step "Waiting for $ENV_NAMESPACE/$ENV_NAME to be Ready (up to ${DEMO_TIMEOUT}s)"
  local start=$SECONDS phase="" last="" failed_since=""
  while :; do
    phase=$(k -n "$ENV_NAMESPACE" get mirrorenvironments "$ENV_NAME" -o jsonpath='{.status.phase}' 2>/dev/null || true)
    if [ "$phase" != "$last" ]; then
      echo "  $((SECONDS - start))s: phase ${phase:-<none yet>}"
      last=$phase
    fi
    [ "$phase" = Ready ] && break
    if ! "$CLUSTER" running manager; then
      manager_log_tail; die "the operator exited (phase was ${phase:-unset})"
    fi
    # Failed may be on its way to a retry; a minute of it is an answer.
    if [ "$phase" = Failed ]; then failed_since=${failed_since:-$SECONDS}; else failed_since=""; fi
    if [ $((SECONDS - start)) -ge "$DEMO_TIMEOUT" ] || { [ -n "$failed_since" ] && [ $((SECONDS - failed_since)) -ge 60 ]; }; then
      echo >&2
      k -n "$ENV_NAMESPACE" get mirrorenvironments "$ENV_NAME" -o wide >&2 || true
      echo "conditions:" >&2
      k -n "$ENV_NAMESPACE" get mirrorenvironments "$ENV_NAME" \
        -o jsonpath='{range .status.conditions[*]}  {.type}={.status} {.reason}: {.message}{"\n"}{end}' >&2 || true
      manager_log_tail
      die "gave up after $((SECONDS - start))s waiting for phase Ready (now: ${phase:-unset}); everything is left running for a look (make demo-down stops it)"
    fi
    sleep 2
  done

  local target
  target=$(k -n "$ENV_NAMESPACE" get mirrorenvironments "$ENV_NAME" -o jsonpath='{.status.targetNamespace}')
  step "Ready in $((SECONDS - start))s"
  KUBECONFIG=$KUBECONFIG_PATH "$BIN/kubectl-mirror" ls
  echo
  k -n "$target" get deployments,statefulsets,jobs,services

  # Paths relative to the repository root when they are under it: shorter to paste.
  local kc="${KUBECTL#"$root"/} --kubeconfig ${KUBECONFIG_PATH#"$root"/}"
  local km="kubectl-mirror -n $ENV_NAMESPACE"
  cat <<EOF

${bold}The demo keeps running (from the repository root). Try:${reset}
  # the kubectl mirror plugin (bin/kubectl-mirror; with bin/ on PATH, kubectl mirror works too)
  export KUBECONFIG=${KUBECONFIG_PATH#"$root"/} PATH="\$PWD/bin:\$PATH"

  # every environment: branch, phase, ready, pinned, expiry, URL
  kubectl-mirror ls
  # the parity report per axis: prod's image vs the copy's, config keys, rows, drift, conditions
  $km status $ENV_NAME
  # how to reach it (the URL, or a port-forward to its frontend)
  $km open $ENV_NAME --print
  # the seeding Job's log (the simulated cluster has no kubelet: real clusters only)
  $km logs $ENV_NAME --seed orders-db

  # another branch gets its own copy, named after the branch; progress per axis until Ready
  $km up --branch feature/demo --from $SOURCE_NAMESPACE --set api=registry.example/shop/api:sha-demo --wait
  # one more day from now; then remove it (its namespace goes with it)
  $km extend --branch feature/demo +24h
  $km down --branch feature/demo --wait

  # the copy: prod's services at prod's exact digests, scaled down (kubectl)
  $kc -n $target get pods
  $kc -n $SOURCE_NAMESPACE get pods -o 'custom-columns=NAME:.metadata.name,IMAGE_IDS:.status.containerStatuses[*].imageID'

  # a secret: same keys and type, none of prod's values
  $kc -n $SOURCE_NAMESPACE get secret api-secrets -o jsonpath='{.data.STRIPE_SECRET_KEY}' | base64 -d; echo
  $kc -n $target get secret api-secrets -o jsonpath='{.data.STRIPE_SECRET_KEY}' | base64 -d; echo

  # the operator's log; stop everything
  tail -f ${MANAGER_LOG#"$root"/}
  make demo-down
EOF
}

down() {
  "$CLUSTER" stop manager
  "$CLUSTER" down
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
