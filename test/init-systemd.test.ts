/**
 * systemd/dioptra.service: the unit spelled out below (the facts of the
 * template's unit: oneshot, docker.socket and the required mounts, up/restart/
 * down with the compose command), generated with the config when systemd.deploymentPath is set and written by init for its
 * own folder otherwise; and `systemd-analyze verify` has nothing to say
 * about it (while it does about a broken copy).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { DeploymentProps } from "../dsl/props.js";
import { MARKER } from "../files/marker.js";
import { loadConfig } from "../app/load-config.js";
import { FIXTURES, fixtureNames, haveTool, tempDir } from "./helpers.js";
import { filesOf, freshFixtureOut, propsFiles, restrictedPath, runScript } from "./init/support.js";

const UNIT = "systemd/dioptra.service";

/** The unit we expect, less comment lines, for a deployment in `dir`. */
function expectedUnit(dir: string, compose: string, requiredMounts: readonly string[]): string {
  const needs = ["docker.socket", ...requiredMounts].join(" ");
  return `[Unit]
Description=Dioptra service
Requires=${needs}
After=${needs}
Wants=syslog.service

[Service]
Type=oneshot
User=root
WorkingDirectory=${dir}
ExecStart=${compose} up -d --remove-orphans --force-recreate
ExecReload=${compose} restart
ExecStop=${compose} down --remove-orphans
RemainAfterExit=true

[Install]
WantedBy=multi-user.target
`;
}

/** The unit a fixture's deployment expects in `dir`. */
async function fixtureUnit(fixture: string, dir: string): Promise<string> {
  const spec = (await loadConfig(join(FIXTURES, fixture, "deployment.config.ts"))).toSpec();
  return expectedUnit(dir, spec.composeCommand, spec.systemd.requiredMounts);
}

const withoutComments = (unit: string) =>
  unit
    .split("\n")
    .filter((l) => !l.startsWith("#"))
    .join("\n");

/** name-and-systemd's config, with the deployment folder configured. */
function configuredProps(path: string, composeCommand = "docker-compose"): DeploymentProps {
  return {
    name: "MyLab_DioptraTest",
    composeCommand,
    systemd: { requiredMounts: ["mnt-data.mount", "srv-models.mount"], deploymentPath: path },
    workers: { pytorchCpu: 12 },
  };
}

const configuredUnit = (props: DeploymentProps) => propsFiles(props).find((f) => f.path === UNIT);

for (const fixture of fixtureNames()) {
  test(`${fixture}: no unit is generated without deploymentPath; init writes the unit for its folder, once`, async () => {
    assert.not.ok((await filesOf(fixture)).some((f) => f.path === UNIT));
    const out = await freshFixtureOut(fixture);
    const r = runScript(out, "init-deployment.sh", ["--secrets-only"], restrictedPath(["base64", "dirname", "head", "mkdir", "tail", "tr"]));
    assert.is(r.status, 0, r.stderr);
    const unit = readFileSync(join(out, UNIT), "utf8");
    assert.fixture(withoutComments(unit), await fixtureUnit(fixture, out));
    writeFileSync(join(out, UNIT), "edited by the admin\n");
    assert.is(runScript(out, "init-deployment.sh", ["--secrets-only"], restrictedPath(["base64", "dirname", "head", "mkdir", "tail", "tr"])).status, 0);
    assert.is(readFileSync(join(out, UNIT), "utf8"), "edited by the admin\n");
  });
}

test("with deploymentPath the unit is generated with the config: the unit plus the marker", () => {
  const unit = configuredUnit(configuredProps("/srv/dioptra"));
  assert.ok(unit, "no unit generated");
  assert.is(unit.mode, 0o644);
  assert.ok(unit.content.startsWith(`# ${MARKER}\n`));
  assert.fixture(withoutComments(unit.content), expectedUnit("/srv/dioptra", "docker-compose", ["mnt-data.mount", "srv-models.mount"]));
});

test("with deploymentPath init does not write the unit and warns when run elsewhere", () => {
  const dir = tempDir();
  const files = propsFiles(configuredProps("/srv/dioptra-elsewhere"));
  for (const f of files.filter((x) => x.path.endsWith(".sh"))) {
    mkdirSync(join(dir, f.path, ".."), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
  const r = runScript(dir, "init-deployment.sh", ["--secrets-only"], restrictedPath(["base64", "dirname", "head", "mkdir", "tail", "tr"]));
  assert.is(r.status, 0, r.stderr);
  assert.not.ok(existsSync(join(dir, UNIT)));
  assert.match(r.stderr, "not systemd.deploymentPath /srv/dioptra-elsewhere");
});

test("init escapes % in its folder for systemd", async () => {
  const parent = tempDir();
  const dir = join(parent, "100%");
  mkdirSync(dir);
  const files = propsFiles({});
  for (const f of files.filter((x) => x.path.endsWith(".sh"))) {
    mkdirSync(join(dir, f.path, ".."), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
  const r = runScript(dir, "init-deployment.sh", ["--secrets-only"], restrictedPath(["base64", "dirname", "head", "mkdir", "tail", "tr"]));
  assert.is(r.status, 0, r.stderr);
  assert.match(readFileSync(join(dir, UNIT), "utf8"), `WorkingDirectory=${parent}/100%%\n`);
});

// --- systemd-analyze verify ------------------------------------------------------------

/** `systemd-analyze verify` of `content` as dioptra.service, with stub units for the mounts it requires. Findings are the lines about the unit. */
function verify(content: string, mounts: readonly string[]): { status: number | null; findings: string[] } {
  const dir = tempDir("dd-unit-");
  const file = join(dir, "dioptra.service");
  writeFileSync(file, content);
  for (const m of mounts) {
    const where = spawnSync("systemd-escape", ["--unescape", "--path", m.replace(/\.mount$/, "")], { encoding: "utf8" }).stdout.trim();
    writeFileSync(join(dir, m), `[Mount]\nWhat=tmpfs\nWhere=${where}\nType=tmpfs\n`);
  }
  const r = spawnSync("systemd-analyze", ["verify", "--man=no", file], { encoding: "utf8" });
  const findings = `${r.stdout}${r.stderr}`.split("\n").filter((l) => l.includes(basename(file)) || l.includes("dioptra.service"));
  return { status: r.status, findings };
}

test("systemd-analyze verify accepts the configured unit (docker-compose, required mounts, existing WorkingDirectory)", () => {
  if (!haveTool("systemd-analyze") || !haveTool("docker-compose")) return;
  const dir = tempDir("dd-deploy-");
  const unit = configuredUnit(configuredProps(dir))!;
  const v = verify(unit.content, ["mnt-data.mount", "srv-models.mount"]);
  assert.equal(v.findings, []);
  assert.is(v.status, 0);
});

test("systemd-analyze verify accepts the template's bare `docker compose` (systemd's own search path)", () => {
  if (!haveTool("systemd-analyze")) return;
  const dir = tempDir("dd-deploy-");
  const unit = configuredUnit({ systemd: { deploymentPath: dir } })!;
  assert.match(unit.content, "\nExecStart=docker compose up -d --remove-orphans --force-recreate\n");
  const v = verify(unit.content, []);
  // systemd looks bare names up in /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin, not $PATH; on a
  // host without the docker CLI there, that lookup is the only finding allowed.
  const docker = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin"].some((d) => existsSync(join(d, "docker")));
  const allowed = docker ? [] : v.findings.filter((l) => /Command docker is not executable/.test(l));
  assert.equal(v.findings, allowed);
});

test("negative: systemd-analyze verify rejects a copy with a wrong unit key", () => {
  if (!haveTool("systemd-analyze") || !haveTool("docker-compose")) return;
  const dir = tempDir("dd-deploy-");
  const unit = configuredUnit(configuredProps(dir))!;
  const broken = unit.content.replace("\nType=oneshot\n", "\nTpye=oneshot\n");
  assert.is.not(broken, unit.content);
  const v = verify(broken, ["mnt-data.mount", "srv-models.mount"]);
  assert.ok(v.findings.some((l) => l.includes("Unknown key 'Tpye'")), v.findings.join("\n"));
});

test("negative: systemd-analyze verify rejects a copy requiring a mount unit that does not exist", () => {
  if (!haveTool("systemd-analyze") || !haveTool("docker-compose")) return;
  const dir = tempDir("dd-deploy-");
  const unit = configuredUnit(configuredProps(dir))!;
  const v = verify(unit.content, ["mnt-data.mount"]);
  assert.ok(v.findings.some((l) => l.includes("srv-models.mount")), v.findings.join("\n"));
  assert.is.not(v.status, 0);
});

test.run();
