/**
 * Property tests of escaping: random strings, including newlines, quotes,
 * `$`, `;`, `{}`, `#`, backslashes and non-ASCII text, go through each place a
 * user string can land. Each must either come out unchanged where the real
 * reader reads it (YAML + docker-compose, bash, nginx, systemd), or be
 * rejected by validation with an error naming the setting.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { deployment } from "../dsl/deployment.js";
import type { DeploymentProps } from "../dsl/props.js";
import { synth } from "../generators/index.js";
import { doubleQuoted, shellQuote } from "../generators/init/shell.js";
import { NGINX_CONF_DIR } from "../generators/nginx/confs.js";
import type { OutFile } from "../files/out-file.js";
import { writeOut } from "../writer/index.js";
import { haveTool, tempDir } from "./helpers.js";
import { canRunNginx, nginxCheck } from "./nginx/harness.js";

const SEED = Number(process.env.SEED ?? 7);
const RUNS = Number(process.env.RUNS ?? 200);

/** Characters that mean something to YAML, Compose, bash, nginx or systemd, plus non-ASCII text. */
const NASTY = fc.constantFrom(
  ..."$${}[];#:'\"`\\\n\r\t ,&*!|>%@?-=~/.".split(""),
  "é", "ß", "中", "💥", "\u2028", "\u0085", "yes", "no", "on", "0x1F", "1e3", "22:22", "${HOME}", "$$", "\\n",
);
/** Strings mixing those with ordinary text (no NUL: no reader can carry it). */
const nasty = fc.array(fc.oneof(NASTY, fc.string({ unit: "grapheme", maxLength: 4 })), { maxLength: 12 }).map((parts) => parts.join("").replaceAll("\0", ""));

const trimSlash = (p: string) => (p.length > 1 ? p.replace(/\/$/, "") : p);
const fileOf = (files: readonly OutFile[], path: string) => files.find((f) => f.path === path)!.content;

/** A custom container carrying `values` in every free-text Compose field. */
function carrying(values: readonly string[]): DeploymentProps {
  return {
    customContainers: {
      carrier: {
        image: "carrier:1",
        environment: Object.fromEntries(values.map((v, i) => [`VALUE_${i}`, v])),
        command: [...values],
        entrypoint: ["/bin/carrier", ...values.slice(0, 3)],
        healthcheck: { test: ["/bin/check", ...values.slice(0, 3)] },
      },
    },
    volumes: { opts: { type: "driver", driverOpts: Object.fromEntries(values.slice(0, 5).map((v, i) => [`o${i}`, v])) } },
  };
}

type Carrier = { environment: Record<string, string>; command: string[]; entrypoint: string[]; healthcheck: { test: string[] } };

/** Compose's reading of an escaped scalar: `$$` is a literal `$`. */
const unescapeCompose = (s: string) => s.replaceAll("$$", "$");

test("Compose: any string is written so a YAML 1.1 reader plus Compose's `$$` rule gives it back", () => {
  fc.assert(
    fc.property(fc.array(nasty, { minLength: 1, maxLength: 6 }), (values) => {
      const files = synth(deployment(carrying(values)).toSpec());
      // version 1.1: read as PyYAML in docker-compose 1.29 reads it.
      const doc = parse(fileOf(files, "docker-compose.yml"), { version: "1.1" }) as { services: Record<string, Carrier>; volumes: Record<string, { driver_opts: Record<string, string> }> };
      const c = doc.services.carrier!;
      assert.equal(values.map((_, i) => unescapeCompose(String(c.environment[`VALUE_${i}`]))), values);
      assert.equal(c.command.map(unescapeCompose), values);
      assert.equal(c.entrypoint.slice(1).map(unescapeCompose), values.slice(0, 3));
      assert.equal(c.healthcheck.test.slice(2).map(unescapeCompose), values.slice(0, 3));
      assert.equal(Object.values(doc.volumes.opts!.driver_opts).map(unescapeCompose), values.slice(0, 5));
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

const pyYamlToJson = (yaml: string) => {
  const r = spawnSync("python3", ["-c", "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"], { input: yaml, encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { services: Record<string, Carrier> };
};

test("Compose: docker-compose's YAML reader and docker-compose itself read the values back unchanged (one batch)", () => {
  if (!haveTool("docker-compose")) return;
  const values = fc.sample(nasty, { seed: SEED, numRuns: 60 }).filter((v) => v !== "");
  values.push("costs $5", "${NOT_INTERPOLATED}", "$$", "line one\nline two", "yes", "22:22", "#not a comment", "'\"`\\", "nel\u0085ls\u2028ps\u2029");
  const dir = tempDir("dd-escape-");
  writeOut(synth(deployment(carrying(values)).toSpec()), dir);
  // PyYAML, the library docker-compose 1.29 reads the file with, then Compose's `$$` rule.
  const read = pyYamlToJson(readFileSync(join(dir, "docker-compose.yml"), "utf8")).services.carrier!;
  assert.equal(values.map((_, i) => unescapeCompose(read.environment[`VALUE_${i}`]!)), values);
  assert.equal(read.command.map(unescapeCompose), values);
  // docker-compose config: what Compose resolved, re-escaped for reloading (`$` as `$$`). PyYAML's
  // writer leaves NEL/LS/PS raw and its reader then folds them, so values with those cannot make that
  // round trip; that is the printout's limit, not what containers get (checked just above).
  const r = spawnSync("docker-compose", ["config"], { cwd: dir, encoding: "utf8", env: { ...process.env, NOT_INTERPOLATED: "interpolated!" } });
  assert.is(r.status, 0, r.stderr);
  const c = pyYamlToJson(r.stdout).services.carrier!;
  const printable = (v: string) => !/[\u0085\u2028\u2029]/.test(v);
  assert.equal(values.map((_, i) => unescapeCompose(c.environment[`VALUE_${i}`]!)).filter((_, i) => printable(values[i]!)), values.filter(printable));
});

test("Compose: fromEnv values stay interpolations, and NUL is refused by name", () => {
  const files = synth(deployment({ customContainers: { c: { image: "c:1", environment: { A: { interpolate: "${X:-d}" }, B: "${X}" } } } }).toSpec());
  const env = (parse(fileOf(files, "docker-compose.yml")) as { services: Record<string, Carrier> }).services.c!.environment;
  assert.is(env.A, "${X:-d}");
  assert.is(env.B, "$${X}");
  const { issues } = deployment({ customContainers: { c: { image: "c:1", environment: { A: "a\0b" } } } }).resolve();
  assert.ok(issues.some((i) => i.path === "customContainers.c.environment.A" && /NUL/.test(i.message)));
});

test("bash: shellQuote and doubleQuoted read back as the same string", () => {
  if (!haveTool("bash")) return;
  const values = fc.sample(nasty, { seed: SEED, numRuns: 300 });
  const script = [`printf '%s\\0' ${values.map(shellQuote).join(" ")}`, `printf '%s\\0' ${values.map((v) => `"${doubleQuoted(v)}"`).join(" ")}`].join("\n");
  const r = spawnSync("bash", ["-c", script], { encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  const out = r.stdout.split("\0").slice(0, -1);
  assert.equal(out.slice(0, values.length), values);
  assert.equal(out.slice(values.length), values);
});

/**
 * Settings that land in nginx, bash, systemd, env files and volume names are
 * validated against what those readers accept. For each: random strings are
 * either rejected under that setting's path, or appear verbatim in the output.
 */
const VALIDATED: [path: string, props: (v: string) => DeploymentProps, appearsIn: (v: string, files: readonly OutFile[]) => boolean][] = [
  ["nginx.serverName", (v) => ({ nginx: { serverName: v } }), (v, f) => fileOf(f, `${NGINX_CONF_DIR}/http_restapi.conf`).includes(`server_name         ${v};`)],
  ["composeCommand", (v) => ({ composeCommand: v }), (v, f) => fileOf(f, "README.md").includes(`${v} up -d`)],
  // "" means "no datasets directory", as in the template; a trailing "/" is dropped.
  ["datasetsDirectory", (v) => ({ datasetsDirectory: v }), (v, f) => (v === "" ? !fileOf(f, "docker-compose.yml").includes("/dioptra/data") : fileOf(f, "docker-compose.yml").includes(`"${trimSlash(v)}:/dioptra/data:ro"`))],
  ["pgadmin.defaultEmail", (v) => ({ pgadmin: { defaultEmail: v } }), (v, f) => fileOf(f, "envs/dioptra-deployment-dbadmin.env").includes(`PGADMIN_DEFAULT_EMAIL=${v}\n`)],
  ["tag", (v) => ({ tag: v }), (v, f) => fileOf(f, "docker-compose.yml").includes(`dioptra/restapi:${v}`)],
  // "" means Docker Hub: the image then has no registry part (the default release's tag is 1.1.0).
  ["registry", (v) => ({ registry: v }), (v, f) => fileOf(f, "docker-compose.yml").includes(`image: "${v === "" ? "" : `${v}/`}dioptra/restapi:1.1.0"`)],
  ["systemd.deploymentPath", (v) => ({ systemd: { deploymentPath: v } }), (v, f) => fileOf(f, "systemd/dioptra.service").includes(`WorkingDirectory=${trimSlash(v)}\n`)],
  ["postgres.adminUser", (v) => ({ postgres: { adminUser: v } }), (v, f) => fileOf(f, "envs/dioptra-deployment-db.env").includes(`POSTGRES_USER=${v}\n`)],
];

/** Plausible values: mostly the characters these settings allow, sometimes one that they do not. */
const plausible = fc
  .array(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(..."abcxyz019-._/@:".split("")) }, { weight: 1, arbitrary: NASTY }), { minLength: 1, maxLength: 16 })
  .map((p) => p.join(""));

for (const [path, props, appearsIn] of VALIDATED) {
  test(`${path}: every string is rejected by name or lands verbatim`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(nasty, plausible, plausible.map((p) => `/${p}`), fc.tuple(plausible, plausible).map(([a, b]) => `${a}@${b}.org`)), (v) => {
        const { spec, issues } = deployment(props(v)).resolve();
        if (!spec) {
          assert.ok(issues.some((i) => i.path === path || i.path.startsWith(`${path}.`)), `${JSON.stringify(v)}: ${issues.map((i) => i.path).join(", ")}`);
          return;
        }
        accepted++;
        assert.ok(appearsIn(v, synth(spec)), `${JSON.stringify(v)} does not appear verbatim`);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    assert.ok(accepted > 0, "some values were accepted (the property is not vacuous)");
  });
}

/** A few accepted random values per setting, through the real readers. */
function acceptedSamples(path: string, n: number): string[] {
  const row = VALIDATED.find(([p]) => p === path)!;
  return fc.sample(fc.oneof(plausible, plausible.map((p) => `/${p}`)), { seed: SEED, numRuns: 400 })
    .filter((v) => v !== "").filter((v) => deployment(row[1](v)).resolve().spec !== undefined).slice(0, n);
}

test("nginx -t accepts every accepted random server name", () => {
  if (!canRunNginx()) return;
  const names = acceptedSamples("nginx.serverName", 5);
  assert.ok(names.length > 0);
  for (const serverName of names) {
    const files = synth(deployment({ nginx: { serverName } }).toSpec());
    const confs = new Map(files.filter((f) => f.path.startsWith(`${NGINX_CONF_DIR}/`)).map((f) => [f.path.slice(NGINX_CONF_DIR.length + 1), f.content]));
    const r = nginxCheck(confs, "http");
    assert.is(r.status, 0, `${serverName}: ${r.output}`);
  }
});

test("bash -n and shellcheck accept init-deployment.sh with every accepted random compose command", () => {
  if (!haveTool("shellcheck")) return;
  const commands = acceptedSamples("composeCommand", 5);
  assert.ok(commands.length > 0);
  const dir = tempDir("dd-escape-sh-");
  const paths = commands.map((composeCommand, i) => {
    const p = join(dir, `init-${i}.sh`);
    writeFileSync(p, fileOf(synth(deployment({ composeCommand }).toSpec()), "init-deployment.sh"));
    assert.is(spawnSync("bash", ["-n", p]).status, 0, composeCommand);
    return p;
  });
  const r = spawnSync("shellcheck", paths, { encoding: "utf8" });
  assert.is(r.status, 0, r.stdout);
});

test("systemd-analyze verify accepts the unit with every accepted random deployment path", () => {
  if (!haveTool("systemd-analyze")) return;
  for (const deploymentPath of acceptedSamples("systemd.deploymentPath", 4)) {
    const root = tempDir("dd-escape-unit-");
    const unit = fileOf(synth(deployment({ systemd: { deploymentPath } }).toSpec()), "systemd/dioptra.service");
    mkdirSync(join(root, "etc/systemd/system"), { recursive: true });
    writeFileSync(join(root, "etc/systemd/system/dioptra.service"), unit);
    const r = spawnSync("systemd-analyze", ["verify", "--root", root, "--man=no", "dioptra.service"], { encoding: "utf8" });
    const complaints = `${r.stdout}${r.stderr}`.split("\n").filter((l) => l.includes("dioptra.service") && !/not found|No such file|docker\.socket/.test(l));
    assert.equal(complaints, [], `${deploymentPath}: ${readFileSync(join(root, "etc/systemd/system/dioptra.service"), "utf8")}`);
  }
});

test.run();
