/**
 * The Swarm target: hosts and placement are validated at their setting;
 * swarm/docker-stack.yml comes from the same model as docker-compose.yml,
 * passes the Compose schema, docker-compose 1.29 and `docker stack config`,
 * never holds a key Swarm rejects or ignores, pins each service to its host
 * and reserves GPUs; deploy-stack.sh passes shellcheck and, against a stub
 * `docker`, labels nodes, refuses bad nodes with a clear message, and deploys.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { deployment } from "../dsl/deployment.js";
import { secret } from "../dsl/env.js";
import type { DeploymentProps } from "../dsl/props.js";
import { composeSchemaIssues } from "../targets/compose/validate.js";
import { FORBIDDEN_SERVICE_KEYS } from "../targets/swarm/mapping.js";
import { haveTool, tempDir } from "./helpers.js";
import { propsFiles, propsOut, stubPath } from "./init/support.js";

/** Three hosts: the core, a 4-GPU host with a label, a CPU host; workers spread over them. */
const LAB: DeploymentProps = {
  name: "lab",
  nginx: { exposePortsOnLocalhostOnly: false },
  hosts: { core: { node: "lab-core" }, gpu1: { node: "lab-gpu1", gpuIds: ["GPU-a0", "GPU-a1", "GPU-a2", "GPU-a3"], labels: { "gpu.model": "a100" } }, cpu2: {} },
  swarm: {},
  workers: {
    tensorflowCpu: { count: 2, workers: { 2: { host: "cpu2" } } },
    pytorchGpu: { count: 3, host: "gpu1", workers: { 3: { gpus: [2, 3] } } },
    tensorflowGpu: { count: 1, host: "gpu1", workers: { 1: { gpus: "all" } } },
  },
  customContainers: { side: { image: "side:1", restart: "on-failure", environment: { TOKEN: secret("SIDE_TOKEN") } } },
  // The tensorflow worker takes "all" of gpu1's GPUs next to the pytorch ones: intended here.
  gpuSharing: true,
};
// "all" takes the whole host: keep the reservations within 4 GPUs.
const LAB_OK: DeploymentProps = { ...LAB, workers: { ...LAB.workers, tensorflowGpu: 0 } };

const ON = { swarm: {}, nginx: { exposePortsOnLocalhostOnly: false } };

/** [what, props, path reported, fragment of its message] */
const CASES: [string, DeploymentProps, string, string][] = [
  ["pool on an undeclared host", { ...ON, hosts: { core: {} }, workers: { pytorchGpu: { count: 1, host: "gpu9" } } }, "workers.pytorchGpu.host", '"gpu9" is not a declared host (hosts: core)'],
  ["worker on an undeclared host", { ...ON, hosts: { core: {} }, workers: { tensorflowCpu: { count: 2, workers: { 2: { host: "cpu9" } } } } }, "workers.tensorflowCpu.workers.2.host", '"cpu9" is not a declared host'],
  ["GPU index past the host's GPUs", { ...ON, hosts: { core: {}, gpu1: { gpus: 2 } }, workers: { pytorchGpu: { count: 1, host: "gpu1", workers: { 1: { gpus: [0, 2] } } } } }, "workers.pytorchGpu.workers.1.gpus.1", 'GPU 2 is past host "gpu1"\'s 2 GPUs'],
  ["one-GPU-each rule past the host's GPUs", { ...ON, hosts: { core: {}, gpu1: { gpus: 1 } }, workers: { pytorchGpu: { count: 2, host: "gpu1" } } }, "workers.pytorchGpu.host", 'gives a worker on host "gpu1" GPU 1, but it has 1'],
  ["GPU worker on a host without GPUs", { ...ON, hosts: { core: {} }, workers: { tensorflowGpu: 1 } }, "swarm.coreHost", 'runs on host "core", which declares no GPUs'],
  ["more GPUs reserved than the host has", { ...ON, hosts: { core: {}, gpu1: { gpus: 2 } }, workers: { pytorchGpu: { count: 1, host: "gpu1", workers: { 1: { gpus: "all" } } }, tensorflowGpu: { count: 1, host: "gpu1" } } }, "hosts.gpu1.gpus", "reserve 3 GPUs"],
  ["core host undeclared", { ...ON, hosts: { main: {} } }, "swarm.coreHost", '"core" is not a declared host (hosts: main); it defaults to "core"'],
  ["core services away from the deployment folder", { ...ON, hosts: { core: {}, store: { deploymentFolder: true } } }, "swarm.coreHost", 'the deployment folder is on "store"'],
  ["two deployment folders", { swarm: { coreHost: "a" }, nginx: ON.nginx, hosts: { a: { deploymentFolder: true }, b: { deploymentFolder: true } } }, "hosts.b.deploymentFolder", "only one host holds the deployment folder"],
  ["swarm without hosts", { ...ON }, "hosts", "the Swarm target needs the machines it runs on"],
  ["hosts without swarm", { hosts: { core: {} } }, "hosts", "only the Swarm target reads hosts"],
  ["worker host without swarm", { workers: { tensorflowCpu: { count: 1, host: "core" } } }, "workers.tensorflowCpu.host", "only the Swarm target places workers"],
  ["ports on localhost only", { swarm: {}, hosts: { core: {} } }, "nginx.exposePortsOnLocalhostOnly", "Swarm cannot publish a port on one address only"],
  ["custom port on one address", { ...ON, hosts: { core: {} }, customContainers: { web: { image: "w:1", ports: [{ host: 8080, container: 80, hostIp: "10.0.0.1" }] } } }, "customContainers.web.ports.0.hostIp", "remove hostIp"],
  ["host key with upper case", { ...ON, hosts: { core: {}, GPU: {} } }, "hosts.GPU", "is not a host name for the config"],
  ["two hosts on one node", { ...ON, hosts: { core: { node: "n1" }, gpu1: { node: "n1" } } }, "hosts.gpu1.node", 'node "n1" is already hosts.core'],
  ["host GPUs not a count", { ...ON, hosts: { core: { gpus: -1 } } }, "hosts.core.gpus", "whole number ≥ 0, got -1"],
  ["a GPU host without its GPUs' UUIDs", { ...ON, hosts: { core: {}, gpu1: { gpus: 2 } } }, "hosts.gpu1.gpuIds", "a host with GPUs lists their UUIDs"],
  ["a GPU UUID that is a number", { ...ON, hosts: { core: {}, gpu1: { gpuIds: ["0", "GPU-b"] } } }, "hosts.gpu1.gpuIds.0", "is not a GPU UUID"],
  ["fewer UUIDs than GPUs", { ...ON, hosts: { core: {}, gpu1: { gpus: 2, gpuIds: ["GPU-a"] } } }, "hosts.gpu1.gpuIds", "lists 1 GPUs, but gpus is 2"],
  ["label value with a comma", { ...ON, hosts: { core: { labels: { rack: "a,b" } } } }, "hosts.core.labels.rack", "no spaces or commas"],
  ["label named like the host label", { ...ON, hosts: { core: { labels: { "dioptra.dioptra-deployment.host": "x" } } } }, "hosts.core.labels.dioptra.dioptra-deployment.host", "the label deploy-stack.sh sets"],
  ["unknown host setting", { ...ON, hosts: { core: { gpu: 1 } as never } }, "hosts.core.gpu", "unknown setting (allowed here: node, gpus, gpuIds, labels, deploymentFolder)"],
  ["unknown swarm setting", { swarm: { stack: "x" } as never, nginx: ON.nginx, hosts: { core: {} } }, "swarm.stack", "unknown setting"],
  ["custom container name with a dot", { ...ON, hosts: { core: {} }, customContainers: { "side.car": { image: "x:1" } } }, "customContainers.side.car", "cannot name a Swarm service"],
  ["service names past 63 characters", { ...ON, name: "a-very-long-laboratory-deployment-name", hosts: { core: {} } }, "swarm.stackName", "allows 63"],
];

for (const [what, props, path, fragment] of CASES) {
  test(`rejects ${what} at ${path}, located`, () => {
    const { spec, issues } = deployment(props).resolve();
    assert.is(spec, undefined);
    const hit = issues.find((i) => i.path === path);
    assert.ok(hit, `no issue at ${path}; got: ${issues.map((i) => `${i.path}: ${i.message}`).join(" | ")}`);
    assert.ok(hit!.message.includes(fragment), `message "${hit!.message}" lacks "${fragment}"`);
    assert.match(hit!.location ?? "", /swarm\.test\.(?:ts|js):\d+:\d+$/);
  });
}

test("the lab config resolves: workers on their hosts, GPUs numbered per host", () => {
  const spec = deployment(LAB_OK).toSpec();
  assert.equal(
    spec.workers.map((w) => [w.name.replace("lab-", ""), w.host, w.gpus]),
    [["tfcpu-01", "core", undefined], ["tfcpu-02", "cpu2", undefined], ["pytorchcpu-01", "core", undefined], ["pytorchgpu-01", "gpu1", [0]], ["pytorchgpu-02", "gpu1", [1]], ["pytorchgpu-03", "gpu1", [2, 3]]],
  );
});

test("without swarm, out/ holds no swarm/ files and README.md no Swarm section; with it, both", () => {
  const plain = propsFiles({});
  assert.ok(!plain.some((f) => f.path.startsWith("swarm/")));
  assert.not.match(plain.find((f) => f.path === "README.md")!.content, /Docker Swarm/);
  const lab = propsFiles(LAB_OK);
  assert.equal(lab.filter((f) => f.path.startsWith("swarm/")).map((f) => [f.path, f.mode]), [
    ["swarm/deploy-stack.sh", 0o755],
    ["swarm/docker-stack.yml", 0o644],
    ["swarm/hosts/gpu1/daemon.json", 0o644],
  ]);
  const readme = lab.find((f) => f.path === "README.md")!.content;
  assert.match(readme, /## Running on several hosts \(Docker Swarm\)/);
  assert.match(readme, /\| `gpu1` \| `lab-gpu1` \| 4 \| `lab-pytorchgpu-01`, `lab-pytorchgpu-02`, `lab-pytorchgpu-03` \|/);
});

type Stack = { version: string; services: Record<string, Record<string, any>>; networks: Record<string, any>; volumes: Record<string, any> };
const stackOf = (props: DeploymentProps): Stack => parse(propsFiles(props).find((f) => f.path === "swarm/docker-stack.yml")!.content) as Stack;

test("the stack file passes the Compose schema; a broken copy does not", () => {
  const stack = stackOf(LAB_OK);
  assert.equal(composeSchemaIssues("swarm/docker-stack.yml", stack), []);
  const broken = structuredClone(stack);
  broken.services["lab-pytorchgpu-01"]!.deploy.resources.reservations.generic_resources[0].discrete_resource_spec = { kind: "NVIDIA-GPU", count: 1 };
  broken.services["lab-redis"]!.deploy.placement.constraints = "node.labels.x == y";
  const issues = composeSchemaIssues("swarm/docker-stack.yml", broken);
  assert.ok(issues.some((i) => i.path.includes("generic_resources")), JSON.stringify(issues));
  assert.ok(issues.some((i) => i.path.includes("constraints")), JSON.stringify(issues));
});

/** Runs a Compose-reading command on swarm/docker-stack.yml of a generated folder. */
function checkWith(cmd: string, args: string[], dir: string): { status: number | null; stderr: string } {
  const r = spawnSync(cmd, args, { cwd: join(dir, "swarm"), encoding: "utf8", env: { ...process.env, COMPOSE_PROJECT_NAME: "swarmcheck" } });
  return { status: r.status, stderr: r.stderr };
}

test("docker-compose 1.29 reads the stack file (deploy keys and generic_resources included); a broken copy fails", () => {
  if (!haveTool("docker-compose")) return;
  const dir = propsOut(LAB_OK);
  const ok = checkWith("docker-compose", ["-f", "docker-stack.yml", "config", "-q"], dir);
  assert.is(ok.status, 0, ok.stderr);
  const text = readFileSync(join(dir, "swarm/docker-stack.yml"), "utf8");
  writeFileSync(join(dir, "swarm/broken.yml"), text.replace("replicas: 1", "replicas: one"));
  const bad = checkWith("docker-compose", ["-f", "broken.yml", "config", "-q"], dir);
  assert.is.not(bad.status, 0);
  assert.match(bad.stderr, /replicas/);
});

test("docker stack config reads the stack file; a broken copy fails", () => {
  if (!haveTool("docker", ["stack", "config", "--help"])) return;
  const dir = propsOut(LAB_OK);
  const ok = checkWith("docker", ["stack", "config", "-c", "docker-stack.yml"], dir);
  assert.is(ok.status, 0, ok.stderr);
  const text = readFileSync(join(dir, "swarm/docker-stack.yml"), "utf8");
  writeFileSync(join(dir, "swarm/broken.yml"), text.replace("replicas: 1", "replicas: one"));
  const bad = checkWith("docker", ["stack", "config", "-c", "broken.yml"], dir);
  assert.is.not(bad.status, 0);
  assert.match(bad.stderr, /replicas/);
});

test("no key Swarm rejects or ignores appears in any service", () => {
  for (const props of [LAB_OK, { ...LAB, workers: { tensorflowGpu: { count: 1, host: "gpu1" } } }]) {
    const stack = stackOf(props);
    for (const [name, svc] of Object.entries(stack.services)) {
      for (const k of FORBIDDEN_SERVICE_KEYS) assert.not.ok(k in svc, `${name} has ${k}`);
      assert.not.ok("NVIDIA_VISIBLE_DEVICES" in (svc.environment ?? {}), `${name} sets NVIDIA_VISIBLE_DEVICES`);
      assert.ok(svc.deploy?.restart_policy?.condition, `${name} has no restart policy`);
      // No IPVS virtual IP: the e2e swarm's kernel has none, and it cuts idle connections.
      assert.equal((svc.deploy as { endpoint_mode?: string } | undefined)?.endpoint_mode, "dnsrr", `${name} endpoint_mode`);
    }
  }
  // The check itself can fail: the Compose file of the same config has runtime and restart.
  const compose = parse(propsFiles(LAB_OK).find((f) => f.path === "docker-compose.yml")!.content) as Stack;
  assert.ok(FORBIDDEN_SERVICE_KEYS.some((k) => k in compose.services["lab-pytorchgpu-01"]!));
});

test("each service is pinned to its host by node label, with the host's own labels", () => {
  const stack = stackOf(LAB_OK);
  const pin = (svc: string) => stack.services[svc]!.deploy.placement.constraints as string[];
  for (const core of ["lab-nginx", "lab-db", "lab-minio", "lab-redis", "lab-restapi", "lab-mlflow-tracking", "lab-dbadmin", "lab-tfcpu-01", "side"])
    assert.equal(pin(core), ["node.labels.dioptra.lab.host == core"], core);
  assert.equal(pin("lab-tfcpu-02"), ["node.labels.dioptra.lab.host == cpu2"]);
  assert.equal(pin("lab-pytorchgpu-02"), ["node.labels.dioptra.lab.host == gpu1", "node.labels.gpu.model == a100"]);
  assert.is(stack.networks.dioptra.driver, "overlay");
  assert.equal(stack.services["lab-nginx"]!.ports[0], { target: 30080, published: 80, protocol: "tcp", mode: "host" });
  assert.equal(stack.services["side"]!.deploy.restart_policy, { condition: "on-failure" });
  // shm_size becomes a tmpfs at /dev/shm of the same size.
  assert.ok((stack.services["lab-db"]!.volumes as { type: string; target: string; tmpfs?: { size: number } }[]).some((v) => v.type === "tmpfs" && v.target === "/dev/shm" && v.tmpfs?.size === 256 * 1024 * 1024));
  // stack deploy ignores the `tmpfs` key: a read-only db gets tmpfs mounts where it writes
  // (found on the e2e swarm: without them Postgres cannot start). nginx's owned tmpfs have no
  // Swarm form, so its root stays writable.
  const tmpfsOf = (svc: string) => (stack.services[svc]!.volumes as { type: string; target: string }[]).filter((v) => v.type === "tmpfs").map((v) => v.target);
  assert.equal(tmpfsOf("lab-db"), ["/tmp", "/var/run/postgresql", "/dev/shm"]);
  assert.is(stack.services["lab-db"]!.read_only, true);
  assert.is(stack.services["lab-nginx"]!.read_only, undefined);
  assert.is(stack.services["lab-redis"]!.read_only, true);
});

test("GPU workers reserve NVIDIA-GPU generic resources; GPU hosts get their dockerd settings", () => {
  const files = propsFiles(LAB_OK);
  const stack = parse(files.find((f) => f.path === "swarm/docker-stack.yml")!.content) as Stack;
  const reserved = (svc: string) => stack.services[svc]!.deploy.resources?.reservations.generic_resources;
  assert.equal(reserved("lab-pytorchgpu-01"), [{ discrete_resource_spec: { kind: "NVIDIA-GPU", value: 1 } }]);
  assert.equal(reserved("lab-pytorchgpu-03"), [{ discrete_resource_spec: { kind: "NVIDIA-GPU", value: 2 } }]);
  assert.is(reserved("lab-tfcpu-01"), undefined);
  const all = stackOf({ ...LAB, workers: { tensorflowGpu: { count: 1, host: "gpu1", workers: { 1: { gpus: "all" } } } } });
  assert.equal(all.services["lab-tfgpu-01"]!.deploy.resources.reservations.generic_resources[0].discrete_resource_spec.value, 4);
  const daemon = JSON.parse(files.find((f) => f.path === "swarm/hosts/gpu1/daemon.json")!.content);
  assert.is(daemon["default-runtime"], "nvidia");
  assert.equal(daemon["node-generic-resources"], ["NVIDIA-GPU=GPU-a0", "NVIDIA-GPU=GPU-a1", "NVIDIA-GPU=GPU-a2", "NVIDIA-GPU=GPU-a3"]);
  assert.not.ok(files.some((f) => f.path.startsWith("swarm/hosts/cpu2/") || f.path.startsWith("swarm/hosts/core/")));
});

test("the stack runs what docker-compose.yml runs: same images, commands, health checks and environment", () => {
  const files = propsFiles(LAB_OK);
  const stack = parse(files.find((f) => f.path === "swarm/docker-stack.yml")!.content) as Stack;
  const compose = parse(files.find((f) => f.path === "docker-compose.yml")!.content) as Stack;
  assert.equal(Object.keys(stack.services), Object.keys(compose.services));
  for (const [name, c] of Object.entries(compose.services)) {
    const s = stack.services[name]!;
    for (const k of ["image", "command", "entrypoint", "healthcheck", "hostname", "user"]) assert.equal(s[k], c[k], `${name}.${k}`);
    const { NVIDIA_VISIBLE_DEVICES: _, ...env } = c.environment ?? {};
    assert.equal(s.environment ?? {}, env, `${name}.environment`);
    assert.equal(s.env_file ?? [], (c.env_file ?? []).map((f: string) => f.replace("./", "../")), `${name}.env_file`);
  }
  // Secrets stay interpolations: the generator never sees their values.
  assert.is(stack.services["lab-restapi"]!.environment.DIOPTRA_RESTAPI_DATABASE_URI, "${DIOPTRA_RESTAPI_DATABASE_URI}");
});

test("shellcheck finds nothing in deploy-stack.sh and bash -n parses it; a broken copy is flagged", () => {
  if (!haveTool("shellcheck")) return;
  const dir = propsOut(LAB_OK);
  const script = join(dir, "swarm/deploy-stack.sh");
  assert.is(spawnSync("bash", ["-n", script]).status, 0);
  const sc = spawnSync("shellcheck", ["--severity=style", "--format=gcc", script], { encoding: "utf8" });
  assert.is(`${sc.stdout}${sc.stderr}`, "");
  assert.is(sc.status, 0);
  const broken = readFileSync(script, "utf8").replace('docker node update "${label_args[@]}" "${node}"', "docker node update ${label_args[@]} ${node}");
  writeFileSync(join(dir, "broken.sh"), broken);
  assert.is.not(spawnSync("shellcheck", [join(dir, "broken.sh")]).status, 0);
});

/**
 * A `docker` that answers from files under $STUB: info, nodes/<node> ("ID state availability"),
 * labels/<node>, gpus/<node>, services (service ls lines); it logs every call to calls.
 */
const DOCKER_STUB = `
printf '%s\\n' "$*" >>"$STUB/calls"
case "$1 $2" in
  "info --format") cat "$STUB/info" ;;
  "node inspect")
    [[ -f "$STUB/nodes/$5" ]] || { echo "Error: No such node: $5" >&2; exit 1; }
    case "$4" in
      *Status.State*) cat "$STUB/nodes/$5" ;;
      *Spec.Labels*) cat "$STUB/labels/$5" 2>/dev/null || true ;;
      *GenericResources*) n=$(cat "$STUB/gpus/$5" 2>/dev/null || echo 0); for ((i = 0; i < n; i++)); do echo NVIDIA-GPU; done ;;
    esac ;;
  "node update")
    shift 2
    while [[ $1 == --label-add ]]; do echo "$2" >>"$STUB/labels/\${@: -1}"; shift 2; done ;;
  "node ls") cat "$STUB/stray" 2>/dev/null || true ;;
  "stack deploy") echo "DIOPTRA_WORKER_PASSWORD=\${DIOPTRA_WORKER_PASSWORD:-}" >>"$STUB/deploy-env" ;;
  "service ls") cat "$STUB/services" ;;
  "service ps") echo "      lab-gpu1 Pending no suitable node (insufficient resources on 1 node)" ;;
  *) echo "stub docker: unexpected $*" >&2; exit 2 ;;
esac
`;

interface Scenario {
  nodes?: Record<string, string>;
  gpus?: Record<string, number>;
  labels?: Record<string, string[]>;
  info?: string;
  stray?: string;
  env?: string | null;
  pendingService?: string;
}

const SERVICES_OF_LAB = (dir: string) => {
  const m = /^SERVICES=\(\n([\s\S]*?)\n\)/m.exec(readFileSync(join(dir, "swarm/deploy-stack.sh"), "utf8"));
  return m![1]!.split("\n").map((l) => l.trim());
};

function runDeploy(s: Scenario, args: string[] = []) {
  const dir = propsOut(LAB_OK);
  const stub = tempDir("dd-swarm-stub-");
  for (const d of ["nodes", "labels", "gpus"]) mkdirSync(join(stub, d));
  writeFileSync(join(stub, "info"), s.info ?? "active true ID-CORE\n");
  const nodes = s.nodes ?? { "lab-core": "ID-CORE ready active", "lab-gpu1": "ID-GPU1 ready active", cpu2: "ID-CPU2 ready active" };
  for (const [n, v] of Object.entries(nodes)) writeFileSync(join(stub, "nodes", n), `${v}\n`);
  for (const [n, v] of Object.entries(s.gpus ?? { "lab-gpu1": 4 })) writeFileSync(join(stub, "gpus", n), `${v}\n`);
  for (const [n, v] of Object.entries(s.labels ?? {})) writeFileSync(join(stub, "labels", n), `${v.join("\n")}\n`);
  if (s.stray) writeFileSync(join(stub, "stray"), `${s.stray}\n`);
  writeFileSync(join(stub, "services"), SERVICES_OF_LAB(dir).map((n) => `${n} ${n === s.pendingService ? "0/1" : "1/1"}`).join("\n") + "\n");
  if (s.env !== null) {
    const vars = /^REQUIRED_VARS=\(\n([\s\S]*?)\n\)/m.exec(readFileSync(join(dir, "swarm/deploy-stack.sh"), "utf8"))![1]!.split("\n").map((l) => l.trim());
    writeFileSync(join(dir, ".env"), s.env ?? `# made by the test\n${vars.map((v) => `${v}=value-of-${v}`).join("\n")}\n`);
  }
  const path = `${stubPath({ docker: DOCKER_STUB })}:${process.env.PATH}`;
  const r = spawnSync("bash", [join(dir, "swarm/deploy-stack.sh"), ...args], { cwd: tempDir("dd-cwd-"), encoding: "utf8", env: { PATH: path, STUB: stub, LC_ALL: "C" } });
  const read = (f: string) => (existsSync(join(stub, f)) ? readFileSync(join(stub, f), "utf8") : "");
  return { ...r, calls: read("calls"), deployEnv: read("deploy-env"), labelsOf: (n: string) => read(`labels/${n}`) };
}

test("deploy-stack.sh labels every node, exports .env, deploys and waits for every service", () => {
  const r = runDeploy({});
  assert.is(r.status, 0, r.stderr);
  assert.ok(r.calls.includes("node update --label-add dioptra.lab.host=gpu1 --label-add gpu.model=a100 lab-gpu1"), r.calls);
  assert.ok(r.calls.includes("node update --label-add dioptra.lab.host=core lab-core"), r.calls);
  assert.ok(r.calls.includes("node update --label-add dioptra.lab.host=cpu2 cpu2"), r.calls);
  assert.ok(r.calls.includes("stack deploy --with-registry-auth --compose-file swarm/docker-stack.yml lab"), r.calls);
  assert.is(r.deployEnv, "DIOPTRA_WORKER_PASSWORD=value-of-DIOPTRA_WORKER_PASSWORD\n");
  assert.match(r.stdout, /all 14 services of stack lab are running/);
});

const REFUSALS: [string, Scenario, string[], RegExp][] = [
  ["a missing node", { nodes: { "lab-core": "ID-CORE ready active", cpu2: "ID-CPU2 ready active" } }, [], /host gpu1: no Swarm node named lab-gpu1/],
  ["an unready node", { nodes: { "lab-core": "ID-CORE ready active", "lab-gpu1": "ID-GPU1 down active", cpu2: "ID-CPU2 ready active" } }, [], /host gpu1: node lab-gpu1 is down, not ready/],
  ["a drained node", { nodes: { "lab-core": "ID-CORE ready active", "lab-gpu1": "ID-GPU1 ready drain", cpu2: "ID-CPU2 ready active" } }, [], /node lab-gpu1 is drain; make it active/],
  ["a mislabelled node (--no-label)", { labels: { "lab-core": ["dioptra.lab.host=core"], "lab-gpu1": ["dioptra.lab.host=gpu1", "gpu.model=v100"], cpu2: ["dioptra.lab.host=cpu2"] } }, ["--no-label"], /host gpu1: node lab-gpu1 lacks the label gpu\.model=a100/],
  ["a GPU host advertising too few GPUs", { gpus: { "lab-gpu1": 2 } }, [], /advertises 2 NVIDIA-GPU resources, the config declares 4; install swarm\/hosts\/gpu1\/daemon\.json/],
  ["a stray labelled node", { stray: "old-box" }, [], /node old-box carries dioptra\.lab\.host but is no declared host/],
  ["running away from the core host", { info: "active true ID-OTHER\n" }, [], /host core: this script runs on another node/],
  ["a missing .env", { env: null }, [], /\.env is missing: run \.\/init-deployment\.sh/],
  ["a .env without a secret", { env: "MINIO_ROOT_USER=x\n" }, [], /DIOPTRA_WORKER_PASSWORD is not set in \.env/],
];

for (const [what, scenario, args, message] of REFUSALS) {
  test(`deploy-stack.sh refuses ${what} and does not deploy`, () => {
    const r = runDeploy(scenario, args);
    assert.is(r.status, 1, r.stdout);
    assert.match(r.stderr, /not deploying stack lab:/);
    assert.match(r.stderr, message);
    assert.not.ok(r.calls.includes("stack deploy"), "deployed anyway");
  });
}

test("deploy-stack.sh stops at once outside a swarm, and lists services that do not converge", () => {
  const outside = runDeploy({ info: "inactive false \n" });
  assert.is(outside.status, 1);
  assert.match(outside.stderr, /this engine is in no swarm \(state: inactive\)/);
  const pending = runDeploy({ pendingService: "lab_lab-pytorchgpu-02" }, ["--timeout", "0"]);
  assert.is(pending.status, 1);
  assert.match(pending.stderr, /1 services are not running:\n  - lab_lab-pytorchgpu-02 0\/1 replicas\n .*insufficient resources/);
});

test.run();
