/**
 * `kubernetes: { … }` is checked like every other setting: each mistake is
 * reported at its setting, located, all at once — names the API server
 * refuses, GPU counts a node pool cannot hold, and settings that contradict
 * the Compose ones.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { assertLocatedIssue } from "../../support/located.js";
import { deployment } from "../../../dsl/deployment.js";
import type { DeploymentProps } from "../../../dsl/props.js";
import { propsFiles } from "../../init/support.js";

const TLS = { tls: true, certificate: "provided" } as const;

/** [what, props, path reported, fragment of its message] */
const CASES: [string, DeploymentProps, string, string][] = [
  ["a namespace with upper case", { kubernetes: { namespace: "Dioptra" } }, "kubernetes.namespace", "is not a namespace name (a DNS-1123 label"],
  ["a namespace over 63 characters", { kubernetes: { namespace: "a".repeat(64) } }, "kubernetes.namespace", "at most 63"],
  ["a slug that starts with a digit", { name: "1lab", kubernetes: {} }, "name", "must start with a letter"],
  ["Job names over 63 characters", { name: "a-very-long-laboratory-deployment-name-of-forty", kubernetes: {} }, "name", "Job names are pod labels, at most 63"],
  ["a custom container name with a dot", { kubernetes: {}, customContainers: { "side.car": { image: "x:1" } } }, "customContainers.side.car", "cannot name a Kubernetes Service"],
  ["a storage class with a space", { kubernetes: { storageClass: "fast ssd" } }, "kubernetes.storageClass", "is not a Kubernetes object name"],
  ["a claim size that is no quantity", { kubernetes: { volumes: { "postgres-data": { size: "10 GB" } } } }, "kubernetes.volumes.postgres-data.size", 'a Kubernetes quantity such as "20Gi"'],
  ["a claim for a volume the base does not claim", { kubernetes: { volumes: { "nginx-conf-d": { size: "1Gi" } } } }, "kubernetes.volumes.nginx-conf-d", "unknown setting"],
  ["a service type Kubernetes lacks", { kubernetes: { serviceType: "External" as never } }, "kubernetes.serviceType", '"ClusterIP", "NodePort" or "LoadBalancer"'],
  ["TLS on without a TLS Secret", { nginx: TLS, kubernetes: {} }, "kubernetes.ingress", "nginx.tls is on, so users expect HTTPS"],
  ["a TLS Secret with TLS off", { kubernetes: { ingress: { tlsSecret: "tls" } } }, "kubernetes.ingress.tlsSecret", "nginx.tls is off"],
  ["a server name no Ingress can take (upper case: nginx accepts it, an Ingress host does not)", { nginx: { serverName: "Dioptra.Lab.Example.org" }, kubernetes: { ingress: {} } }, "nginx.serverName", "cannot be an Ingress host"],
  ["Postgres TLS, which the target lacks", { postgres: { tls: true }, kubernetes: {} }, "kubernetes", "postgres.tls is on"],
  ["a GPU resource without a domain", { kubernetes: { gpu: { resource: "gpu" } } }, "kubernetes.gpu.resource", "an extended resource name"],
  ["a node selector value with a space", { kubernetes: { gpu: { nodeSelector: { pool: "gpu a" } } } }, "kubernetes.gpu.nodeSelector.pool", "a label value"],
  ["a toleration with a value and Exists", { kubernetes: { gpu: { tolerations: [{ key: "gpu", operator: "Exists", value: "x" }] } } }, "kubernetes.gpu.tolerations.0.value", 'an "Exists" toleration matches any value'],
  ["a toleration effect Kubernetes lacks", { kubernetes: { gpu: { tolerations: [{ key: "gpu", effect: "Never" as never }] } } }, "kubernetes.gpu.tolerations.0.effect", "NoSchedule, PreferNoSchedule or NoExecute"],
  ["gpusPerNode of zero", { kubernetes: { gpu: { gpusPerNode: 0 } } }, "kubernetes.gpu.gpusPerNode", "whole number ≥ 1"],
  ["more GPUs than a node holds", { workers: { pytorchGpu: { count: 1, workers: { 1: { gpus: [0, 1, 2] } } } }, kubernetes: { gpu: { gpusPerNode: 2 } } }, "workers.pytorchGpu.workers.1.gpus", "asks for 3 GPUs, but a node of its pool holds 2"],
  ["more GPUs than a pool's node holds", { workers: { tensorflowGpu: { count: 1, workers: { 1: { gpus: [0, 1] } } } }, kubernetes: { gpu: { gpusPerNode: 8 }, gpuPools: { tensorflowGpu: { gpusPerNode: 1 } } } }, "workers.tensorflowGpu.workers.1.gpus", "holds 1 (gpusPerNode)"],
  ['"all" without gpusPerNode', { workers: { pytorchGpu: { count: 1, workers: { 1: { gpus: "all" } } } }, kubernetes: {} }, "workers.pytorchGpu.workers.1.gpus", '"all" has no meaning on Kubernetes'],
  ["a custom env file that is not generated", { kubernetes: {}, customContainers: { side: { image: "x:1", envFiles: ["./mine.env"] } } }, "customContainers.side.envFiles.0", "is not one of the generated env files"],
  ["an unknown kubernetes setting", { kubernetes: { storageclass: "x" } as never }, "kubernetes.storageclass", "unknown setting (allowed here: namespace, storageClass"],
  ["an image pull secret that is no name", { kubernetes: { imagePullSecrets: ["Pull_Secret"] } }, "kubernetes.imagePullSecrets.0", "is not a Kubernetes object name"],
];

for (const [what, props, path, fragment] of CASES) {
  test(`rejects ${what} at ${path}, located`, () => assertLocatedIssue(deployment(props), path, fragment, "settings.test"));
}

test("every problem at once", () => {
  const { issues } = deployment({ nginx: TLS, kubernetes: { namespace: "A", storageClass: "B C", gpu: { gpusPerNode: -1 } } }).resolve();
  const paths = issues.map((i) => i.path).sort();
  assert.equal(paths, ["kubernetes.gpu.gpusPerNode", "kubernetes.ingress", "kubernetes.namespace", "kubernetes.storageClass"]);
});

test("without kubernetes, out/ holds no kubernetes/ files and README.md no Kubernetes section", () => {
  const plain = propsFiles({});
  assert.ok(!plain.some((f) => f.path.startsWith("kubernetes/")));
  assert.not.match(plain.find((f) => f.path === "README.md")!.content, /Kubernetes/);
  const on = propsFiles({ kubernetes: { namespace: "lab" } });
  assert.ok(on.some((f) => f.path === "kubernetes/base/kustomization.yaml"));
  assert.match(on.find((f) => f.path === "kubernetes/base/kustomization.yaml")!.content, /^namespace: lab$/m);
  assert.match(on.find((f) => f.path === "README.md")!.content, /## Running on Kubernetes/);
});

test.run();
