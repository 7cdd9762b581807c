/**
 * `import --compose`: a hand-edited docker-compose.override.yml as typed
 * settings. Worker mounts and GPUs, NFS and driver volumes, and containers
 * of the user's own become typed settings; whatever has no typed form stays
 * raw Compose in `overrides`, with a warning, so the imported deployment is
 * the one the override file described.
 */
import { parseEnvRef } from "../model/env-value.js";
import type { Issue } from "../dsl/errors.js";
import type {
  CustomContainerProps,
  DeploymentProps,
  DioptraService,
  EnvFileRef,
  EnvValue,
  GeneratedEnvFile,
  GpuSelection,
  HealthcheckProps,
  Mount,
  PortMapping,
  VolumeProps,
} from "../dsl/props.js";
import { resolveDeployment } from "../validation/resolve.js";
import { SERVICES, waitTarget } from "../model/services.js";
import type { DeploymentSpec, WorkerSpec } from "../validation/spec.js";
import { DEFAULT_NFS_OPTIONS } from "../model/builtin-volumes.js";
import { WORKER_KINDS } from "../dsl/worker-kinds.js";
import { isRecord as isRaw, sameData } from "../config-edit/config-edit.js";

type Raw = Record<string, unknown>;

/** The host side of a Compose mount (short or long syntax), and whether it is writable. */
function hostSide(entry: unknown): { source: string; writable: boolean } | undefined {
  if (typeof entry === "string") {
    const [source, , mode] = entry.split(":");
    return source === undefined ? undefined : { source, writable: !(mode ?? "").split(",").includes("ro") };
  }
  return isRaw(entry) && typeof entry.source === "string" ? { source: entry.source, writable: entry.read_only !== true } : undefined;
}

/**
 * Service settings that hand a container control of the host. They are
 * imported as the file has them (the deployment must stay the one the file
 * described), but each is named in a warning: in a long override file, or
 * one from someone else, they are easy to miss.
 */
const HOST_ACCESS: readonly { readonly key: string; readonly risk: (value: unknown) => string[] }[] = [
  { key: "privileged", risk: (v) => (v === true ? ["privileged: true gives the container every capability and every host device"] : []) },
  { key: "cap_add", risk: (v) => (Array.isArray(v) && v.length > 0 ? [`cap_add ${JSON.stringify(v)} gives the container kernel capabilities beyond Docker's default set`] : []) },
  { key: "network_mode", risk: (v) => (v === "host" ? ["network_mode: host puts the container on the host's network (every host port, no isolation)"] : []) },
  { key: "pid", risk: (v) => (v === "host" ? ["pid: host lets the container see and signal every process of the host"] : []) },
  { key: "ipc", risk: (v) => (v === "host" ? ["ipc: host shares the host's shared memory and IPC"] : []) },
  {
    key: "volumes",
    risk: (v) =>
      (Array.isArray(v) ? v : []).flatMap((m) => {
        const h = hostSide(m);
        if (!h) return [];
        const mode = h.writable ? "read-write" : "read-only";
        if (/(?:^|\/)(?:docker|containerd|podman)\.sock$/.test(h.source)) return [`mounts the container engine's socket ${JSON.stringify(h.source)} (${mode}): whoever controls the container is root on the host`];
        if (/^\/+$/.test(h.source)) return [`mounts the host's root folder "/" ${mode}${h.writable ? ": the container can change any file of the host" : ": the container can read every file of the host"}`];
        return [];
      }),
  },
];

/** Warnings for the settings of one service that give it control of the host. */
export function hostAccessWarnings(file: string, name: string, svc: Raw): string[] {
  return HOST_ACCESS.flatMap(({ key, risk }) => (key in svc ? risk(svc[key]).map((r) => `${file}: services.${name}.${key}: ${r}; check that you mean it`) : []));
}

/** The result of {@link fromOverride}. */
export interface OverrideConversion {
  readonly props: DeploymentProps;
  readonly warnings: readonly string[];
  /** Parts of the override file that cannot be imported, each naming where it is. */
  readonly issues: readonly Issue[];
}

/** Something in the override file that has no typed form; the caller keeps it raw. */
class Untyped extends Error {}

/** A Compose volume entry (short or long syntax) as a typed mount. */
function parseMount(entry: unknown): Mount {
  let type: "bind" | "volume";
  let source: unknown;
  let target: unknown;
  let readOnly = false;
  if (typeof entry === "string") {
    const [src, dst, mode, ...more] = entry.split(":");
    const flags = mode?.split(",") ?? [];
    if (dst === undefined || more.length > 0 || flags.some((f) => f !== "ro" && f !== "rw")) throw new Untyped(`${JSON.stringify(entry)} is not SOURCE:TARGET[:ro|rw]`);
    [source, target, readOnly] = [src, dst, flags.includes("ro")];
    type = src!.startsWith("/") ? "bind" : "volume";
  } else if (isRaw(entry) && (entry.type === "bind" || entry.type === "volume") && Object.keys(entry).every((k) => ["type", "source", "target", "read_only"].includes(k))) {
    [type, source, target, readOnly] = [entry.type, entry.source, entry.target, entry.read_only === true];
  } else throw new Untyped(`${JSON.stringify(entry)} has options the typed mounts do not cover`);
  if (typeof source !== "string" || typeof target !== "string" || /^[.~]/.test(source)) throw new Untyped(`${JSON.stringify(entry)}: bind mounts need an absolute host path`);
  return { type, source, target, ...(readOnly ? {} : { readOnly: false }) };
}

/** `NVIDIA_VISIBLE_DEVICES` as a GPU selection. */
function parseGpus(value: unknown): GpuSelection {
  if (value === "all") return "all";
  const text = String(value);
  if (!/^[0-9]+(,[0-9]+)*$/.test(text)) throw new Untyped(`NVIDIA_VISIBLE_DEVICES=${text}`);
  return text.split(",").map(Number);
}

/** Compose `environment` (mapping or `K=V` list) as a mapping. */
function environmentOf(value: unknown): Raw {
  if (Array.isArray(value)) return Object.fromEntries(value.map((e) => String(e)).map((e) => (e.includes("=") ? [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)] : [e, null])));
  return isRaw(value) ? value : {};
}

/** A Compose environment value as a DSL one: a literal (`$$` is a `$`) or a whole `${NAME}` interpolation. */
function envValue(value: unknown): EnvValue {
  if (value === null || value === undefined) throw new Untyped("a variable passed through from the host");
  const text = String(value);
  const r = parseEnvRef(text);
  if (r && (r.fallback === undefined || (r.fallback.kind === "default" && r.fallback.ifEmpty))) return { interpolate: text };
  if (text.replaceAll("$$", "").includes("$")) throw new Untyped(`${JSON.stringify(text)} interpolates inside a longer value`);
  return text.replaceAll("$$", "$");
}

/** A command or entrypoint as a list of literal words. */
function words(value: unknown): string[] {
  const list = typeof value === "string" && /^[^'"\\]*$/.test(value) ? value.trim().split(/\s+/) : value;
  if (!Array.isArray(list) || list.some((w) => typeof w !== "string" && typeof w !== "number")) throw new Untyped("a shell-form command");
  const out = list.map(String);
  if (out.some((w) => w.replaceAll("$$", "").includes("$"))) throw new Untyped("a command with interpolation");
  return out.map((w) => w.replaceAll("$$", "$"));
}

/** A published port (short or long syntax); with no address it binds every interface, as Compose does. */
function parsePort(entry: unknown): PortMapping {
  const m = typeof entry === "string" ? /^(?:(\[[0-9a-fA-F:]+\]|[0-9.]+):)?([0-9]+):([0-9]+)(?:\/(tcp|udp))?$/.exec(entry) : null;
  if (m) return { host: Number(m[2]), container: Number(m[3]), ...(m[4] && m[4] !== "tcp" ? { protocol: m[4] as "udp" } : {}), hostIp: m[1]?.replace(/^\[|\]$/g, "") ?? "0.0.0.0" };
  if (isRaw(entry) && typeof entry.target === "number" && entry.published !== undefined && Object.keys(entry).every((k) => ["target", "published", "protocol", "host_ip", "mode"].includes(k))) {
    const protocol = entry.protocol === "udp" ? { protocol: "udp" as const } : {};
    return { host: Number(entry.published), container: entry.target, ...protocol, hostIp: typeof entry.host_ip === "string" ? entry.host_ip : "0.0.0.0" };
  }
  throw new Untyped(`port ${JSON.stringify(entry)}`);
}

function parseHealthcheck(value: unknown): HealthcheckProps {
  if (!isRaw(value) || !Array.isArray(value.test) || value.test[0] !== "CMD" || !Object.keys(value).every((k) => ["test", "interval", "timeout", "retries", "start_period"].includes(k)))
    throw new Untyped("a healthcheck that is not exec form");
  const { test, interval, timeout, retries, start_period: startPeriod } = value;
  return { test: test.slice(1).map(String), ...{ interval, timeout, retries, startPeriod } } as HealthcheckProps;
}

/** `env_file` entries: the deployment's own env files by name, others as paths. */
function envFilesOf(value: unknown, slug: string): (EnvFileRef | string)[] {
  const list = (Array.isArray(value) ? value : [value]).map((f) => (isRaw(f) && typeof f.path === "string" ? f.path : f));
  const generated: GeneratedEnvFile[] = ["ca-certificates", "db", "dbadmin", "mlflow-tracking", "restapi", "worker", "worker-cpu"];
  return list.map((f) => {
    if (typeof f !== "string") throw new Untyped(`env_file ${JSON.stringify(f)}`);
    const g = generated.find((n) => f.replace(/^\.\//, "") === (n === "ca-certificates" ? "envs/ca-certificates.env" : `envs/${slug}-${n}.env`));
    return g ? { generated: g } : f;
  });
}

/** An NFS export written as the template's example does, or any other driver volume. */
function typedVolume(driver: unknown, opts: unknown): VolumeProps {
  const o = isRaw(opts) ? opts : {};
  const parts = typeof o.o === "string" ? o.o.split(",") : [];
  const isNfs = (driver ?? "local") === "local" && o.type === "nfs" && typeof o.device === "string" && o.device.startsWith(":") && parts[0]?.startsWith("addr=") && Object.keys(o).length === 3;
  if (isNfs) {
    const options = parts.slice(1);
    return { type: "nfs", server: parts[0]!.slice("addr=".length), export: (o.device as string).slice(1), ...(sameData(options, DEFAULT_NFS_OPTIONS) ? {} : { options }) };
  }
  if (driver !== undefined && typeof driver !== "string") throw new Untyped(`driver ${JSON.stringify(driver)}`);
  const driverOpts = Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
  return { type: "driver", ...(driver && driver !== "local" ? { driver } : {}), ...(Object.keys(driverOpts).length > 0 ? { driverOpts } : {}) };
}

/**
 * Converts the services and volumes of a docker-compose.override.yml into
 * settings merged over `base` (the template variables' props): mounts and
 * GPUs of workers, named volumes, and new services as custom containers.
 * Keys without a typed form are kept in `overrides` and named in a warning.
 */
export function fromOverride(doc: unknown, base: DeploymentProps, file: string): OverrideConversion {
  const warnings: string[] = [];
  const issues: Issue[] = [];
  const resolved = resolveDeployment(base).spec;
  if (!resolved) throw new Error("fromOverride needs valid base props");
  const spec: DeploymentSpec = resolved;
  if (!isRaw(doc)) return { props: base, warnings, issues: [{ path: file, message: "is not a Compose file (a YAML mapping)" }] };
  const props = structuredClone(base) as Raw & { volumes?: Raw; customContainers?: Raw; workers?: Raw };
  const raw: { services: Record<string, Raw>; volumes: Record<string, Raw> } = { services: {}, volumes: {} };
  /** Keeps a key raw; list entries and mapping entries (one mount, one variable) add to what is kept already. */
  const keepRaw = (kind: "services" | "volumes", name: string, key: string, value: unknown, why?: string) => {
    const kept = (raw[kind][name] ??= {});
    const before = kept[key];
    kept[key] = Array.isArray(before) && Array.isArray(value) ? [...before, ...value] : isRaw(before) && isRaw(value) ? { ...before, ...value } : value;
    const what = isRaw(value) && key === "environment" ? `${key}.${Object.keys(value).join(", ")}` : Array.isArray(value) && value.length === 1 ? `${key} entry ${JSON.stringify(value[0])}` : key;
    warnings.push(`${file}: services.${name}.${what} is kept as raw Compose in overrides${why ? ` (${why})` : ""}`.replace("services.", `${kind}.`));
  };
  const typed = <T>(kind: "services" | "volumes", name: string, key: string, value: unknown, convert: (v: unknown) => T): T | undefined => {
    try {
      return convert(value);
    } catch (e) {
      if (!(e instanceof Untyped)) throw e;
      keepRaw(kind, name, key, value, e.message);
      return undefined;
    }
  };
  for (const key of Object.keys(doc)) {
    if (!["services", "volumes", "version"].includes(key) && !key.startsWith("x-")) issues.push({ path: `${file}: ${key}`, message: "top-level key has no place in the config; move it by hand" });
  }

  for (const [name, v] of Object.entries(isRaw(doc.volumes) ? doc.volumes : {})) {
    const { driver, driver_opts: opts, ...rest } = isRaw(v) ? v : {};
    const volume = typed("volumes", name, "driver_opts", opts, () => typedVolume(driver, opts));
    if (volume) props.volumes = { ...props.volumes, [name]: volume };
    for (const [k, x] of Object.entries(rest)) keepRaw("volumes", name, k, x);
  }

  const workers = new Map(spec.workers.map((w) => [w.name, w]));
  const builtin = new Set(Object.values(SERVICES).map((s) => `${spec.slug}-${s.suffix}`));
  const workerLike = new RegExp(`^${spec.slug}-(?:${WORKER_KINDS.map((k) => k.short).join("|")})-[0-9]+$`);
  const own = new Map<string, { mounts: Mount[]; gpus?: GpuSelection }>();
  for (const [name, svc] of Object.entries(isRaw(doc.services) ? doc.services : {})) {
    if (!isRaw(svc)) {
      issues.push({ path: `${file}: services.${name}`, message: "is not a mapping" });
      continue;
    }
    warnings.push(...hostAccessWarnings(file, name, svc));
    const worker = workers.get(name);
    if (builtin.has(name)) for (const [k, x] of Object.entries(svc)) keepRaw("services", name, k, x);
    else if (worker) own.set(name, importWorker(name, svc, worker));
    else if (workerLike.test(name)) issues.push({ path: `${file}: services.${name}`, message: "is a worker the template variables do not create; raise its num_*_workers or remove it" });
    else {
      const container = importContainer(name, svc);
      if (container) props.customContainers = { ...props.customContainers, [name]: container };
    }
  }

  function importWorker(name: string, svc: Raw, w: WorkerSpec): { mounts: Mount[]; gpus?: GpuSelection } {
    const { volumes, environment, runtime, ...rest } = svc;
    const mounts = (Array.isArray(volumes) ? volumes : []).flatMap((m) => typed("services", name, "volumes", [m], () => [parseMount(m)]) ?? []);
    const env = environmentOf(environment);
    let gpus: GpuSelection | undefined;
    if (w.kind.gpu && "NVIDIA_VISIBLE_DEVICES" in env) {
      gpus = typed("services", name, "environment", { NVIDIA_VISIBLE_DEVICES: env.NVIDIA_VISIBLE_DEVICES }, () => parseGpus(env.NVIDIA_VISIBLE_DEVICES));
      delete env.NVIDIA_VISIBLE_DEVICES;
    }
    if (Object.keys(env).length > 0) keepRaw("services", name, "environment", env);
    if (runtime !== undefined && !(w.kind.gpu && runtime === "nvidia")) keepRaw("services", name, "runtime", runtime);
    for (const [k, x] of Object.entries(rest)) keepRaw("services", name, k, x);
    return { mounts, ...(gpus !== undefined && !sameData(gpus, w.gpus) ? { gpus } : {}) };
  }

  function importContainer(name: string, svc: Raw): CustomContainerProps | undefined {
    const c: Record<string, unknown> = { restart: "no" }; // Compose's default; the DSL's is "always"
    const env = environmentOf(svc.environment);
    const nvidia = svc.runtime === "nvidia" && "NVIDIA_VISIBLE_DEVICES" in env;
    for (const [key, value] of Object.entries(svc)) {
      switch (key) {
        case "image":
        case "restart":
          c[key] = value;
          break;
        case "hostname":
          if (value !== name) c.hostname = value;
          break;
        case "entrypoint":
        case "command":
          c[key] = typed("services", name, key, value, words);
          break;
        case "environment": {
          const out: Record<string, EnvValue> = {};
          for (const [k, x] of Object.entries(env)) {
            if (nvidia && k === "NVIDIA_VISIBLE_DEVICES") {
              c.gpus = typed("services", name, "environment", { [k]: x }, () => parseGpus(x));
              if (c.gpus === undefined) keepRaw("services", name, "runtime", "nvidia");
            } else {
              const e = typed("services", name, "environment", { [k]: x }, () => envValue(x));
              if (e !== undefined) out[k] = e;
            }
          }
          if (Object.keys(out).length > 0) c.environment = out;
          break;
        }
        case "env_file":
          c.envFiles = typed("services", name, key, value, (v) => envFilesOf(v, spec.slug));
          break;
        case "volumes":
          c.mounts = (Array.isArray(value) ? value : []).flatMap((m) => typed("services", name, "volumes", [m], () => [parseMount(m)]) ?? []);
          break;
        case "ports":
          c.ports = (Array.isArray(value) ? value : []).flatMap((p) => typed("services", name, "ports", [p], () => [parsePort(p)]) ?? []);
          break;
        case "healthcheck":
          c.healthcheck = typed("services", name, key, value, parseHealthcheck);
          break;
        case "runtime":
          if (!nvidia) keepRaw("services", name, key, value);
          break;
        case "networks":
          // Custom containers always join the deployment's network.
          if (!sameData(Array.isArray(value) ? value : Object.keys(isRaw(value) ? value : {}), ["dioptra"])) keepRaw("services", name, key, value);
          break;
        default:
          keepRaw("services", name, key, value);
      }
    }
    if (c.restart === "always") delete c.restart;
    const command = c.command as string[] | undefined;
    const waitFor: string[] = [];
    while (command?.[0] === "--wait-for" && command[1] !== undefined) {
      const target = command[1];
      waitFor.push(Object.keys(SERVICES).find((s) => waitTarget(spec.slug, s as DioptraService) === target) ?? target);
      command.splice(0, 2);
    }
    // A command of --wait-for flags was written for a Dioptra entrypoint, whatever the image's name.
    if (waitFor.length > 0) Object.assign(c, { waitFor, dioptraEntrypoint: true });
    if (command?.length === 0) delete c.command;
    if (typeof c.image !== "string") {
      issues.push({ path: `${file}: services.${name}`, message: "has no image (a build: section cannot be imported); build the image and name it here" });
      return undefined;
    }
    return Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as unknown as CustomContainerProps;
  }

  // Mounts that every worker of a pool shares are written once, for the pool.
  for (const kind of WORKER_KINDS) {
    const ws = spec.workers.filter((w) => w.kind.key === kind.key);
    if (!ws.some((w) => own.has(w.name))) continue;
    const mounts = ws.map((w) => own.get(w.name)?.mounts ?? []);
    const shared = mounts[0]!.length > 0 && mounts.every((m) => sameData(m, mounts[0])) ? mounts[0] : undefined;
    const perWorker = Object.fromEntries(
      ws.flatMap((w, i) => {
        const o = { ...(shared || mounts[i]!.length === 0 ? {} : { mounts: mounts[i] }), ...(own.get(w.name)?.gpus !== undefined ? { gpus: own.get(w.name)!.gpus } : {}) };
        return Object.keys(o).length > 0 ? [[w.index, o]] : [];
      }),
    );
    if (!shared && Object.keys(perWorker).length === 0) continue;
    props.workers = { ...props.workers, [kind.key]: { count: ws.length, ...(shared ? { mounts: shared } : {}), ...(Object.keys(perWorker).length > 0 ? { workers: perWorker } : {}) } };
  }

  const overrides = {
    ...(Object.keys(raw.services).length > 0 ? { services: raw.services } : {}),
    ...(Object.keys(raw.volumes).length > 0 ? { volumes: raw.volumes } : {}),
  };
  if (Object.keys(overrides).length > 0) props.overrides = overrides;
  return { props: props as DeploymentProps, warnings, issues };
}
