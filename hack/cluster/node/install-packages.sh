#!/usr/bin/env bash
# Installs, from Debian's packages, what the real node and the engine test images need when it
# is missing: the container runtime (containerd, runc), the network tools kube-proxy, the CNI
# plugins and the policy controller call (iptables, conntrack, ipset), and the engines whose
# binaries the test images copy (PostgreSQL 15, Redis 7.0, RabbitMQ, MariaDB 10.11, busybox and
# dash for their shells). Idempotent: a machine that has them all runs no apt at all.
#
# The Debian services these packages would start are stopped and disabled at once: the node runs
# its own containerd, and the engines run inside pods (hack/with-services.sh starts its own).
set -euo pipefail

packages=(containerd runc iptables conntrack ipset busybox-static dash bash
  postgresql-15 postgresql-client-15 redis-server rabbitmq-server mariadb-server mariadb-client)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
[ ${#missing[@]} -gt 0 ] || exit 0
if [ "$(id -u)" != 0 ]; then
  echo "install-packages: missing Debian packages (${missing[*]}); installing them needs root" >&2
  exit 1
fi
echo "install-packages: installing ${missing[*]} (Debian packages, once per machine)" >&2
# No service may start from a package's postinst here (policy-rc.d 101: "action forbidden").
created_policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  created_policy=1
fi
trap '[ -z "$created_policy" ] || rm -f /usr/sbin/policy-rc.d' EXIT
export DEBIAN_FRONTEND=noninteractive
# Other sessions may hold apt's lock (hack/with-services.sh): wait for it rather than fail.
apt_get() { apt-get -o DPkg::Lock::Timeout=600 -q "$@"; }
if ! apt_get install -y --no-install-recommends "${missing[@]}" >/tmp/envmirror-apt.log 2>&1; then
  apt_get update >/dev/null 2>&1
  apt_get install -y --no-install-recommends "${missing[@]}" >/tmp/envmirror-apt.log 2>&1 ||
    { tail -20 /tmp/envmirror-apt.log >&2; exit 1; }
fi
