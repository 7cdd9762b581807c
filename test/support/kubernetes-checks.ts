/**
 * What an API server and scheduler would enforce on a built kustomization,
 * checked offline: each function takes the objects `kubectl kustomize`
 * printed and returns its problems (empty when the objects pass). Written
 * apart from the generator, from the Kubernetes rules, so a generator bug
 * is not checked by its own logic.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { ROOT, tempDir } from "../helpers.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

export const parseObjects = (text: string): Obj[] => parseAllDocuments(text).map((d) => d.toJS() as Obj).filter((o) => o !== null);

const id = (o: Obj) => `${o.kind}/${o.metadata?.name}`;
const WORKLOADS = new Set(["Deployment", "StatefulSet", "Job"]);
export const workloads = (objs: readonly Obj[]) => objs.filter((o) => WORKLOADS.has(o.kind));
const podOf = (w: Obj): Obj => w.spec.template.spec;
const podLabels = (w: Obj): Record<string, string> => w.spec.template.metadata?.labels ?? {};
const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

/** kubernetes-models module and class per apiVersion/kind. */
const MODELS: Readonly<Record<string, readonly [string, string]>> = {
  "v1/Namespace": ["v1/Namespace", "INamespace"],
  "v1/ConfigMap": ["v1/ConfigMap", "IConfigMap"],
  "v1/Secret": ["v1/Secret", "ISecret"],
  "v1/Service": ["v1/Service", "IService"],
  "v1/PersistentVolumeClaim": ["v1/PersistentVolumeClaim", "IPersistentVolumeClaim"],
  "apps/v1/Deployment": ["apps/v1/Deployment", "IDeployment"],
  "apps/v1/StatefulSet": ["apps/v1/StatefulSet", "IStatefulSet"],
  "batch/v1/Job": ["batch/v1/Job", "IJob"],
  "networking.k8s.io/v1/NetworkPolicy": ["networking.k8s.io/v1/NetworkPolicy", "INetworkPolicy"],
  "networking.k8s.io/v1/Ingress": ["networking.k8s.io/v1/Ingress", "IIngress"],
};

/**
 * The OpenAPI schemas (kubernetes-models' precompiled validators): types,
 * required fields, enums and formats. They accept unknown fields, so
 * {@link unknownFieldProblems} checks those.
 */
export async function schemaProblems(objs: readonly Obj[]): Promise<string[]> {
  const problems: string[] = [];
  for (const o of objs) {
    const m = MODELS[`${o.apiVersion}/${o.kind}`];
    if (!m) {
      problems.push(`${id(o)}: no schema for ${o.apiVersion} ${o.kind}`);
      continue;
    }
    const mod = (await import(`kubernetes-models/${m[0]}`)) as Record<string, new (d: unknown) => { validate(): void }>;
    const Model = mod[o.kind]!;
    try {
      new Model(structuredClone(o)).validate();
    } catch (e) {
      problems.push(`${id(o)}: ${(e as Error).message}`);
    }
  }
  return problems;
}

/**
 * Unknown fields, as `kubectl apply --validate=strict` rejects them: each
 * object becomes a TypeScript literal typed with the same models'
 * declarations, and the compiler's excess-property check names every field
 * the API does not define (at any depth).
 */
export function unknownFieldProblems(objs: readonly Obj[]): string[] {
  const dir = tempDir("dd-k8s-fields-");
  try {
    mkdirSync(join(dir, "node_modules"));
    for (const dep of ["kubernetes-models", "@kubernetes-models"]) symlinkSync(join(ROOT, "node_modules", dep), join(dir, "node_modules", dep));
    const lines: string[] = [];
    const owner: string[] = [];
    objs.forEach((o, i) => {
      const m = MODELS[`${o.apiVersion}/${o.kind}`];
      if (!m) return;
      lines.push(`import type { ${m[1]} as T${i} } from "kubernetes-models/${m[0]}";`);
      owner.push(id(o));
    });
    objs.forEach((o, i) => {
      if (!MODELS[`${o.apiVersion}/${o.kind}`]) return;
      for (const l of `export const o${i}: T${i} = ${JSON.stringify(o, null, 1)};`.split("\n")) {
        lines.push(l);
        owner.push(id(o));
      }
    });
    writeFileSync(join(dir, "objects.ts"), `${lines.join("\n")}\n`);
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: "NodeNext", moduleResolution: "NodeNext", skipLibCheck: true, types: [] }, files: ["objects.ts"] }));
    const r = spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", dir], { encoding: "utf8" });
    if (r.status === 0) return [];
    const out = `${r.stdout}${r.stderr}`;
    const found = [...out.matchAll(/objects\.ts\((\d+),\d+\): error TS\d+: (.*)/g)].map(([, line, msg]) => `${owner[Number(line) - 1] ?? "?"}: ${msg}`);
    return found.length > 0 ? found : [`tsc failed: ${out.slice(0, 2000)}`];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Controllers' selectors must select their own template; Services and NetworkPolicies must select some pod. */
export function selectorProblems(objs: readonly Obj[]): string[] {
  const problems: string[] = [];
  const pods = workloads(objs).map(podLabels);
  for (const o of objs) {
    if (o.kind === "Deployment" || o.kind === "StatefulSet") {
      const sel = o.spec.selector?.matchLabels ?? {};
      if (Object.keys(sel).length === 0) problems.push(`${id(o)}: empty selector`);
      else if (!matches(sel, podLabels(o))) problems.push(`${id(o)}: selector ${JSON.stringify(sel)} does not match its template's labels`);
    }
    if (o.kind === "Service" && !pods.some((l) => matches(o.spec.selector ?? {}, l))) problems.push(`${id(o)}: selects no pod`);
    if (o.kind === "NetworkPolicy") {
      const sel = o.spec.podSelector?.matchLabels ?? {};
      if (Object.keys(sel).length > 0 && !pods.some((l) => matches(sel, l))) problems.push(`${id(o)}: applies to no pod`);
      for (const rule of [...(o.spec.ingress ?? []).flatMap((r: Obj) => r.from ?? []), ...(o.spec.egress ?? []).flatMap((r: Obj) => r.to ?? [])])
        if (rule.podSelector?.matchLabels && !rule.namespaceSelector && !pods.some((l) => matches(rule.podSelector.matchLabels, l)))
          problems.push(`${id(o)}: a rule names pods that do not exist (${JSON.stringify(rule.podSelector.matchLabels)})`);
    }
  }
  return problems;
}

/** Every ConfigMap, Secret, claim and Service a workload or Ingress names exists (Secrets: or is one the README documents). */
export function referenceProblems(objs: readonly Obj[], documentedSecrets: ReadonlySet<string>): string[] {
  const have = (kind: string, name: string) => objs.some((o) => o.kind === kind && o.metadata.name === name) || (kind === "Secret" && documentedSecrets.has(name));
  const problems: string[] = [];
  const need = (o: Obj, kind: string, name: string | undefined) => {
    if (name !== undefined && !have(kind, name)) problems.push(`${id(o)}: names ${kind} ${name}, which does not exist`);
  };
  for (const w of workloads(objs)) {
    const pod = podOf(w);
    for (const v of pod.volumes ?? []) {
      need(w, "ConfigMap", v.configMap?.name);
      need(w, "Secret", v.secret?.secretName);
      need(w, "PersistentVolumeClaim", v.persistentVolumeClaim?.claimName);
    }
    for (const c of [...(pod.containers ?? []), ...(pod.initContainers ?? [])]) {
      for (const e of c.envFrom ?? []) (need(w, "ConfigMap", e.configMapRef?.name), need(w, "Secret", e.secretRef?.name));
      for (const e of c.env ?? []) (need(w, "ConfigMap", e.valueFrom?.configMapKeyRef?.name), need(w, "Secret", e.valueFrom?.secretKeyRef?.name));
    }
    for (const s of pod.imagePullSecrets ?? []) need(w, "Secret", s.name);
    if (w.kind === "StatefulSet") need(w, "Service", w.spec.serviceName);
  }
  for (const i of objs.filter((o) => o.kind === "Ingress")) {
    for (const t of i.spec.tls ?? []) need(i, "Secret", t.secretName);
    for (const r of i.spec.rules ?? []) for (const p of r.http?.paths ?? []) need(i, "Service", p.backend.service?.name);
  }
  return problems;
}

/** Named ports: a Service's targetPort and an Ingress's service port name ports that exist. */
export function portProblems(objs: readonly Obj[]): string[] {
  const problems: string[] = [];
  for (const s of objs.filter((o) => o.kind === "Service")) {
    const pods = workloads(objs).filter((w) => matches(s.spec.selector ?? {}, podLabels(w)));
    const names = new Set(pods.flatMap((w) => podOf(w).containers.flatMap((c: Obj) => (c.ports ?? []).map((p: Obj) => p.name))));
    for (const p of s.spec.ports ?? []) if (typeof p.targetPort === "string" && !names.has(p.targetPort)) problems.push(`${id(s)}: targetPort ${p.targetPort} is no container port of its pods`);
  }
  for (const i of objs.filter((o) => o.kind === "Ingress"))
    for (const r of i.spec.rules ?? [])
      for (const p of r.http?.paths ?? []) {
        const svc = objs.find((o) => o.kind === "Service" && o.metadata.name === p.backend.service?.name);
        const name = p.backend.service?.port?.name;
        if (svc && name !== undefined && !(svc.spec.ports ?? []).some((sp: Obj) => sp.name === name)) problems.push(`${id(i)}: port ${name} is not a port of Service ${svc.metadata.name}`);
      }
  return problems;
}

/** Every namespaced object lands in the deployment's namespace (an object without one would go wherever kubectl points). */
export function namespaceProblems(objs: readonly Obj[], namespace: string): string[] {
  return objs.filter((o) => o.kind !== "Namespace" && o.metadata?.namespace !== namespace).map((o) => `${id(o)}: namespace ${o.metadata?.namespace ?? "(none)"}, not ${namespace}`);
}

export function jobProblems(objs: readonly Obj[]): string[] {
  return objs.filter((o) => o.kind === "Job").flatMap((j) => (["Never", "OnFailure"].includes(podOf(j).restartPolicy) ? [] : [`${id(j)}: restartPolicy ${podOf(j).restartPolicy ?? "(unset: Always)"}; a Job's pods must use Never or OnFailure`]));
}

/** GPU limits equal requests (extended resources cannot be overcommitted) and equal what each workload should get. */
export function gpuProblems(objs: readonly Obj[], resource: string, expected: ReadonlyMap<string, number>): string[] {
  const problems: string[] = [];
  for (const w of workloads(objs)) {
    const c = podOf(w).containers[0];
    const lim = c.resources?.limits?.[resource];
    const req = c.resources?.requests?.[resource];
    const want = expected.get(w.metadata.name);
    if (lim !== req) problems.push(`${id(w)}: ${resource} limits ${lim} differ from requests ${req}`);
    if (want === undefined && lim !== undefined) problems.push(`${id(w)}: requests ${lim} ${resource} but should have none`);
    if (want !== undefined && Number(lim) !== want) problems.push(`${id(w)}: ${resource} limit ${lim}, expected ${want}`);
  }
  return problems;
}

/**
 * Which pod may open which port of which pod, by NetworkPolicy semantics: a
 * connection needs the source's egress and the destination's ingress to
 * allow it, each either unselected by any policy of its direction or
 * allowed by a rule of one that selects it. Pods by their name label;
 * ports are those the destination's containers listen on (and, for Jobs'
 * and workers' connections, any port a rule names).
 */
export function reachability(objs: readonly Obj[], nameLabel: string): Set<string> {
  const policies = objs.filter((o) => o.kind === "NetworkPolicy");
  const pods = workloads(objs).map((w) => ({ name: podLabels(w)[nameLabel]!, labels: podLabels(w), ports: podOf(w).containers.flatMap((c: Obj) => (c.ports ?? []).map((p: Obj) => p.containerPort as number)) as number[] }));
  const selects = (p: Obj, labels: Record<string, string>) => matches(p.spec.podSelector?.matchLabels ?? {}, labels);
  const types = (p: Obj): string[] => p.spec.policyTypes ?? ["Ingress"];
  const peerMatches = (peers: Obj[] | undefined, labels: Record<string, string>) =>
    peers === undefined || peers.length === 0 || peers.some((peer) => !peer.namespaceSelector && peer.podSelector !== undefined && matches(peer.podSelector.matchLabels ?? {}, labels));
  const portMatches = (ports: Obj[] | undefined, port: number) => ports === undefined || ports.length === 0 || ports.some((p) => (p.protocol ?? "TCP") === "TCP" && p.port === port);
  const allows = (dir: "Ingress" | "Egress", self: Record<string, string>, other: Record<string, string>, port: number) => {
    const mine = policies.filter((p) => types(p).includes(dir) && selects(p, self));
    if (mine.length === 0) return true;
    return mine.some((p) => (dir === "Ingress" ? p.spec.ingress : p.spec.egress)?.some((r: Obj) => peerMatches(dir === "Ingress" ? r.from : r.to, other) && portMatches(r.ports, port)) ?? false);
  };
  const out = new Set<string>();
  for (const a of pods)
    for (const b of pods)
      if (a !== b) for (const port of new Set(b.ports)) if (allows("Egress", a.labels, b.labels, port) && allows("Ingress", b.labels, a.labels, port)) out.add(`${a.name} -> ${b.name}:${port}`);
  return out;
}

const RESTRICTED_VOLUMES = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]);

/** The Pod Security Standard "restricted" (v1.30 rules), per workload: its violations. */
export function restrictedViolations(w: Obj): string[] {
  const pod = podOf(w);
  const v: string[] = [];
  const psc = pod.securityContext ?? {};
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) v.push("host namespaces");
  for (const vol of pod.volumes ?? []) {
    const type = Object.keys(vol).find((k) => k !== "name")!;
    if (!RESTRICTED_VOLUMES.has(type)) v.push(`volume type ${type}`);
  }
  const podSeccomp = psc.seccompProfile?.type;
  for (const c of [...(pod.containers ?? []), ...(pod.initContainers ?? [])]) {
    const sc = c.securityContext ?? {};
    if (sc.privileged) v.push(`${c.name}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) v.push(`${c.name}: allowPrivilegeEscalation not false`);
    if (!(sc.runAsNonRoot === true || (sc.runAsNonRoot === undefined && psc.runAsNonRoot === true))) v.push(`${c.name}: runAsNonRoot not true`);
    if ((sc.runAsUser ?? psc.runAsUser) === 0) v.push(`${c.name}: runAsUser 0`);
    const seccomp = sc.seccompProfile?.type ?? podSeccomp;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") v.push(`${c.name}: seccompProfile not RuntimeDefault`);
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) v.push(`${c.name}: capabilities not dropped (ALL)`);
    for (const cap of sc.capabilities?.add ?? []) if (cap !== "NET_BIND_SERVICE") v.push(`${c.name}: adds ${cap}`);
    for (const p of c.ports ?? []) if (p.hostPort) v.push(`${c.name}: hostPort`);
  }
  return v;
}
