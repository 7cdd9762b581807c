/**
 * The validation pass: every invalid setting is reported (all at once) under
 * its DSL path, with the bad value and what is allowed. Rows, not copies.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { deployment } from "../dsl/deployment.js";
import { formatImage, type ImageName } from "../dsl/images.js";
import { PROFILES, RELEASES } from "../profiles/index.js";
import { sharedRender } from "./helpers.js";
import type { DeploymentProps } from "../dsl/props.js";
import { bindMount, volumeMount } from "../dsl/mount.js";
import { nfsVolume } from "../dsl/volume.js";

/** [what, props, path reported, fragment of its message] */
const CASES: [string, unknown, string, string][] = [
  ["negative count", { workers: { tensorflowGpu: -1 } }, "workers.tensorflowGpu", "whole number ≥ 0, got -1"],
  ["fractional count", { workers: { pytorchCpu: { count: 1.5 } } }, "workers.pytorchCpu.count", "got 1.5"],
  ["string count", { workers: { pytorchCpu: "2" } }, "workers.pytorchCpu", "must be a count (a whole number ≥ 0) or a pool { count, mounts, workers }"],
  ["port out of range", { nginx: { httpPort: 70000 } }, "nginx.httpPort", "1 to 65535, got 70000"],
  ["port zero", { nginx: { httpsPort: 0 } }, "nginx.httpsPort", "got 0"],
  ["http port clashes with a fixed nginx port", { nginx: { httpPort: 35000 } }, "nginx.httpPort", "already published by nginx (fixed port 35000)"],
  ["https clashes with http when tls", { nginx: { httpPort: 8443, httpsPort: 8443, tls: true, certificate: "provided" } }, "nginx.httpsPort", "already published by nginx.httpPort"],
  ["empty slug", { name: "" }, "name", "must not be empty"],
  ["slug with dots", { name: "lab.one" }, "name", 'slug "lab.one"'],
  ["slug too long", { name: "x".repeat(60) }, "name", "at most 48"],
  ["relative datasets dir", { datasetsDirectory: "data/sets" }, "datasetsDirectory", '"data/sets" is not a usable datasets directory'],
  ["datasets dir with colon", { datasetsDirectory: "/data:rw" }, "datasetsDirectory", "holding \":\" or \",\", where Compose's short mount syntax splits"],
  ["datasets dir with ..", { datasetsDirectory: "/srv/../etc" }, "datasetsDirectory", "normalized"],
  ["registry with space", { registry: "my registry" }, "registry", "is not a registry host"],
  ["registry with scheme", { registry: "https://reg.example.org" }, "registry", "is not a registry host"],
  ["tag with colon", { tag: "1.0:beta" }, "tag", "is not a valid image tag"],
  ["tag starting with dot", { tag: ".x" }, "tag", "is not a valid image tag"],
  ["namespace upper case", { namespace: "Dioptra" }, "namespace", "is not an image namespace"],
  ["image override bad tag", { images: { restapi: { tag: "a b" } } }, "images.restapi.tag", "is not a valid image tag"],
  ["image override bad ref", { images: { redis: "Redis:7" } }, "images.redis", "is not a valid image reference"],
  ["unknown image slot", { images: { argbash: "x:1" } }, "images.argbash", "unknown setting"],
  ["gpu index negative", { workers: { tensorflowGpu: { count: 1, workers: { 1: { gpus: [-1] } } } } }, "workers.tensorflowGpu.workers.1.gpus.0", "whole numbers ≥ 0, got -1"],
  ["gpu index fraction", { workers: { pytorchGpu: { count: 1, workers: { 1: { gpus: [0.5] } } } } }, "workers.pytorchGpu.workers.1.gpus.0", "got 0.5"],
  ["gpu duplicate", { workers: { pytorchGpu: { count: 1, workers: { 1: { gpus: [1, 1] } } } } }, "workers.pytorchGpu.workers.1.gpus", "lists a GPU twice"],
  ["gpus on a CPU pool", { workers: { tensorflowCpu: { count: 1, workers: { 1: { gpus: [0] } } } } }, "workers.tensorflowCpu.workers.1.gpus", "unknown setting"],
  ["worker number out of range", { workers: { tensorflowCpu: { count: 2, workers: { 3: { mounts: [] } } } } }, "workers.tensorflowCpu.workers.3", "from 1 to count (2)"],
  ["custom container named like a built-in", { customContainers: { "dioptra-deployment-restapi": { image: "x:1" } } }, "customContainers.dioptra-deployment-restapi", "already a service"],
  ["custom container named like a worker", { customContainers: { "dioptra-deployment-tfcpu-01": { image: "x:1" } } }, "customContainers.dioptra-deployment-tfcpu-01", "already a service"],
  ["custom container without image", { customContainers: { sidecar: {} } }, "customContainers.sidecar.image", "is required"],
  ["custom container port clash", { customContainers: { web: { image: "x:1", ports: [{ host: 80, container: 8080 }] } } }, "customContainers.web.ports.0.host", "host port 80/tcp is already published by nginx.httpPort"],
  ["custom container bad waitFor", { customContainers: { w: { image: "x:1", waitFor: ["postgres"] } } }, "customContainers.w.waitFor.0", "neither a deployment service"],
  ["env var name", { customContainers: { w: { image: "x:1", environment: { "1BAD": "x" } } } }, "customContainers.w.environment.1BAD", "not an environment variable name"],
  ["healthcheck duration", { customContainers: { w: { image: "x:1", healthcheck: { test: ["true"], interval: "30 seconds" } } } }, "customContainers.w.healthcheck.interval", "is not a duration"],
  ["mount of undeclared volume", { workers: { tensorflowCpu: { count: 1, mounts: [volumeMount("nope", "/data")] } } }, "workers.tensorflowCpu.mounts.0.source", '"nope" is not a declared volume'],
  ["relative bind source", { workers: { tensorflowCpu: { count: 1, mounts: [bindMount("data", "/data")] } } }, "workers.tensorflowCpu.mounts.0.source", "is not a host folder"],
  ["mount on the datasets target", { datasetsDirectory: "/srv/d", workers: { pytorchCpu: { count: 1, mounts: [bindMount("/x", "/dioptra/data")] } } }, "workers.pytorchCpu.mounts", 'two mounts target "/dioptra/data"'],
  ["volume named like a built-in", { volumes: { "minio-data": nfsVolume({ server: "nas", export: "/x" }) } }, "volumes.minio-data", "one of the deployment's own volumes"],
  ["nfs option with comma", { volumes: { d: nfsVolume({ server: "nas", export: "/x", options: ["rw,bg"] }) } }, "volumes.d.options.0", "is not an NFS mount option"],
  ["nfs server with space", { volumes: { d: nfsVolume({ server: "my nas", export: "/x" }) } }, "volumes.d.server", "is not an NFS server address"],
  ["server name with space", { nginx: { serverName: "a b" } }, "nginx.serverName", "no spaces"],
  ["server name with semicolon", { nginx: { serverName: "a;b" } }, "nginx.serverName", "is not a single host name"],
  ["compose command with shell syntax", { composeCommand: "docker compose; rm -rf /" }, "composeCommand", "is not a command line of plain words"],
  ["admin user with quote", { postgres: { adminUser: "ad'min" } }, "postgres.adminUser", "plain Postgres name"],
  ["admin user dioptra", { postgres: { adminUser: "dioptra" } }, "postgres.adminUser", 'must not be "dioptra"'],
  ["bad e-mail", { pgadmin: { defaultEmail: "not-an-email" } }, "pgadmin.defaultEmail", "is not an e-mail address"],
  ["systemd mount name", { systemd: { requiredMounts: ["/mnt/data"] } }, "systemd.requiredMounts.0", "is not a systemd unit name"],
  ["relative deployment path", { systemd: { deploymentPath: "srv/dioptra" } }, "systemd.deploymentPath", "not a usable deployment folder"],
  ["boolean as string", { nginx: { exposePortsOnLocalhostOnly: "True" } }, "nginx.exposePortsOnLocalhostOnly", 'must be true or false, got "True"'],
  ["tls without saying where the certificate comes from", { nginx: { tls: true } }, "nginx.certificate", 'is required with nginx.tls: true: say where the certificate comes from, "provided"'],
  ["unknown certificate source", { nginx: { tls: true, certificate: "letsencrypt" } }, "nginx.certificate", '"letsencrypt" is not where the certificate comes from'],
  ["a GPU given to workers of two pools", { workers: { tensorflowGpu: { count: 1, workers: { 1: { gpus: [1] } } }, pytorchGpu: { count: 1, workers: { 1: { gpus: [0, 1] } } } } }, "workers.pytorchGpu.workers.1.gpus", "would share GPU 1 with dioptra-deployment-tfgpu-01 (workers.tensorflowGpu.workers.1.gpus); give each its own GPUs, or set gpuSharing: true"],
  ["a set GPU that the one-each rule already gave", { workers: { tensorflowGpu: 2, pytorchGpu: { count: 1, workers: { 1: { gpus: [1] } } } } }, "workers.pytorchGpu.workers.1.gpus", "would share GPU 1 with dioptra-deployment-tfgpu-02 (workers.tensorflowGpu)"],
  ["a custom container on a worker's GPU", { workers: { tensorflowGpu: 1 }, customContainers: { jup: { image: "x:1", gpus: [0] } } }, "customContainers.jup.gpus", "would share GPU 0 with dioptra-deployment-tfgpu-01"],
  ["gpus all next to another GPU user", { workers: { tensorflowGpu: 1 }, customContainers: { jup: { image: "x:1", gpus: "all" } } }, "customContainers.jup.gpus", "would share GPU 0 with"],
  ["a GPU index beyond hostGpus", { hostGpus: 2, workers: { pytorchGpu: { count: 1, workers: { 1: { gpus: [2] } } } } }, "workers.pytorchGpu.workers.1.gpus", "GPU 2, but hostGpus is 2 (indices 0 to 1)"],
  ["more one-each GPU workers than hostGpus", { hostGpus: 1, workers: { tensorflowGpu: 1, pytorchGpu: 1 } }, "workers.pytorchGpu", "dioptra-deployment-pytorchgpu-01 gets GPU 1 by the one-GPU-each rule, but hostGpus is 1"],
  ["hostGpus zero", { hostGpus: 0 }, "hostGpus", "must be a whole number ≥ 1"],
  ["gpuSharing as a string", { gpuSharing: "yes" }, "gpuSharing", "must be true or false"],
  ["typo in a key", { worker: { tensorflowCpu: 1 } }, "worker", "unknown setting"],
  ["typo in a nested key", { nginx: { servername: "x" } }, "nginx.servername", "unknown setting (allowed here: serverName"],
];

for (const [what, props, path, fragment] of CASES) {
  test(`rejects ${what} at ${path}`, () => {
    const { spec, issues } = deployment(props as DeploymentProps).resolve();
    assert.is(spec, undefined);
    const hit = issues.find((i) => i.path === path);
    assert.ok(hit, `no issue at ${path}; got: ${issues.map((i) => `${i.path}: ${i.message}`).join(" | ")}`);
    assert.ok(hit!.message.includes(fragment), `message "${hit!.message}" lacks "${fragment}"`);
  });
}

test("a pool's mount clash is reported once, at the pool; a worker's own mount clash at the worker", () => {
  const pool = deployment({ workers: { pytorchCpu: { count: 3, mounts: [bindMount("/x", "/data"), bindMount("/y", "/data")] } } }).resolve().issues;
  assert.equal(pool.map((i) => i.path), ["workers.pytorchCpu.mounts"]);
  const own = deployment({ workers: { pytorchCpu: { count: 3, mounts: [bindMount("/x", "/data")], workers: { 2: { mounts: [bindMount("/y", "/data")] } } } } }).resolve().issues;
  assert.equal(own.map((i) => i.path), ["workers.pytorchCpu.workers.2.mounts"]);
  assert.match(own[0]!.message, 'two mounts target "/data"');
});

test("reports every problem at once, not the first only", () => {
  const { issues } = deployment({ name: "", nginx: { httpPort: 0 }, workers: { tensorflowCpu: -2 }, datasetsDirectory: "rel" }).resolve();
  assert.equal(issues.map((i) => i.path).sort(), ["datasetsDirectory", "name", "nginx.httpPort", "workers.tensorflowCpu"]);
});

test("issues carry the config's call site when known", () => {
  const { issues } = deployment({ tag: "bad tag" }).resolve();
  assert.match(issues[0]!.location ?? "", /validate\.test\.(?:ts|js):\d+:\d+$/);
});

test("the defaults are the current release's (1.1) template's, with our pinned third-party images", () => {
  const spec = deployment({}).toSpec();
  assert.is(spec.profile.release, "1.1");
  assert.is(spec.slug, "dioptra-deployment");
  assert.is(spec.images.restapi, "ghcr.io/usnistgov/dioptra/restapi:1.1.0");
  assert.is(spec.images.db, "postgres:17");
  assert.is(spec.images.minio, "quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z");
  assert.is(spec.images.redis, "redis:7.4.6");
  assert.is(spec.images.dbadmin, "dpage/pgadmin4:9.8");
  assert.equal(spec.workers.map((w) => w.name), ["dioptra-deployment-tfcpu-01", "dioptra-deployment-pytorchcpu-01"]);
  assert.equal(spec.nginx, { serverName: "dioptra.example.org", exposePortsOnLocalhostOnly: true, httpPort: 80, httpsPort: 443, tls: false, certificate: undefined });
});

test("dioptra: \"1.0\" has the 1.0 template's defaults, with the same pinned third-party images", () => {
  const spec = deployment({ dioptra: "1.0" }).toSpec();
  assert.is(spec.profile.release, "1.0");
  assert.is(spec.images.restapi, "dioptra/restapi:dev");
  assert.is(spec.images.db, "postgres:15");
  assert.is(spec.images.minio, "quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z");
  assert.is(spec.images.nodejs, "node:18");
});

/** The template's `__containers` keys, by image slot (argbash has no slot: our scripts need no compiling). */
const CONTAINER_KEYS: Readonly<Record<ImageName, string>> = {
  nginx: "nginx", mlflowTracking: "mlflow_tracking", restapi: "restapi", tensorflowCpu: "tfcpu", tensorflowGpu: "tfgpu", pytorchCpu: "pytorchcpu",
  pytorchGpu: "pytorchgpu", db: "db", dbadmin: "dbadmin", mc: "mc", minio: "minio", nodejs: "nodejs", redis: "redis",
};

for (const release of RELEASES) {
  test(`dioptra: "${release}": every default image is the one the template's cruft.json records, or our pin where profile.templateImages says the template's is replaced`, () => {
    const render = sharedRender(`dioptra-${release}`, "default");
    if (render === undefined) return;
    const containers = (JSON.parse(readFileSync(join(render, "cruft.json"), "utf8")) as { context: { cookiecutter: { __containers: Record<string, Record<string, string>> } } })
      .context.cookiecutter.__containers;
    const spec = deployment({ dioptra: release }).toSpec();
    const replaced = PROFILES[release].templateImages;
    for (const [slot, key] of Object.entries(CONTAINER_KEYS) as [ImageName, string][]) {
      const c = containers[key]!;
      const theirs = formatImage({ registry: c.registry!, namespace: c.namespace!, image: c.image!, tag: c.tag! });
      if (replaced[slot] !== undefined) {
        assert.is(theirs, replaced[slot], `${slot}: profile.templateImages no longer matches the template`);
        // A pin keeps the template's image name.
        assert.ok(spec.images[slot].includes(`${c.image}:`), `${slot}: ${spec.images[slot]}`);
      } else {
        assert.is(spec.images[slot], theirs, slot);
      }
    }
    // Third-party images are pinned: no `latest` tag, whatever the template wrote.
    for (const [slot, image] of Object.entries(spec.images)) assert.not.match(image, /:latest$/, slot);
  });
}

test("GPU indices follow the template's rule unless set per worker", () => {
  const spec = deployment({ gpuSharing: true, workers: { tensorflowGpu: 2, pytorchGpu: { count: 3, workers: { 2: { gpus: "all" }, 3: { gpus: [5, 6] } } } } }).toSpec();
  assert.equal(
    spec.workers.filter((w) => w.kind.gpu).map((w) => [w.name.replace("dioptra-deployment-", ""), w.gpus]),
    [["tfgpu-01", [0]], ["tfgpu-02", [1]], ["pytorchgpu-01", [2]], ["pytorchgpu-02", "all"], ["pytorchgpu-03", [5, 6]]],
  );
});

test("shared GPUs pass with gpuSharing, and indices below hostGpus pass", () => {
  const props = { hostGpus: 2, workers: { tensorflowGpu: 2, pytorchGpu: { count: 1, workers: { 1: { gpus: [0, 1] } } } }, customContainers: { jup: { image: "x:1", gpus: "all" as const } } };
  assert.ok(deployment(props).resolve().issues.length > 0, "shares without gpuSharing");
  assert.equal(deployment({ ...props, gpuSharing: true }).resolve().issues, []);
  assert.equal(deployment({ hostGpus: 2, workers: { tensorflowGpu: 1, pytorchGpu: 1 } }).resolve().issues, []);
});

test("nginx.certificate: either source is accepted with tls, and reaches the spec", () => {
  for (const certificate of ["provided", "self-signed"] as const) assert.is(deployment({ nginx: { tls: true, certificate } }).toSpec().nginx.certificate, certificate);
});

test("slug follows the template: lower case, spaces and underscores to dashes", () => {
  assert.is(deployment({ name: "My Lab_Dioptra Test" }).toSpec().slug, "my-lab-dioptra-test");
});

test("containers added twice are reported", () => {
  const d = deployment({ customContainers: { a: { image: "x:1" } } }).addContainer("a", { image: "y:1" });
  assert.ok(d.resolve().issues.some((i) => i.path === "customContainers.a" && i.message === "is defined twice"));
});

test.run();
