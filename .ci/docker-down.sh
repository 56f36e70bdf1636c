#!/usr/bin/env bash
# Stop the dockerd that .ci/docker-up.sh started. Leaves any other engine alone.
set -euo pipefail

readonly PIDFILE=/tmp/sockspec-dockerd.pid
readonly WAIT_SECONDS=20

if [[ ! -s $PIDFILE ]]; then
  echo "docker-down: nothing to stop (no $PIDFILE: dockerd was not started by docker-up.sh)"
  exit 0
fi
pid=$(cat "$PIDFILE")
# The pid may have been reused since docker-up ran: only signal it if it is still dockerd.
if [[ $(cat "/proc/$pid/comm" 2>/dev/null) != dockerd ]]; then
  echo "docker-down: dockerd $pid is no longer running"
  rm -f "$PIDFILE" "$PIDFILE.log"
  exit 0
fi
kill -TERM "$pid"
deadline=$((SECONDS + WAIT_SECONDS))
while kill -0 "$pid" 2>/dev/null; do
  if ((SECONDS >= deadline)); then
    echo "docker-down: dockerd $pid ignored SIGTERM for ${WAIT_SECONDS}s; killing it" >&2
    kill -KILL "$pid"
    break
  fi
  sleep 0.5
done
# The daemon log only matters while the daemon runs (docker-up prints it when a start fails).
[[ -s $PIDFILE.log ]] && rm -f "$(cat "$PIDFILE.log")"
rm -f "$PIDFILE" "$PIDFILE.log"
echo "docker-down: stopped dockerd $pid"
