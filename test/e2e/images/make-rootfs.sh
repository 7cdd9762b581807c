#!/usr/bin/env bash
# Builds a root filesystem of the e2e run as a tarball for `docker import`:
# Debian SUITE (debootstrap --variant=minbase) with the packages listed in
# PACKAGES, without apt caches and without the cluster the postgresql
# package creates on install (the db image's entrypoint runs initdb itself).
# The stand-ins' base is bookworm + packages.txt; the engine hosts are
# trixie + engine-packages.txt.
# Usage: make-rootfs.sh OUT.tar SUITE PACKAGES [MIRROR]
set -euo pipefail
out="$1"
suite="$2"
packages="$3"
mirror="${4:-http://deb.debian.org/debian}"
include="$(grep -v '^\s*#' "${packages}" | grep -v '^\s*$' | paste -sd, -)"

work="$(mktemp -d "${out}.work.XXXXXX")"
root="${work}/root"
cleanup() {
  # debootstrap unmounts what it mounted; an interrupted run may leave some.
  local m
  for m in $(grep -o " ${root}[^ ]*" /proc/mounts | sort -r || true); do umount -l "${m}" || true; done
  rm -rf "${work}"
}
trap cleanup EXIT

echo "make-rootfs: debootstrap --variant=minbase --include=${include} ${suite} (${mirror})"
if ! debootstrap --variant=minbase --include="${include}" "${suite}" "${root}" "${mirror}" >"${work}/debootstrap.log" 2>&1; then
  tail -n 40 "${work}/debootstrap.log" >&2
  tail -n 40 "${root}/debootstrap/debootstrap.log" >&2 2>/dev/null || true
  echo "make-rootfs: debootstrap failed" >&2
  exit 1
fi

rm -rf "${root}"/var/lib/postgresql/[0-9]* "${root}"/etc/postgresql/[0-9]* \
  "${root}"/var/cache/apt/*.bin "${root}"/var/cache/apt/archives/*.deb \
  "${root}"/var/lib/apt/lists/* "${root}"/var/log/*.log "${root}/debootstrap"
: >"${root}/etc/resolv.conf"
: >"${root}/etc/hostname"

tar -C "${root}" --numeric-owner -cf "${out}.tmp" .
mv -f "${out}.tmp" "${out}"
echo "make-rootfs: wrote ${out} ($(du -h "${out}" | cut -f1))"
