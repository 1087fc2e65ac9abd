#!/bin/sh
# Runs a server that testloom starts (Chroma, the Temporal dev server) as
# `sh service-supervisor.sh <command> <args…>`, spawned as the leader of its own process group
# with a pipe on stdin. When testloom goes away, even by SIGKILL or with its event loop stuck and
# then killed, the pipe closes: the server gets SIGTERM, and the whole group SIGKILL if it has not
# exited after 3 s. SIGTERM/SIGINT sent to the supervisor reach the server as SIGTERM (a background
# command of a non-interactive shell ignores SIGINT), and the supervisor exits when the server does,
# with its status. A shell rather than node: it holds about 1 MB instead of about 40.
# A signal before the server runs is remembered, not the shell's end: ended by it, the shell
# would leave the server it had just started running, with no watcher.
stopped=
trap 'stopped=1' TERM INT
"$@" </dev/null &
service=$!
trap 'kill -TERM "$service" 2>/dev/null' TERM INT
[ -z "$stopped" ] || kill -TERM "$service" 2>/dev/null
# An asynchronous list of a non-interactive shell reads /dev/null unless told otherwise: the
# watcher gets the pipe through fd 3.
exec 3<&0
(
  trap - TERM INT
  while read -r _; do :; done
  kill -TERM "$service" 2>/dev/null
  # Up to 3 s for the server to go, looking every 0.1 s: once it has, nothing of ours is left behind.
  for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do
    kill -0 "$service" 2>/dev/null || exit 0
    sleep 0.1
  done
  kill -KILL -$$ 2>/dev/null
) <&3 &
watcher=$!
status=0
while kill -0 "$service" 2>/dev/null; do
  wait "$service" 2>/dev/null
  status=$?
done
exec 2>/dev/null # the shell would report the watcher's end
kill "$watcher"
exit "$status"
