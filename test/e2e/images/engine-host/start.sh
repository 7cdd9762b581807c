#!/bin/bash
# Entrypoint of the e2e engine hosts (test/e2e/engine-host.ts): Debian's dockerd inside a container
# holding every capability the host grants.
set -euo pipefail
# Not --privileged (the host may lack a capability, which --privileged asks for): /sys and the cgroup
# hierarchies come read-only and are made writable here, as dockerd must create its containers' groups.
mount -o remount,rw /sys
while read -r _ target fstype _; do
  if [[ $fstype == cgroup || $fstype == cgroup2 ]]; then mount -o remount,bind,rw "$target"; fi
done </proc/mounts
# cgroup v2: the controllers can be handed to dockerd's children only once no process sits in the root group.
if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
  mkdir -p /sys/fs/cgroup/e2e-init
  while read -r pid; do echo "$pid" >/sys/fs/cgroup/e2e-init/cgroup.procs 2>/dev/null || true; done </sys/fs/cgroup/cgroup.procs
  sed -e 's/ / +/g' -e 's/^/+/' /sys/fs/cgroup/cgroup.controllers >/sys/fs/cgroup/cgroup.subtree_control
fi
exec dockerd "$@"
