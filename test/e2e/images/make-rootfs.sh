#!/usr/bin/env bash
# Builds the e2e base root filesystem as a tarball for `docker import`:
# Debian bookworm (debootstrap --variant=minbase) with the packages in
# packages.txt, without apt caches and without the cluster the postgresql
# package creates on install (the image's entrypoint runs initdb itself).
# Usage: make-rootfs.sh OUT.tar [MIRROR]
set -euo pipefail
out="$1"
mirror="${2:-http://deb.debian.org/debian}"
here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
include="$(grep -v '^\s*#' "${here}/packages.txt" | grep -v '^\s*$' | paste -sd, -)"

work="$(mktemp -d "${out}.work.XXXXXX")"
root="${work}/root"
cleanup() {
  # debootstrap unmounts what it mounted; an interrupted run may leave some.
  local m
  for m in $(grep -o " ${root}[^ ]*" /proc/mounts | sort -r || true); do umount -l "${m}" || true; done
  rm -rf "${work}"
}
trap cleanup EXIT

echo "make-rootfs: debootstrap --variant=minbase --include=${include} bookworm (${mirror})"
if ! debootstrap --variant=minbase --include="${include}" bookworm "${root}" "${mirror}" >"${work}/debootstrap.log" 2>&1; then
  tail -n 40 "${work}/debootstrap.log" >&2
  tail -n 40 "${root}/debootstrap/debootstrap.log" >&2 2>/dev/null || true
  echo "make-rootfs: debootstrap failed" >&2
  exit 1
fi

rm -rf "${root}/var/lib/postgresql/15" "${root}/etc/postgresql/15" \
  "${root}"/var/cache/apt/*.bin "${root}"/var/cache/apt/archives/*.deb \
  "${root}"/var/lib/apt/lists/* "${root}"/var/log/*.log "${root}/debootstrap"
: >"${root}/etc/resolv.conf"
: >"${root}/etc/hostname"

tar -C "${root}" --numeric-owner -cf "${out}.tmp" .
mv -f "${out}.tmp" "${out}"
echo "make-rootfs: wrote ${out} ($(du -h "${out}" | cut -f1))"
