#!/bin/sh
# Test double of the official redis image's entrypoint (docker-library/redis,
# docker-entrypoint.sh), for envmirror's real-node tests only: written here from that image's
# documented behaviour, runs Debian's redis-server 7.0, never shipped (hack/images builds it into
# redis:7.0 and redis:7.0.N for the local node only).
#
# The contract: a first argument that is an option ("-..." or "--...") or a "*.conf" file gets
# "redis-server" put in front; the server runs in /data as the container's user (the image's
# redis user is uid 999); the umask is tightened to 0077 when it is the default 0022; any other
# command runs as given. Unlike the official image it does not switch users when started as root.
set -e
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi
if [ "$(umask)" = 0022 ]; then
  umask 0077
fi
exec "$@"
