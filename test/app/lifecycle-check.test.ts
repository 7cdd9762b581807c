/**
 * generate and plan, run as the built bin, on a change that would strand a
 * deployment's data: generate refuses it before writing anything, pointing
 * at the setting and naming the way through; plan lists it with its class;
 * the declared way through and a harmless change are written.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { generatedFolder, listFiles, runCli } from "../helpers.js";

const HEAD = 'import { deployment } from "dioptra-deploy";\nexport default deployment(';

const setup = (props: string) => generatedFolder(HEAD, props);

const snapshot = (out: string) => listFiles(out).map((f) => [f, readFileSync(join(out, f), "utf8")]);

test("generate refuses an undeclared PostgreSQL major change and a slug change at their settings; nothing is written", () => {
  const { config, out } = setup('{\n  name: "Lab One",\n  postgres: { tag: "17" },\n}');
  const before = snapshot(out);
  writeFileSync(config, `${HEAD}{\n  name: "Lab Two",\n  postgres: { tag: "18" },\n});\n`);
  const r = runCli(["generate", "--config", config, "--out", out]);
  assert.is(r.status, 1);
  assert.match(r.stderr, /deployment\.config\.ts:4:15 {2}postgres\.tag: PostgreSQL 17 → 18: .*upgrade: \{ postgres: \{ from: 17 \} \}/);
  assert.match(r.stderr, /deployment\.config\.ts:3:3 {2}name: the slug changes from lab-one to lab-two: .*slug: "lab-one"/);
  assert.not.match(r.stderr, /\n\s+at /, "no stack trace");
  assert.equal(snapshot(out), before, "nothing written");
  const plan = runCli(["plan", "--config", config, "--out", out]);
  assert.is(plan.status, 0, plan.stderr);
  assert.match(plan.stdout, /^ {2}data {6}PostgreSQL 17 → 18/m);
  assert.match(plan.stdout, /^ {2}data {6}the slug changes/m);
});

test("the declared way through is written, and a harmless rename is not refused", () => {
  const { config, out } = setup('{ name: "Lab One", postgres: { tag: "17" } }');
  writeFileSync(config, `${HEAD}{ name: "Lab Two", slug: "lab-one", postgres: { tag: "18" }, upgrade: { postgres: { from: 17 } } });\n`);
  const plan = runCli(["plan", "--config", config, "--out", out]);
  assert.match(plan.stdout, /^ {2}migration PostgreSQL 17 → 18/m);
  assert.match(plan.stdout, /^ {2}harmless {2}name "Lab One" → "Lab Two"/m);
  const r = runCli(["generate", "--config", config, "--out", out]);
  assert.is(r.status, 0, r.stderr);
  assert.match(readFileSync(join(out, "docker-compose.yml"), "utf8"), /lab-one_postgres-data/);
});

test("what init recorded on the host counts: a folder whose data is PostgreSQL 15 refuses 17", () => {
  const { config, out } = setup('{ postgres: { tag: "17" } }');
  writeFileSync(join(out, ".dioptra-init-state"), "release=1.1\nslug=dioptra-deployment\npostgres_major=15\n");
  writeFileSync(config, `${HEAD}{ postgres: { tag: "17" }, workers: { tensorflowCpu: 2 } });\n`);
  const r = runCli(["generate", "--config", config, "--out", out]);
  assert.is(r.status, 1);
  assert.match(r.stderr, /postgres\.tag: PostgreSQL 15 → 17/);
});

test.run();
