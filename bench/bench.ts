/**
 * `npm run bench`: wall time (median/min/max over several runs) and peak
 * memory of the commands users run often, on configs of growing size, plus
 * the ratios the project aims for. Prints figures; asserts nothing.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** BENCH_CLI points at another build's launcher (e.g. an older checkout) to compare before and after. */
const CLI = process.env.BENCH_CLI ?? join(ROOT, "bin", "dioptra-deploy.js");
const PRELOAD = fileURLToPath(new URL("./bench-preload.js", import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

interface Figures {
  median: number;
  min: number;
  max: number;
  rssMiB: number;
}

function time(args: readonly string[], cwd: string): Figures {
  const ms: number[] = [];
  let rss = 0;
  for (let i = 0; i < RUNS + 1; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ["--import", PRELOAD, ...args], { cwd, stdio: ["ignore", "ignore", "pipe", "pipe"], encoding: "utf8" });
    const t = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0 && !args.includes("-e")) throw new Error(`${args.join(" ")} failed: ${r.stderr}`);
    rss = Math.max(rss, Number(String(r.output[3] ?? "0").trim()) || 0);
    if (i > 0) ms.push(t); // the first run warms the file cache
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)]!, min: ms[0]!, max: ms.at(-1)!, rssMiB: rss / 1024 };
}

const fmt = (f: Figures) => `median ${f.median.toFixed(0).padStart(5)} ms   min ${f.min.toFixed(0).padStart(5)}   max ${f.max.toFixed(0).padStart(5)}   peak RSS ${f.rssMiB.toFixed(0).padStart(4)} MiB`;

function config(dir: string, name: string, workers: number): string {
  const p = join(dir, `${name}.config.ts`);
  const quarter = Math.floor(workers / 4);
  writeFileSync(
    p,
    `import { deployment } from "dioptra-deploy";\nexport default deployment(${
      workers === 0 ? "{}" : `{ workers: { tensorflowCpu: ${workers - 3 * quarter}, tensorflowGpu: ${quarter}, pytorchCpu: ${quarter}, pytorchGpu: ${quarter} } }`
    });\n`,
  );
  return p;
}

const dir = mkdtempSync(join(tmpdir(), "dioptra-bench-"));
try {
  console.log(`dioptra-deploy bench: ${RUNS} runs each (after one warm-up), node ${process.version}\n`);
  const bare = time(["-e", "0"], dir);
  console.log(`${"node -e 0".padEnd(34)} ${fmt(bare)}`);
  const results: Record<string, Figures> = {};
  for (const [name, workers] of [["default", 0], ["100 workers", 100], ["1000 workers", 1000]] as const) {
    const cfg = config(dir, name.replace(" ", "-"), workers);
    const out = join(dir, `out-${name.replace(" ", "-")}`);
    results[`generate ${name}`] = time([CLI, "generate", "--config", cfg, "--out", out], dir);
    console.log(`${`generate (${name})`.padEnd(34)} ${fmt(results[`generate ${name}`]!)}`);
    results[`check ${name}`] = time([CLI, "generate", "--config", cfg, "--out", out, "--check"], dir);
    console.log(`${`generate --check (${name})`.padEnd(34)} ${fmt(results[`check ${name}`]!)}`);
  }
  // import reads a cruft.json; the worker counts are its only inputs that grow.
  const cruft = JSON.parse(readFileSync(join(ROOT, "test", "fixtures", "default", "cruft.json"), "utf8")) as { context: { cookiecutter: Record<string, string> } };
  for (const [name, workers] of [["default", 0], ["100 workers", 100], ["1000 workers", 1000]] as const) {
    const vars = cruft.context.cookiecutter;
    if (workers > 0) {
      const quarter = String(workers / 4);
      for (const k of ["num_tensorflow_cpu_workers", "num_tensorflow_gpu_workers", "num_pytorch_cpu_workers", "num_pytorch_gpu_workers"]) vars[k] = quarter;
    }
    const input = join(dir, `cruft-${name.replace(" ", "-")}.json`);
    writeFileSync(input, JSON.stringify(cruft, null, 2));
    const args = [CLI, "import", "--cruft", input, "--out", join(dir, "imported.config.ts"), "--force"];
    const probe = spawnSync(process.execPath, args, { encoding: "utf8" });
    if (probe.status !== 0) {
      console.log(`import: not measured (${probe.stderr.trim().split("\n")[0]})`);
      break;
    }
    results[`import ${name}`] = time(args, dir);
    console.log(`${`import (${name})`.padEnd(34)} ${fmt(results[`import ${name}`]!)}`);
  }
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  console.log(`\nratio generate(default) / node -e 0:        ${ratio(results["generate default"]!.median, bare.median)}  (aim ≤ 2)`);
  console.log(`ratio generate(1000 workers) / generate(default): ${ratio(results["generate 1000 workers"]!.median, results["generate default"]!.median)}  (aim ≤ 1.5)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
