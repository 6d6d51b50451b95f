#!/usr/bin/env bash
# Builds deploy/Dockerfile with podman and tests the image (as root, Debian 12).
#   deploy/build_image.sh [TAG]     default tag: localhost/ranking-signals:<git describe>
# 1. installs podman and debootstrap when missing;
# 2. makes the base image localhost/bookworm:base with debootstrap (no registry
#    is needed; cached in $RS_IMAGE_DIR, default /var/tmp/rs-image) and builds
#    the Dockerfile FROM it with VERSION and GIT_COMMIT labels;
# 3. tests the image's root filesystem (podman mount; `podman run` needs a
#    runtime this kind of machine lacks): every library resolves, and as the
#    image's user `migrate`, `sample-data`, `run` with replication into a
#    throwaway PostgreSQL, and `verify` succeed; prints the image size.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cache=${RS_IMAGE_DIR:-/var/tmp/rs-image}
base=localhost/bookworm:base
version=$(git describe --always --dirty)
tag=${1:-localhost/ranking-signals:$version}
start=$SECONDS

for tool in podman debootstrap; do
  command -v "$tool" >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
done
if ! podman image exists "$base"; then
  [ -d "$cache/rootfs/usr" ] || debootstrap --variant=minbase bookworm "$cache/rootfs" http://deb.debian.org/debian
  tar -C "$cache/rootfs" -c . | podman import - "$base"
fi
podman build --isolation=chroot --build-arg BASE_IMAGE="$base" --build-arg VERSION="$version" \
  --build-arg GIT_COMMIT="$(git rev-parse HEAD)" -f deploy/Dockerfile -t "$tag" .

work=$(mktemp -d)
container=$(podman create "$tag")
cleanup() {
  scripts/services/pg.sh stop "$work/pg" >/dev/null 2>&1 || true
  podman umount "$container" >/dev/null 2>&1 || true
  podman rm "$container" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
rootfs=$(podman mount "$container")
fail() { echo "build_image: $*" >&2; exit 1; }

missing=$(chroot "$rootfs" ldd /usr/local/bin/ranking-signals | grep 'not found' || true)
[ -z "$missing" ] || fail "libraries missing in the image: $missing"
[ "$(podman image inspect --format '{{.Config.User}}' "$tag")" = 10001 ] || fail "image does not run as uid 10001"
revision=$(podman image inspect --format '{{index .Config.Labels "org.opencontainers.image.revision"}}' "$tag")
[ "$revision" = "$(git rev-parse HEAD)" ] || fail "label org.opencontainers.image.revision is '$revision'"

scripts/services/pg.sh start "$work/pg" >/dev/null
# shellcheck disable=SC1091
. "$work/pg/pg.env"
install -d -o 10001 -g 10001 "$rootfs/tmp/lake"
as_image_user() {
  chroot --userspec=10001:10001 "$rootfs" env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/tmp \
    POSTGRES_DSN="$RS_TEST_PG_DSN" RANKING_MIGRATIONS_DIR=/opt/ranking-signals/sql/postgres/migrations \
    /usr/local/bin/ranking-signals "$@"
}
as_image_user --version
as_image_user migrate
as_image_user sample-data --lake /tmp/lake --symbols 50 --start 2023-01-02 --end 2024-06-28
as_image_user run --lake /tmp/lake --months all
as_image_user verify --lake /tmp/lake

size=$(podman image inspect --format '{{.Size}}' "$tag")
echo "build_image: $tag ok: $((size / 1024 / 1024)) MiB, commit $revision, $((SECONDS - start)) s"
