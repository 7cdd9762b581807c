/**
 * `npm run bench`: wall time, CPU time and peak memory of the commands users
 * run often, on configs of growing size, next to a bare `node -e 0` (Node's
 * own start-up, the floor). Rows that are compared are measured alternating,
 * run by run, so load on the machine hits them alike. Prints figures;
 * asserts nothing.
 *
 * BENCH_BASELINE=<launcher> adds another build (e.g. a checkout of main in
 * /tmp, built with `npm ci`) to the alternation, for before/after figures.
 * BENCH_CLI replaces the launcher measured as "ours". BENCH_RUNS sets the
 * number of runs (default 15, after one warm-up run each); BENCH_SIZES picks
 * sizes (e.g. `default,1000`); BENCH_IMPORT=0 skips `import`; BENCH_DIOPTRA
 * picks the release of the configs (`1.1`, the default, or `1.0`).
 *
 * BENCH_REFERENCE=<command> adds the thing we replace to the alternation: a
 * shell command that renders the upstream template for the variables in the
 * JSON file `{vars}` into the folder `{out}` (this repository carries no
 * upstream code, so the command and the template are the user's). The
 * variables are the release's default variant in
 * ../shared/reference/renders/ with the worker counts of each size.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = process.env.BENCH_CLI ?? join(ROOT, "bin", "dioptra-deploy.cjs");
const BASELINE = process.env.BENCH_BASELINE;
const PRELOAD = fileURLToPath(new URL("./bench-preload.cjs", import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const RELEASE = process.env.BENCH_DIOPTRA ?? "1.1";
const REFERENCE = process.env.BENCH_REFERENCE;
/** GNU time reports a command's peak memory; without it the reference's RSS is not shown. */
const GNU_TIME = ["/usr/bin/time", "/bin/time"].find((p) => existsSync(p));

interface Sample {
  wallMs: number;
  cpuMs: number;
  rssKiB: number;
}
interface Figures {
  wall: number;
  wallMin: number;
  cpu: number;
  rssMiB: number;
}

/** One run of a command; `node` runs ours (with the preload that reports its usage), `sh` a reference command. */
interface Command {
  args: readonly string[];
  cwd: string;
  shell?: boolean;
  /** A folder removed before each run (not timed), for runs that start from nothing. */
  fresh?: string;
}

function once(c: Command): Sample {
  if (c.fresh) rmSync(c.fresh, { recursive: true, force: true });
  // A shell command reports through GNU time into a file (fd 3 is a socket, which time cannot open by path).
  const usage = join(c.cwd, ".usage");
  const [file, args] = c.shell
    ? GNU_TIME
      ? [GNU_TIME, ["-f", "%M %U %S", "-o", usage, "sh", "-c", `exec ${c.args[0]!}`]]
      : ["sh", ["-c", `exec ${c.args[0]!}`]]
    : [process.execPath, ["--require", PRELOAD, ...c.args]];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(file, args, { cwd: c.cwd, stdio: ["ignore", "ignore", "pipe", "pipe"], encoding: "utf8" });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${c.args.join(" ")} failed: ${r.stderr}`);
  if (c.shell) {
    if (!GNU_TIME) return { wallMs, cpuMs: NaN, rssKiB: NaN };
    const [rss, user, sys] = readFileSync(usage, "utf8").trim().split(" ").map(Number);
    return { wallMs, cpuMs: ((user ?? 0) + (sys ?? 0)) * 1000, rssKiB: rss ?? 0 };
  }
  const [rss, cpu] = String(r.output[3] ?? "0 0").trim().split(" ").map(Number);
  return { wallMs, cpuMs: (cpu ?? 0) / 1000, rssKiB: rss ?? 0 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs every command once per round, in turn, RUNS rounds after a warm-up round. */
function alternate(commands: Record<string, Command>): Record<string, Figures> {
  const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let round = 0; round <= RUNS; round++) {
    for (const [name, c] of Object.entries(commands)) {
      const s = once(c);
      if (round > 0) samples[name]!.push(s); // round 0 warms the file cache and the config cache
    }
  }
  return Object.fromEntries(
    Object.entries(samples).map(([k, ss]) => [
      k,
      { wall: median(ss.map((s) => s.wallMs)), wallMin: Math.min(...ss.map((s) => s.wallMs)), cpu: median(ss.map((s) => s.cpuMs)), rssMiB: Math.max(...ss.map((s) => s.rssKiB)) / 1024 },
    ]),
  );
}

const num = (x: number, width: number) => (Number.isNaN(x) ? "n/a" : x.toFixed(0)).padStart(width);
const fmt = (f: Figures) => `wall median ${num(f.wall, 5)} ms (min ${num(f.wallMin, 4)})   CPU median ${num(f.cpu, 5)} ms   peak RSS ${num(f.rssMiB, 4)} MiB`;

function config(dir: string, name: string, workers: number): string {
  const p = join(dir, `${name}.config.ts`);
  const quarter = Math.floor(workers / 4);
  writeFileSync(
    p,
    `import { deployment } from "dioptra-deploy";\nexport default deployment({ dioptra: "${RELEASE}"${
      workers === 0 ? "" : `, workers: { tensorflowCpu: ${workers - 3 * quarter}, tensorflowGpu: ${quarter}, pytorchCpu: ${quarter}, pytorchGpu: ${quarter} }`
    } });\n`,
  );
  return p;
}

/** Where the upstream renders' variables are, or why the reference row is not measured. */
const RENDERS = join(ROOT, "..", "shared", "reference", "renders", `dioptra-${RELEASE}`);
const referenceMissing = !REFERENCE
  ? "not measured: set BENCH_REFERENCE to a command that renders the upstream template ({vars}, {out}); this repository carries none"
  : !existsSync(join(RENDERS, "default", "vars.json"))
    ? `not measured: ${join(RENDERS, "default", "vars.json")} is missing (../shared is not beside this checkout)`
    : undefined;

/** The reference command for a size: the default variant's variables with the same worker counts as ours. */
function reference(dir: string, slug: string, workers: number): Command {
  const vars = JSON.parse(readFileSync(join(RENDERS, "default", "vars.json"), "utf8")) as Record<string, string>;
  const quarter = Math.floor(workers / 4);
  if (workers > 0) {
    Object.assign(vars, {
      num_tensorflow_cpu_workers: String(workers - 3 * quarter),
      num_tensorflow_gpu_workers: String(quarter),
      num_pytorch_cpu_workers: String(quarter),
      num_pytorch_gpu_workers: String(quarter),
    });
  }
  const varsFile = join(dir, `vars-${slug}.json`);
  writeFileSync(varsFile, JSON.stringify(vars, null, 2));
  const out = join(dir, `reference-${slug}`);
  // A fresh folder each run: a render starts from nothing.
  return { args: [REFERENCE!.replaceAll("{vars}", `'${varsFile}'`).replaceAll("{out}", `'${out}'`)], cwd: dir, shell: true, fresh: out };
}

const ALL_SIZES = [["default", 0], ["100 workers", 100], ["1000 workers", 1000]] as const;
/** BENCH_SIZES=default,1000 measures only those sizes (the ratios need default and 1000). */
const SIZES = ALL_SIZES.filter(([name]) => !process.env.BENCH_SIZES || process.env.BENCH_SIZES.split(",").some((s) => name.startsWith(s)));
const builds: [label: string, launcher: string][] = [["ours", CLI], ...(BASELINE ? [["baseline", BASELINE] as [string, string]] : [])];
const dir = mkdtempSync(join(tmpdir(), "dioptra-bench-"));
try {
  console.log(`dioptra-deploy bench: ${RUNS} alternating runs each (after one warm-up), node ${process.version}, ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  console.log(`ours: ${CLI}${BASELINE ? `\nbaseline: ${BASELINE}` : ""}\n`);
  const results: Record<string, Figures> = {};
  for (const [size, workers] of SIZES) {
    const slug = size.replace(" ", "-");
    const cfg = config(dir, slug, workers);
    const commands: Record<string, Command> = { "node -e 0": { args: ["-e", "0"], cwd: dir } };
    for (const [label, launcher] of builds) {
      const out = join(dir, `out-${slug}-${label}`);
      // --check compares with what the same build wrote in the warm-up round of `generate`.
      commands[`generate (${size}) ${label}`] = { args: [launcher, "generate", "--config", cfg, "--out", out], cwd: dir };
      const empty = join(dir, `fresh-${slug}-${label}`);
      commands[`generate, empty out (${size}) ${label}`] = { args: [launcher, "generate", "--config", cfg, "--out", empty], cwd: dir, fresh: empty };
      commands[`generate --check (${size}) ${label}`] = { args: [launcher, "generate", "--config", cfg, "--out", out, "--check"], cwd: dir };
    }
    if (!referenceMissing) commands[`reference render (${size})`] = reference(dir, slug, workers);
    const r = alternate(commands);
    Object.assign(results, Object.fromEntries(Object.entries(r).map(([k, v]) => [k === "node -e 0" ? `node -e 0 (${size})` : k, v])));
    for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(46)} ${fmt(v)}`);
    if (referenceMissing) console.log(`${`reference render (${size})`.padEnd(46)} ${referenceMissing}`);
    console.log("");
  }
  // import reads a cruft.json; the worker counts are its only inputs that grow.
  const cruftPath = join(ROOT, "test", "fixtures", "default", "cruft.json");
  if (existsSync(cruftPath) && process.env.BENCH_IMPORT !== "0") {
    const cruft = JSON.parse(readFileSync(cruftPath, "utf8")) as { context: { cookiecutter: Record<string, string> } };
    for (const [size, workers] of SIZES) {
      const vars = cruft.context.cookiecutter;
      if (workers > 0) for (const k of ["num_tensorflow_cpu_workers", "num_tensorflow_gpu_workers", "num_pytorch_cpu_workers", "num_pytorch_gpu_workers"]) vars[k] = String(workers / 4);
      const input = join(dir, `cruft-${size.replace(" ", "-")}.json`);
      writeFileSync(input, JSON.stringify(cruft, null, 2));
      const args = [CLI, "import", "--cruft", input, "--out", join(dir, "imported.config.ts"), "--force"];
      const probe = spawnSync(process.execPath, args, { encoding: "utf8" });
      if (probe.status !== 0) {
        console.log(`import: not measured (${probe.stderr.trim().split("\n")[0]})`);
        break;
      }
      const r = alternate({ [`import (${size})`]: { args, cwd: dir } });
      for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(46)} ${fmt(v)}`);
    }
  }
  const ratio = (a: string, b: string) => (results[a] && results[b] ? (results[a].wall / results[b].wall).toFixed(2) : "n/a");
  const cpuRatio = (a: string, b: string) => (results[a] && results[b] ? (results[a].cpu / results[b].cpu).toFixed(2) : "n/a");
  console.log(`\nratio generate(default) / node -e 0:               ${ratio("generate (default) ours", "node -e 0 (default)")}  (aim ≤ 1.5)`);
  console.log(`ratio generate(1000 workers) / generate(default): ${ratio("generate (1000 workers) ours", "generate (default) ours")}  (aim ≤ 2)`);
  console.log(`  the same by CPU time:                            ${cpuRatio("generate (default) ours", "node -e 0 (default)")} / ${cpuRatio("generate (1000 workers) ours", "generate (default) ours")}`);
  if (!referenceMissing) {
    for (const [size] of SIZES) {
      for (const cmd of ["generate", "generate, empty out", "generate --check"]) {
        console.log(`${`${cmd} (${size}) / reference render:`.padEnd(58)} wall ${ratio(`${cmd} (${size}) ours`, `reference render (${size})`)}  (aim ≤ 0.5)`);
      }
    }
  }
  console.log(`peak RSS generate(1000 workers):                  ${results["generate (1000 workers) ours"]?.rssMiB.toFixed(0) ?? "n/a"} MiB  (aim ≤ 100)`);
  if (BASELINE) {
    for (const [size] of SIZES) {
      for (const cmd of ["generate", "generate --check"]) {
        const k = `${cmd} (${size})`;
        console.log(`${`${k} ours / baseline:`.padEnd(49)} wall ${ratio(`${k} ours`, `${k} baseline`)}   CPU ${cpuRatio(`${k} ours`, `${k} baseline`)}`);
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
