/**
 * .gitignore, the ssl/ READMEs, the override template and the real overlay
 * files (overrides, environments).
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { deployment } from "../dsl/deployment.js";
import { ConfigError } from "../dsl/errors.js";
import type { DeploymentProps } from "../dsl/props.js";
import { synth } from "../generators/index.js";
import { writeOut } from "../generators/write.js";
import { FIXTURES, fixtureNames, haveTool, synthConfig, tempDir, withoutMarker } from "./helpers.js";

const file = (files: { path: string; content: string }[], path: string) => {
  const f = files.find((x) => x.path === path);
  assert.ok(f, `${path} is generated`);
  return f!.content;
};
/** The YAML a commented-out example holds, from its first top-level key on. */
function uncomment(text: string): unknown {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => /^# (services|volumes):/.test(l));
  return parse(lines.slice(start).filter((l) => l.startsWith("#")).map((l) => l.replace(/^# ?/, "")).join("\n"));
}

for (const name of fixtureNames()) {
  test(`${name}: .gitignore is the template's plus the manifest whitelist`, async () => {
    const files = await synthConfig(join(FIXTURES, name, "deployment.config.ts"));
    const ours = withoutMarker(file(files, ".gitignore"));
    const ref = readFileSync(join(FIXTURES, name, "reference", ".gitignore"), "utf8");
    assert.ok(ours.startsWith(ref), "starts with the template's text");
    assert.match(ours.slice(ref.length), /^!\.dioptra-manifest\.json$/m);
  });

  test(`${name}: ssl READMEs`, async () => {
    const files = await synthConfig(join(FIXTURES, name, "deployment.config.ts"));
    for (const f of ["ssl/ca-certificates/README.md", "ssl/db/README.md"]) {
      assert.fixture(withoutMarker(file(files, f)), readFileSync(join(FIXTURES, name, "reference", f), "utf8"));
    }
    const nginx = file(files, "ssl/nginx/README.md");
    assert.match(nginx, /server\.crt/);
    assert.match(nginx, /nginx: \{ tls: true \}/);
    assert.not.match(nginx, /edit the ports and health check test/);
  });

  test(`${name}: the override template holds the template's example blocks`, async () => {
    const files = await synthConfig(join(FIXTURES, name, "deployment.config.ts"));
    const ours = uncomment(file(files, "docker-compose.override.yml.template"));
    const ref = uncomment(readFileSync(join(FIXTURES, name, "reference", "docker-compose.override.yml.template"), "utf8"));
    assert.equal(ours, ref);
  });
}

test("the .gitignore keeps secrets and the manifest straight in a real git repo", () => {
  if (!haveTool("git")) return;
  const dir = tempDir();
  writeOut(synth(deployment({}).toSpec()), dir);
  writeFileSync(join(dir, ".env"), "X=1\n");
  const git = (...a: string[]) => spawnSync("git", a, { cwd: dir, encoding: "utf8" });
  git("init", "-q");
  const ignored = (p: string) => git("check-ignore", "-q", p).status === 0;
  assert.ok(ignored(".env"));
  assert.ok(ignored("secrets/postgres-passwd.env"));
  assert.ok(ignored("ssl/nginx/server.key"));
  assert.not.ok(ignored(".dioptra-manifest.json"));
  assert.ok(ignored("ssl/db/server.key"));
  assert.ok(ignored("ssl/nginx/server.crt"));
  assert.ok(ignored(".dioptra-journal.json"));
  // Every generated file is tracked, so a clone has all of out/.
  for (const f of synth(deployment({}).toSpec())) assert.not.ok(ignored(f.path), `${f.path} is ignored`);
  assert.not.ok(ignored("docker-compose.yml"));
});

const withOverlays: DeploymentProps = {
  overrides: { services: { "dioptra-deployment-restapi": { cpus: "2.0", environment: { LOG_LEVEL: "debug" } } } },
  environments: {
    staging: { services: { "dioptra-deployment-tfcpu-01": { mem_limit: "4g" } }, volumes: { scratch: { driver: "local" } } },
  },
};

test("overrides and environments become overlay files Compose accepts", () => {
  const files = synth(deployment(withOverlays).toSpec());
  const override = parse(file(files, "docker-compose.override.yml"));
  assert.equal(override.services["dioptra-deployment-restapi"].cpus, "2.0");
  assert.ok(files.some((f) => f.path === "docker-compose.staging.yml"));
  if (!haveTool("docker-compose")) return;
  const dir = tempDir();
  writeOut(files, dir);
  for (const overlay of ["docker-compose.override.yml", "docker-compose.staging.yml"]) {
    const r = spawnSync("docker-compose", ["-f", "docker-compose.yml", "-f", overlay, "config"], { cwd: dir, encoding: "utf8" });
    assert.is(r.status, 0, r.stderr);
  }
  const merged = spawnSync("docker-compose", ["config"], { cwd: dir, encoding: "utf8", env: { ...process.env, RESTAPI_AWS_ACCESS_KEY_ID: "k" } });
  const restapi = parse(merged.stdout).services["dioptra-deployment-restapi"];
  assert.is(restapi.cpus, 2);
  assert.is(restapi.environment.LOG_LEVEL, "debug");
  assert.is(restapi.environment.AWS_ACCESS_KEY_ID, "k", "the base file's environment survives the merge");
});

test("no overlays, no overlay files", () => {
  const files = synth(deployment({}).toSpec());
  assert.not.ok(files.some((f) => f.path === "docker-compose.override.yml"));
});

test("an overlay with an invalid Compose key is a config error at its setting", () => {
  const d = deployment({ overrides: { services: { "dioptra-deployment-redis": { cpuz: 2 } as never } } });
  try {
    synth(d.toSpec());
    assert.unreachable("should throw");
  } catch (e) {
    assert.instance(e, ConfigError);
    const issues = (e as ConfigError).issues;
    assert.ok(issues.some((i) => i.path === "overrides.services.dioptra-deployment-redis" && i.message.includes("cpuz")), JSON.stringify(issues));
  }
});

test("an overlay naming an unknown service, or a bad environment name, is rejected", () => {
  const { issues } = deployment({ overrides: { services: { redis: { cpus: "1" } } }, environments: { "Prod!": {} } }).resolve();
  assert.ok(issues.some((i) => i.path === "overrides.services.redis" && i.message.includes("customContainers")));
  assert.ok(issues.some((i) => i.path === "environments.Prod!"));
});

test("the deployment README reflects the config: workers, GPUs, URLs, compose command, systemd", () => {
  const spec = deployment({
    name: "Lab A",
    composeCommand: "docker-compose",
    nginx: { exposePortsOnLocalhostOnly: false, serverName: "dioptra.lab.org", httpPort: 8080 },
    workers: { tensorflowCpu: 0, pytorchCpu: 0, pytorchGpu: { count: 2, workers: { 2: { gpus: [3, 4] } } } },
    systemd: { requiredMounts: ["mnt-data.mount"], deploymentPath: "/srv/dioptra" },
    environments: { staging: {} },
  }).toSpec();
  const readme = file(synth(spec), "README.md");
  assert.match(readme, /^# Lab A$/m);
  assert.match(readme, /\| `lab-a-pytorchgpu-01` \| `dioptra\/pytorch-gpu:dev` \| `pytorch_gpu` \| 0 \|/);
  assert.match(readme, /\| `lab-a-pytorchgpu-02` \| .* \| 3, 4 \|/);
  assert.not.match(readme, /lab-a-tfcpu/);
  assert.match(readme, /`http:\/\/dioptra\.lab\.org:8080\/`/);
  assert.match(readme, /^docker-compose up -d$/m);
  assert.match(readme, /docker-compose -f docker-compose\.yml -f docker-compose\.staging\.yml up -d/);
  assert.match(readme, /`mnt-data\.mount` is mounted/);
  assert.match(readme, /generated for `\/srv\/dioptra`/);
});

test.run();
