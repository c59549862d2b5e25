#!/usr/bin/env bash
# `make demo` and `make demo-down`.
#
#   hack/demo.sh up     cluster up (idempotent), CRDs, the operator as a background process, a prod
#                       shop (config/samples/prod-shop) and a MirrorEnvironment copying it; waits
#                       until the environment is Ready, leaves everything running and shows the
#                       kubectl mirror commands to try.
#   hack/demo.sh down   stops the operator and the cluster (a real node's too: everything it
#                       changed on the host is undone, and checked).
#
# Where the machine allows it (Linux, root) the cluster gets a real node (ENVMIRROR_REAL_NODE=1:
# kubelet, containerd, CNI, kube-proxy, CoreDNS, PVCs, NetworkPolicies) and the demo runs a prod
# that really runs (hack/demo/realnode): prod's PostgreSQL holds a schema and rows, the
# environment's stand-in starts, its seeding Job seeds it, and the demo ends by counting rows in
# the copy's database next to prod's. Elsewhere (or with DEMO_KWOK=1) it runs the simulated
# cluster and config/samples, where nothing runs in containers.
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
# The real node's mode, decided by the Makefile (Linux and root, unless DEMO_KWOK=1).
REAL_NODE=${ENVMIRROR_REAL_NODE:-}
[ "$REAL_NODE" = 1 ] || REAL_NODE=
NODE_MANAGER_IMG=${NODE_MANAGER_IMG:-envmirror/manager:dev}

bold=$'\e[1m'; dim=$'\e[2m'; reset=$'\e[0m'
[ -t 1 ] || { bold=; dim=; reset=; }
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$reset"; }
k() { "$KUBECTL" --kubeconfig "$KUBECONFIG_PATH" "$@"; }
die() { printf '\ndemo: %s\n' "$*" >&2; exit 1; }

# wait_available NS waits until every Deployment of NS is Available. Polled, not `kubectl wait`:
# that fails at once when it meets an object before its controller wrote any condition
# (".status.conditions accessor error: <nil>"), the race of hack/wait-established.sh.
wait_available() {
  local deadline=$((SECONDS + 180)) states
  while :; do
    states=$(k -n "$1" get deployments -o 'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Available")].status}{","}{end}' 2>/dev/null || true)
    if [ -n "$states" ] && [ "${states//True,/}" = "" ]; then return 0; fi
    [ $SECONDS -lt $deadline ] || die "the Deployments of $1 did not become Available within 180s: $(k -n "$1" get deployments 2>&1)"
    sleep 0.5
  done
}

manager_log_tail() {
  printf '\n--- the last 40 lines of the operator log (%s) ---\n' "$MANAGER_LOG" >&2
  tail -n 40 "$MANAGER_LOG" >&2 2>/dev/null || echo "(no log)" >&2
}

# host_changes says, before anything starts, what a real node changes on the machine.
host_changes() {
  cat <<EOF
${bold}This demo runs a real node on this machine (root, Linux). Until 'make demo-down' it changes:${reset}
  - runs containerd, kubelet, kube-proxy, kube-router and local-path-provisioner as root
    (besides etcd and the control plane), and their containers;
  - iptables: kube-proxy's KUBE-* chains, kube-router's KUBE-ROUTER-*, KUBE-POD-FW-*, KUBE-NWPLCY-*
    chains and KUBE-* ipsets, the CNI's CNI-* chains (IPv4 and IPv6 tables);
  - a bridge envmirror0 (pods in 10.245.0.0/16), the pods' veths and network namespaces;
  - sysctls: net.ipv4.ip_forward=1, and the kubelet's vm.overcommit_memory, vm.panic_on_oom,
    kernel.panic, kernel.panic_on_oops, kernel.keys.root_maxkeys and root_maxbytes;
  - cgroups kubepods under /sys/fs/cgroup/*; mounts under /var/lib/envmirror-node and /run/envmirror-node;
  - folders /var/lib/envmirror-node, /run/envmirror-node, and (created by the kubelet and containerd
    whatever they are told) /var/lib/kubelet, /var/log/containers, /run/containerd;
  - the kube-apiserver listens on every address of the machine (client certificates only).
'make demo-down' removes all of it and checks that the host is as it was before ('make cluster-hostcheck').
On other machines, or with DEMO_KWOK=1, the demo runs on the simulated cluster instead.
EOF
}

up() {
  if [ -n "$REAL_NODE" ]; then
    host_changes
    if [ -f "$ENVMIRROR_CLUSTER_DIR/state.json" ] && ! grep -q '"realNode": true' "$ENVMIRROR_CLUSTER_DIR/state.json"; then
      die "a simulated cluster already runs in $ENVMIRROR_CLUSTER_DIR: 'make demo-down' (or DEMO_KWOK=1 make demo) first"
    fi
    step "Local cluster with a real node (etcd, control plane, kubelet + containerd, CNI, kube-proxy, CoreDNS, PVCs, NetworkPolicies)"
  else
    echo "demo: no real node here (it needs Linux and root, and DEMO_KWOK is unset): the simulated cluster runs, where no container runs"
    step "Local cluster (etcd, kube-apiserver, controller-manager, scheduler, KWOK nodes)"
  fi
  ENVMIRROR_REAL_NODE=$REAL_NODE "$CLUSTER" up >/dev/null
  k get nodes

  step "CRDs (and the copy-writer ClusterRole)"
  k apply --server-side -f config/crd/bases
  hack/wait-established.sh "$KUBECTL" --kubeconfig "$KUBECONFIG_PATH" -- mirrorenvironments.envmirror.io mirrorsources.envmirror.io
  # The ClusterRole the operator binds to itself in each target namespace (part of config/rbac).
  if [ -d config/rbac/copywriter ]; then k apply --server-side -f config/rbac/copywriter; fi

  if [ -n "$REAL_NODE" ]; then
    step "Operator (bin/manager, a local process; its Jobs run the image $NODE_MANAGER_IMG on the real node)"
    k create namespace envmirror-system --dry-run=client -o yaml | k apply -f - >/dev/null
  else
    step "Operator (bin/manager, a local process: there is no container runtime here)"
  fi
  go build -o "$BIN/manager" .
  go build -o "$BIN/kubectl-mirror" ./cmd/kubectl-mirror   # the plugin the end of the demo shows
  "$CLUSTER" stop manager 2>/dev/null
  local port
  port=$("$CLUSTER" freeport)
  local seed=()
  [ -z "$REAL_NODE" ] || seed=(--seed-image="$NODE_MANAGER_IMG")
  "$CLUSTER" spawn manager -- "$BIN/manager" --kubeconfig="$KUBECONFIG_PATH" --leader-elect=false \
    --metrics-bind-address=0 --health-probe-bind-address="127.0.0.1:$port" "${seed[@]}"
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

  if [ -n "$REAL_NODE" ]; then
    real_prod
  else
    step "\"Production\": the shop in namespace $SOURCE_NAMESPACE (config/samples/prod-shop)"
    k apply -f config/samples/prod-shop/
    wait_available "$SOURCE_NAMESPACE"
    k -n "$SOURCE_NAMESPACE" rollout status statefulset/postgres --timeout=180s
    k -n "$SOURCE_NAMESPACE" get deployments,statefulsets,services
    echo
    echo "${dim}prod's pods report the image digests they run (KWOK fills imageID like a kubelet):${reset}"
    k -n "$SOURCE_NAMESPACE" get pods -o jsonpath='{range .items[*]}{range .status.containerStatuses[*]}  {.image}  ->  {.imageID}{"\n"}{end}{end}' | sort -u

    step "A MirrorEnvironment: branch feature/checkout-fix-42 gets a copy of prod"
    k apply -f config/samples/dev-envs.yaml
    k apply -f config/samples/envmirror_v1alpha1_mirrorenvironment.yaml
  fi

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
  [ -z "$REAL_NODE" ] || compare_data "$target"

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

# --- the real node's prod, and the rows of the copy next to prod's ------------------------------
RDS_NAMESPACE=shop-prod-rds

# prod_psql runs SQL in prod's database as its admin (inside prod's pod, over the socket).
prod_psql() { k -n "$RDS_NAMESPACE" exec -i orders-0 -- sh -c 'psql -X -q -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" "$@"' psql "$@"; }
# copy_psql runs SQL in the copy's stand-in with the credentials the operator generated for it.
copy_psql() { k -n "$1" exec -i orders-db-0 -- sh -c 'PGPASSWORD=$POSTGRES_PASSWORD psql -X -q -h 127.0.0.1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" "$@"' psql "${@:2}"; }

real_prod() {
  step "\"Production\": a real PostgreSQL in $RDS_NAMESPACE (the managed database) and the shop in $SOURCE_NAMESPACE (hack/demo/realnode)"
  k apply -f hack/demo/realnode/00-prod.yaml
  k -n "$RDS_NAMESPACE" rollout status statefulset/orders --timeout=180s
  if [ "$(prod_psql -tAc "SELECT to_regclass('public.orders') IS NOT NULL")" != t ]; then
    echo "loading prod's schema and rows (hack/demo/realnode/prod-orders.sql)"
    prod_psql < hack/demo/realnode/prod-orders.sql
  fi
  wait_available "$SOURCE_NAMESPACE"
  echo
  echo "${dim}prod's rows (a real server, queried in its pod):${reset}"
  prod_psql -c "SELECT 'customers' AS table, count(*) FROM customers UNION ALL SELECT 'products', count(*) FROM products
    UNION ALL SELECT 'orders', count(*) FROM orders UNION ALL SELECT 'order_items', count(*) FROM order_items"
  echo "${dim}pods run on the real node; a local runtime reports imageID as the image's config digest:${reset}"
  k -n "$SOURCE_NAMESPACE" get pods -o jsonpath='{range .items[*]}{range .status.containerStatuses[*]}  {.image}  ->  {.imageID}{"\n"}{end}{end}' | sort -u

  step "A MirrorEnvironment: branch feature/checkout-fix-42 gets a copy; its database gets prod's schema (read-only DSN) and synthetic rows"
  k apply -f hack/demo/realnode/10-environment.yaml
}

compare_data() {
  local target=$1 t prod copy
  step "Rows: prod's database next to the copy's stand-in (each queried where it runs)"
  printf '  %-12s %10s %10s\n' table prod copy
  for t in customers products orders order_items; do
    prod=$(prod_psql -tAc "SELECT count(*) FROM $t")
    copy=$(copy_psql "$target" -tAc "SELECT count(*) FROM $t")
    printf '  %-12s %10s %10s\n' "$t" "$prod" "$copy"
  done
  echo
  echo "${dim}three customers in prod, three in the copy:${reset}"
  prod_psql -c "SELECT id, email, full_name, country_code FROM customers ORDER BY id LIMIT 3"
  copy_psql "$target" -c "SELECT id, email, full_name, country_code FROM customers ORDER BY id LIMIT 3"
  local shared total
  shared=$(comm -12 <(prod_psql -tAc "SELECT email FROM customers UNION SELECT full_name FROM customers" | sort -u) \
    <(copy_psql "$target" -tAc "SELECT email FROM customers UNION SELECT full_name FROM customers" | sort -u) | wc -l)
  total=$(prod_psql -tAc "SELECT count(*) * 2 FROM customers")
  echo "prod's customer emails and names found in the copy: ${bold}$shared${reset} (of prod's $total)"
  [ "$shared" -eq 0 ] || die "prod's values reached the copy's database"
}


case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
