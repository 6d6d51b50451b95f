#!/usr/bin/env bash
# Azurite (Azure Blob emulator, from npm) for tests and the quickstart.
#   azurite.sh start DIR   blob service on 127.0.0.1 and a free port; writes DIR/azurite.env
#   azurite.sh stop DIR    stop it and remove its data
# DIR/azurite.env holds RS_TEST_AZURITE_ENDPOINT (http://127.0.0.1:PORT/devstoreaccount1),
# RS_TEST_AZURITE_ACCOUNT and RS_TEST_AZURITE_KEY (Azurite's documented development key).
set -euo pipefail
cmd=${1:?usage: azurite.sh start|stop DIR}
dir=${2:?usage: azurite.sh start|stop DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="$root/node_modules/.bin/azurite-blob"

case "$cmd" in
start)
  [ -x "$bin" ] || { echo "azurite.sh: $bin missing: run scripts/setup.sh (npm ci)" >&2; exit 1; }
  mkdir -p "$dir"
  [ -f "$dir/azurite.pid" ] && "$0" stop "$dir" || true
  data=$(mktemp -d /tmp/rs-azurite.XXXXXX)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  nohup "$bin" --blobHost 127.0.0.1 --blobPort "$port" --location "$data" --skipApiVersionCheck \
    --loose --silent >"$data/azurite.log" 2>&1 < /dev/null &
  pid=$!
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    kill -0 "$pid" 2>/dev/null || { cat "$data/azurite.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "$pid" > "$dir/azurite.pid"
  echo "$data" > "$dir/azurite.datadir"
  cat > "$dir/azurite.env" <<ENV
RS_TEST_AZURITE_ENDPOINT=http://127.0.0.1:$port/devstoreaccount1
RS_TEST_AZURITE_PORT=$port
RS_TEST_AZURITE_ACCOUNT=devstoreaccount1
RS_TEST_AZURITE_KEY=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==
ENV
  echo "azurite.sh: Azurite blob service on 127.0.0.1:$port"
  ;;
stop)
  if [ -f "$dir/azurite.pid" ]; then
    pid=$(cat "$dir/azurite.pid")
    kill "$pid" 2>/dev/null || true
    # Azurite still writes under its data dir while it shuts down: wait for
    # it to exit (up to 10 s) before removing the dir.
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    rm -rf "$(cat "$dir/azurite.datadir" 2>/dev/null || echo /nonexistent)"
    rm -f "$dir/azurite.pid" "$dir/azurite.datadir" "$dir/azurite.env"
  fi
  ;;
*) echo "usage: azurite.sh start|stop DIR" >&2; exit 2 ;;
esac
