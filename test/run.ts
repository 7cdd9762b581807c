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
// uvu prints its summary last in each process's output; a test's own output may hold look-alike lines.
const last = (output: string, re: RegExp) => Number([...output.matchAll(re)].at(-1)?.[1] ?? 0);
const TOTAL = /^\s*Total:\s+(\d+)$/gm;
const PASSED = /^\s*Passed:\s+(\d+)$/gm;
const SKIPPED = /^\s*Skipped:\s+(\d+)$/gm;
// uvu loses a test (and every later one of its suite) when formatting the test's error throws, yet exits 0:
// a process whose tests did not all pass or skip has failed.
for (const r of results) {
  const [t, p, s] = [last(r.output, TOTAL), last(r.output, PASSED), last(r.output, SKIPPED)];
  if (r.code === 0 && t !== p + s) {
    failed = true;
    r.code = 1;
    console.log(`\nFAILED: ${t - p - s} of ${t} tests in ${r.files.join(", ")} neither passed nor failed (uvu could not print an error)`);
  }
}
const sum = (re: RegExp) => results.reduce((n, r) => n + last(r.output, re), 0);
const total = sum(TOTAL);
const uvuPassed = sum(PASSED);
const uvuSkipped = sum(SKIPPED);
// Tests that returned early because a tool or ../shared was missing pass in uvu's count; they are skipped here.
const skipped = sum(/^skipped-tests: (\d+)$/gm);
const passed = uvuPassed - skipped;
// uvu's exit code is the verdict; a file that crashed before its tests ran counts as one failure.
const failedCount = failed ? Math.max(total - uvuPassed - uvuSkipped, results.filter((r) => r.code !== 0).length) : 0;
console.log(`\n${failed ? "FAILED" : "ok"}: ${files.length} files, ${jobs} processes, ${((Date.now() - started) / 1000).toFixed(0)} s`);
// The runner-neutral closing line CI reads: "N passed, N failed, N skipped".
console.log(`tests: ${passed} passed, ${failedCount} failed, ${skipped + uvuSkipped} skipped`);
process.exitCode = failed ? 1 : 0;
