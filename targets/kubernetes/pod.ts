/**
 * A service's pod: its container (command, environment, probes,
 * securityContext) and volumes, lowered from the model as MAPPING says.
 * Secrets are referenced by name, never inlined.
 */
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { IProbe } from "kubernetes-models/v1/Probe";
import type { IVolume } from "kubernetes-models/v1/Volume";
import type { IVolumeMount } from "kubernetes-models/v1/VolumeMount";
import type { EnvValue } from "../../dsl/props.js";
import { claimName, configMapNames, POSTGRES_PASSWORD_KEY, secretNames } from "./names.js";
import { runAs } from "./security.js";
import { gpuCount } from "./settings.js";
import type { Source, SourceService } from "./source.js";

/** Where the db keeps its cluster: a subfolder, since a fresh volume's root may hold lost+found, which initdb refuses. */
export const PGDATA = "/var/lib/postgresql/data/pgdata";

/** `${NAME}` or `${NAME:-default}`. */
export function parseInterpolation(v: { interpolate: string }): { name: string; fallback: string | undefined } {
  const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?\}$/s.exec(v.interpolate);
  if (!m) throw new Error(`internal error: cannot read ${v.interpolate}`);
  return { name: m[1]!, fallback: m[2] };
}

/** Keys of the env Secret: every `.env` variable create-secrets.sh writes. */
export function envSecretKeys(src: Source): ReadonlySet<string> {
  return new Set(src.secrets.find((f) => f.path === ".env")!.lines.map(([k]) => k));
}

/** Kubernetes expands `$(NAME)` in args and env values; a literal one is written `$$(`. */
const literal = (s: string) => s.replace(/\$\(/g, "$$$$(");

/** One environment variable: a literal, a key of the env Secret, or an interpolation's default. */
export function envVar(src: Source, name: string, v: EnvValue): IEnvVar {
  if (typeof v === "string") return { name, value: literal(v) };
  const { name: from, fallback } = parseInterpolation(v);
  if (envSecretKeys(src).has(from)) return { name, valueFrom: { secretKeyRef: { name: secretNames(src.slug).env, key: from } } };
  return { name, value: literal(fallback ?? "") };
}

/** Compose's durations (`1m30s`, `10s`) in whole seconds. */
export function seconds(d: string | undefined, fallback: number): number {
  if (d === undefined) return fallback;
  let total = 0;
  for (const [, n, unit] of d.matchAll(/([0-9.]+)(h|ms|m|s|us|ns)/g)) total += Number(n) * ({ h: 3600, m: 60, s: 1, ms: 0.001, us: 1e-6, ns: 1e-9 } as Record<string, number>)[unit!]!;
  return Math.max(1, Math.ceil(total));
}

/** The health check as readiness and liveness probes (liveness waits out the start period). */
function probes(s: SourceService): Pick<IContainer, "readinessProbe" | "livenessProbe"> {
  const h = s.healthcheck;
  if (!h) return {};
  const probe: IProbe = { exec: { command: [...h.test] }, periodSeconds: seconds(h.interval, 30), timeoutSeconds: seconds(h.timeout, 30), failureThreshold: h.retries ?? 3 };
  return { readinessProbe: probe, livenessProbe: { ...probe, initialDelaySeconds: seconds(h.startPeriod, 0) } };
}

/** The stem of an env file path (`./envs/<slug>-restapi.env` → `restapi`). */
export function envStem(slug: string, path: string): string {
  const base = path.replace(/^\.\/envs\//, "").replace(/\.env$/, "");
  return base.startsWith(`${slug}-`) ? base.slice(slug.length + 1) : base;
}

/** Volumes the Kubernetes target leaves out, and why (the mapping table says the same). */
export const DROPPED_VOLUME = /-(?:ca-certificates|etc-ssl)$|^minio-certs$|^postgres-(?:docker-entrypoint-initdb-d|etc-postgresql|var-certs)$/;

const volumeName = (key: string, i: number) => (/^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/.test(key) ? key : `volume-${i}`);

/** The pod's volumes and the container's mounts. */
function storage(src: Source, s: SourceService): { volumes: IVolume[]; mounts: IVolumeMount[] } {
  const volumes: IVolume[] = [];
  const mounts: IVolumeMount[] = [];
  const add = (name: string, volume: Omit<IVolume, "name">, mountPath: string, readOnly: boolean) => {
    if (!volumes.some((v) => v.name === name)) volumes.push({ name, ...volume });
    mounts.push({ name, mountPath, ...(readOnly ? { readOnly } : {}) });
  };
  const claims = new Set(src.settings.claims.map((c) => c.key));
  s.mounts.forEach((m, i) => {
    if (m.type === "bind") return add(`host-${i}`, { hostPath: { path: m.source, type: "Directory" } }, m.target, m.readOnly);
    if (m.source === "nginx-conf-d") return add("nginx-conf", { configMap: { name: configMapNames(src.slug).nginx } }, m.target, true);
    if (DROPPED_VOLUME.test(m.source)) return;
    const nfs = src.nfs[m.source];
    if (nfs) return add(volumeName(m.source, i), { nfs: { server: nfs.server, path: nfs.path, ...(m.readOnly ? { readOnly: true } : {}) } }, m.target, m.readOnly);
    if (claims.has(m.source)) return add(volumeName(m.source, i), { persistentVolumeClaim: { claimName: claimName(src.slug, m.source), ...(m.readOnly ? { readOnly: true } : {}) } }, m.target, m.readOnly);
    throw new Error(`internal error: no Kubernetes volume for ${m.source}`);
  });
  if (s.dioptra === "db") add("postgres-passwd", { secret: { secretName: secretNames(src.slug).postgres, items: [{ key: POSTGRES_PASSWORD_KEY, path: POSTGRES_PASSWORD_KEY }] } }, "/etc/postgresql", true);
  if (s.hardening.readOnly) s.hardening.tmpfs.forEach((t, i) => add(`tmp-${i}`, { emptyDir: {} }, t.split(":")[0]!, false));
  if (s.shmSize) add("shm", { emptyDir: { medium: "Memory", sizeLimit: s.shmSize.replace(/MB$/i, "Mi").replace(/GB$/i, "Gi") } }, "/dev/shm", false);
  return { volumes, mounts };
}

/** The container's arguments: wait flags (minus the ones NetworkPolicies forbid) around the model's args. */
function args(s: SourceService, waits: readonly string[]): string[] {
  const flags = waits.flatMap((w) => ["--wait-for", w]);
  const rest = s.args.map((a) => (typeof a === "string" ? literal(a) : `$(${parseInterpolation(a).name})`));
  return s.waitAfterArgs ? [...rest, ...flags] : [...flags, ...rest];
}

/** Variables the args expand (`$(NAME)`) that the environment does not already set. */
function argEnv(src: Source, s: SourceService): IEnvVar[] {
  return s.args.flatMap((a) => (typeof a === "string" || parseInterpolation(a).name in s.environment ? [] : [envVar(src, parseInterpolation(a).name, a)]));
}

export function podSpec(src: Source, s: SourceService, waits: readonly string[]): IPodSpec {
  const { volumes, mounts } = storage(src, s);
  const env = [...Object.entries(s.environment).map(([k, v]) => envVar(src, k, v)), ...argEnv(src, s), ...(s.dioptra === "db" ? [{ name: "PGDATA", value: PGDATA }] : [])];
  const byName = [...new Map(env.map((e) => [e.name, e])).values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  const gpu = s.gpus === undefined ? undefined : s.gpuPool ? src.settings.gpuPools[s.gpuPool] : src.settings.gpu;
  const gpus = s.gpus !== undefined && gpu ? gpuCount(s.gpus, gpu) : undefined;
  // The device plugin picks the devices and sets NVIDIA_VISIBLE_DEVICES itself; an index list has no meaning here.
  const visible = byName.filter((e) => !(gpus !== undefined && e.name === "NVIDIA_VISIBLE_DEVICES"));
  const a = args(s, waits);
  const { pod, container } = runAs(s);
  const c: IContainer = {
    name: "main",
    image: s.image,
    ...(s.entrypoint ? { command: [...s.entrypoint] } : {}),
    ...(s.hasCommand && a.length > 0 ? { args: a } : {}),
    ...(visible.length > 0 ? { env: visible } : {}),
    ...(s.envFiles.length > 0 ? { envFrom: s.envFiles.map((f) => ({ configMapRef: { name: configMapNames(src.slug).env(envStem(src.slug, f)) } })) } : {}),
    ...(s.ports.length > 0 ? { ports: s.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol })) } : {}),
    ...probes(s),
    ...(gpus !== undefined && gpu ? { resources: { limits: { [gpu.resource]: String(gpus) }, requests: { [gpu.resource]: String(gpus) } } } : {}),
    securityContext: container,
    ...(mounts.length > 0 ? { volumeMounts: mounts } : {}),
  };
  return {
    ...(src.settings.imagePullSecrets.length > 0 ? { imagePullSecrets: src.settings.imagePullSecrets.map((name) => ({ name })) } : {}),
    securityContext: pod,
    containers: [c],
    ...(volumes.length > 0 ? { volumes } : {}),
  };
}
