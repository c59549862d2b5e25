#!/usr/bin/env bash
# Waits until every CRD named is Established: hack/wait-established.sh KUBECTL [ARGS...] -- CRD...
#
# `kubectl wait --for condition=Established` right after a CRD is applied can meet it before the
# API server has written any condition; it then fails at once with `.status.conditions accessor
# error: <nil> is of the type <nil>` instead of waiting (make demo failed so, once). This polls
# the condition itself until it is True, for at most WAIT_TIMEOUT seconds (default 60).
set -euo pipefail
kubectl=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do kubectl+=("$1"); shift; done
[ $# -gt 1 ] || { echo "usage: $0 KUBECTL [ARGS...] -- CRD..." >&2; exit 2; }
shift
deadline=$((SECONDS + ${WAIT_TIMEOUT:-60}))
for crd in "$@"; do
  until [ "$("${kubectl[@]}" get crd "$crd" -o 'jsonpath={.status.conditions[?(@.type=="Established")].status}' 2>/dev/null)" = True ]; do
    if [ $SECONDS -ge $deadline ]; then
      echo "wait-established: crd/$crd is not Established after ${WAIT_TIMEOUT:-60}s" >&2
      "${kubectl[@]}" get crd "$crd" -o yaml >&2 || true
      exit 1
    fi
    sleep 0.2
  done
  echo "crd/$crd established"
done
