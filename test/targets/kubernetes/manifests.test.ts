/**
 * The Kubernetes target's base and every overlay, built with `kubectl
 * kustomize`, pass what the API server and scheduler would enforce: the
 * OpenAPI schemas with unknown fields rejected, selectors, references,
 * named ports, Job restart policies, GPU limits, NetworkPolicy reachability
 * equal to the model's connections, and Pod Security "restricted" where the
 * images allow. Each check is shown to reject a broken copy.
 */
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { deployment } from "../../../dsl/deployment.js";
import type { DeploymentProps } from "../../../dsl/props.js";
import { buildModel } from "../../../model/build.js";
import { serviceEdges, unique } from "../../../targets/kubernetes/connections.js";
import { jobEdges } from "../../../targets/kubernetes/jobs.js";
import { NAME_LABEL, secretNames } from "../../../targets/kubernetes/names.js";
import { readSource } from "../../../targets/kubernetes/source.js";
import { propsOut } from "../../init/support.js";
import { LAB, PLAIN } from "./configs.js";
import { kubectl, kustomize } from "../../support/kubectl.js";
import {
  gpuProblems,
  jobProblems,
  namespaceProblems,
  parseObjects,
  portProblems,
  reachability,
  referenceProblems,
  restrictedViolations,
  schemaProblems,
  selectorProblems,
  unknownFieldProblems,
  workloads,
  type Obj,
} from "../../support/kubernetes-checks.js";

const haveKubectl = kubectl() !== undefined;
const outs = new Map<DeploymentProps, string>();
const outOf = (p: DeploymentProps) => outs.get(p) ?? (outs.set(p, propsOut(p)), outs.get(p)!);
const built = new Map<string, Obj[]>();
/** Every kustomization of the output: base/ and each overlay. */
function builds(p: DeploymentProps): [string, Obj[]][] {
  const k8s = join(outOf(p), "kubernetes");
  const dirs = ["base", ...readdirSync(join(k8s, "overlays")).sort().map((o) => `overlays/${o}`)];
  return dirs.map((d) => {
    const key = join(k8s, d);
    if (!built.has(key)) built.set(key, parseObjects(kustomize(key)));
    return [d, built.get(key)!];
  });
}
const defaultBuild = (p: DeploymentProps) => builds(p).find(([d]) => d === "overlays/default")![1];

/** The Secrets the README documents: create-secrets.sh's, the TLS Secret and pull secrets of the settings. */
function documented(p: DeploymentProps): Set<string> {
  const spec = deployment(p).toSpec();
  const n = secretNames(spec.slug);
  return new Set([n.env, n.postgres, n.minioAccounts, ...(spec.kubernetes?.ingress?.tlsSecret ? [spec.kubernetes.ingress.tlsSecret] : []), ...(spec.kubernetes?.imagePullSecrets ?? [])]);
}

/** GPUs each workload should request: its list's length, gpusPerNode for "all". */
function expectedGpus(p: DeploymentProps): Map<string, number> {
  const spec = deployment(p).toSpec();
  return new Map(spec.workers.filter((w) => w.gpus !== undefined).map((w) => [w.name, w.gpus === "all" ? spec.kubernetes!.gpu.gpusPerNode! : w.gpus!.length]));
}

/** The model's connections, as `from -> to:port` (Jobs' targets included). */
function modelConnections(p: DeploymentProps): Set<string> {
  const spec = deployment(p).toSpec();
  const src = readSource(buildModel(spec), spec.kubernetes!);
  return new Set(unique([...serviceEdges(src), ...jobEdges(src)]).map((e) => `${e.from} -> ${e.to}:${e.port}`));
}

async function allProblems(p: DeploymentProps, objs: Obj[]): Promise<string[]> {
  return [
    ...(await schemaProblems(objs)),
    ...selectorProblems(objs),
    ...referenceProblems(objs, documented(p)),
    ...portProblems(objs),
    ...jobProblems(objs),
    ...namespaceProblems(objs, deployment(p).toSpec().kubernetes!.namespace),
    ...gpuProblems(objs, "nvidia.com/gpu", expectedGpus(p)),
  ];
}

for (const [what, props] of [["the default deployment", PLAIN], ["GPU workers, TLS, storage classes", LAB]] as const) {
  test(`${what}: base and every overlay build with kubectl kustomize and pass the API checks`, async () => {
    if (!haveKubectl) return;
    const all = builds(props);
    assert.ok(all.length >= (props === LAB ? 5 : 2), all.map(([d]) => d).join(", "));
    for (const [dir, objs] of all) assert.equal(await allProblems(props, objs), [], dir);
  });

  test(`${what}: no field the API does not define (strict validation)`, () => {
    if (!haveKubectl) return;
    assert.equal(unknownFieldProblems(defaultBuild(props)), []);
  });

  test(`${what}: the NetworkPolicies allow exactly the model's connections`, () => {
    if (!haveKubectl) return;
    const reach = reachability(defaultBuild(props), NAME_LABEL);
    const model = modelConnections(props);
    // Pods without ports (workers, Jobs) receive nothing, so only connections to listening pods are compared.
    assert.equal([...reach].sort(), [...model].sort());
  });

  test(`${what}: every pod meets Pod Security "restricted", and the namespace enforces it`, () => {
    if (!haveKubectl) return;
    const objs = defaultBuild(props);
    for (const w of workloads(objs)) assert.equal(restrictedViolations(w), [], w.metadata.name);
    const ns = objs.find((o) => o.kind === "Namespace")!;
    assert.is(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
  });
}

test("the issue's connections: only the REST API, MLflow, pgAdmin and the database Job reach PostgreSQL; workers reach Redis, the REST API, MLflow and MinIO", () => {
  if (!haveKubectl) return;
  const reach = [...reachability(defaultBuild(LAB), NAME_LABEL)];
  const s = "dioptra-deployment";
  const toDb = reach.filter((r) => r.endsWith(`${s}-db:5432`)).map((r) => r.split(" -> ")[0]).sort();
  assert.equal(toDb, [`${s}-dbadmin`, `${s}-init-database`, `${s}-mlflow-tracking`, `${s}-restapi`]);
  for (const w of [`${s}-tfcpu-01`, `${s}-pytorchgpu-02`]) {
    const to = reach.filter((r) => r.startsWith(`${w} -> `)).map((r) => r.split(" -> ")[1]).sort();
    assert.equal(to, [`${s}-minio:9000`, `${s}-minio:9001`, `${s}-mlflow-tracking:5000`, `${s}-redis:6379`, `${s}-restapi:5000`], w);
  }
  assert.ok(!reach.some((r) => r.endsWith(`${s}-tfcpu-01:`)), "nothing connects to a worker");
});

/** [check, how to break the LAB build, fragment of the expected problem] */
const BREAKS: [string, (objs: Obj[]) => void, (objs: Obj[]) => Promise<string[]> | string[], string][] = [
  ["schema", (o) => (o.find((x) => x.kind === "Deployment")!.spec.replicas = "one"), (o) => schemaProblems(o), "replicas"],
  ["unknown fields", (o) => (o.find((x) => x.kind === "StatefulSet")!.spec.template.spec.containers[0].imagePullPolicyy = "Always"), (o) => unknownFieldProblems(o), "imagePullPolicyy"],
  ["selectors", (o) => (o.find((x) => x.kind === "Deployment")!.spec.selector.matchLabels[NAME_LABEL] = "nobody"), (o) => selectorProblems(o), "does not match its template"],
  ["references", (o) => (o.find((x) => x.kind === "ConfigMap")!.metadata.name = "renamed"), (o) => referenceProblems(o, documented(LAB)), "which does not exist"],
  ["undocumented secret", (o) => (workloads(o).find((w) => w.kind === "Job")!.spec.template.spec.containers[0].env[0] = { name: "X", valueFrom: { secretKeyRef: { name: "stray", key: "k" } } }), (o) => referenceProblems(o, documented(LAB)), "Secret stray"],
  ["named ports", (o) => (o.find((x) => x.kind === "Service")!.spec.ports[0].targetPort = "nope"), (o) => portProblems(o), "targetPort nope"],
  ["namespace", (o) => delete o.find((x) => x.kind === "Ingress")!.metadata.namespace, (o) => namespaceProblems(o, "dioptra-deployment"), "Ingress/dioptra-deployment-nginx: namespace (none)"],
  ["Job restart policy", (o) => (o.find((x) => x.kind === "Job")!.spec.template.spec.restartPolicy = "Always"), (o) => jobProblems(o), "restartPolicy Always"],
  ["GPU requests", (o) => (workloads(o).find((w) => w.metadata.name.endsWith("pytorchgpu-02"))!.spec.template.spec.containers[0].resources.requests["nvidia.com/gpu"] = "1"), (o) => gpuProblems(o, "nvidia.com/gpu", expectedGpus(LAB)), "differ from requests"],
  ["GPU count", (o) => { const r = workloads(o).find((w) => w.metadata.name.endsWith("pytorchgpu-02"))!.spec.template.spec.containers[0].resources; r.limits["nvidia.com/gpu"] = r.requests["nvidia.com/gpu"] = "1"; }, (o) => gpuProblems(o, "nvidia.com/gpu", expectedGpus(LAB)), "expected 2"],
  ["Pod Security", (o) => (workloads(o)[0]!.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true), (o) => workloads(o).flatMap(restrictedViolations), "allowPrivilegeEscalation"],
  ["hostPath under restricted", (o) => workloads(o)[0]!.spec.template.spec.volumes.push({ name: "h", hostPath: { path: "/srv" } }), (o) => workloads(o).flatMap(restrictedViolations), "volume type hostPath"],
];

for (const [check, brk, run, fragment] of BREAKS) {
  test(`the ${check} check rejects a broken manifest`, async () => {
    if (!haveKubectl) return;
    const objs = structuredClone(defaultBuild(LAB));
    assert.equal(await run(objs), [], "the unbroken build passes");
    brk(objs);
    const problems = await run(objs);
    assert.ok(problems.some((p) => p.includes(fragment)), `no problem mentions "${fragment}": ${JSON.stringify(problems)}`);
  });
}

test("the reachability check sees a missing and an extra connection", () => {
  if (!haveKubectl) return;
  const model = modelConnections(LAB);
  const objs = structuredClone(defaultBuild(LAB));
  const s = "dioptra-deployment";
  const i = objs.findIndex((o) => o.kind === "NetworkPolicy" && o.metadata.name === `${s}-tfcpu-01-egress`);
  objs.splice(i, 1);
  const missing = reachability(objs, NAME_LABEL);
  assert.ok([...model].some((c) => c.startsWith(`${s}-tfcpu-01 -> `) && !missing.has(c)), "dropping the worker's egress policy loses its connections");
  objs.push({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "open-db" }, spec: { podSelector: { matchLabels: { [NAME_LABEL]: `${s}-db` } }, policyTypes: ["Ingress"], ingress: [{}] } });
  objs.push({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "open-worker" }, spec: { podSelector: { matchLabels: { [NAME_LABEL]: `${s}-pytorchcpu-01` } }, policyTypes: ["Egress"], egress: [{}] } });
  const extra = [...reachability(objs, NAME_LABEL)].filter((c) => !model.has(c));
  assert.ok(extra.includes(`${s}-pytorchcpu-01 -> ${s}-db:5432`), extra.join(", "));
});

test("kubectl kustomize rejects a broken kustomization", () => {
  if (!haveKubectl) return;
  const dir = join(outOf(PLAIN), "kubernetes", "base");
  writeFileSync(join(dir, "kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - missing.yaml\n");
  assert.throws(() => kustomize(dir), /missing\.yaml/);
  built.delete(dir);
  outs.delete(PLAIN);
});

test.run();
