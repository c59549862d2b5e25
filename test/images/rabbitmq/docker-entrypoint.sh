#!/bin/bash
# Test double of the official rabbitmq image's entrypoint (docker-library/rabbitmq,
# docker-entrypoint.sh of the 3.9+ images), for envmirror's real-node tests only: written here
# from that image's documented contract, runs Debian's rabbitmq-server on Debian's Erlang, never
# shipped (hack/images builds it into rabbitmq:3.10-management and rabbitmq:3.10.N-management).
#
# The contract: an option as first argument gets "rabbitmq-server" put in front; HOME and the
# data are /var/lib/rabbitmq (the image's rabbitmq user is uid 999), where Erlang keeps its cookie
# (.erlang.cookie, which Erlang refuses unless only its owner can read it);
# RABBITMQ_DEFAULT_USER, RABBITMQ_DEFAULT_PASS and RABBITMQ_DEFAULT_VHOST name the user and vhost
# a new node creates (RabbitMQ reads them itself; written to a conf.d file here so the Debian
# build honours them the same way); the deprecated RABBITMQ_ERLANG_COOKIE is still written to the
# cookie file; the management plugin is enabled; logs go to the console.
set -euo pipefail
if [ "${1:0:1}" = '-' ]; then
  set -- rabbitmq-server "$@"
fi
if [ "$1" = rabbitmq-server ]; then
  conf=/etc/rabbitmq/conf.d/20-default-user.conf
  : > "$conf"
  if [ -n "${RABBITMQ_DEFAULT_USER:-}" ]; then echo "default_user = $RABBITMQ_DEFAULT_USER" >> "$conf"; fi
  if [ -n "${RABBITMQ_DEFAULT_PASS:-}" ]; then echo "default_pass = $RABBITMQ_DEFAULT_PASS" >> "$conf"; fi
  if [ -n "${RABBITMQ_DEFAULT_VHOST:-}" ]; then echo "default_vhost = $RABBITMQ_DEFAULT_VHOST" >> "$conf"; fi
  if [ -n "${RABBITMQ_ERLANG_COOKIE:-}" ]; then
    echo "WARNING: RABBITMQ_ERLANG_COOKIE is deprecated; write $HOME/.erlang.cookie instead" >&2
    cookie=$HOME/.erlang.cookie
    if [ -e "$cookie" ] && [ "$(cat "$cookie")" != "$RABBITMQ_ERLANG_COOKIE" ]; then
      echo "warning: $cookie contents do not match RABBITMQ_ERLANG_COOKIE" >&2
    else
      printf '%s' "$RABBITMQ_ERLANG_COOKIE" > "$cookie"
    fi
    chmod 600 "$cookie"
  fi
fi
exec "$@"
