/**
 * The Kubernetes target's settings: `kubernetes: { … }` resolved against the
 * rest of the config, every mistake reported at its setting. Names must be
 * what the API server accepts (DNS-1123 labels and subdomains, label syntax),
 * GPU counts must fit the node pool, and nothing may contradict what the
 * Compose settings say (TLS on, Postgres TLS).
 */
import { show } from "../../dsl/checks.js";
import type { GpuSelection, KubernetesGpuProps, KubernetesProps, TolerationProps } from "../../dsl/props.js";
import { SETTINGS } from "../../dsl/settings.js";
import type { CustomContainerSpec, WorkerSpec } from "../../dsl/spec.js";
import type { GpuWorkerKind } from "../../dsl/worker-kinds.js";

/** The checker of dsl/resolve.ts, as far as this module uses it. */
export interface SettingsChecker {
  fail(path: string, message: string): void;
  object<T extends object>(path: string, value: unknown, allowed: readonly string[]): T | undefined;
  string(path: string, value: unknown, fallback: string, test?: { re: { test(v: string): boolean }; what: string }): string;
  array<T>(path: string, value: unknown): readonly T[];
}

/** A DNS-1123 label: namespaces, Service names, label values' usual shape. */
export const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
/** A DNS-1035 label: Service names must also start with a letter. */
export const DNS_1035 = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
/** A DNS-1123 subdomain: most object names (Secrets, classes). */
const DNS_SUBDOMAIN = { test: (v: string) => v.length <= 253 && /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/.test(v) };
/** A label key: an optional DNS subdomain prefix and a name of at most 63. */
const LABEL_KEY = { test: (v: string) => { const [a, b] = v.includes("/") ? [v.slice(0, v.indexOf("/")), v.slice(v.indexOf("/") + 1)] : [undefined, v]; return (a === undefined || DNS_SUBDOMAIN.test(a)) && /^[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(b); } };
const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
/** A resource quantity as Kubernetes reads it (binary or decimal suffix). */
const QUANTITY = /^[0-9]+(?:\.[0-9]+)?(?:Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
/** An extended resource name: a domain prefix and a name. */
const RESOURCE = { test: (v: string) => v.includes("/") && LABEL_KEY.test(v) && !v.startsWith("kubernetes.io/") };

/** The volumes the base claims, with the size each gets unless `kubernetes.volumes` says otherwise. */
export const CLAIMED_VOLUMES: Readonly<Record<string, string>> = {
  "dbadmin-data": "1Gi",
  "minio-data": "50Gi",
  "nginx-frontend": "1Gi",
  "postgres-data": "10Gi",
  "redis-data": "1Gi",
};
/** A driver volume of the config becomes a claim of this size by default. */
export const DEFAULT_CLAIM_SIZE = "10Gi";

export interface Toleration {
  readonly key?: string;
  readonly operator: "Equal" | "Exists";
  readonly value?: string;
  readonly effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

export interface GpuScheduling {
  readonly resource: string;
  readonly runtimeClassName: string | undefined;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
  readonly gpusPerNode: number | undefined;
}

export interface KubernetesSpec {
  readonly namespace: string;
  readonly storageClass: string | undefined;
  /** Every claim, by volume key, sorted: size and class (undefined: `storageClass`, then the cluster's default). */
  readonly claims: readonly { readonly key: string; readonly size: string; readonly storageClass: string | undefined }[];
  readonly ingress: { readonly className: string | undefined; readonly tlsSecret: string | undefined } | undefined;
  readonly serviceType: "ClusterIP" | "NodePort" | "LoadBalancer";
  /** GPU scheduling by GPU pool; custom containers with GPUs use `gpu`'s. */
  readonly gpu: GpuScheduling;
  readonly gpuPools: Readonly<Record<GpuWorkerKind, GpuScheduling>>;
  readonly imagePullSecrets: readonly string[];
}

/** What the rest of the config says that these settings must agree with. */
export interface KubernetesContext {
  readonly slug: string;
  readonly nginxTls: boolean;
  /** nginx.serverName: the Ingress host. */
  readonly serverName: string;
  readonly postgresTls: boolean;
  readonly workers: readonly WorkerSpec[];
  readonly containers: readonly CustomContainerSpec[];
  /** Names of the one-shot Jobs the base holds (they end up in a pod label, at most 63). */
  readonly jobNames: readonly string[];
}

function record(c: SettingsChecker, path: string, value: unknown): Record<string, string> {
  const o = c.object<Record<string, unknown>>(path, value, Object.keys((value as object | undefined) ?? {})) ?? {};
  const out: Record<string, string> = {};
  for (const k of Object.keys(o).sort()) {
    if (!LABEL_KEY.test(k)) c.fail(`${path}.${k}`, `${show(k)} is not a Kubernetes label key (an optional DNS prefix and "/", then at most 63 letters, digits, - _ .)`);
    const v = c.string(`${path}.${k}`, o[k], "", { re: LABEL_VALUE, what: "a label value (at most 63 letters, digits, - _ ., starting and ending alphanumeric)" });
    out[k] = v;
  }
  return out;
}

function tolerations(c: SettingsChecker, path: string, value: unknown): Toleration[] {
  return c.array<TolerationProps>(path, value).flatMap((t, i) => {
    const p = `${path}.${i}`;
    const o = c.object<TolerationProps>(p, t, SETTINGS["kubernetes.gpu.tolerations.*"]);
    if (!o) return [];
    const key = o.key === undefined ? undefined : c.string(`${p}.key`, o.key, "", { re: LABEL_KEY, what: "a taint key" });
    const value = o.value === undefined ? undefined : c.string(`${p}.value`, o.value, "", { re: LABEL_VALUE, what: "a taint value" });
    const operator = c.string(`${p}.operator`, o.operator, value === undefined ? "Exists" : "Equal", { re: /^(?:Equal|Exists)$/, what: '"Equal" or "Exists"' }) as Toleration["operator"];
    if (operator === "Exists" && value !== undefined) c.fail(`${p}.value`, 'an "Exists" toleration matches any value: remove value, or use operator "Equal"');
    if (key === undefined && operator === "Equal") c.fail(`${p}.key`, 'an "Equal" toleration needs the taint key');
    const effect = o.effect === undefined ? undefined : (c.string(`${p}.effect`, o.effect, "", { re: /^(?:NoSchedule|PreferNoSchedule|NoExecute)$/, what: "NoSchedule, PreferNoSchedule or NoExecute" }) as Toleration["effect"]);
    return [{ ...(key !== undefined ? { key } : {}), operator, ...(value !== undefined ? { value } : {}), ...(effect !== undefined ? { effect } : {}) }];
  });
}

function gpuScheduling(c: SettingsChecker, path: string, value: unknown, base: GpuScheduling | undefined): GpuScheduling {
  const g = c.object<KubernetesGpuProps>(path, value, SETTINGS["kubernetes.gpu"]) ?? {};
  const perNode = g.gpusPerNode;
  if (perNode !== undefined && !(Number.isInteger(perNode) && perNode >= 1)) c.fail(`${path}.gpusPerNode`, `must be a whole number ≥ 1, got ${show(perNode)}`);
  return {
    resource: c.string(`${path}.resource`, g.resource, base?.resource ?? "nvidia.com/gpu", { re: RESOURCE, what: 'an extended resource name such as "nvidia.com/gpu"' }),
    runtimeClassName: g.runtimeClassName === undefined ? base?.runtimeClassName : c.string(`${path}.runtimeClassName`, g.runtimeClassName, "", { re: DNS_SUBDOMAIN, what: "a RuntimeClass name (a DNS-1123 subdomain)" }),
    nodeSelector: g.nodeSelector === undefined ? (base?.nodeSelector ?? {}) : record(c, `${path}.nodeSelector`, g.nodeSelector),
    tolerations: g.tolerations === undefined ? (base?.tolerations ?? []) : tolerations(c, `${path}.tolerations`, g.tolerations),
    gpusPerNode: typeof perNode === "number" && Number.isInteger(perNode) && perNode >= 1 ? perNode : base?.gpusPerNode,
  };
}

/** GPUs a container asks the scheduler for: a list's length, or a whole node for "all". */
export function gpuCount(gpus: GpuSelection, g: GpuScheduling): number | undefined {
  return gpus === "all" ? g.gpusPerNode : gpus.length;
}

/** Reads `kubernetes` on its own; undefined when it is not set. {@link checkKubernetes} then holds it against the rest. */
export function readKubernetes(c: SettingsChecker, value: unknown, ctx: { readonly slug: string; readonly driverVolumes: readonly string[] }): KubernetesSpec | undefined {
  if (value === undefined) return undefined;
  const k = c.object<KubernetesProps>("kubernetes", value, SETTINGS.kubernetes) ?? {};
  const namespace = c.string("kubernetes.namespace", k.namespace, ctx.slug, { re: DNS_LABEL, what: "a namespace name (a DNS-1123 label: at most 63 lower-case letters, digits and -)" });
  if (k.namespace === undefined && !DNS_LABEL.test(ctx.slug)) c.fail("kubernetes.namespace", `the slug ${show(ctx.slug)} is no namespace name (a DNS-1123 label): set kubernetes.namespace`);
  const className = (path: string, v: unknown) => (v === undefined ? undefined : c.string(path, v, "", { re: DNS_SUBDOMAIN, what: "a Kubernetes object name (a DNS-1123 subdomain: lower-case letters, digits, - and .)" }));
  const storageClass = className("kubernetes.storageClass", k.storageClass);

  const sizes: Record<string, string> = { ...CLAIMED_VOLUMES, ...Object.fromEntries(ctx.driverVolumes.map((v) => [v, DEFAULT_CLAIM_SIZE])) };
  const vp = c.object<Record<string, unknown>>("kubernetes.volumes", k.volumes, Object.keys(sizes)) ?? {};
  const claims = Object.keys(sizes).sort().map((key) => {
    const path = `kubernetes.volumes.${key}`;
    const v = c.object<NonNullable<KubernetesProps["volumes"]>[string]>(path, vp[key], SETTINGS["kubernetes.volumes.*"]) ?? {};
    return { key, size: c.string(`${path}.size`, v.size, sizes[key]!, { re: QUANTITY, what: 'a Kubernetes quantity such as "20Gi"' }), storageClass: className(`${path}.storageClass`, v.storageClass) };
  });

  const ip = c.object<NonNullable<KubernetesProps["ingress"]>>("kubernetes.ingress", k.ingress, SETTINGS["kubernetes.ingress"]);
  const ingress = ip ? { className: className("kubernetes.ingress.className", ip.className), tlsSecret: className("kubernetes.ingress.tlsSecret", ip.tlsSecret) } : undefined;
  const serviceType = c.string("kubernetes.serviceType", k.serviceType, "ClusterIP", { re: /^(?:ClusterIP|NodePort|LoadBalancer)$/, what: '"ClusterIP", "NodePort" or "LoadBalancer"' }) as KubernetesSpec["serviceType"];

  const gpu = gpuScheduling(c, "kubernetes.gpu", k.gpu, undefined);
  const pp = c.object<Record<string, unknown>>("kubernetes.gpuPools", k.gpuPools, ["tensorflowGpu", "pytorchGpu"]) ?? {};
  const gpuPools = {
    tensorflowGpu: pp.tensorflowGpu === undefined ? gpu : gpuScheduling(c, "kubernetes.gpuPools.tensorflowGpu", pp.tensorflowGpu, gpu),
    pytorchGpu: pp.pytorchGpu === undefined ? gpu : gpuScheduling(c, "kubernetes.gpuPools.pytorchGpu", pp.pytorchGpu, gpu),
  };
  const imagePullSecrets = c.array<unknown>("kubernetes.imagePullSecrets", k.imagePullSecrets).map((s, i) => className(`kubernetes.imagePullSecrets.${i}`, s) ?? "");

  return { namespace, storageClass, claims, ingress, serviceType, gpu, gpuPools, imagePullSecrets };
}

/** What the settings must agree with in the rest of the config: TLS, Postgres TLS, names, GPUs per node. */
export function checkKubernetes(c: SettingsChecker, ctx: KubernetesContext, k: KubernetesSpec): void {
  // The Compose settings say whether users get HTTPS; the Kubernetes target must not quietly differ.
  if (ctx.nginxTls && k.ingress?.tlsSecret === undefined)
    c.fail(k.ingress ? "kubernetes.ingress.tlsSecret" : "kubernetes.ingress", "nginx.tls is on, so users expect HTTPS: name the kubernetes.io/tls Secret the Ingress terminates TLS with (ingress: { tlsSecret: \"…\" })");
  if (!ctx.nginxTls && k.ingress?.tlsSecret !== undefined) c.fail("kubernetes.ingress.tlsSecret", "nginx.tls is off: turn it on (with nginx.certificate) so both targets serve HTTPS, or remove tlsSecret");
  if (k.ingress && !/^(?:\*\.)?[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/.test(ctx.serverName))
    c.fail("nginx.serverName", `${show(ctx.serverName)} cannot be an Ingress host (a lower-case DNS name, optionally starting with "*."): set nginx.serverName to the name users reach`);
  if (ctx.postgresTls) c.fail("kubernetes", "postgres.tls is on, but the Kubernetes target has no Postgres TLS (the database is reached only inside the namespace, through NetworkPolicies): turn postgres.tls off or drop kubernetes");
  checkNames(c, ctx);
  checkGpuFit(c, ctx, k.gpu, k.gpuPools);
}

/** Service names are DNS-1035 labels, Job names end up in a label (63): say which setting makes one too long. */
function checkNames(c: SettingsChecker, ctx: KubernetesContext): void {
  if (!/^[a-z]/.test(ctx.slug)) c.fail("name", `the slug ${show(ctx.slug)} starts with a digit, and Kubernetes Service names (${ctx.slug}-nginx, …) must start with a letter`);
  for (const j of ctx.jobNames) if (j.length > 63) c.fail("name", `the Kubernetes Job ${show(j)} would have ${j.length} characters; Job names are pod labels, at most 63: choose a shorter name`);
  // Only the generated env files exist at generate time, to become ConfigMaps.
  const generated = new RegExp(`^\\./envs/(?:ca-certificates|${ctx.slug}-(?:db|dbadmin|mlflow-tracking|restapi|worker|worker-cpu))\\.env$`);
  for (const k of ctx.containers)
    k.envFiles.forEach((f, i) => {
      if (!generated.test(f)) c.fail(`customContainers.${k.name}.envFiles.${i}`, `${show(f)} is not one of the generated env files, which the Kubernetes target turns into ConfigMaps: use envFile(...) or environment`);
    });
  for (const k of ctx.containers)
    if (!DNS_1035.test(k.name)) c.fail(`customContainers.${k.name}`, `${show(k.name)} cannot name a Kubernetes Service (a DNS-1035 label: at most 63 lower-case letters, digits and -, starting with a letter)`);
}

/** A worker that asks for more GPUs than a node of its pool holds would stay Pending forever. */
function checkGpuFit(c: SettingsChecker, ctx: KubernetesContext, gpu: GpuScheduling, pools: Readonly<Record<GpuWorkerKind, GpuScheduling>>): void {
  for (const w of ctx.workers) {
    if (w.gpus === undefined || !w.kind.gpu) continue;
    const g = pools[w.kind.key as GpuWorkerKind];
    const where = `workers.${w.kind.key}.workers.${w.index}.gpus`;
    const n = gpuCount(w.gpus, g);
    if (n === undefined) c.fail(where, `"all" has no meaning on Kubernetes unless the pool says how many GPUs a node holds: set kubernetes.gpu.gpusPerNode (or kubernetes.gpuPools.${w.kind.key}.gpusPerNode)`);
    else if (g.gpusPerNode !== undefined && n > g.gpusPerNode)
      c.fail(where, `${w.name} asks for ${n} GPUs, but a node of its pool holds ${g.gpusPerNode} (gpusPerNode): Kubernetes would never schedule it`);
  }
  for (const k of ctx.containers) {
    if (k.gpus === undefined) continue;
    const n = gpuCount(k.gpus, gpu);
    if (n === undefined) c.fail(`customContainers.${k.name}.gpus`, '"all" has no meaning on Kubernetes unless kubernetes.gpu.gpusPerNode says how many GPUs a node holds');
    else if (gpu.gpusPerNode !== undefined && n > gpu.gpusPerNode) c.fail(`customContainers.${k.name}.gpus`, `asks for ${n} GPUs, but a GPU node holds ${gpu.gpusPerNode} (kubernetes.gpu.gpusPerNode)`);
  }
}
