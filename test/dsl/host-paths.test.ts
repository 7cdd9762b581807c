/**
 * Host paths with a space and a non-ASCII letter (`/srv/My Data`,
 * `/srv/données`) go through every reader of the generated files:
 * docker-compose config keeps them as the mounts' sources, init's bash runs
 * from a folder so named and writes the unit for it, and systemd-analyze
 * verify accepts that unit. What one of them cannot carry is refused, with
 * the reason.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { bindMount } from "../../dsl/index.js";
import type { DeploymentProps } from "../../dsl/props.js";
import { resolveDeployment } from "../../dsl/resolve.js";
import { IN_CI, haveTool, tempDir } from "../helpers.js";
import { propsFiles, propsOut, restrictedPath, runScript, SECRETS_ONLY_TOOLS } from "../init/support.js";

const SPACED = "/srv/My Data";
const ACCENTED = "/srv/données";

function props(deploymentPath?: string): DeploymentProps {
  return {
    datasetsDirectory: SPACED,
    workers: { tensorflowCpu: { count: 1, mounts: [bindMount(ACCENTED, "/data/données")] } },
    ...(deploymentPath ? { systemd: { deploymentPath } } : {}),
  };
}

/** A tool the check needs: skipped with a reason locally, a failure under CI. */
function need(tool: string, args?: readonly string[]): boolean {
  if (haveTool(tool, args)) return true;
  if (IN_CI) assert.unreachable(`${tool} is required under CI=true`);
  console.log(`  skipped: ${tool} is not installed`);
  return false;
}

test("validation accepts them, and refuses what Compose, bash or systemd cannot carry, saying why", () => {
  assert.equal(resolveDeployment(props()).issues, []);
  const cases: [string, RegExp][] = [
    ["/srv/a:b", /":" or ",", where Compose's short mount syntax splits/],
    ["/srv/a,b", /":" or ","/],
    ["/srv/$HOME", /"\$", which Compose interpolates/],
    ["/srv/it's", /quotes, backslashes/],
    ["/srv/a\\b", /quotes, backslashes/],
    ["/srv/tab\there", /control characters/],
    ["/srv/../etc", /not normalized/],
  ];
  for (const [path, why] of cases) {
    const issues = resolveDeployment({ datasetsDirectory: path }).issues;
    assert.is(issues.length, 1, path);
    assert.match(issues[0]!.message, why, path);
  }
});

test("docker-compose config keeps them as the mounts' sources", () => {
  if (!need("docker-compose")) return;
  const out = propsOut(props());
  const r = spawnSync("docker-compose", ["-f", "docker-compose.yml", "config", "--no-interpolate"], { cwd: out, encoding: "utf8", env: { ...process.env, COMPOSE_PROJECT_NAME: "paths" } });
  assert.is(r.status, 0, r.stderr);
  const worker = (parse(r.stdout) as { services: Record<string, { volumes?: (string | { source?: string; target: string })[] }> }).services["dioptra-deployment-tfcpu-01"]!;
  // docker-compose 1.29 writes the short syntax back; later versions the long one.
  const sources = (worker.volumes ?? []).map((v) => (typeof v === "string" ? v.replace(/:(ro|rw)$/, "") : `${v.source}:${v.target}`));
  assert.ok(sources.includes(`${SPACED}:/dioptra/data`), sources.join("\n"));
  assert.ok(sources.includes(`${ACCENTED}:/data/données`), sources.join("\n"));
});

test("init's bash runs from a folder with a space and é and writes the unit for it; systemd-analyze verify accepts it", () => {
  const parent = tempDir("dd-paths-");
  const dir = join(parent, "My Dioptra é");
  mkdirSync(dir);
  propsOut(props(), dir);
  const r = runScript(dir, "init-deployment.sh", ["--secrets-only"], restrictedPath(SECRETS_ONLY_TOOLS));
  assert.is(r.status, 0, `${r.stdout}\n${r.stderr}`);
  const unit = readFileSync(join(dir, "systemd", "dioptra.service"), "utf8");
  assert.ok(unit.includes(`\nWorkingDirectory=${dir}\n`), unit);
  if (!need("systemd-analyze")) return;
  const file = join(parent, "dioptra.service");
  writeFileSync(file, unit);
  const v = spawnSync("systemd-analyze", ["verify", "--man=no", file], { encoding: "utf8" });
  const findings = `${v.stdout}${v.stderr}`.split("\n").filter((l) => l.includes("dioptra.service") && !/Command docker is not executable/.test(l));
  assert.equal(findings, []);
});

test("a configured deploymentPath with them: the unit generated with the config passes systemd-analyze verify, init's bash carries it", () => {
  const parent = tempDir("dd-paths-");
  const path = join(parent, "Dioptra données");
  mkdirSync(path);
  const unit = propsFiles(props(path)).find((f) => f.path === "systemd/dioptra.service")!;
  assert.ok(unit.content.includes(`\nWorkingDirectory=${path}\n`));
  const elsewhere = join(parent, "elsewhere");
  mkdirSync(elsewhere);
  propsOut(props(path), elsewhere);
  const r = runScript(elsewhere, "init-deployment.sh", ["--secrets-only"], restrictedPath(SECRETS_ONLY_TOOLS));
  assert.is(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.ok(`${r.stdout}${r.stderr}`.includes(path), "init names the configured folder intact");
  if (!need("systemd-analyze")) return;
  const file = join(parent, "dioptra.service");
  writeFileSync(file, unit.content);
  const v = spawnSync("systemd-analyze", ["verify", "--man=no", file], { encoding: "utf8" });
  const findings = `${v.stdout}${v.stderr}`.split("\n").filter((l) => l.includes("dioptra.service") && !/Command docker is not executable/.test(l));
  assert.equal(findings, []);
  if (need("shellcheck")) {
    const sc = spawnSync("shellcheck", [join(elsewhere, "init-deployment.sh")], { encoding: "utf8" });
    assert.is(sc.status, 0, sc.stdout);
  }
});

test("negative: systemd-analyze verify rejects the unit when the path is written where systemd splits it", () => {
  if (!need("systemd-analyze")) return;
  const parent = tempDir("dd-paths-");
  const path = join(parent, "Dioptra données");
  mkdirSync(path);
  const unit = propsFiles(props(path)).find((f) => f.path === "systemd/dioptra.service")!.content;
  // ExecStart splits at spaces: a path there unquoted names a program that does not exist.
  const broken = unit.replace(/\nExecStart=[^\n]*/, `\nExecStart=${path}/up.sh -d`);
  const file = join(parent, "dioptra.service");
  writeFileSync(file, broken);
  const v = spawnSync("systemd-analyze", ["verify", "--man=no", file], { encoding: "utf8" });
  assert.ok(`${v.stdout}${v.stderr}`.includes("is not executable"), `${v.stdout}${v.stderr}`);
});

test.run();
