/**
 * The e2e break modes (test/e2e/breaks.ts), checked without Docker: each is
 * in test/e2e/README.md's table and nowhere else unknown, .ci/run takes its
 * list from the built run's `--list-breaks` (so a new mode cannot be left out
 * of CI), and each still finds what it corrupts in a freshly generated
 * deployment of its scenario (a break that no longer applies would throw in CI).
 */
import { spawnSync } from "node:child_process";
import { cpSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BREAKS } from "./e2e/breaks.js";
import { Deployment } from "./e2e/deployment.js";
import { SCENARIOS } from "./e2e/scenarios.js";
import { ROOT, tempDir } from "./helpers.js";

const modes = Object.keys(BREAKS).sort();

test("every break mode runs on a known scenario and names what catches it", () => {
  for (const [mode, b] of Object.entries(BREAKS)) {
    assert.ok(SCENARIOS.some((s) => s.id === b.scenario), `${mode}: scenario ${b.scenario}`);
    assert.ok(b.breaks.length > 10 && b.caughtBy.length > 10, `${mode}: describe it`);
  }
});

test("test/e2e/README.md lists exactly the break modes", () => {
  const readme = readFileSync(join(ROOT, "test", "e2e", "README.md"), "utf8");
  const from = readme.indexOf("### `--break MODE`");
  const section = readme.slice(from, readme.indexOf("\n## ", from));
  const listed = [...section.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]!).sort();
  assert.equal(listed, modes);
});

test(".ci/run runs every mode, from the built run's --list-breaks", () => {
  const ci = readFileSync(join(ROOT, ".ci", "run"), "utf8");
  assert.ok(/--list-breaks/.test(ci), ".ci/run must read the modes from --list-breaks");
  assert.not.ok(modes.some((m) => new RegExp(`--break ${m}\\b`).test(ci)), ".ci/run must not hard-code a mode");
  const r = spawnSync(process.execPath, [join(ROOT, "dist", "test", "e2e", "run.js"), "--list-breaks"], { encoding: "utf8", timeout: 30_000 });
  assert.is(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split("\n").sort(), modes);
});

test("an unknown --break mode is refused before anything runs", () => {
  const r = spawnSync(process.execPath, [join(ROOT, "dist", "test", "e2e", "run.js"), "--break", "no-such-mode"], { encoding: "utf8", timeout: 30_000 });
  assert.is(r.status, 2);
  assert.match(r.stderr, /unknown --break mode no-such-mode/);
});

test("each mode finds and changes what it corrupts in a freshly generated deployment of its scenario", async () => {
  const dir = tempDir("e2e-breaks-");
  const files = ["docker-compose.yml", "config/nginx/http_mlflow.conf", "swarm/docker-stack.yml"];
  const snapshot = (d: Deployment) =>
    files.map((f) => {
      try {
        return readFileSync(join(d.dir, f), "utf8");
      } catch {
        return "";
      }
    });
  // One generation per scenario, copied for each mode (same run id, so the same slug and names).
  for (const id of new Set(modes.map((m) => BREAKS[m]!.scenario))) await new Deployment(SCENARIOS.find((s) => s.id === id)!, join(dir, "generated"), "unit", ROOT).generate();
  for (const mode of modes) {
    const b = BREAKS[mode]!;
    cpSync(join(dir, "generated", b.scenario), join(dir, mode, b.scenario), { recursive: true });
    const d = new Deployment(SCENARIOS.find((s) => s.id === b.scenario)!, join(dir, mode), "unit", ROOT);
    const before = snapshot(d);
    b.apply(d);
    assert.not.equal(snapshot(d), before, `${mode} changed nothing`);
  }
  rmSync(dir, { recursive: true, force: true });
});

test.run();
