#!/bin/sh
# Starts (or stops) passk's own Docker engines, for CI and local testing, as root:
#   - installs Debian's docker.io when dockerd is missing;
#   - starts N dockerd daemons in the background, engine i on unix:///run/passk-docker/engine<i>.sock
#     with its own data root, exec root, pidfile and log (/var/log/passk-docker/engine<i>.log), and
#     waits until each answers. No bridge and no iptables: passk's sandboxes have no network.
#     Private sockets, not /var/run/docker.sock: a system engine is left alone, and `--sandbox auto`
#     elsewhere in the test suite keeps choosing bubblewrap.
#   - stop: stops the engines this script started (found by pidfile), gracefully, then by force.
# Idempotent: an engine that already answers is left running.
#
# Usage: scripts/start-docker.sh [start|stop] [--engines N]   (default: start, 2 engines)
# Prints the engines' URLs (comma-separated) on its last line, e.g. for PASSK_TEST_DOCKER_HOSTS.
set -eu

mode=start
engines=2
while [ $# -gt 0 ]; do
  case "$1" in
    start|stop) mode=$1; shift ;;
    --engines) [ $# -ge 2 ] || { echo "--engines needs a number" >&2; exit 2; }; engines=$2; shift 2 ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "run as root: dockerd needs it" >&2; exit 1; }

run_dir=/run/passk-docker
log_dir=/var/log/passk-docker
state_dir=/var/lib/passk-docker

socket() { echo "$run_dir/engine$1.sock"; }
pidfile() { echo "$run_dir/engine$1.pid"; }
answers() { curl -sf --max-time 2 --unix-socket "$(socket "$1")" http://docker/_ping >/dev/null 2>&1; }
alive() { [ -f "$(pidfile "$1")" ] && kill -0 "$(cat "$(pidfile "$1")")" 2>/dev/null; }

if [ "$mode" = stop ]; then
  for i in $(seq 1 "$engines"); do
    alive "$i" || continue
    pid=$(cat "$(pidfile "$i")")
    kill -TERM "$pid"
    # dockerd stops its containers (passk's runners exit within a second) and its containerd.
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    echo "stopped engine $i (pid $pid)"
  done
  exit 0
fi

missing=
for tool in dockerd:docker.io curl:curl; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing="$missing ${tool#*:}"
done
if [ -n "$missing" ]; then
  echo "installing:$missing"
  apt-get update
  # shellcheck disable=SC2086 # one word per package
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
fi

mkdir -p "$run_dir" "$log_dir" "$state_dir"
urls=
for i in $(seq 1 "$engines"); do
  urls="${urls:+$urls,}unix://$(socket "$i")"
  if answers "$i"; then
    echo "engine $i already running: unix://$(socket "$i")"
    continue
  fi
  # A daemon that no longer answers but still runs is shutting down (or hung): let it finish, then
  # clear its pidfile, which would make the new dockerd refuse to start.
  if alive "$i"; then
    pid=$(cat "$(pidfile "$i")")
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$(pidfile "$i")"
  setsid dockerd \
    --host "unix://$(socket "$i")" \
    --data-root "$state_dir/engine$i" \
    --exec-root "$run_dir/exec$i" \
    --pidfile "$(pidfile "$i")" \
    --bridge=none --iptables=false --ip-masq=false \
    --log-level=warn \
    </dev/null >>"$log_dir/engine$i.log" 2>&1 &
  for _ in $(seq 1 150); do
    answers "$i" && break
    sleep 0.2
  done
  if ! answers "$i"; then
    echo "engine $i did not come up; the end of $log_dir/engine$i.log:" >&2
    tail -n 20 "$log_dir/engine$i.log" >&2
    exit 1
  fi
  echo "started engine $i: unix://$(socket "$i")"
done
echo "$urls"
