#!/bin/sh
# Worker liveness/readiness probe: exits 0 when this container (its network namespace) holds an
# ESTABLISHED TCP connection to the Temporal frontend port of TEMPORAL_ADDRESS (default 7233), the
# connection a worker long-polls its task queues over; 1 when it holds none. Workers serve no HTTP,
# so this is what "the worker is connected" can be checked by from outside the process.
# Reads /proc/net/tcp and tcp6: "sl local_address rem_address st ...", ports in hex, st 01 = ESTABLISHED.
set -eu
address="${TEMPORAL_ADDRESS:-127.0.0.1:7233}"
port=$(printf '%04X' "${address##*:}")
for table in /proc/net/tcp /proc/net/tcp6; do
  [ -r "$table" ] || continue
  if awk -v port="$port" '$3 ~ (":" port "$") && $4 == "01" { found = 1 } END { exit !found }' "$table"; then
    exit 0
  fi
done
echo "no established connection to the Temporal frontend port ${address##*:} (TEMPORAL_ADDRESS=${address})" >&2
exit 1
