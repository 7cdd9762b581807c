/**
 * The user's custom containers: image, command, environment, dependencies, ports, mounts, GPUs.
 */
import { envSet, type EnvSetRef } from "../model/env-sets.js";
import { Checker } from "./checker.js";
import { CAPABILITIES, type Capability } from "../dsl/capabilities.js";
import { isPort, RE, isCount, show } from "./checks.js";
import type { ImageName } from "../dsl/images.js";
import type { CustomContainerProps, DioptraService, EnvValue, HealthcheckProps, Interpolated, PortMapping } from "../dsl/props.js";
import { SERVICES, serviceName, waitTarget } from "../model/services.js";
import { INIT_ENV_NAMES } from "../model/dot-env.js";
import type { CustomContainerSpec, WorkerSpec } from "./spec.js";
import { SETTINGS } from "./settings.js";
import { WORKER_KINDS } from "../dsl/worker-kinds.js";
import { resolveMounts, checkMountTargets } from "./volumes.js";
import { resolveGpus } from "./workers.js";
import { defaultOf, parseEnvRef } from "../model/env-value.js";

/** The image slots whose entrypoint is Dioptra's (it reads `--wait-for host:port` flags before the command). */
const DIOPTRA_ENTRYPOINT_IMAGES: readonly ImageName[] = ["nginx", "restapi", "mlflowTracking", ...WORKER_KINDS.map((k) => k.image)];

/** `NAME` of `${NAME}`, `${NAME:-default}`, …, and whether the interpolation gives a default. */
function interpolated(text: string): { name: string; hasDefault: boolean } | undefined {
  const r = parseEnvRef(text);
  return r ? { name: r.var, hasDefault: defaultOf(r) !== undefined } : undefined;
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
    else if (key in SERVICES) out.push({ service: serviceName(slug, key as DioptraService), condition });
    else if (key === self) c.fail(at, "a container cannot depend on itself");
    else if (other === undefined) c.fail(at, `${show(key)} is neither a deployment service (${Object.keys(SERVICES).join(", ")}) nor a custom container of this config`);
    else if (condition === "healthy" && other?.healthcheck === undefined) c.fail(at, `${show(key)} has no healthcheck, so Compose cannot wait for it to be healthy: give it one, or write "started"`);
    else out.push({ service: key, condition });
  }
  return out;
}

function resolveEnvironment(c: Checker, path: string, value: unknown, secrets: ReadonlySet<string> = new Set()): Record<string, EnvValue> {
  const env = c.object<Record<string, unknown>>(path, value, Object.keys(value ?? {})) ?? {};
  const out: Record<string, EnvValue> = {};
  for (const [k, v] of Object.entries(env)) {
    if (!RE.envName.test(k)) c.fail(`${path}.${k}`, `${show(k)} is not an environment variable name (letters, digits and _, not starting with a digit)`);
    const isInterp = v !== null && typeof v === "object" && typeof (v as { interpolate?: unknown }).interpolate === "string";
    if (typeof v !== "string" && !isInterp) c.fail(`${path}.${k}`, `must be a string or fromEnv(...), got ${show(v)}`);
    else if (isInterp && parseEnvRef((v as { interpolate: string }).interpolate) === undefined)
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
    if (parseEnvRef(v.interpolate)?.fallback !== undefined) c.fail(path, `secret(${show(i.name)}) takes a plain variable name`);
    else if (INIT_ENV_NAMES.includes(i.name)) c.fail(path, `secret(${show(i.name)}): init already writes ${i.name} into .env; use fromEnv(${show(i.name)}) to read it, or another name`);
    else return true;
    return false;
  }
  if (i.hasDefault || INIT_ENV_NAMES.includes(i.name) || secrets.has(i.name)) return true;
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

export function resolveContainers(
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
      if (typeof w === "string" && w in SERVICES) return waitTarget(slug, w as keyof typeof SERVICES);
      if (typeof w === "string" && /^[^:]+:[0-9]{1,5}$/.test(w) && RE.hostName.test(w.split(":")[0]!) && isPort(Number(w.split(":")[1]))) return w;
      c.fail(`${path}.waitFor.${i}`, `${show(w)} is neither a deployment service (${Object.keys(SERVICES).join(", ")}) nor host:port`);
      return "";
    });
    const command = strings("command", props.command);
    const dioptraEntrypoint = c.boolean(`${path}.dioptraEntrypoint`, props.dioptraEntrypoint, dioptraImages.has(image));
    const dependsOn = resolveDependsOn(c, `${path}.dependsOn`, props.dependsOn, slug, name, cp);
    if (waitFor.length > 0 && !dioptraEntrypoint) {
      const services = (props.waitFor ?? []).filter((w): w is DioptraService => typeof w === "string" && w in SERVICES);
      const suggestion = services.length > 0 ? `dependsOn: { ${services.map((w) => `${w}: "healthy"`).join(", ")} } (Compose starts it once they are healthy)` : "dependsOn: { <service>: \"healthy\" }";
      c.fail(
        `${path}.waitFor`,
        `${show(image)} is not one of this deployment's Dioptra images, whose entrypoint reads --wait-for flags; another image would get them as its command. Write ${suggestion}, or dioptraEntrypoint: true if the image does use Dioptra's entrypoint`,
      );
    }
    const envSets = c.array<unknown>(`${path}.envFiles`, props.envFiles).map((f, i): EnvSetRef => {
      if (f !== null && typeof f === "object" && typeof (f as { generated?: unknown }).generated === "string") {
        const g = (f as { generated: string }).generated;
        return envSet(slug, g);
      }
      if (typeof f === "string" && /^(?:\.\/)?[A-Za-z0-9_./-]+$/.test(f) && !f.startsWith("/") && !f.split("/").includes("..")) return { file: f.replace(/^\.\//, "") };
      c.fail(`${path}.envFiles.${i}`, `${show(f)} is neither envFile(...) nor a relative path inside the deployment folder`);
      return { file: "" };
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
    if (gpus !== undefined && "NVIDIA_VISIBLE_DEVICES" in environment)
      c.fail(`${path}.environment.NVIDIA_VISIBLE_DEVICES`, "is set by gpus; set one or the other");
    const capAdd = c.array<unknown>(`${path}.capAdd`, props.capAdd).filter((cap, i): cap is Capability => {
      const ok = typeof cap === "string" && (CAPABILITIES as readonly string[]).includes(cap);
      if (!ok) c.fail(`${path}.capAdd.${i}`, `${show(cap)} is not a Linux capability as Docker names it (e.g. "CHOWN", "NET_BIND_SERVICE"; no "CAP_" prefix)`);
      return ok;
    });
    out.push({ name, image, restart, hostname, entrypoint, waitFor, dioptraEntrypoint, dependsOn, command, environment, envSets, mounts, ports, healthcheck, gpus, capAdd: [...new Set(capAdd)].sort() });
  }
  return out;
}
