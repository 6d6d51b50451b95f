#!/usr/bin/env bash
# Installs every dependency of ranking-signals on Debian 12 (as root, idempotent)
# and builds it.
#   scripts/setup.sh            system packages + npm test tools + Release build in build/
#   scripts/setup.sh --deps     system packages + npm test tools only
#   scripts/setup.sh --job      only what the job needs (its build and runtime libraries,
#                               PostgreSQL), then the `ranking-signals` binary alone
#                               (Release, no tests), compiler output in $BUILD_DIR/build.log
# Environment: BUILD_DIR (default build), BUILD_TYPE (default RelWithDebInfo).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

mode=${1:-}
# What the job itself needs to build and run (and the quickstart's PostgreSQL).
packages=(
  build-essential cmake ninja-build pkg-config git python3 ca-certificates
  thrift-compiler libthrift-dev libboost-dev
  libzstd-dev libsnappy-dev liblz4-dev zlib1g-dev
  libcurl4-openssl-dev libssl-dev libexpat1-dev
  nlohmann-json3-dev libfmt-dev libcli11-dev libroaring-dev
  libpq-dev postgresql postgresql-client
)
if [ "$mode" != --job ]; then
  # Tests, sanitizers, benchmarks and their independent readers.
  packages+=(clang-14 libclang-rt-14-dev lld-14 libgtest-dev libgmock-dev libbenchmark-dev
             python3-psycopg python3-pandas python3-yaml)
  command -v node >/dev/null 2>&1 || packages+=(nodejs)
  command -v npm >/dev/null 2>&1 || packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then echo "setup: run as root to install system packages" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "$mode" = --job ]; then
  build_dir=${BUILD_DIR:-build}
  mkdir -p "$build_dir"
  echo "setup: building ranking-signals (Release; compiler output in $build_dir/build.log)"
  if ! { cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF &&
         cmake --build "$build_dir" --target ranking-signals -j"$(nproc)"; } >"$build_dir/build.log" 2>&1; then
    tail -n 30 "$build_dir/build.log" >&2
    echo "setup: the build failed; the whole output is in $build_dir/build.log" >&2
    exit 1
  fi
  exit 0
fi

# npm test tools, exactly as pinned in package-lock.json.
stamp=node_modules/.rs-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: npm ci (test tools: azurite, duckdb, parquet-wasm, hyparquet)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

[ "$mode" = "--deps" ] && exit 0

build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
echo "setup: built $build_dir/src/cli/ranking-signals"
