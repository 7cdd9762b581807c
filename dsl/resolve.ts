/**
 * The validation pass: user props in, a resolved {@link DeploymentSpec} or a
 * list of every problem out. Each problem names its setting path, the bad
 * value and what is allowed. No I/O, no environment, no clock.
 */
import type { CallSite } from "./call-site.js";
import { gpuConflicts } from "./gpu-conflicts.js";
import { BUILTIN_VOLUMES, DATASETS_TARGET, MAIN_VOLUMES } from "./builtin-volumes.js";
import { CAPABILITIES, type Capability } from "./capabilities.js";
import { IMAGE_NAME_MAX, RE, RESERVED_KEYS, addressesOverlap, imageName, interpolationProblems, isCount, isPort, pathProblem, show, textProblems, type ValueTest } from "./checks.js";
import type { Issue } from "./errors.js";
import { PROFILES, DEFAULT_RELEASE, RELEASES, type DioptraProfile, type DioptraRelease } from "../profiles/index.js";
import { IMAGE_SLOTS, formatImage, type ImageName, type ImageRef } from "./images.js";
import type {
  ComposeOverlay,
  CustomContainerProps,
  DeploymentProps,
  DioptraService,
  EnvValue,
  GpuSelection,
  HealthcheckProps,
  Interpolated,
  Mount,
  PortMapping,
  VolumeProps,
} from "./props.js";
import { SERVICES, serviceName, slugify, waitTarget, workerName } from "./services.js";
import { INIT_ENV_NAMES } from "./env.js";
import { limitProblems } from "./limits.js";
import { forbiddenVariableProblems, overlayEnvironmentProblems, serviceOnlyVariable } from "./app-environment.js";
import type { CustomContainerSpec, DeploymentSpec, HostSpec, SwarmSpec, WorkerSpec } from "./spec.js";
import { resolveSlug, resolveUpgrade } from "./lifecycle.js";
import { SETTINGS } from "./settings.js";
import { DEFAULT_NFS_OPTIONS } from "./volume.js";
import { WORKER_KINDS } from "./worker-kinds.js";
import { checkKubernetes, readKubernetes } from "../targets/kubernetes/settings.js";
import { jobNames } from "../targets/kubernetes/job-names.js";

/**
 * Defaults of the template's cookiecutter.json that every release shares;
 * the image coordinates and the Postgres tag come from the release profile.
 */
export const DEFAULTS = {
  name: "Dioptra deployment",
  composeCommand: "docker compose",
  nginx: { serverName: "dioptra.example.org", exposePortsOnLocalhostOnly: true, httpPort: 80, httpsPort: 443, tls: false },
  postgres: { adminUser: "postgres", adminDatabase: "postgres", tls: false },
  pgadmin: { defaultEmail: "dioptra@example.com" },
  security: { legacyTls: false, hstsMaxAge: 63072000 },
  workers: { tensorflowCpu: 1, tensorflowGpu: 0, pytorchCpu: 1, pytorchGpu: 0 },
} as const;

/** Host ports nginx publishes besides HTTP/HTTPS (db stream, MLflow, pgAdmin, MinIO API and console). */
export const NGINX_FIXED_PORTS: readonly { host: number; container: number }[] = [
  { host: 35432, container: 5432 },
  { host: 35000, container: 35000 },
  { host: 35050, container: 35050 },
  { host: 39000, container: 39000 },
  { host: 39001, container: 39001 },
];

/** Where a setting was written, keyed by setting path (filled by the builder). */
export type Sites = ReadonlyMap<string, CallSite>;

export class Checker {
  readonly issues: Issue[] = [];
  /** Paths already reported by textProblems: their other checks would only repeat it. */
  private readonly textPaths: Set<string>;
  /** Past a limit of dsl/limits.ts: nothing else is checked, as the rest would grow with it. */
  readonly overLimit: boolean;
  constructor(private readonly sites: Sites, props: unknown) {
    const limits = limitProblems(props);
    this.overLimit = limits.length > 0;
    const problems = this.overLimit ? limits : textProblems(props);
    for (const [path, message] of problems) this.issues.push({ path, message, ...this.locate(path) });
    this.textPaths = new Set(problems.map(([path]) => path));
  }

  fail(path: string, message: string): void {
    if (!this.textPaths.has(path)) this.issues.push({ path, message, ...this.locate(path) });
  }

  private locate(path: string): { location?: string } {
    for (let p = path; p !== ""; p = p.includes(".") ? p.slice(0, p.lastIndexOf(".")) : "") {
      const site = this.sites.get(p)?.();
      if (site) return { location: site };
    }
    const root = this.sites.get("")?.();
    return root ? { location: root } : {};
  }

  /** Reports keys the DSL does not know (typos, or settings from another version). */
  keys(path: string, value: object, allowed: readonly string[]): void {
    for (const k of Object.keys(value)) {
      // Reported once, by textProblems.
      if (!allowed.includes(k) && !RESERVED_KEYS.has(k)) this.fail(join(path, k), `unknown setting (allowed here: ${allowed.join(", ")})`);
    }
  }

  /** `what`: every form the setting takes, when an object is only one of them (a union). */
  object<T extends object>(path: string, value: unknown, allowed: readonly string[], what = "an object"): T | undefined {
    if (value === undefined) return undefined;
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      this.fail(path, `must be ${what}, got ${show(value)}`);
      return undefined;
    }
    this.keys(path, value, allowed);
    return value as T;
  }

  string(path: string, value: unknown, fallback: string, test?: { re: ValueTest; what: string }): string {
    if (value === undefined) return fallback;
    if (typeof value !== "string") {
      this.fail(path, `must be a string, got ${show(value)}`);
      return fallback;
    }
    if (test && !test.re.test(value)) this.fail(path, `${show(value)} is not ${test.what}`);
    return value;
  }

  boolean(path: string, value: unknown, fallback: boolean): boolean {
    if (value === undefined) return fallback;
    if (typeof value !== "boolean") {
      this.fail(path, `must be true or false, got ${show(value)}`);
      return fallback;
    }
    return value;
  }

  port(path: string, value: unknown, fallback: number): number {
    if (value === undefined) return fallback;
    if (!isPort(value)) {
      this.fail(path, `must be a port number from 1 to 65535, got ${show(value)}`);
      return fallback;
    }
    return value;
  }

  array<T>(path: string, value: unknown): readonly T[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.fail(path, `must be a list, got ${show(value)}`);
      return [];
    }
    return value as T[];
  }

  absolutePath(path: string, value: unknown, what: string): string | undefined {
    if (typeof value !== "string") {
      this.fail(path, `must be an absolute path string, got ${show(value)}`);
      return undefined;
    }
    const problem = pathProblem(value);
    if (problem !== undefined) {
      this.fail(path, `${show(value)} is not ${what}: it is ${problem} (an absolute, normalized path of letters, digits, spaces and _ . @ + = - % ~ # ( ) [ ] & !)`);
      return undefined;
    }
    return value.length > 1 ? value.replace(/\/$/, "") : value;
  }
}

function join(path: string, key: string | number): string {
  return path === "" ? String(key) : `${path}.${key}`;
}

/** Output of the validation pass. */
export interface Resolution {
  readonly spec: DeploymentSpec | undefined;
  readonly issues: readonly Issue[];
}

/** Validates props and resolves them to a spec; `spec` is undefined when there are issues. */
export function resolveDeployment(props: DeploymentProps, sites: Sites = new Map()): Resolution {
  const c = new Checker(sites, props);
  if (c.overLimit) return { spec: undefined, issues: c.issues };
  const p = c.object<DeploymentProps>("", props, SETTINGS[""]) ?? {};

  const release = c.string("dioptra", p.dioptra, DEFAULT_RELEASE, {
    re: new RegExp(`^(?:${RELEASES.map((r) => r.replace(".", "\\.")).join("|")})$`),
    what: `a Dioptra release this tool deploys (${RELEASES.map((r) => JSON.stringify(r)).join(" or ")})`,
  }) as DioptraRelease;
  const profile = PROFILES[release] ?? PROFILES[DEFAULT_RELEASE];
  const name = c.string("name", p.name, DEFAULTS.name);
  const slug = resolveSlug(c, p, name);

  const images = resolveImages(c, p, profile);
  const composeCommand = c.string("composeCommand", p.composeCommand, DEFAULTS.composeCommand, {
    re: RE.command,
    what: "a command line of plain words (letters, digits and _ . / : = @ + -), e.g. \"docker compose\" or \"docker-compose\"",
  });

  const np = c.object<NonNullable<DeploymentProps["nginx"]>>("nginx", p.nginx, SETTINGS.nginx) ?? {};
  const nginx = {
    serverName: c.string("nginx.serverName", np.serverName, DEFAULTS.nginx.serverName, {
      re: RE.serverName,
      what: "a single host name for nginx's server_name and the HTTPS redirect (a DNS name of letters, digits, dots and dashes: no wildcard or \"_\", no spaces or \";\")",
    }),
    exposePortsOnLocalhostOnly: c.boolean("nginx.exposePortsOnLocalhostOnly", np.exposePortsOnLocalhostOnly, DEFAULTS.nginx.exposePortsOnLocalhostOnly),
    httpPort: c.port("nginx.httpPort", np.httpPort, DEFAULTS.nginx.httpPort),
    httpsPort: c.port("nginx.httpsPort", np.httpsPort, DEFAULTS.nginx.httpsPort),
    tls: c.boolean("nginx.tls", np.tls, DEFAULTS.nginx.tls),
    certificate: c.string("nginx.certificate", np.certificate, "", { re: /^(?:provided|self-signed)$/, what: 'where the certificate comes from: "provided" or "self-signed"' }) || undefined,
  } as DeploymentSpec["nginx"];
  if (nginx.tls && np.certificate === undefined)
    c.fail("nginx.certificate", 'is required with nginx.tls: true: say where the certificate comes from, "provided" (you put server.crt and server.key in ssl/nginx/) or "self-signed" (init creates one for a lab)');

  const pp = c.object<NonNullable<DeploymentProps["postgres"]>>("postgres", p.postgres, SETTINGS.postgres) ?? {};
  const pgId = { re: RE.pgIdentifier, what: "a plain Postgres name (lower-case letters, digits and _, not starting with a digit, at most 63)" };
  const postgres = {
    tag: c.string("postgres.tag", pp.tag, profile.defaults.postgresTag, { re: RE.tag, what: "a valid image tag (letters, digits, _ . -, at most 128, not starting with . or -)" }),
    adminUser: c.string("postgres.adminUser", pp.adminUser, DEFAULTS.postgres.adminUser, pgId),
    adminDatabase: c.string("postgres.adminDatabase", pp.adminDatabase, DEFAULTS.postgres.adminDatabase, pgId),
    tls: c.boolean("postgres.tls", pp.tls, DEFAULTS.postgres.tls),
    major: postgresMajor(c, p, images.db),
  };
  const upgrade = resolveUpgrade(c, p, release, postgres.major);
  if (postgres.adminUser === "dioptra") c.fail("postgres.adminUser", `must not be "dioptra": init-db.sh creates that role for the applications`);
  if (["restapi", "mlflow-tracking"].includes(postgres.adminDatabase))
    c.fail("postgres.adminDatabase", `must not be ${show(postgres.adminDatabase)}: init-db.sh creates that database for the applications`);

  const gp = c.object<NonNullable<DeploymentProps["pgadmin"]>>("pgadmin", p.pgadmin, SETTINGS.pgadmin) ?? {};
  const pgadmin = { defaultEmail: c.string("pgadmin.defaultEmail", gp.defaultEmail, DEFAULTS.pgadmin.defaultEmail, { re: RE.email, what: "an e-mail address" }) };

  const sec = c.object<NonNullable<DeploymentProps["security"]>>("security", p.security, SETTINGS.security) ?? {};
  const security = {
    legacyTls: c.boolean("security.legacyTls", sec.legacyTls, DEFAULTS.security.legacyTls),
    // A browser remembers HSTS per host name, all ports: on localhost it would outlive this deployment.
    hsts: c.boolean("security.hsts", sec.hsts, !nginx.exposePortsOnLocalhostOnly),
    hstsMaxAge: DEFAULTS.security.hstsMaxAge as number,
  };
  if (sec.hstsMaxAge !== undefined) {
    if (isCount(sec.hstsMaxAge) && sec.hstsMaxAge > 0 && sec.hstsMaxAge <= 2 ** 31 - 1) security.hstsMaxAge = sec.hstsMaxAge;
    else c.fail("security.hstsMaxAge", `must be a whole number of seconds from 1 to 2147483647, got ${show(sec.hstsMaxAge)}`);
  }

  let datasetsDirectory: string | undefined;
  if (p.datasetsDirectory !== undefined && p.datasetsDirectory !== "") {
    datasetsDirectory = c.absolutePath("datasetsDirectory", p.datasetsDirectory, "a usable datasets directory");
  }

  const sp = c.object<NonNullable<DeploymentProps["systemd"]>>("systemd", p.systemd, SETTINGS.systemd) ?? {};
  const requiredMounts = c.array<string>("systemd.requiredMounts", sp.requiredMounts).filter((m, i) => {
    const ok = typeof m === "string" && RE.unitName.test(m);
    if (!ok) c.fail(`systemd.requiredMounts.${i}`, `${show(m)} is not a systemd unit name such as "mnt-data.mount" (see systemd-escape --path --suffix=mount)`);
    return ok;
  });
  const deploymentPath = sp.deploymentPath === undefined ? undefined : c.absolutePath("systemd.deploymentPath", sp.deploymentPath, "a usable deployment folder");

  const volumes = resolveVolumes(c, p.volumes);
  const volumeNames = new Set([...BUILTIN_VOLUMES, ...volumes.map(([n]) => n)]);
  const swarm = resolveSwarm(c, p, slug);
  const workers = resolveWorkers(c, p.workers, slug, volumeNames, datasetsDirectory !== undefined, swarm);
  const containers = resolveContainers(c, p.customContainers, slug, volumeNames, workers, images);
  checkHostPorts(c, nginx, containers);
  checkGpus(c, p, workers, containers, swarm);
  if (swarm) checkSwarmPlacement(c, swarm, nginx, workers, containers);
  const serviceNames = new Set([...Object.values(SERVICES).map((s) => `${slug}-${s.suffix}`), ...workers.map((w) => w.name), ...containers.map((k) => k.name)]);
  if (swarm) checkSwarmNames(c, swarm, serviceNames, containers);
  const overrides = p.overrides === undefined ? undefined : resolveOverlay(c, "overrides", p.overrides, serviceNames);
  const envs = c.object<Record<string, unknown>>("environments", p.environments, Object.keys(p.environments ?? {})) ?? {};
  const environments: [string, ComposeOverlay][] = [];
  for (const env of Object.keys(envs).sort()) {
    if (!/^[a-z0-9][a-z0-9_-]{0,199}$/.test(env) || ["override", "init", "yml"].includes(env))
      c.fail(`environments.${env}`, `${show(env)} cannot name docker-compose.<name>.yml: use lower-case letters, digits, - and _, and not "override" or "init"`);
    const o = resolveOverlay(c, `environments.${env}`, envs[env], serviceNames);
    if (o) environments.push([env, o]);
  }

  const kubernetes = readKubernetes(c, p.kubernetes, { slug, driverVolumes: volumes.flatMap(([k, v]) => (v.type === "driver" ? [k] : [])) });
  if (kubernetes) checkKubernetes(c, { slug, nginxTls: nginx.tls, serverName: nginx.serverName, postgresTls: postgres.tls, workers, containers, jobNames: jobNames(slug, profile.workerAccount) }, kubernetes);

  if (c.issues.length > 0) return { spec: undefined, issues: c.issues };
  return {
    issues: [],
    spec: {
      profile, name, slug, composeCommand, images, nginx, postgres, pgadmin, security, workers, datasetsDirectory,
      systemd: { requiredMounts, deploymentPath }, volumes, containers, overrides, environments, swarm, upgrade, kubernetes,
    },
  };
}

/**
 * The Postgres major version of the db image: from 18 on the image keeps its
 * data elsewhere, so the generated layout depends on it.
 */
function postgresMajor(c: Checker, p: DeploymentProps, image: string): number {
  const tag = image.slice(image.lastIndexOf("/") + 1).split(":")[1] ?? "";
  const m = /^([0-9]{1,3})(?:[._-]|$)/.exec(tag);
  if (m) return Number(m[1]);
  const where = typeof p.images?.db === "string" ? "images.db" : typeof p.images?.db === "object" && p.images.db.tag !== undefined ? "images.db.tag" : "postgres.tag";
  c.fail(where, `cannot tell the Postgres major version from the tag ${show(tag)}: use a tag that starts with it, such as "17" or "17.6-bookworm" (the data layout differs from 18 on)`);
  return 0;
}

function resolveImages(c: Checker, p: DeploymentProps, profile: DioptraProfile): Record<ImageName, string> {
  const registry = c.string("registry", p.registry, profile.defaults.registry);
  if (registry !== "" && !RE.registry.test(registry))
    c.fail("registry", `${show(registry)} is not a registry host such as "registry.example.org:5000" (optionally followed by /path)`);
  const namespace = c.string("namespace", p.namespace, profile.defaults.namespace, {
    re: RE.namespace,
    what: "an image namespace (lower-case letters, digits and separators . _ -, parts joined by /)",
  });
  const tag = c.string("tag", p.tag, profile.defaults.tag, { re: RE.tag, what: "a valid image tag (letters, digits, _ . -, at most 128, not starting with . or -)" });
  const overrides = c.object<Record<string, unknown>>("images", p.images, IMAGE_SLOTS) ?? {};
  const out = {} as Record<ImageName, string>;
  for (const key of IMAGE_SLOTS) {
    const row = profile.images[key];
    const base: ImageRef = row.dioptra
      ? { registry, namespace, image: row.image, tag }
      : {
          registry: row.registry ?? "",
          namespace: row.namespace ?? "",
          image: row.image,
          tag: key === "db" ? (typeof p.postgres?.tag === "string" ? p.postgres.tag : profile.defaults.postgresTag) : (row.tag ?? ""),
        };
    const o = overrides[key];
    const path = `images.${key}`;
    if (o === undefined) out[key] = formatImage(base);
    else if (typeof o === "string") {
      if (!RE.image.test(o)) c.fail(path, `${show(o)} is not a valid image reference such as "registry.example.org/team/restapi:1.0" (name at most ${IMAGE_NAME_MAX} characters, tag at most 128)`);
      out[key] = o;
    } else {
      const part = c.object<Partial<ImageRef>>(path, o, SETTINGS["images.*"]) ?? {};
      const ref: ImageRef = {
        registry: c.string(`${path}.registry`, part.registry, base.registry),
        namespace: c.string(`${path}.namespace`, part.namespace, base.namespace, { re: RE.namespace, what: "an image namespace" }),
        image: c.string(`${path}.image`, part.image, base.image, { re: RE.repository, what: "an image repository name" }),
        tag: c.string(`${path}.tag`, part.tag, base.tag, { re: RE.tag, what: "a valid image tag" }),
      };
      if (ref.registry !== "" && !RE.registry.test(ref.registry)) c.fail(`${path}.registry`, `${show(ref.registry)} is not a registry host`);
      out[key] = formatImage(ref);
    }
    const name = imageName(out[key]);
    if (typeof o !== "string" && name.length > IMAGE_NAME_MAX)
      c.fail(o === undefined ? (registry.length > namespace.length ? "registry" : "namespace") : path, `gives the image name ${show(name.slice(0, 40))}… of ${name.length} characters; Docker allows at most ${IMAGE_NAME_MAX} (registry, namespace and image together)`);
  }
  return out;
}

function resolveVolumes(c: Checker, value: unknown): [string, VolumeProps][] {
  const vols = c.object<Record<string, VolumeProps>>("volumes", value, Object.keys(value ?? {})) ?? {};
  const out: [string, VolumeProps][] = [];
  for (const name of Object.keys(vols).sort()) {
    const path = `volumes.${name}`;
    if (!RE.volumeName.test(name)) c.fail(path, `${show(name)} is not a volume name (letters, digits and _ . -, starting with a letter or digit)`);
    if (BUILTIN_VOLUMES.has(name)) c.fail(path, `${show(name)} is one of the deployment's own volumes; choose another name`);
    const v = vols[name] as VolumeProps;
    if (v?.type === "nfs") {
      c.keys(path, v, SETTINGS.nfsVolume);
      c.string(`${path}.server`, v.server, "", { re: RE.nfsServer, what: "an NFS server address (host name or IP)" });
      if (v.server === undefined) c.fail(`${path}.server`, "is required");
      c.absolutePath(`${path}.export`, v.export, "an NFS export path");
      c.array<string>(`${path}.options`, v.options ?? DEFAULT_NFS_OPTIONS).forEach((o, i) => {
        if (typeof o !== "string" || !RE.mountOption.test(o) || o.startsWith("addr="))
          c.fail(`${path}.options.${i}`, `${show(o)} is not an NFS mount option such as "nfsvers=4" (addr= comes from server)`);
      });
    } else if (v?.type === "driver") {
      c.keys(path, v, SETTINGS.driverVolume);
      c.string(`${path}.driver`, v.driver, "local", { re: /^[A-Za-z0-9_./:-]+$/, what: "a volume driver name" });
      const opts = c.object<Record<string, unknown>>(`${path}.driverOpts`, v.driverOpts, Object.keys(v.driverOpts ?? {})) ?? {};
      for (const [k, o] of Object.entries(opts)) {
        if (!RE.envName.test(k)) c.fail(`${path}.driverOpts.${k}`, "option names are letters, digits and _");
        if (typeof o !== "string") c.fail(`${path}.driverOpts.${k}`, `must be a string, got ${show(o)}`);
      }
    } else {
      c.fail(path, `must be nfsVolume({...}) or driverVolume({...}) (type "nfs" or "driver"), got ${show(v)}`);
    }
    out.push([name, v]);
  }
  return out;
}

function resolveMounts(c: Checker, path: string, value: unknown, volumeNames: ReadonlySet<string>): Mount[] {
  return c.array<Mount>(path, value).filter((m, i) => {
    const mp = `${path}.${i}`;
    if (m === null || typeof m !== "object" || (m.type !== "bind" && m.type !== "volume")) {
      c.fail(mp, `must be bindMount(...) or volumeMount(...) (type "bind" or "volume"), got ${show(m)}`);
      return false;
    }
    c.keys(mp, m, SETTINGS.mount);
    const n = c.issues.length;
    if (m.type === "bind") c.absolutePath(`${mp}.source`, m.source, "a host folder");
    else if (typeof m.source !== "string" || !volumeNames.has(m.source))
      c.fail(`${mp}.source`, `${show(m.source)} is not a declared volume: add it to volumes: { … } or use one of the deployment's volumes`);
    c.absolutePath(`${mp}.target`, m.target, "a container path");
    c.boolean(`${mp}.readOnly`, m.readOnly, true);
    return c.issues.length === n;
  });
}

/** Compose refuses two mounts on one target; report it at the setting, before Compose does. */
function checkMountTargets(c: Checker, path: string, mounts: readonly Mount[], reserved: readonly string[]): void {
  const seen = new Set(reserved);
  for (const m of mounts) {
    if (seen.has(m.target)) c.fail(path, `two mounts target ${show(m.target)}; each container path can be mounted once`);
    seen.add(m.target);
  }
}

function resolveGpus(c: Checker, path: string, value: unknown): GpuSelection | undefined {
  if (value === undefined) return undefined;
  if (value === "all") return "all";
  if (!Array.isArray(value) || value.length === 0) {
    c.fail(path, `must be "all" or a non-empty list of GPU indices, got ${show(value)}`);
    return undefined;
  }
  value.forEach((g, i) => {
    if (!isCount(g)) c.fail(`${path}.${i}`, `GPU indices are whole numbers ≥ 0, got ${show(g)}`);
  });
  if (new Set(value).size !== value.length) c.fail(path, `lists a GPU twice: ${show(value)}`);
  return value as number[];
}

function resolveWorkers(c: Checker, value: unknown, slug: string, volumeNames: ReadonlySet<string>, hasDatasets: boolean, swarm: SwarmSpec | undefined): WorkerSpec[] {
  const wp = c.object<Record<string, unknown>>("workers", value, WORKER_KINDS.map((k) => k.key)) ?? {};
  const workers: WorkerSpec[] = [];
  // Per host: each machine numbers its own GPUs from 0 (one counter without swarm).
  const nextGpu = new Map<string, number>();
  for (const kind of WORKER_KINDS) {
    const path = `workers.${kind.key}`;
    const raw = wp[kind.key] ?? DEFAULTS.workers[kind.key];
    const pool = typeof raw === "number" ? { count: raw } : c.object<{ count?: unknown; mounts?: unknown; host?: unknown; workers?: unknown }>(path, raw, SETTINGS["workers.*"], "a count (a whole number ≥ 0) or a pool { count, mounts, workers }") ?? { count: 0 };
    const countPath = typeof raw === "number" ? path : `${path}.count`;
    let count = 0;
    if (!isCount(pool.count)) c.fail(countPath, `must be a whole number ≥ 0, got ${show(pool.count)}`);
    else count = pool.count;
    const poolMounts = resolveMounts(c, `${path}.mounts`, pool.mounts, volumeNames);
    const poolHost = resolveHostRef(c, `${path}.host`, pool.host, swarm);
    const perWorker = c.object<Record<string, { mounts?: unknown; gpus?: unknown; host?: unknown }>>(`${path}.workers`, pool.workers, Object.keys(pool.workers ?? {})) ?? {};
    for (const key of Object.keys(perWorker)) {
      const n = Number(key);
      if (!Number.isInteger(n) || n < 1 || n > count) c.fail(`${path}.workers.${key}`, `is not a worker of this pool: worker numbers run from 1 to count (${count})`);
      c.keys(`${path}.workers.${key}`, perWorker[key] ?? {}, kind.gpu ? SETTINGS["workers.*.workers.*"] : SETTINGS["workers.*.workers.*"].filter((k) => k !== "gpus"));
    }
    const reserved = hasDatasets ? [DATASETS_TARGET, "/usr/local/share/ca-certificates", "/etc/ssl"] : ["/usr/local/share/ca-certificates", "/etc/ssl"];
    // The pool's mounts are checked once, where they are written; a worker's own mounts against those.
    checkMountTargets(c, `${path}.mounts`, poolMounts, reserved);
    const poolTargets = [...reserved, ...poolMounts.map((m) => m.target)];
    for (let index = 1; index <= count; index++) {
      const own = perWorker[String(index)];
      const wpath = `${path}.workers.${index}`;
      // A worker with no settings of its own shares the pool's list: the model and the Compose target then meet it once.
      let mounts = poolMounts;
      if (own?.mounts !== undefined) {
        const ownMounts = resolveMounts(c, `${wpath}.mounts`, own.mounts, volumeNames);
        checkMountTargets(c, `${wpath}.mounts`, ownMounts, poolTargets);
        mounts = [...poolMounts, ...ownMounts];
      }
      const ownHost = own?.host === undefined ? undefined : resolveHostRef(c, `${wpath}.host`, own.host, swarm);
      const host = swarm ? (ownHost ?? poolHost ?? swarm.coreHost) : undefined;
      // The template's rule: one GPU per worker, numbered across the GPU pools in table order (per host under swarm).
      const next = nextGpu.get(host ?? "") ?? 0;
      const explicit = kind.gpu && own?.gpus !== undefined ? resolveGpus(c, `${wpath}.gpus`, own.gpus) : undefined;
      const gpus = kind.gpu ? (explicit ?? [next]) : undefined;
      if (kind.gpu) nextGpu.set(host ?? "", next + 1);
      if (swarm && host !== undefined && gpus !== undefined) {
        const hostPath = ownHost !== undefined ? `${wpath}.host` : poolHost !== undefined ? `${path}.host` : "swarm.coreHost";
        checkHostGpus(c, swarm, host, gpus, explicit !== undefined ? `${wpath}.gpus` : hostPath, explicit === undefined);
      }
      workers.push({ kind, index, name: workerName(slug, kind.short, index), gpus, mounts, host });
    }
  }
  return workers;
}

/** The image slots whose entrypoint is Dioptra's (it reads `--wait-for host:port` flags before the command). */
const DIOPTRA_ENTRYPOINT_IMAGES: readonly ImageName[] = ["nginx", "restapi", "mlflowTracking", ...WORKER_KINDS.map((k) => k.image)];

/** `NAME` of `${NAME}`, `${NAME:-default}`, …, and whether the interpolation gives a default. */
function interpolated(text: string): { name: string; hasDefault: boolean } | undefined {
  const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-)?/.exec(text);
  return m ? { name: m[1]!, hasDefault: m[2] !== undefined } : undefined;
}

/** The names the config declares with secret(), in any custom container. */
function declaredSecrets(containers: Readonly<Record<string, unknown>>): Set<string> {
  const out = new Set<string>();
  for (const k of Object.values(containers)) {
    const env = (k as { environment?: unknown } | null)?.environment;
    if (env === null || typeof env !== "object") continue;
    for (const v of Object.values(env)) {
      const i = v as { interpolate?: unknown; secret?: unknown } | null;
      if (i?.secret === true && typeof i.interpolate === "string") {
        const n = interpolated(i.interpolate);
        if (n) out.add(n.name);
      }
    }
  }
  return out;
}

function resolveDependsOn(c: Checker, path: string, value: unknown, slug: string, self: string, containers: Readonly<Record<string, unknown>>): CustomContainerSpec["dependsOn"] {
  const deps = c.object<Record<string, unknown>>(path, value, Object.keys(value ?? {})) ?? {};
  const out: { service: string; condition: "started" | "healthy" }[] = [];
  for (const [key, condition] of Object.entries(deps).sort(([a], [b]) => a.localeCompare(b))) {
    const at = `${path}.${key}`;
    const other = containers[key] as { healthcheck?: unknown } | undefined;
    if (condition !== "started" && condition !== "healthy") c.fail(at, `must be "started" or "healthy", got ${show(condition)}`);
    else if (Object.hasOwn(SERVICES, key)) out.push({ service: serviceName(slug, key as DioptraService), condition });
    else if (key === self) c.fail(at, "a container cannot depend on itself");
    else if (other === undefined) c.fail(at, `${show(key)} is neither a deployment service (${Object.keys(SERVICES).join(", ")}) nor a custom container of this config`);
    else if (condition === "healthy" && other?.healthcheck === undefined) c.fail(at, `${show(key)} has no healthcheck, so Compose cannot wait for it to be healthy: give it one, or write "started"`);
    else out.push({ service: key, condition });
  }
  return out;
}

function resolveEnvironment(c: Checker, path: string, value: unknown, secrets: ReadonlySet<string> = new Set()): Record<string, EnvValue> {
  const env = c.object<Record<string, unknown>>(path, value, Object.keys(value ?? {})) ?? {};
  for (const [at, message] of forbiddenVariableProblems(env, path)) c.fail(at, message);
  const out: Record<string, EnvValue> = {};
  for (const [k, v] of Object.entries(env)) {
    if (!RE.envName.test(k)) c.fail(`${path}.${k}`, `${show(k)} is not an environment variable name (letters, digits and _, not starting with a digit)`);
    const isInterp = v !== null && typeof v === "object" && typeof (v as { interpolate?: unknown }).interpolate === "string";
    if (typeof v !== "string" && !isInterp) c.fail(`${path}.${k}`, `must be a string or fromEnv(...), got ${show(v)}`);
    else if (isInterp && !/^\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-?][^}]*)?\}$/.test((v as { interpolate: string }).interpolate))
      c.fail(`${path}.${k}`, `${show(v)} is not an interpolation such as fromEnv("NAME")`);
    else if (isInterp && !envSourceKnown(c, `${path}.${k}`, v as Interpolated, secrets)) continue;
    else out[k] = v as EnvValue;
  }
  return out;
}

/**
 * An interpolation must name a variable that will be in `.env`: one init
 * writes, or one the config declares with secret(). A default makes it optional.
 */
function envSourceKnown(c: Checker, path: string, v: Interpolated, secrets: ReadonlySet<string>): boolean {
  const i = interpolated(v.interpolate);
  if (i === undefined) return true;
  if (v.secret === true) {
    if (i.hasDefault || v.interpolate !== `\${${i.name}}`) c.fail(path, `secret(${show(i.name)}) takes a plain variable name`);
    else if (INIT_ENV_NAMES.includes(i.name)) c.fail(path, `secret(${show(i.name)}): init already writes ${i.name} into .env; use fromEnv(${show(i.name)}) to read it, or another name`);
    else return true;
    return false;
  }
  const serviceOnly = serviceOnlyVariable(i.name);
  if (serviceOnly !== undefined) c.fail(path, serviceOnly);
  else if (i.hasDefault || INIT_ENV_NAMES.includes(i.name) || secrets.has(i.name)) return true;
  else
    c.fail(path, `fromEnv(${show(i.name)}): nothing puts ${i.name} in .env: init writes only its own variables (${INIT_ENV_NAMES.slice(0, 3).join(", ")}, …). Declare it with secret(${show(i.name)}) for init to draw a random value, or give fromEnv a default`);
  return false;
}

function resolveHealthcheck(c: Checker, path: string, value: unknown): HealthcheckProps | undefined {
  const h = c.object<HealthcheckProps>(path, value, SETTINGS["customContainers.*.healthcheck"]);
  if (!h) return undefined;
  const test = c.array<string>(`${path}.test`, h.test);
  if (test.length === 0 || test.some((t) => typeof t !== "string")) c.fail(`${path}.test`, "must be a non-empty list of strings (the command in exec form)");
  for (const k of ["interval", "timeout", "startPeriod"] as const) {
    if (h[k] !== undefined) c.string(`${path}.${k}`, h[k], "", { re: RE.duration, what: "a duration such as \"30s\" or \"1m30s\"" });
  }
  if (h.retries !== undefined && !isCount(h.retries)) c.fail(`${path}.retries`, `must be a whole number ≥ 0, got ${show(h.retries)}`);
  return h;
}

function resolveContainers(
  c: Checker,
  value: unknown,
  slug: string,
  volumeNames: ReadonlySet<string>,
  workers: readonly WorkerSpec[],
  images: Readonly<Record<ImageName, string>>,
): CustomContainerSpec[] {
  const cp = c.object<Record<string, CustomContainerProps>>("customContainers", value, Object.keys(value ?? {})) ?? {};
  const dioptraImages = new Set(DIOPTRA_ENTRYPOINT_IMAGES.map((slot) => images[slot]));
  const secrets = declaredSecrets(cp);
  const taken = new Set([...Object.keys(SERVICES).map((s) => `${slug}-${SERVICES[s as keyof typeof SERVICES].suffix}`), ...workers.map((w) => w.name)]);
  const out: CustomContainerSpec[] = [];
  for (const name of Object.keys(cp).sort()) {
    const path = `customContainers.${name}`;
    const k = cp[name] as CustomContainerProps;
    if (!RE.serviceName.test(name)) c.fail(path, `${show(name)} is not a service name (lower-case letters, digits and _ . -)`);
    if (taken.has(name)) c.fail(path, `${show(name)} is already a service of this deployment; choose another name`);
    const props = c.object<CustomContainerProps>(path, k, SETTINGS["customContainers.*"]);
    if (!props) continue;
    const image = c.string(`${path}.image`, props.image, "", { re: RE.image, what: "a valid image reference such as \"custom-container:dev\"" });
    if (props.image === undefined) c.fail(`${path}.image`, "is required");
    const restart = c.string(`${path}.restart`, props.restart, "always", { re: /^(?:no|always|on-failure|unless-stopped)$/, what: "one of no, always, on-failure, unless-stopped" }) as CustomContainerSpec["restart"];
    const hostname = c.string(`${path}.hostname`, props.hostname, name, { re: RE.serviceName, what: "a host name" });
    const strings = (sub: string, v: unknown): string[] | undefined => {
      if (v === undefined) return undefined;
      const list = c.array<unknown>(`${path}.${sub}`, v);
      list.forEach((s, i) => {
        if (typeof s !== "string") c.fail(`${path}.${sub}.${i}`, `must be a string, got ${show(s)}`);
      });
      return list as string[];
    };
    const entrypoint = strings("entrypoint", props.entrypoint);
    const waitFor = c.array<string>(`${path}.waitFor`, props.waitFor).map((w, i) => {
      if (typeof w === "string" && Object.hasOwn(SERVICES, w)) return waitTarget(slug, w as keyof typeof SERVICES);
      if (typeof w === "string" && /^[^:]+:[0-9]{1,5}$/.test(w) && RE.hostName.test(w.split(":")[0]!) && isPort(Number(w.split(":")[1]))) return w;
      c.fail(`${path}.waitFor.${i}`, `${show(w)} is neither a deployment service (${Object.keys(SERVICES).join(", ")}) nor host:port`);
      return "";
    });
    const command = strings("command", props.command);
    const dioptraEntrypoint = c.boolean(`${path}.dioptraEntrypoint`, props.dioptraEntrypoint, dioptraImages.has(image));
    const dependsOn = resolveDependsOn(c, `${path}.dependsOn`, props.dependsOn, slug, name, cp);
    if (waitFor.length > 0 && !dioptraEntrypoint) {
      const services = (props.waitFor ?? []).filter((w): w is DioptraService => typeof w === "string" && Object.hasOwn(SERVICES, w));
      const suggestion = services.length > 0 ? `dependsOn: { ${services.map((w) => `${w}: "healthy"`).join(", ")} } (Compose starts it once they are healthy)` : "dependsOn: { <service>: \"healthy\" }";
      c.fail(
        `${path}.waitFor`,
        `${show(image)} is not one of this deployment's Dioptra images, whose entrypoint reads --wait-for flags; another image would get them as its command. Write ${suggestion}, or dioptraEntrypoint: true if the image does use Dioptra's entrypoint`,
      );
    }
    const envFiles = c.array<unknown>(`${path}.envFiles`, props.envFiles).map((f, i) => {
      if (f !== null && typeof f === "object" && typeof (f as { generated?: unknown }).generated === "string") {
        const g = (f as { generated: string }).generated;
        return g === "ca-certificates" ? "./envs/ca-certificates.env" : `./envs/${slug}-${g}.env`;
      }
      if (typeof f === "string" && /^(?:\.\/)?[A-Za-z0-9_./-]+$/.test(f) && !f.startsWith("/") && !f.split("/").includes("..")) return f.startsWith("./") ? f : `./${f}`;
      c.fail(`${path}.envFiles.${i}`, `${show(f)} is neither envFile(...) nor a relative path inside the deployment folder`);
      return "";
    });
    const mounts = resolveMounts(c, `${path}.mounts`, props.mounts, volumeNames);
    checkMountTargets(c, `${path}.mounts`, mounts, []);
    const ports = c.array<PortMapping>(`${path}.ports`, props.ports).filter((pm, i) => {
      const pp = `${path}.ports.${i}`;
      const o = c.object<PortMapping>(pp, pm, SETTINGS["customContainers.*.ports.*"]);
      if (!o) return false;
      const n = c.issues.length;
      c.port(`${pp}.host`, o.host, 1);
      c.port(`${pp}.container`, o.container, 1);
      if (o.host === undefined || o.container === undefined) c.fail(pp, "needs both host and container ports");
      c.string(`${pp}.protocol`, o.protocol, "tcp", { re: /^(?:tcp|udp)$/, what: "tcp or udp" });
      c.string(`${pp}.hostIp`, o.hostIp, "", { re: RE.hostIp, what: "an IP address" });
      return c.issues.length === n;
    });
    const environment = resolveEnvironment(c, `${path}.environment`, props.environment, secrets);
    const healthcheck = resolveHealthcheck(c, `${path}.healthcheck`, props.healthcheck);
    const gpus = resolveGpus(c, `${path}.gpus`, props.gpus);
    if (gpus !== undefined && Object.hasOwn(environment, "NVIDIA_VISIBLE_DEVICES"))
      c.fail(`${path}.environment.NVIDIA_VISIBLE_DEVICES`, "is set by gpus; set one or the other");
    const capAdd = c.array<unknown>(`${path}.capAdd`, props.capAdd).filter((cap, i): cap is Capability => {
      const ok = typeof cap === "string" && (CAPABILITIES as readonly string[]).includes(cap);
      if (!ok) c.fail(`${path}.capAdd.${i}`, `${show(cap)} is not a Linux capability as Docker names it (e.g. "CHOWN", "NET_BIND_SERVICE"; no "CAP_" prefix)`);
      return ok;
    });
    out.push({ name, image, restart, hostname, entrypoint, waitFor, dioptraEntrypoint, dependsOn, command, environment, envFiles, mounts, ports, healthcheck, gpus, capAdd: [...new Set(capAdd)].sort() });
  }
  return out;
}

/**
 * A GPU given to two containers is an error unless `gpuSharing` says it is
 * meant (two jobs on one GPU share its memory and may run out of it), and
 * with `hostGpus` every index must exist. `"all"` overlaps every other user.
 */
/**
 * GPU indices name devices of one machine: under Swarm two workers on
 * different hosts may both use GPU 0, so users are compared per host
 * (custom containers run on the core host).
 */
function checkGpus(c: Checker, p: DeploymentProps, workers: readonly WorkerSpec[], containers: readonly CustomContainerSpec[], swarm: SwarmSpec | undefined): void {
  const sharing = c.boolean("gpuSharing", p.gpuSharing, false);
  let hostGpus: number | undefined;
  if (p.hostGpus !== undefined) {
    if (isCount(p.hostGpus) && p.hostGpus >= 1) hostGpus = p.hostGpus;
    else c.fail("hostGpus", `must be a whole number ≥ 1 (the GPUs on the host), got ${show(p.hostGpus)}`);
  }
  const poolOf = (w: WorkerSpec) => `workers.${w.kind.key}`;
  const users = [
    ...workers.flatMap((w) => {
      if (w.gpus === undefined) return [];
      const own = p.workers?.[w.kind.key];
      const mine: unknown = typeof own === "object" && own !== null ? own.workers?.[w.index] : undefined;
      const written = typeof mine === "object" && mine !== null && (mine as { gpus?: unknown }).gpus !== undefined;
      // A defaulted GPU (the template's rule) is reported at the pool, where the count is.
      return [{ name: w.name, gpus: w.gpus, path: written ? `${poolOf(w)}.workers.${w.index}.gpus` : poolOf(w), defaulted: !written, host: w.host }];
    }),
    ...containers.flatMap((k) => (k.gpus === undefined ? [] : [{ name: k.name, gpus: k.gpus, path: `customContainers.${k.name}.gpus`, defaulted: false, host: swarm?.coreHost }])),
  ];
  if (hostGpus !== undefined) {
    for (const u of users) {
      if (u.gpus === "all") continue;
      const out = u.gpus.filter((g) => g >= hostGpus!);
      if (out.length > 0)
        c.fail(u.path, `${u.defaulted ? `${u.name} gets GPU ${out.join(", ")} by the one-GPU-each rule` : `GPU ${out.join(", ")}`}, but hostGpus is ${hostGpus} (indices 0 to ${hostGpus - 1})`);
    }
  }
  if (sharing) return;
  for (const { user: u, other: v, shared } of gpuConflicts(users)) {
    c.fail(u.path, `${u.name} would share GPU ${shared === "all" ? "all" : shared.join(", ")} with ${v.name} (${v.path}); give each its own GPUs, or set gpuSharing: true if sharing is intended`);
  }
}

/** Two services cannot publish the same host port on overlapping addresses. */
function checkHostPorts(c: Checker, nginx: DeploymentSpec["nginx"], containers: readonly CustomContainerSpec[]): void {
  const nginxIp = nginx.exposePortsOnLocalhostOnly ? "127.0.0.1" : "";
  const claims: { port: number; ip: string; proto: string; path: string }[] = [
    { port: nginx.httpPort, ip: nginxIp, proto: "tcp", path: "nginx.httpPort" },
    ...(nginx.tls ? [{ port: nginx.httpsPort, ip: nginxIp, proto: "tcp", path: "nginx.httpsPort" }] : []),
    ...NGINX_FIXED_PORTS.map((p) => ({ port: p.host, ip: nginxIp, proto: "tcp", path: `nginx (fixed port ${p.host})` })),
  ];
  for (const k of containers) {
    k.ports.forEach((p, i) => claims.push({ port: p.host, ip: p.hostIp ?? nginxIp, proto: p.protocol ?? "tcp", path: `customContainers.${k.name}.ports.${i}.host` }));
  }
  claims.forEach((a, i) => {
    for (const b of claims.slice(0, i)) {
      if (a.port === b.port && a.proto === b.proto && addressesOverlap(a.ip, b.ip))
        c.fail(a.path.startsWith("nginx (") ? b.path : a.path, `host port ${a.port}/${a.proto} is already published by ${a.path.startsWith("nginx (") ? a.path : b.path}`);
    }
  });
}

/**
 * An overlay may only touch services that exist (new services belong in
 * customContainers, where they are typed and joined to the network). Its
 * values are checked against the Compose schema after merging, at generation.
 */
function resolveOverlay(c: Checker, path: string, value: unknown, serviceNames: ReadonlySet<string>): ComposeOverlay | undefined {
  const o = c.object<ComposeOverlay>(path, value, SETTINGS.overlay);
  if (!o) return undefined;
  const services = c.object<Record<string, unknown>>(`${path}.services`, o.services, Object.keys(o.services ?? {})) ?? {};
  for (const [name, svc] of Object.entries(services)) {
    if (!serviceNames.has(name)) c.fail(`${path}.services.${name}`, `is not a service of this deployment; add new containers under customContainers (services: ${[...serviceNames].slice(0, 4).join(", ")}, …)`);
    c.object(`${path}.services.${name}`, svc, Object.keys(svc ?? {}));
  }
  const volumes = c.object<Record<string, unknown>>(`${path}.volumes`, o.volumes, Object.keys(o.volumes ?? {})) ?? {};
  for (const [name, v] of Object.entries(volumes)) {
    if (!RE.volumeName.test(name)) c.fail(`${path}.volumes.${name}`, `${show(name)} is not a volume name`);
    c.object(`${path}.volumes.${name}`, v, Object.keys(v ?? {}));
  }
  for (const [at, message] of [...interpolationProblems(o, path), ...overlayEnvironmentProblems(o, path)]) c.fail(at, message);
  return o;
}

/** Host names become node label values and DNS-safe words in deploy-stack.sh. */
const HOST_KEY = /^[a-z][a-z0-9-]{0,62}$/;
/** Docker label keys and values we pass through the shell and into placement constraints. */
const LABEL_KEY = /^[a-z0-9](?:[a-z0-9._-]{0,126}[a-z0-9])?$/;
const LABEL_VALUE = /^[A-Za-z0-9._\/:-]{1,128}$/;

/** The Swarm target's hosts and switch; undefined (after reporting stray host settings) without `swarm`. */
function resolveSwarm(c: Checker, p: DeploymentProps, slug: string): SwarmSpec | undefined {
  if (p.swarm === undefined) {
    if (p.hosts !== undefined) c.fail("hosts", "only the Swarm target reads hosts: add swarm: {} (or remove hosts)");
    return undefined;
  }
  const sp = c.object<NonNullable<DeploymentProps["swarm"]>>("swarm", p.swarm, SETTINGS.swarm) ?? {};
  const stackName = c.string("swarm.stackName", sp.stackName, slug, { re: /^[a-z0-9][a-z0-9_-]{0,62}$/, what: "a stack name (lower-case letters, digits, _ and -, at most 63)" });
  const coreHost = c.string("swarm.coreHost", sp.coreHost, "core");
  if (p.hosts === undefined) {
    c.fail("hosts", "the Swarm target needs the machines it runs on, e.g. hosts: { core: {}, gpu1: { gpus: 4 } }");
    return { stackName, coreHost, hosts: [], hostLabel: `dioptra.${slug}.host` };
  }
  const hp = c.object<Record<string, unknown>>("hosts", p.hosts, Object.keys(p.hosts ?? {})) ?? {};
  const hostLabel = `dioptra.${slug}.host`;
  const hosts: HostSpec[] = [];
  const nodes = new Map<string, string>();
  const folders: string[] = [];
  for (const key of Object.keys(hp)) {
    const path = `hosts.${key}`;
    if (!HOST_KEY.test(key)) c.fail(path, `${show(key)} is not a host name for the config: lower-case letters, digits and -, starting with a letter`);
    const h = c.object<NonNullable<DeploymentProps["hosts"]>[string]>(path, hp[key] ?? {}, SETTINGS["hosts.*"]) ?? {};
    const node = c.string(`${path}.node`, h.node, key, { re: RE.hostName, what: "a Swarm node name (a host name)" });
    const other = nodes.get(node);
    if (other !== undefined) c.fail(`${path}.node`, `node ${show(node)} is already hosts.${other}: each host is one machine`);
    nodes.set(node, key);
    const gpuIds = c.array<unknown>(`${path}.gpuIds`, h.gpuIds).filter((id, i): id is string => {
      // Not a bare number: dockerd would read NVIDIA-GPU=<number> as a count of GPUs, not a GPU.
      const ok = typeof id === "string" && /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/.test(id) && !/^[0-9]+$/.test(id);
      if (!ok) c.fail(`${path}.gpuIds.${i}`, `${show(id)} is not a GPU UUID such as "GPU-6f1d2c3a-8e4b-…" (nvidia-smi --query-gpu=uuid --format=csv,noheader)`);
      return ok;
    });
    if (new Set(gpuIds).size !== gpuIds.length) c.fail(`${path}.gpuIds`, "lists a GPU twice");
    let gpus = gpuIds.length;
    if (h.gpus !== undefined && !isCount(h.gpus)) c.fail(`${path}.gpus`, `must be a whole number ≥ 0, got ${show(h.gpus)}`);
    else if (h.gpus !== undefined) gpus = h.gpus;
    if (gpus > 0 && gpuIds.length !== gpus)
      c.fail(
        `${path}.gpuIds`,
        h.gpuIds === undefined
          ? `a host with GPUs lists their UUIDs (nvidia-smi --query-gpu=uuid --format=csv,noheader), which its daemon.json advertises to Swarm; dockerd reads a number there as a count, not a GPU`
          : `lists ${gpuIds.length} GPUs, but gpus is ${gpus}`,
      );
    const lp = c.object<Record<string, unknown>>(`${path}.labels`, h.labels, Object.keys(h.labels ?? {})) ?? {};
    const labels: [string, string][] = [];
    for (const k of Object.keys(lp).sort()) {
      const v = lp[k];
      if (!LABEL_KEY.test(k)) c.fail(`${path}.labels.${k}`, `${show(k)} is not a node label key (lower-case letters, digits, . _ -)`);
      else if (k === hostLabel) c.fail(`${path}.labels.${k}`, "is the label deploy-stack.sh sets from the host's key; choose another");
      if (typeof v !== "string" || !LABEL_VALUE.test(v)) c.fail(`${path}.labels.${k}`, `must be a label value of letters, digits and . _ / : - (no spaces or commas), got ${show(v)}`);
      else labels.push([k, v]);
    }
    if (c.boolean(`${path}.deploymentFolder`, h.deploymentFolder, false)) folders.push(key);
    hosts.push({ key, node, gpus, gpuIds, labels });
  }
  if (!hosts.some((h) => h.key === coreHost))
    c.fail("swarm.coreHost", `${show(coreHost)} is not a declared host (hosts: ${hosts.map((h) => h.key).join(", ") || "none"})${sp.coreHost === undefined ? '; it defaults to "core"' : ""}`);
  folders.slice(1).forEach((k) => c.fail(`hosts.${k}.deploymentFolder`, `only one host holds the deployment folder, and hosts.${folders[0]} already does`));
  const folder = folders[0];
  if (folder !== undefined && folder !== coreHost)
    c.fail(
      "swarm.coreHost",
      `core services run on ${show(coreHost)} but the deployment folder is on ${show(folder)} (hosts.${folder}.deploymentFolder): they keep their data in the named volumes init fills there, so they must run on that host`,
    );
  return { stackName, coreHost, hosts, hostLabel };
}

/** A worker's or pool's `host`: a declared host, and only under swarm. */
function resolveHostRef(c: Checker, path: string, value: unknown, swarm: SwarmSpec | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!swarm) {
    c.fail(path, "only the Swarm target places workers on hosts: add swarm: {} and hosts: { … }");
    return undefined;
  }
  if (typeof value !== "string" || !swarm.hosts.some((h) => h.key === value)) {
    c.fail(path, `${show(value)} is not a declared host (hosts: ${swarm.hosts.map((h) => h.key).join(", ") || "none"})`);
    return undefined;
  }
  return value;
}

/** GPU indices exist on the host a service runs on. */
function checkHostGpus(c: Checker, swarm: SwarmSpec, host: string, gpus: GpuSelection, path: string, byRule: boolean): void {
  const have = swarm.hosts.find((h) => h.key === host)?.gpus;
  if (have === undefined) return;
  if (have === 0) {
    c.fail(path, `runs on host ${show(host)}, which declares no GPUs (hosts.${host}.gpus)`);
    return;
  }
  if (gpus === "all") return;
  gpus.forEach((g, i) => {
    if (g < have)
      return;
    if (byRule) c.fail(path, `the one-GPU-each rule gives a worker on host ${show(host)} GPU ${g}, but it has ${have} (0–${have - 1}): move workers to another host or raise hosts.${host}.gpus`);
    else c.fail(`${path}.${i}`, `GPU ${g} is past host ${show(host)}'s ${have} GPUs (0–${have - 1}, hosts.${host}.gpus)`);
  });
}

/** What Swarm cannot do, and GPUs a host cannot supply, reported at the setting. */
function checkSwarmPlacement(c: Checker, swarm: SwarmSpec, nginx: DeploymentSpec["nginx"], workers: readonly WorkerSpec[], containers: readonly CustomContainerSpec[]): void {
  if (nginx.exposePortsOnLocalhostOnly)
    c.fail("nginx.exposePortsOnLocalhostOnly", "Swarm cannot publish a port on one address only: set it to false and firewall the core host, or keep the Compose target");
  const reserved = new Map<string, { n: number; who: string[] }>();
  const reserve = (host: string, gpus: GpuSelection | undefined, who: string) => {
    if (gpus === undefined) return;
    const have = swarm.hosts.find((h) => h.key === host)?.gpus ?? 0;
    const r = reserved.get(host) ?? { n: 0, who: [] };
    r.n += gpus === "all" ? have : gpus.length;
    r.who.push(who);
    reserved.set(host, r);
  };
  for (const w of workers) if (w.host !== undefined) reserve(w.host, w.gpus, w.name);
  for (const k of containers) {
    k.ports.forEach((p, i) => {
      if (p.hostIp !== undefined && p.hostIp !== "") c.fail(`customContainers.${k.name}.ports.${i}.hostIp`, "Swarm cannot publish a port on one address only: remove hostIp");
    });
    if (k.gpus !== undefined) {
      checkHostGpus(c, swarm, swarm.coreHost, k.gpus, `customContainers.${k.name}.gpus`, false);
      reserve(swarm.coreHost, k.gpus, k.name);
    }
  }
  for (const h of swarm.hosts) {
    const r = reserved.get(h.key);
    if (r && h.gpus > 0 && r.n > h.gpus)
      c.fail(`hosts.${h.key}.gpus`, `its services reserve ${r.n} GPUs (${r.who.join(", ")}) but it has ${h.gpus}: Swarm would leave the rest pending`);
  }
}

/** Swarm names a service `<stack>_<name>` and takes only a DNS label of at most 63 characters (no dots). */
function checkSwarmNames(c: Checker, swarm: SwarmSpec, serviceNames: ReadonlySet<string>, containers: readonly CustomContainerSpec[]): void {
  const dnsLabel = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;
  for (const k of containers) if (!dnsLabel.test(k.name)) c.fail(`customContainers.${k.name}`, `${show(k.name)} cannot name a Swarm service: use letters, digits, - and _ (no dots)`);
  const longest = [...serviceNames].reduce((a, b) => (b.length > a.length ? b : a), "");
  const full = `${swarm.stackName}_${longest}`;
  if (full.length > 63)
    c.fail("swarm.stackName", `Swarm would name a service ${show(full)} (${full.length} characters) and allows 63: set a shorter swarm.stackName (or name)`);
}
