/**
 * Every generated Compose file passes the programs that read Compose:
 * the current Compose schema (ajv), Debian's docker-compose 1.29, and the
 * dclint linter (errors: none; kept warnings: the README lists why). Each
 * checker is also shown to reject a broken copy.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { composeSchemaIssues } from "../targets/compose/validate.js";
import { FIXTURES, ROOT, fixtureNames, generateTo, haveTool, listFiles } from "./helpers.js";

/** Warnings we keep (see README, "Compose lint"); any other dclint finding fails. */
const KEPT_WARNINGS = new Set([
  "no-quotes-in-volumes",
  "require-project-name-field",
  "service-image-require-explicit-tag",
  "services-alphabetical-order",
  "service-ports-alphabetical-order",
  "no-unbound-port-interfaces",
]);
const DCLINT = join(ROOT, "node_modules", ".bin", "dclint");

const CONFIGS: [string, string][] = [
  ...fixtureNames().map((n): [string, string] => [n, join(FIXTURES, n, "deployment.config.ts")]),
  ["features", join(ROOT, "test", "configs", "features.config.ts")],
];

const composeFilesIn = (dir: string) => listFiles(dir).filter((f) => /^docker-compose(\.[a-z0-9_-]+)?\.yml$/.test(f));

function dockerCompose(dir: string, files: readonly string[]) {
  return spawnSync("docker-compose", [...files.flatMap((f) => ["-f", f]), "config", "-q"], { cwd: dir, encoding: "utf8" });
}

/** One dclint run over several files (it starts slowly). */
function dclint(...files: string[]): { errors: string[]; warnings: string[]; status: number | null } {
  const report = `${files[0]}.dclint.json`;
  const r = spawnSync(DCLINT, [...files, "-c", join(ROOT, "test", "dclint.json"), "-f", "json", "-o", report], { encoding: "utf8" });
  const results = JSON.parse(readFileSync(report, "utf8")) as { messages: { rule: string; type: string; message: string }[] }[];
  const messages = results.flatMap((x) => x.messages);
  return {
    errors: messages.filter((m) => m.type === "error").map((m) => `${m.rule}: ${m.message}`),
    warnings: messages.filter((m) => m.type === "warning").map((m) => m.rule),
    status: r.status,
  };
}

const generated = new Map<string, Promise<string>>();
/** Each config is generated once for all its checks. */
const outFor = (config: string) => generated.get(config) ?? generated.set(config, generateTo(config)).get(config)!;

for (const [name, config] of CONFIGS) {
  test(`${name}: every Compose file is valid under the current Compose schema`, async () => {
    const out = await outFor(config);
    const files = composeFilesIn(out);
    assert.ok(files.includes("docker-compose.yml"));
    for (const f of files) assert.equal(composeSchemaIssues(f, parse(readFileSync(join(out, f), "utf8"))), [], f);
  });

  test(`${name}: docker-compose config accepts each file, and each overlay with the main file`, async () => {
    if (!haveTool("docker-compose")) return;
    const out = await outFor(config);
    for (const f of composeFilesIn(out)) {
      const files = f === "docker-compose.yml" || f === "docker-compose.init.yml" ? [f] : ["docker-compose.yml", f];
      const r = dockerCompose(out, files);
      assert.is(r.status, 0, `${files.join(" + ")}: ${r.stderr}`);
    }
  });

  test(`${name}: dclint finds no errors and only the warnings we keep`, async () => {
    const out = await outFor(config);
    const r = dclint(...composeFilesIn(out).map((f) => join(out, f)));
    assert.equal(r.errors, []);
    assert.equal([...new Set(r.warnings.filter((w) => !KEPT_WARNINGS.has(w)))], []);
    assert.is(r.status, 0);
  });
}

/** Broken copies of the default docker-compose.yml, and what each checker must say. */
const BROKEN: [string, (yaml: string) => string][] = [
  ["an unknown service key", (y) => y.replace("    restart: always\n", "    restart: always\n    restrat: always\n")],
  ["a network list written as a string", (y) => y.replace("    networks:\n      - dioptra\n", "    networks: dioptra\n")],
];

for (const [what, breakIt] of BROKEN) {
  test(`the checkers reject ${what}`, async () => {
    const out = await generateTo(join(FIXTURES, "default", "deployment.config.ts"));
    const broken = breakIt(readFileSync(join(out, "docker-compose.yml"), "utf8"));
    assert.is.not(broken, readFileSync(join(out, "docker-compose.yml"), "utf8"), "the breakage applies");
    writeFileSync(join(out, "broken.yml"), broken);
    assert.ok(composeSchemaIssues("broken.yml", parse(broken)).length > 0, "ajv rejects it");
    if (haveTool("docker-compose")) assert.is.not(dockerCompose(out, ["broken.yml"]).status, 0, "docker-compose rejects it");
    assert.ok(dclint(join(out, "broken.yml")).errors.length > 0, "dclint rejects it");
  });
}

test.run();
