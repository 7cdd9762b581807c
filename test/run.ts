/**
 * Runs the test files in parallel uvu processes: most tests wait on real
 * programs (docker-compose, nginx, postgres, shellcheck), so a couple of
 * processes per core finish well before one process would. Files are dealt
 * heaviest first into the lightest bucket. Exit status: 1 if any file fails.
 * `node dist/test/run.js [pattern]` runs the files whose name matches.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { sep } from "node:path";
import { fileURLToPath } from "node:url";

const DIR = fileURLToPath(new URL(".", import.meta.url));
const UVU = fileURLToPath(new URL("../../node_modules/uvu/bin.js", import.meta.url));
/** Rough seconds per file, measured on 2 cores; unknown files count 5. */
const WEIGHT: Readonly<Record<string, number>> = {
  "compose-checks.test.js": 31, "import.test.js": 50, "init-compose.test.js": 21, "postgres.test.js": 20,
  "parity.test.js": 18, "cli.test.js": 25, "set.test.js": 30, "package.test.js": 20, "init-secrets.test.js": 11, "init-scripts.test.js": 11, "init-systemd.test.js": 10,
};

const filter = new RegExp(process.argv[2] ?? ".");
// Tests mirror the source tree (test/<folder>/<module>.test.ts); the e2e run is separate.
const files = (readdirSync(DIR, { recursive: true }) as string[])
  .map((f) => f.split(sep).join("/"))
  .filter((f) => f.endsWith(".test.js") && !f.startsWith("e2e/") && filter.test(f))
  .sort();
const jobs = Math.max(2, Math.min(Number(process.env.TEST_JOBS ?? availableParallelism() + 1), files.length));
const buckets: { files: string[]; weight: number }[] = Array.from({ length: jobs }, () => ({ files: [], weight: 0 }));
for (const f of [...files].sort((a, b) => (WEIGHT[b] ?? 5) - (WEIGHT[a] ?? 5))) {
  const lightest = buckets.reduce((a, b) => (b.weight < a.weight ? b : a));
  lightest.files.push(f);
  lightest.weight += WEIGHT[f] ?? 5;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const started = Date.now();
const results = await Promise.all(
  buckets
    .filter((b) => b.files.length > 0)
    .map(
      (b) =>
        new Promise<{ files: string[]; code: number; output: string }>((resolve) => {
          const pattern = `^(${b.files.map(escape).join("|")})$`;
          const child = spawn(process.execPath, [UVU, DIR, pattern], { env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" } });
          let output = "";
          child.stdout.on("data", (d: Buffer) => (output += d.toString()));
          child.stderr.on("data", (d: Buffer) => (output += d.toString()));
          child.on("close", (code) => resolve({ files: b.files, code: code ?? 1, output }));
        }),
    ),
);

let failed = false;
for (const r of results) {
  process.stdout.write(`\n=== ${r.files.join(", ")}\n${r.output}`);
  if (r.code !== 0) failed = true;
}
const sum = (re: RegExp) => results.reduce((n, r) => n + [...r.output.matchAll(re)].reduce((m, x) => m + Number(x[1]), 0), 0);
const total = sum(/Total:\s+(\d+)/g);
const uvuPassed = sum(/Passed:\s+(\d+)/g);
const uvuSkipped = sum(/Skipped:\s+(\d+)/g);
// Tests that returned early because a tool or ../shared was missing pass in uvu's count; they are skipped here.
const skipped = sum(/^skipped-tests: (\d+)$/gm);
const passed = uvuPassed - skipped;
// A file that crashed before its tests ran counts no failure in uvu's totals: count it as one.
const failedCount = Math.max(total - uvuPassed - uvuSkipped, results.filter((r) => r.code !== 0).length);
console.log(`\n${failed ? "FAILED" : "ok"}: ${files.length} files, ${jobs} processes, ${((Date.now() - started) / 1000).toFixed(0)} s`);
// The runner-neutral closing line CI reads: "N passed, N failed, N skipped".
console.log(`tests: ${passed} passed, ${failedCount} failed, ${skipped + uvuSkipped} skipped`);
process.exitCode = failed ? 1 : 0;
