/**
 * Folders are opened without following links and written through the open
 * folder: a folder swapped for a link while generate runs cannot send a
 * byte outside out/ (the shipped bin, racing a process that swaps).
 */
import { spawn } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readdirSync, rmSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { WriteError, writeOut } from "../../writer/index.js";
import { listFiles, tempDir } from "../helpers.js";
import { gen } from "../support/writer-files.js";
import { generate, generatedOut } from "../support/hostile-out.js";

/** Swaps folder argv[1] for a link to argv[2] and back, a millisecond each, forever; empties it each time so that generate writes there. */
const RACER = `
const fs = require("fs");
const [dir, to] = process.argv.slice(1);
const real = dir + ".real";
const spin = (ms) => { const t = Date.now() + ms; while (Date.now() < t); };
for (;;) {
  try { fs.renameSync(dir, real); } catch {}
  try { fs.symlinkSync(to, dir); } catch {}
  spin(1);
  try { if (fs.lstatSync(dir).isSymbolicLink()) fs.unlinkSync(dir); } catch {}
  try { for (const f of fs.readdirSync(real)) fs.unlinkSync(real + "/" + f); } catch {}
  try { fs.renameSync(real, dir); } catch { fs.rmSync(real, { recursive: true, force: true }); }
  spin(1);
}`;

test("a folder swapped for a link while generate writes: no byte lands outside out/ over many runs", async () => {
  const { out, elsewhere } = generatedOut();
  const racer = spawn(process.execPath, ["-e", RACER, join(out, "envs"), elsewhere], { stdio: "ignore" });
  const outcomes = { written: 0, refused: 0 };
  try {
    // Bounded in time: as many runs as fit in a few seconds (at least five).
    const until = Date.now() + 6000;
    for (let run = 0; run < 5 || Date.now() < until; run++) {
      const r = generate(out);
      assert.not.match(r.stderr, /\n\s+at |internal error/, r.stderr);
      if (r.status === 0) outcomes.written++;
      else {
        assert.match(r.stderr, /symbolic link|was replaced while dioptra-deploy wrote it|is not a folder|cannot write|another dioptra-deploy/, r.stderr);
        outcomes.refused++;
      }
      assert.equal(listFiles(elsewhere), ["victim.txt"], `run ${run}: nothing written outside out/`);
    }
  } finally {
    racer.kill("SIGKILL");
    await new Promise((r) => racer.on("exit", r));
  }
  assert.ok(outcomes.written + outcomes.refused >= 5, JSON.stringify(outcomes));
  // Once the swapping stops (undone where it stopped), a run completes normally.
  const envs = join(out, "envs");
  if (existsSync(envs) && lstatSync(envs).isSymbolicLink()) unlinkSync(envs);
  if (existsSync(`${envs}.real`)) rmSync(`${envs}.real`, { recursive: true });
  const r = generate(out, "--adopt");
  assert.is(r.status, 0, r.stderr);
  assert.equal(listFiles(elsewhere), ["victim.txt"]);
});

test("the same race against the writer in-process: hundreds of writes in two seconds, none outside", async () => {
  const root = tempDir();
  const out = join(root, "out");
  const elsewhere = join(root, "elsewhere");
  mkdirSync(elsewhere);
  writeOut(gen(0), out);
  const racer = spawn(process.execPath, ["-e", RACER, join(out, "sub"), elsewhere], { stdio: "ignore" });
  let runs = 0;
  try {
    await new Promise((r) => setTimeout(r, 200)); // the racer is running
    for (const until = Date.now() + 2000; Date.now() < until; runs++) {
      try {
        writeOut(gen(runs), out);
      } catch (e) {
        assert.instance(e, WriteError, String(e));
      }
    }
    assert.equal(readdirSync(elsewhere), [], `after ${runs} writes`);
  } finally {
    racer.kill("SIGKILL");
    await new Promise((r) => racer.on("exit", r));
  }
  assert.ok(runs >= 20, `${runs} writes`);
});

test.run();
