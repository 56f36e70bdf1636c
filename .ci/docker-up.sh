#!/usr/bin/env bash
# Make a Docker engine answer on this machine. Written for CI runners and dev VMs without systemd:
# installs docker.io if needed and runs dockerd in the background. Safe to run again at any time.
# Run as root. Stop what it started with .ci/docker-down.sh.
set -euo pipefail

readonly PIDFILE=/tmp/sockspec-dockerd.pid
readonly WAIT_SECONDS=30

engine_answers() { docker info >/dev/null 2>&1; }

pid_alive() { [[ -s $PIDFILE ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

install_engine() {
  command -v dockerd >/dev/null 2>&1 && command -v docker >/dev/null 2>&1 && return
  echo "docker-up: installing docker.io"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
}

start_engine() {
  local log
  log=$(mktemp /tmp/sockspec-dockerd.XXXXXX.log)
  # setsid: the daemon must outlive this shell and its process group (CI steps kill their group).
  setsid dockerd >"$log" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  echo "$log" >"$PIDFILE.log"
}

wait_for_engine() {
  local deadline=$((SECONDS + WAIT_SECONDS))
  until engine_answers; do
    if ! pid_alive; then
      echo "docker-up: dockerd exited; last log lines:" >&2
      tail -n 20 "$(cat "$PIDFILE.log")" >&2 || true
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      echo "docker-up: docker info still failing after ${WAIT_SECONDS}s; log: $(cat "$PIDFILE.log")" >&2
      exit 1
    fi
    sleep 0.5
  done
}

install_engine
if engine_answers; then
  echo "docker-up: ready (engine was already running, server $(docker version -f '{{.Server.Version}}'))"
  exit 0
fi
# A daemon we started earlier may still be coming up: wait for it rather than start a second one.
pid_alive || start_engine
wait_for_engine
echo "docker-up: ready (dockerd pid $(cat "$PIDFILE"), server $(docker version -f '{{.Server.Version}}'), log $(cat "$PIDFILE.log"))"
