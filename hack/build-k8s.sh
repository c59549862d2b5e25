#!/usr/bin/env bash
# Builds the Kubernetes control-plane binaries (etcd, kube-apiserver, kubectl, and on request
# kube-controller-manager, kube-scheduler and KWOK) and the real node's kubelet and kube-proxy
# from the Go module proxy.
#
# Nothing can be downloaded here but Go modules, so setup-envtest and release tarballs are out;
# hack/tools/k8s pins k8s.io/kubernetes and its staging modules instead. Binaries are cached per
# user and per version, the way setup-envtest keeps its assets, so a fresh clone on the same
# machine (CI) links to them in seconds instead of rebuilding for ~12 minutes.
#
# Usage: hack/build-k8s.sh [binary...]   (default: etcd kube-apiserver kubectl; kwok alone)
# Prints the asset directory on stdout; progress goes to stderr.
set -euo pipefail

K8S_VERSION=${K8S_VERSION:-v1.37.2}
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/hack/tools/k8s"
cache="${ENVMIRROR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/envmirror}/k8s/$K8S_VERSION"

binaries=("$@")
[ ${#binaries[@]} -gt 0 ] || binaries=(etcd kube-apiserver kubectl)

# KWOK needs client-go v0.36 and so has its own tools module and its own cache folder, keyed by
# its version as pinned there.
version=$K8S_VERSION
if [ "${binaries[*]}" = kwok ]; then
  tools="$root/hack/tools/kwok"
  version=$(awk '$1 == "sigs.k8s.io/kwok" {print $2}' "$tools/go.mod")
  cache="${cache%/k8s/*}/kwok/$version"
fi
mkdir -p "$cache"

# Without these the binaries report v0.0.0-master+$Format:%H$, which kubectl cannot parse.
# KWOK stamps its own version.
minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
ldflags="-s -w"
if [ "$version" = "$K8S_VERSION" ]; then
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
fi

for name in "${binaries[@]}"; do
  case "$name" in
    etcd) pkg=go.etcd.io/etcd/server/v3 ;;
    kube-apiserver|kube-controller-manager|kube-scheduler|kubectl|kubelet|kube-proxy) pkg=k8s.io/kubernetes/cmd/$name ;;
    kwok) pkg=sigs.k8s.io/kwok/cmd/kwok ;;
    *) echo "build-k8s: unknown binary $name" >&2; exit 2 ;;
  esac
  # One build of a binary at a time: `make test` and `make demo` may start together. The real
  # node's binaries take a lock of their own, so they build while the control plane does.
  lock=.lock
  case "$name" in kubelet|kube-proxy) lock=.lock-node ;; esac
  exec 9>"$cache/$lock"
  flock 9
  if [ -x "$cache/$name" ]; then
    exec 9>&-
    continue
  fi
  echo "build-k8s: building $name $version from source (first run only; kube-apiserver takes ~9 min on 2 cores)" >&2
  start=$SECONDS
  (cd "$tools" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$cache/$name.tmp" "$pkg")
  mv -f "$cache/$name.tmp" "$cache/$name"
  echo "build-k8s: $name built in $((SECONDS - start))s" >&2
  exec 9>&-
done
echo "$cache"
