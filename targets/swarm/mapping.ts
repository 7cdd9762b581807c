/**
 * How each Compose feature the deployment uses becomes a Swarm stack
 * feature: the one table the forbidden-keys test reads for the keys the stack lowering never writes,
 * and README.md documents.
 */

export interface MappingRow {
  /** The Compose service key (or feature) as docker-compose.yml writes it. */
  readonly compose: string;
  /** `kept`: written as is; `moved`: rewritten as `swarm`; `dropped`: never written. */
  readonly fate: "kept" | "moved" | "dropped";
  /** What the stack file has instead, in a few words. */
  readonly swarm: string;
}

export const COMPOSE_TO_SWARM: readonly MappingRow[] = [
  { compose: "image, hostname, user, entrypoint, command, healthcheck", fate: "kept", swarm: "the same keys (Swarm marks a task running only once its healthcheck passes)" },
  { compose: "environment", fate: "kept", swarm: "the same; `${VAR}` values are filled from .env by deploy-stack.sh, which exports them for `docker stack deploy`" },
  { compose: "env_file", fate: "moved", swarm: "the same files, as `../envs/…` (paths are relative to the stack file; read by the docker client at deploy time)" },
  { compose: "volumes (short syntax)", fate: "moved", swarm: "long syntax (`type`, `source`, `target`, `read_only`)" },
  { compose: "ports", fate: "moved", swarm: "long syntax with `mode: host`: published on the core node only, on every address" },
  { compose: "networks (bridge)", fate: "moved", swarm: "one `overlay` network, `attachable`, spanning every host" },
  { compose: "(service name on the network)", fate: "moved", swarm: "`deploy.endpoint_mode: dnsrr`: the name resolves to the one task, with no IPVS virtual IP (which drops idle connections after 15 minutes and some kernels lack)" },
  { compose: "restart", fate: "moved", swarm: "`deploy.restart_policy.condition` (always, unless-stopped → any; on-failure; no → none)" },
  { compose: "runtime: nvidia + NVIDIA_VISIBLE_DEVICES", fate: "moved", swarm: "`deploy.resources.reservations.generic_resources` (kind NVIDIA-GPU); the node's default runtime is nvidia" },
  { compose: "tmpfs, read_only", fate: "moved", swarm: "each tmpfs path becomes a `type: tmpfs` mount (stack deploy ignores the `tmpfs` key); a tmpfs that needs an owner (uid=, gid=: nginx's) has no Swarm form, so that service keeps a writable root instead of `read_only`" },
  { compose: "shm_size", fate: "moved", swarm: "a `tmpfs` mount at /dev/shm of the same size" },
  { compose: "(placement)", fate: "moved", swarm: "`deploy.placement.constraints` on the node label `dioptra.<slug>.host` and the host's labels" },
  { compose: "container_name", fate: "dropped", swarm: "never written (Swarm names tasks itself)" },
  { compose: "depends_on", fate: "dropped", swarm: "never written (ignored by Swarm; the images' `--wait-for` orders start-up)" },
  { compose: "links, network_mode, devices, build, profiles, gpus, cgroup_parent, security_opt", fate: "dropped", swarm: "never written (rejected or ignored by `docker stack deploy`; so Swarm tasks run without `no-new-privileges`)" },
];

/** Service keys the stack file never holds. */
export const FORBIDDEN_SERVICE_KEYS: readonly string[] = [
  "container_name", "depends_on", "runtime", "restart", "shm_size", "links", "network_mode", "devices", "build", "profiles", "gpus", "cgroup_parent", "security_opt", "tmpfs",
];
