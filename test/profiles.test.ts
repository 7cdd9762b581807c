/**
 * Release profiles: what `dioptra: "1.0" | "1.1"` changes, the Postgres data
 * layout by major version, and the errors for a release or tag the generator
 * cannot use.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { resolveDeployment } from "../validation/resolve.js";
import type { DeploymentProps } from "../dsl/props.js";
import { synth } from "../generators/index.js";
import { releaseOf } from "../importers/release.js";

function generate(props: DeploymentProps) {
  const { spec, issues } = resolveDeployment(props);
  assert.equal(issues, []);
  return new Map(synth(spec!).map((f) => [f.path, f.content]));
}

const compose = (files: Map<string, string>, path = "docker-compose.yml") =>
  parse(files.get(path)!) as { services: Record<string, { image: string; command?: string[]; environment?: Record<string, string> }> };

test("deployment({}) is Dioptra 1.1 from ghcr.io, third-party images pinned, MinIO from quay.io", () => {
  const c = compose(generate({}));
  const images = Object.values(c.services).map((s) => s.image);
  assert.ok(images.includes("ghcr.io/usnistgov/dioptra/restapi:1.1.0"));
  assert.ok(images.includes("postgres:17"));
  assert.ok(images.some((i) => i.startsWith("quay.io/minio/minio:RELEASE.")));
  for (const i of images) assert.not.ok(/:latest$|^[^:]+$/.test(i), `${i} is pinned`);
  assert.equal(c.services["dioptra-deployment-tfcpu-01"]!.command!.at(-1), "tensorflow-cpu");
});

test("dioptra: 1.0 keeps the 2024 template's defaults and queues, with the same pinned third-party images", () => {
  const files = generate({ dioptra: "1.0" });
  const c = compose(files);
  assert.equal(c.services["dioptra-deployment-restapi"]!.image, "dioptra/restapi:dev");
  assert.equal(c.services["dioptra-deployment-db"]!.image, "postgres:15");
  assert.equal(c.services["dioptra-deployment-tfcpu-01"]!.command!.at(-1), "tensorflow_cpu");
  assert.ok(files.has("config/minio/workflow-uploadonly-policy.json"));
  assert.not.ok(files.has("scripts/register-worker.sh"), "1.0 has no workers' account");
  assert.not.ok("init-dioptra-worker" in compose(files, "docker-compose.init.yml").services);
});

test("1.1: init registers the workers' account; one MinIO bucket and policy", () => {
  const files = generate({});
  assert.ok(files.has("scripts/register-worker.sh"));
  assert.match(files.get("init-deployment.sh")!, /register_worker_account\|workers' account/);
  assert.match(files.get("init-deployment.sh")!, /--skip-minio-setup\) arg_skip_minio_setup=on/);
  assert.equal([...files.keys()].filter((p) => p.startsWith("config/minio/")), ["config/minio/mlflow-tracking-readwrite-policy.json"]);
  assert.match(files.get("scripts/init-minio.sh")!, /readonly BUCKETS=\(mlflow-tracking\)/);
  assert.ok("init-dioptra-worker" in compose(files, "docker-compose.init.yml").services);
});

test("Postgres 18 and later: PGDATA keeps the data in the named volume (main and init db)", () => {
  for (const [tag, expected] of [["17", undefined], ["18", "/var/lib/postgresql/data"], ["18.1-bookworm", "/var/lib/postgresql/data"]] as const) {
    const files = generate({ postgres: { tag } });
    assert.equal(compose(files).services["dioptra-deployment-db"]!.environment!.PGDATA, expected, tag);
    assert.equal(compose(files, "docker-compose.init.yml").services.db!.environment!.PGDATA, expected, tag);
  }
  const byImage = generate({ images: { db: "registry.example.org/postgres:18" } });
  assert.equal(compose(byImage).services["dioptra-deployment-db"]!.environment!.PGDATA, "/var/lib/postgresql/data");
});

test("a release or Postgres tag the generator cannot use is an error naming the setting", () => {
  const issues = (props: unknown) => resolveDeployment(props as DeploymentProps).issues.map((i) => `${i.path}: ${i.message}`);
  assert.match(issues({ dioptra: "2.0" }).join("\n"), /^dioptra: "2.0" is not a Dioptra release this tool deploys \("1.0" or "1.1"\)/);
  assert.match(issues({ postgres: { tag: "latest" } }).join("\n"), /^postgres.tag: cannot tell the Postgres major version from the tag "latest"/);
  assert.match(issues({ images: { db: "postgres:alpine" } }).join("\n"), /^images.db: cannot tell the Postgres major version/);
  assert.match(issues({ images: { db: { tag: "bookworm" } } }).join("\n"), /^images.db.tag: cannot tell/);
});

test("import picks the release from the template commit, or asks", () => {
  assert.equal(releaseOf("x.json", { commit: "63a29ea96070c40e843662f20a21d96848f9aebc" }, undefined).release, "1.0");
  assert.equal(releaseOf("x.json", { commit: "5ff20c18" }, undefined).release, "1.1");
  assert.equal(releaseOf("x.json", { commit: "63a29ea9" }, "1.1").release, "1.1");
  assert.throws(() => releaseOf("/nonexistent/x.json", { commit: "0123456789abcdef" }, undefined), /not one this tool knows.*--dioptra 1.0 or --dioptra 1.1/);
  assert.throws(() => releaseOf("replay.json", {}, undefined), /does not say which template commit.*--dioptra/);
  assert.throws(() => releaseOf("x.json", {}, "3.0"), /--dioptra "3.0" is not a release/);
});

test.run();
