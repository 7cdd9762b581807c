/**
 * Least privilege, per service: every container runs with
 * `no-new-privileges`; every long-running one drops all capabilities and
 * gets back only what its image's start-up needs; read-only root
 * filesystems where the program is known to write nowhere else (proved by
 * the e2e test with the real nginx, PostgreSQL and Redis). The README's
 * capability table is this file in prose; keep them together.
 */
import type { Capability } from "../dsl/capabilities.js";
import type { HardeningModel, TmpfsModel } from "./types.js";

const fenced = (capAdd: readonly Capability[], readOnly = false, tmpfs: readonly TmpfsModel[] = []): HardeningModel => ({ noNewPrivileges: true, capAdd, readOnly, tmpfs });
const tmpfs = (path: string): TmpfsModel => ({ path });

/**
 * A tmpfs over a folder of the image starts as root's (0755) whatever the
 * image's owner, so nginx's own folders say whose they are: the image's
 * dioptra user (init's chown-nginx default).
 */
const NGINX_OWNED = { uid: 39000, gid: 100, mode: "0755" };

/** No capability at all: the image runs as a non-root user on ports ≥ 1024 (or as root over its own files). */
export const NO_CAPABILITIES: HardeningModel = fenced([]);

/** The hardening of each built-in service, by what it runs. */
export const HARDENING = {
  /**
   * Runs as the image's uid 39000 on ports ≥ 1024, so needs no capability.
   * Writes only its pid (/tmp), proxy and request-body buffers (/var/lib/nginx),
   * its cache folder, and opens the compiled-in error log before it reads the
   * conf (/var/log/nginx); everything else it reads.
   */
  nginx: fenced([], true, [tmpfs("/tmp"), ...["/var/cache/nginx", "/var/lib/nginx", "/var/log/nginx"].map((path) => ({ path, owner: NGINX_OWNED }))]),
  /**
   * The image runs as root over files init made root's (minio-data,
   * minio-certs), so root needs no capability to reach them. The root
   * filesystem stays writable: the e2e MinIO is a stand-in, so nothing
   * proves the real server writes only to its volumes.
   */
  minio: NO_CAPABILITIES,
  /**
   * The entrypoint starts as root, reads into the postgres-owned data folder
   * (DAC_READ_SEARCH), sets its mode (FOWNER), hands it and the socket folder
   * to postgres (CHOWN), then drops to postgres (SETUID, SETGID). The server
   * writes only to its volumes, its socket folder and /tmp.
   */
  db: fenced(["CHOWN", "DAC_READ_SEARCH", "FOWNER", "SETGID", "SETUID"], true, [tmpfs("/tmp"), tmpfs("/var/run/postgresql")]),
  /**
   * Runs as the image's uid 5050 on port 35050, yet its Python carries the
   * file capability cap_net_bind_service+ep (for port 80), and the kernel
   * refuses to execute a file whose capabilities lie outside the bounding set:
   * without NET_BIND_SERVICE the container cannot start. no-new-privileges
   * keeps that capability from ever being raised. pgAdmin writes its
   * config_distro.py into the image on first start, so the root stays writable.
   */
  dbadmin: fenced(["NET_BIND_SERVICE"]),
  /**
   * Runs as redis (999:999, the official image's uid; init owns redis-data
   * to it), so the entrypoint neither chowns nor switches user. It writes only
   * /data.
   */
  redis: fenced([], true),
  /**
   * The Dioptra Python images run as uid 39000 on port 5000. Their root stays
   * writable: the e2e test runs stand-ins for them, and workers run users' jobs.
   */
  dioptra: NO_CAPABILITIES,
} as const satisfies Record<string, HardeningModel>;

/** The user Redis runs as: the official image's redis account, which init gives redis-data to. */
export const REDIS_USER = "999:999";

/**
 * Init's jobs. Those that change ownership in the volumes (named-volumes,
 * the CA-certificate jobs) keep root with CHOWN and FOWNER for chown/chmod,
 * and DAC_OVERRIDE to write into volumes other users own and to read
 * secrets/ (mode 0600, owned by whoever ran init). mc changes no ownership,
 * but its image has no other user; it only reads secrets/ (DAC_READ_SEARCH).
 * The frontend build keeps Docker's default capabilities: npm runs there,
 * and init --offline (the e2e test) skips it, so no trimmed set is proved.
 */
export const INIT_HARDENING = {
  owner: fenced(["CHOWN", "DAC_OVERRIDE", "FOWNER"]),
  mc: fenced(["DAC_READ_SEARCH"]),
  frontend: { noNewPrivileges: true, capAdd: undefined, readOnly: false, tmpfs: [] },
} as const satisfies Record<string, HardeningModel>;
