#!/usr/bin/env bash
# `make run` under production settings (DJANGO_DEBUG=0) on a fresh var directory: it must
# collect its static files, load the demo and serve a page whose hashed stylesheet is served.
# TLS is a proxy's job in production, so the requests say they came over HTTPS.
set -euo pipefail
cd "$(dirname "$0")/.."
var=$(mktemp -d)
port=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DJANGO_VAR_DIR="$var" DJANGO_DEBUG=0 DJANGO_ALLOWED_HOSTS=127.0.0.1 \
  DJANGO_SECRET_KEY="$(head -c 96 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 64)" \
  setsid make run PORT="$port" >"$var/run.log" 2>&1 &
server=$!
trap 'kill -- -$server 2>/dev/null || true' EXIT
get() { curl -fsS -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$port$1"; }
for _ in $(seq 600); do
  get / >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { tail -40 "$var/run.log"; echo "make run stopped" >&2; exit 1; }
  sleep 1
done
css=$(get / | grep -o '/static/css/site\.[0-9a-f]*\.css' | head -1)
[ -n "$css" ] || { echo "the home page names no hashed stylesheet" >&2; exit 1; }
get "$css" >/dev/null
get /members/ >/dev/null
echo "make run (DJANGO_DEBUG=0) serves / and $css on a fresh var directory"
