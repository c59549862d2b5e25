#!/usr/bin/env bash
# Builds Helm, at the version pinned in this folder's go.mod, from the Go module proxy; prints the
# path of the binary. The build takes minutes on 2 cores, so the binary is cached per user and
# version (like hack/build-k8s.sh's control plane): a fresh clone on the same machine, as in CI,
# links to it in seconds.
set -euo pipefail

tools=$(cd "$(dirname "$0")" && pwd)
version=$(awk '$1 == "helm.sh/helm/v4" {print $2}' "$tools/go.mod")
[ -n "$version" ] || { echo "helm: no helm.sh/helm/v4 version in $tools/go.mod" >&2; exit 1; }
cache="${ENVMIRROR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/envmirror}/helm/$version"
mkdir -p "$cache"

# One build at a time per cache.
exec 9>"$cache/.lock"
flock 9
if [ ! -x "$cache/helm" ]; then
  echo "helm: building Helm $version from source (first run only; a few minutes on 2 cores)" >&2
  start=$SECONDS
  (cd "$tools" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$version" -o "$cache/helm.tmp" helm.sh/helm/v4/cmd/helm)
  mv -f "$cache/helm.tmp" "$cache/helm"
  echo "helm: built in $((SECONDS - start))s" >&2
fi
echo "$cache/helm"
