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
import { FIXTURES, composeConfig, fixtureNames, haveTool, normalizeCompose, sharedRender, tempDir } from "./helpers.js";
import { deliberate, type Doc } from "./support/deliberate.js";
import { loadConfig } from "../app/load-config.js";
import { resolveDeployment } from "../validation/resolve.js";
import type { DeploymentSpec } from "../validation/spec.js";
import { fixtureOut, freshFixtureOut, propsFiles, propsOut, runScript } from "./init/support.js";

interface ComposeDoc {
  services: Record<string, { volumes?: string[] }>;
  volumes?: Record<string, unknown>;
}

/**
 * The reference init file with our deliberate differences (test/support/deliberate.ts): no argbash,
 * the scripts bind-mounted from ./scripts, pinned images, least privilege. The edits must find
 * what they edit, so the rules cannot silently go stale.
 */
function applyDifferences(ref: ComposeDoc, spec: DeploymentSpec): ComposeDoc {
  assert.ok("argbash" in ref.services, "the reference has no argbash service to remove");
  assert.ok(Object.values(ref.services).some((s) => s.volumes?.includes("init-scripts:/scripts:ro")), "the reference never mounts init-scripts");
  return deliberate(spec, ref as Doc, true) as ComposeDoc;
}

/** A fixture's resolved settings. */
const fixtureSpec = async (name: string) => (await loadConfig(join(FIXTURES, name, "deployment.config.ts"))).toSpec();

const readYaml = (path: string) => parse(readFileSync(path, "utf8")) as ComposeDoc;
/** The fixtures state `dioptra: "1.0"`, so they are compared with the 1.0 template's renders. */
const referenceOf = (name: string) => sharedRender("dioptra-1.0", name);

for (const name of fixtureNames()) {
  test(`${name}: docker-compose.init.yml is the reference's minus the documented differences`, async () => {
    const reference = referenceOf(name);
    if (reference === undefined) return;
    const out = await fixtureOut(name);
    const ours = readYaml(join(out, "docker-compose.init.yml"));
    const ref = applyDifferences(readYaml(join(reference, "docker-compose.init.yml")), await fixtureSpec(name));
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
    writeFileSync(join(ref, "docker-compose.init.yml"), JSON.stringify(applyDifferences(readYaml(join(reference, "docker-compose.init.yml")), await fixtureSpec(name))));
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
  assert.equal(normalizeCompose(ours), normalizeCompose(applyDifferences(readYaml(join(reference, "docker-compose.init.yml")), resolveDeployment({}).spec!)));
});

test("the differences edit only what they document: dropping them makes parity fail", async () => {
  const reference = referenceOf("default");
  if (reference === undefined) return;
  const out = await fixtureOut("default");
  const ours = normalizeCompose(readYaml(join(out, "docker-compose.init.yml")));
  const unedited = normalizeCompose(readYaml(join(reference, "docker-compose.init.yml")));
  assert.not.equal(ours, unedited);
  assert.equal(ours, normalizeCompose(applyDifferences(readYaml(join(reference, "docker-compose.init.yml")), await fixtureSpec("default"))));
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
