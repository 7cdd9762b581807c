/**
 * docker-compose.init.yml: for every fixture (all Dioptra 1.0), equal to the
 * template's dioptra-1.0 render (../shared/reference/renders) once the
 * documented differences below and the deliberate image differences are
 * applied to it, as data and after docker-compose's own normalization; and
 * valid on its own.
 */
import { spawnSync } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { composeConfig, fixtureNames, haveTool, normalizeCompose, sharedRender, tempDir, withDeliberateDifferences } from "./helpers.js";
import type { DioptraRelease } from "../profiles/index.js";
import { fixtureOut, freshFixtureOut, propsFiles, propsOut, runScript } from "./init/support.js";

interface ComposeDoc {
  services: Record<string, { volumes?: string[] }>;
  volumes?: Record<string, unknown>;
}

/**
 * Every deliberate difference from the reference docker-compose.init.yml, as
 * an edit of the reference. Each must still find what it edits, so the list
 * cannot silently go stale.
 */
const DOCUMENTED_DIFFERENCES = {
  /** The scripts are plain bash: there is nothing for argbash to compile. */
  removedServices: ["argbash"],
  /** Scripts reach the containers by a read-only bind mount of ./scripts instead of the argbash-filled volume. */
  replacedMounts: [{ from: "init-scripts:/scripts:ro", to: "./scripts:/scripts:ro" }],
  /** That volume then has no user. */
  removedVolumes: ["init-scripts"],
} as const;

function applyDifferences(ref: ComposeDoc, release: DioptraRelease = "1.0"): ComposeDoc {
  // The pinned third-party images (profiles/third-party.ts); init runs minio, mc and node.
  const { doc: out, images } = withDeliberateDifferences(ref, release);
  assert.ok(images > 0, "the reference init file names none of the template's third-party images");
  for (const s of DOCUMENTED_DIFFERENCES.removedServices) {
    assert.ok(s in out.services, `the reference has no service ${s} to remove`);
    delete out.services[s];
  }
  for (const { from, to } of DOCUMENTED_DIFFERENCES.replacedMounts) {
    let replaced = 0;
    for (const svc of Object.values(out.services)) {
      svc.volumes = svc.volumes?.map((v) => (v === from ? (replaced++, to) : v));
    }
    assert.ok(replaced > 0, `the reference never mounts ${from}`);
  }
  for (const v of DOCUMENTED_DIFFERENCES.removedVolumes) {
    assert.ok(out.volumes && v in out.volumes, `the reference declares no volume ${v}`);
    delete out.volumes![v];
  }
  return out;
}

const readYaml = (path: string) => parse(readFileSync(path, "utf8")) as ComposeDoc;
/** The fixtures state `dioptra: "1.0"`, so they are compared with the 1.0 template's renders. */
const referenceOf = (name: string) => sharedRender("dioptra-1.0", name);

for (const name of fixtureNames()) {
  test(`${name}: docker-compose.init.yml is the reference's minus the documented differences`, async () => {
    const reference = referenceOf(name);
    if (reference === undefined) return;
    const out = await fixtureOut(name);
    const ours = readYaml(join(out, "docker-compose.init.yml"));
    const ref = applyDifferences(readYaml(join(reference, "docker-compose.init.yml")));
    assert.equal(normalizeCompose(ours), normalizeCompose(ref));
  });

  test(`${name}: docker-compose config sees the same init project as the edited reference`, async () => {
    const reference = referenceOf(name);
    if (reference === undefined || !haveTool("docker-compose")) return;
    const out = await fixtureOut(name);
    // The edited reference next to the render's own envs/ and config/, which Compose resolves.
    const ref = tempDir("dd-ref-");
    cpSync(reference, ref, { recursive: true });
    // JSON is YAML that every Compose reader parses the same way.
    writeFileSync(join(ref, "docker-compose.init.yml"), JSON.stringify(applyDifferences(readYaml(join(reference, "docker-compose.init.yml")))));
    assert.fixture(composeConfig(out, ["docker-compose.init.yml"]), composeConfig(ref, ["docker-compose.init.yml"]));
  });

  test(`${name}: docker-compose -f docker-compose.init.yml config -q accepts it with the .env init creates`, async () => {
    if (!haveTool("docker-compose")) return;
    const out = await freshFixtureOut(name);
    const init = runScript(out, "init-deployment.sh", ["--secrets-only"], process.env.PATH ?? "");
    assert.is(init.status, 0, init.stderr);
    // No "variable is not set" warnings: .env defines everything the file interpolates.
    const r = spawnSync("docker-compose", ["-f", "docker-compose.init.yml", "config", "-q"], { cwd: out, encoding: "utf8" });
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stderr, "");
  });
}

test("Dioptra 1.1's default deployment: docker-compose.init.yml is the 1.1 render's minus the same documented differences", () => {
  const reference = sharedRender("dioptra-1.1", "default");
  if (reference === undefined) return;
  const out = propsOut({});
  const ours = readYaml(join(out, "docker-compose.init.yml"));
  assert.equal(normalizeCompose(ours), normalizeCompose(applyDifferences(readYaml(join(reference, "docker-compose.init.yml")), "1.1")));
});

test("the differences edit only what they document: dropping them makes parity fail", async () => {
  const reference = referenceOf("default");
  if (reference === undefined) return;
  const out = await fixtureOut("default");
  const ours = normalizeCompose(readYaml(join(out, "docker-compose.init.yml")));
  const unedited = normalizeCompose(readYaml(join(reference, "docker-compose.init.yml")));
  assert.not.equal(ours, unedited);
  // Each kind of edit is needed on its own: the documented ones, and the pinned images.
  assert.not.equal(ours, normalizeCompose(withDeliberateDifferences(readYaml(join(reference, "docker-compose.init.yml")), "1.0").doc));
});

test("init uses the deployment's images, so an image override reaches init too (the reference hard-codes minio and mc)", () => {
  const files = propsFiles({ images: { minio: "mirror.example.org/minio/minio:RELEASE.2024", mc: "mirror.example.org/minio/mc:1", nodejs: "node:20", db: { tag: "16" } } });
  const doc = (path: string) => parse(files.find((f) => f.path === path)!.content) as { services: Record<string, { image: string }> };
  const init = doc("docker-compose.init.yml").services;
  const main = doc("docker-compose.yml").services;
  assert.is(init["minio"]!.image, main["dioptra-deployment-minio"]!.image);
  assert.is(init["minio"]!.image, "mirror.example.org/minio/minio:RELEASE.2024");
  assert.is(init["db"]!.image, main["dioptra-deployment-db"]!.image);
  assert.is(init["db"]!.image, "postgres:16");
  assert.is(init["mc"]!.image, "mirror.example.org/minio/mc:1");
  assert.is(init["frontend-build"]!.image, "node:20");
});

test.run();
