/**
 * Parity with the upstream template, for both release profiles and every
 * variant the reference renders hold (../shared, read at run time): the
 * variant's template variables go through import's mapping, then generate;
 * the result must equal the template's render after applying our deliberate
 * differences (README: "Differences from the cookiecutter template"):
 * docker-compose.yml as data and after `docker-compose config`;
 * docker-compose.init.yml as data; nginx confs and env files exactly;
 * MinIO policies as JSON; the SQL init-db runs, statement by statement.
 */
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { resolveDeployment } from "../validation/resolve.js";
import type { DeploymentSpec } from "../validation/spec.js";
import { synth } from "../generators/index.js";
import { writeOut } from "../writer/index.js";
import { fromCookiecutter } from "../importers/cookiecutter-vars.js";
import type { DioptraRelease } from "../profiles/index.js";
import { composeConfig, haveTool, normalizeCompose, sharedRender, sharedRenderIndex, tempDir, withoutMarker, type RenderProfile } from "./helpers.js";
import { deliberate, deliberateConf, sqlOf, withoutAdminAccount, withoutComments, withoutRedisUri, type Doc } from "./support/deliberate.js";

const read = (dir: string, path: string) => readFileSync(join(dir, path), "utf8");
const files = (dir: string) => readdirSync(dir).sort();

const index = sharedRenderIndex();
for (const [profile, { variants }] of Object.entries(index ?? {})) {
  const release = profile.replace(/^dioptra-/, "") as DioptraRelease;
  for (const variant of variants) {
    const ref = sharedRender(profile as RenderProfile, variant)!;
    const name = `${profile}/${variant}`;
    let cached: { out: string; spec: DeploymentSpec } | undefined;
    const generated = () => {
      if (cached) return cached;
      const conv = fromCookiecutter(JSON.parse(read(ref, "vars.json")) as Record<string, unknown>, release);
      assert.equal(conv.issues, [], `${name}: the variables import cleanly`);
      const { spec, issues } = resolveDeployment(conv.props);
      assert.equal(issues, []);
      const out = tempDir("dd-parity-");
      writeOut(synth(spec!), out);
      cached = { out, spec: spec! };
      return cached;
    };

    test(`${name}: docker-compose.yml equals the template's (as data, and after docker-compose config)`, () => {
      const { out, spec } = generated();
      const theirs = deliberate(spec, parse(read(ref, "docker-compose.yml")) as Doc, false);
      assert.equal(normalizeCompose(parse(read(out, "docker-compose.yml"))), normalizeCompose(theirs));
      if (!haveTool("docker-compose")) return;
      const dir = tempDir("dd-parity-ref-");
      cpSync(join(ref, "envs"), join(dir, "envs"), { recursive: true });
      // JSON is YAML that no reader can misread (a re-serialized `yes` would become true).
      writeFileSync(join(dir, "docker-compose.yml"), JSON.stringify(theirs));
      assert.fixture(composeConfig(out, ["docker-compose.yml"]).replaceAll(out, "<DIR>"), composeConfig(dir, ["docker-compose.yml"]).replaceAll(dir, "<DIR>"));
    });

    test(`${name}: docker-compose.init.yml has the template's services, less argbash`, () => {
      const { out, spec } = generated();
      const theirs = deliberate(spec, parse(read(ref, "docker-compose.init.yml")) as Doc, true);
      assert.equal(normalizeCompose(parse(read(out, "docker-compose.init.yml"))), normalizeCompose(theirs));
    });

    test(`${name}: nginx confs, env files and MinIO policies are the template's`, () => {
      const { out, spec } = generated();
      for (const folder of ["config/nginx", "envs", "config/minio"]) {
        assert.equal(files(join(out, folder)), files(join(ref, folder)), `${folder}: the same files`);
        for (const f of files(join(ref, folder))) {
          const path = join(folder, f);
          if (folder === "config/minio") assert.equal(JSON.parse(read(out, path)), JSON.parse(read(ref, path)), path);
          else if (folder === "config/nginx") assert.fixture(withoutComments(withoutMarker(read(out, path))), withoutComments(deliberateConf(spec, f, read(ref, path))), path);
          else assert.fixture(withoutAdminAccount(withoutMarker(read(out, path))), withoutRedisUri(read(ref, path)), path);
        }
      }
    });

    test(`${name}: init-db.sh runs the template's SQL`, () => {
      const { out } = generated();
      assert.equal(sqlOf(read(out, "config/db/init-db.sh")), read(ref, "config/db/init-db.sql").trim().split("\n"));
    });
  }
}

test("the deliberate differences are not a blanket: a changed value still fails parity", () => {
  if (!index) return;
  const ref = sharedRender("dioptra-1.1", "default")!;
  const conv = fromCookiecutter({ ...(JSON.parse(read(ref, "vars.json")) as object), num_tensorflow_cpu_workers: "2" }, "1.1");
  const { spec } = resolveDeployment(conv.props);
  const out = tempDir("dd-parity-neg-");
  mkdirSync(out, { recursive: true });
  writeOut(synth(spec!), out);
  const theirs = deliberate(spec!, parse(read(ref, "docker-compose.yml")) as Doc, false);
  assert.not.equal(normalizeCompose(parse(read(out, "docker-compose.yml"))), normalizeCompose(theirs));
  assert.not.equal(sqlOf("no sql here"), read(ref, "config/db/init-db.sql").trim().split("\n"));
});

test.run();
