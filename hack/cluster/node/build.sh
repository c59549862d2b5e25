#!/usr/bin/env bash
# Builds the real node's add-ons from the Go module proxy, each pinned in its own tools module
# under hack/tools (their Kubernetes libraries differ from ours and from each other's):
#
#   cni          bridge, host-local, loopback, portmap  (github.com/containernetworking/plugins)
#   coredns      the cluster DNS, run as a Deployment in kube-system
#   kube-router  the NetworkPolicy controller (only its firewall runs: iptables + ipset)
#   local-path   rancher's local-path-provisioner, the PVC provisioner
#
# kubelet and kube-proxy come from hack/build-k8s.sh, like the control plane. Binaries are cached
# per user and per version (${ENVMIRROR_CACHE:-~/.cache/envmirror}/node/NAME/VERSION), so a
# fresh clone links to them in seconds. Prints one "NAME DIR" line per component on stdout.
#
# Usage: hack/cluster/node/build.sh [component...]   (default: all four)
set -euo pipefail

root=$(cd "$(dirname "$0")/../../.." && pwd)
base="${ENVMIRROR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/envmirror}/node"
components=("$@")
[ ${#components[@]} -gt 0 ] || components=(cni coredns kube-router local-path)

# module NAME: the module a component is built from, and the packages (binary name=package).
spec() {
  case "$1" in
    cni) module=github.com/containernetworking/plugins
      pkgs=(bridge=$module/plugins/main/bridge host-local=$module/plugins/ipam/host-local
        loopback=$module/plugins/main/loopback portmap=$module/plugins/meta/portmap) ;;
    coredns) module=github.com/coredns/coredns; pkgs=(coredns=$module) ;;
    kube-router) module=github.com/cloudnativelabs/kube-router/v2; pkgs=(kube-router=$module/cmd/kube-router) ;;
    local-path) module=github.com/rancher/local-path-provisioner; pkgs=(local-path-provisioner=$module) ;;
    *) echo "node/build: unknown component $1" >&2; exit 2 ;;
  esac
}

for name in "${components[@]}"; do
  spec "$name"
  tools="$root/hack/tools/$name"
  version=$(awk -v m="$module" '$1 == m {print $2} $1 == "require" && $2 == m {print $3}' "$tools/go.mod" | head -1)
  [ -n "$version" ] || { echo "node/build: $module is not required in $tools/go.mod" >&2; exit 2; }
  cache="$base/$name/$version"
  mkdir -p "$cache"
  exec 9>"$cache/.lock"
  flock 9
  start=$SECONDS
  for entry in "${pkgs[@]}"; do
    bin=${entry%%=*} pkg=${entry#*=}
    [ -x "$cache/$bin" ] && continue
    echo "node/build: building $bin ($module $version) from source (first run only)" >&2
    # CoreDNS and the CNI plugins stamp their version the way their own Makefiles do.
    ldflags="-s -w"
    case "$name" in
      coredns) ldflags+=" -X github.com/coredns/coredns/coremain.GitCommit=$version" ;;
      cni) ldflags+=" -X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=$version" ;;
      kube-router) ldflags+=" -X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$version" ;;
      local-path) ldflags+=" -X main.VERSION=$version" ;;
    esac
    (cd "$tools" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$cache/$bin.tmp" "$pkg")
    mv -f "$cache/$bin.tmp" "$cache/$bin"
  done
  [ $((SECONDS - start)) -lt 2 ] || echo "node/build: $name built in $((SECONDS - start))s" >&2
  exec 9>&-
  echo "$name $cache"
done
