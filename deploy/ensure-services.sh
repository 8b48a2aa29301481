#!/usr/bin/env bash
# Make sure the broker (and, for the concurrency tests, PostgreSQL) answer on this machine.
# RabbitMQ: start it when installed but down; install Debian's rabbitmq-server when missing and
# we are root; enable the management plugin (nameko's test fixtures make vhosts through it) and
# remove test vhosts an interrupted run left behind.
set -u
AMQP_URI=${AMQP_URI:-amqp://guest:guest@localhost:5672/}
MGMT=${RABBIT_MGMT_URI:-http://guest:guest@127.0.0.1:15672}
say() { echo "[setup] $*"; }

amqp_answers() {
  python3 - "$AMQP_URI" <<'PY'
import socket, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
try:
    socket.create_connection((u.hostname or "localhost", u.port or 5672), timeout=2).close()
except OSError:
    sys.exit(1)
PY
}

if ! amqp_answers; then
  if ! command -v rabbitmq-server >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
      say "installing rabbitmq-server (Debian)"
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server) >/dev/null
    else
      say "RabbitMQ does not answer at $AMQP_URI and is not installed (not root: cannot install)"; exit 1
    fi
  fi
  say "starting rabbitmq-server"
  rabbitmq-diagnostics -q ping >/dev/null 2>&1 || service rabbitmq-server start >/dev/null 2>&1 \
    || rabbitmq-server -detached >/dev/null 2>&1
  rabbitmqctl -q await_startup >/dev/null 2>&1 || true
  for _ in $(seq 1 60); do amqp_answers && break; sleep 1; done
  amqp_answers || { say "RabbitMQ still does not answer at $AMQP_URI"; exit 1; }
fi
say "RabbitMQ answers at ${AMQP_URI%%@*}@…"

if command -v rabbitmq-plugins >/dev/null 2>&1; then
  if ! curl -sf -o /dev/null "$MGMT/api/overview"; then
    say "enabling the RabbitMQ management plugin"
    rabbitmq-plugins -q enable rabbitmq_management >/dev/null 2>&1 || true
    for _ in $(seq 1 60); do curl -sf -o /dev/null "$MGMT/api/overview" && break; sleep 1; done
  fi
  # vhosts left by interrupted test runs: only those nobody is connected to (a test run beside
  # this one, e.g. make fuzz while CI runs, keeps its own)
  for v in $(curl -sf "$MGMT/api/vhosts" | python3 -c 'import json,sys; print(" ".join(v["name"] for v in json.load(sys.stdin) if v["name"].startswith(("nameko_test_","anchang_test_"))))' 2>/dev/null); do
    if curl -sf "$MGMT/api/vhosts/$v/connections" | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin) == [] else 1)' 2>/dev/null; then
      curl -sf -o /dev/null -X DELETE "$MGMT/api/vhosts/$v" || true
    fi
  done
fi

# PostgreSQL: only the concurrency tests need it; they skip with a reason when it is absent.
if command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  say "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start >/dev/null 2>&1 || true
fi
# Chromium: the board's browser test (Debian's package; the test skips with a reason without it).
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && [ "${SKIP_BROWSER:-0}" != 1 ]; then
  say "installing chromium and CJK fonts (Debian) for the board's browser test"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk) >/dev/null 2>&1 \
    || say "chromium could not be installed; the browser test will be skipped"
fi
exit 0
