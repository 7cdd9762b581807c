/**
 * End-to-end test: boots generated deployments on a real Docker engine.
 *
 *   npm run test:e2e [-- OPTIONS]
 *
 * For each scenario (test/e2e/configs: default, tls, gpu, swarm) it generates the
 * deployment into a temp folder, runs its init-deployment.sh --offline,
 * `docker-compose up -d`, waits until every service is healthy, checks the
 * deployment as a user would (test/e2e/checks.ts) and tears it down. The
 * swarm scenario deploys the Swarm target on three engines in containers
 * instead (test/e2e/swarm.ts). The
 * images are built locally (test/e2e/images.ts) and cached between runs.
 * See test/e2e/README.md.
 *
 * Options:
 *   --scenario a,b        scenarios to run (default: default,tls,gpu,swarm)
 *   --break MODE          corrupt the generated deployment (on the scenario the
 *                         mode needs) and pass only if the assertion the mode
 *                         names catches it (test/e2e/breaks.ts)
 *   --list-breaks         print the break modes, one a line
 *   --real-intervals      keep the generated healthcheck intervals (30 s)
 *                         instead of checking every 2 s
 *   --keep                keep the temp folders (deployments, logs)
 *   --health-timeout S    seconds to wait for healthy (default 300)
 * Environment: DIOPTRA_E2E_CACHE (default /var/cache/dioptra-deploy-e2e).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Checker, checkCanary, checkDeployment } from "./checks.js";
import { checkPostgresLayout } from "./checks-postgres.js";
import { Deployment, HealthError } from "./deployment.js";
import { SCENARIOS, type Scenario } from "./scenarios.js";
import { BREAKS } from "./breaks.js";
import { ensureEngine, type Engine } from "./engine.js";
import { checkJobs } from "./job-roundtrip.js";
import { composeJobTarget, swarmJobTarget } from "./job-targets.js";
import { Images, RELEASE_KINDS, imageKinds, type Kind } from "./images.js";
import { SwarmDeployment, checkSwarm } from "./swarm.js";
import { CommandError, Timings, killRunning, log, run, seconds } from "./util.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CACHE = process.env.DIOPTRA_E2E_CACHE || "/var/cache/dioptra-deploy-e2e";

type BreakMode = keyof typeof BREAKS;

interface Options {
  scenarios: Scenario[];
  breakMode?: BreakMode;
  realIntervals: boolean;
  keep: boolean;
  healthTimeoutMs: number;
}

function usage(msg: string): never {
  console.error(`test:e2e: ${msg}`);
  process.exit(2);
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { scenarios: [...SCENARIOS], realIntervals: false, keep: false, healthTimeoutMs: 300_000 };
  let chosen = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => argv[++i] ?? usage(`${a} needs a value`);
    if (a === "--scenario") {
      const ids = value().split(",");
      o.scenarios = ids.map((id) => SCENARIOS.find((s) => s.id === id) ?? usage(`unknown scenario ${id} (${SCENARIOS.map((s) => s.id).join(", ")})`));
      chosen = true;
    } else if (a === "--break") {
      const m = value();
      if (!(m in BREAKS)) usage(`unknown --break mode ${m} (${Object.keys(BREAKS).join(", ")})`);
      o.breakMode = m as BreakMode;
    } else if (a === "--list-breaks") {
      console.log(Object.keys(BREAKS).join("\n"));
      process.exit(0);
    } else if (a === "--real-intervals") o.realIntervals = true;
    else if (a === "--keep") o.keep = true;
    else if (a === "--health-timeout") o.healthTimeoutMs = Number(value()) * 1000;
    else if (a === "-h" || a === "--help") {
      console.log(`usage: npm run test:e2e -- [--scenario ${SCENARIOS.map((s) => s.id).join(",")}] [--break ${Object.keys(BREAKS).join("|")}] [--real-intervals] [--keep] [--list-breaks] [--health-timeout S]`);
      process.exit(0);
    } else usage(`unknown option ${a}`);
  }
  if (o.breakMode && !chosen) o.scenarios = [SCENARIOS.find((s) => s.id === BREAKS[o.breakMode!]!.scenario)!];
  if (!(o.healthTimeoutMs > 0)) usage("--health-timeout must be a positive number of seconds");
  return o;
}

async function requireTools(): Promise<void> {
  const missing: string[] = [];
  for (const [tool, args] of [["docker", ["--version"]], ["bash", ["--version"]], ["openssl", ["version"]], ["debootstrap", ["--version"]]] as const) {
    if ((await run(tool, args)).status !== 0) missing.push(tool);
  }
  if (missing.length) throw new Error(`missing ${missing.join(", ")} (Debian: apt-get install docker.io openssl debootstrap)`);
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const timings = new Timings();
  const runId = `${Date.now().toString(36).slice(-5)}${Math.random().toString(36).slice(2, 5)}`;
  const runRoot = mkdtempSync(join(tmpdir(), `dioptra-e2e-${runId}-`));
  // A break run judges one corruption: the second init (reinit) proves nothing more there.
  const scenarios = opts.breakMode ? opts.scenarios.map((s) => ({ ...s, reinit: false })) : opts.scenarios;
  const deployments = scenarios.map((s) => (s.swarm ? new SwarmDeployment({ ...s, swarm: s.swarm }, runRoot, runId, ROOT) : new Deployment(s, runRoot, runId, ROOT)));
  const checkers: Checker[] = [];
  let engine: Engine | undefined;
  let detected: string | undefined;
  let failure: unknown;

  /** Inits under way or done, by deployment (the next one's runs during the current one's checks). */
  const inits = new Map<Deployment, Promise<void>>();
  const cleanup = async () => {
    await Promise.allSettled(inits.values()); // never tear down under a running init
    for (const d of deployments) {
      if (d.tornDown && !(d instanceof SwarmDeployment)) continue; // a swarm's may still be under way: wait for it
      const problems = await d.teardown(opts.keep);
      for (const p of problems) log(`teardown ${d.scenario.id}: ${p}`);
    }
    if (!opts.keep) rmSync(runRoot, { recursive: true, force: true });
    else log(`kept ${runRoot}`);
    await engine?.stop();
  };
  let interrupted = false;
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.on(sig, () => {
      if (interrupted) return;
      interrupted = true;
      log(`${sig}: tearing down`);
      killRunning(); // deploy-stack.sh, init, a wait: none should outlive the run
      void cleanup().finally(() => process.exit(130));
    });
  }

  log(`run ${runId}: scenarios ${opts.scenarios.map((s) => s.id).join(", ")}${opts.breakMode ? `, --break ${opts.breakMode}` : ""}; temp ${runRoot}; cache ${CACHE}`);
  try {
    await requireTools();
    engine = await timings.time("engine start", () => ensureEngine(join(CACHE, "engine")), (e) => (e.started ? `started dockerd ${e.serverVersion}` : `engine ${e.serverVersion} was running`));
    await timings.time("generate", async () => {
      for (const d of deployments) {
        await d.generate();
        if (opts.breakMode) {
          BREAKS[opts.breakMode]!.apply(d);
          log(`${d.scenario.id}: corrupted the generated deployment (--break ${opts.breakMode})`);
        }
      }
    }, () => `${deployments.length} deployment(s)`);

    const images = new Images(join(ROOT, "test", "e2e", "images"), CACHE);
    const names = new Map<string, Kind>();
    const releases = new Map<string, string>();
    for (const d of deployments) {
      for (const [ref, kind] of imageKinds(d.main, d.init, d.slug)) {
        names.set(ref, kind);
        if (!RELEASE_KINDS.includes(kind)) continue;
        if (releases.has(ref) && releases.get(ref) !== d.scenario.release) throw new Error(`${ref} is used by Dioptra ${releases.get(ref)} and ${d.scenario.release} deployments`);
        releases.set(ref, d.scenario.release);
      }
    }
    // The two rootfs builds (debootstrap, mostly downloads) overlap when both are cold.
    const [report] = await Promise.all([
      timings.time("images (build or cache)", () => images.prepare(names, releases), (r) =>
        `base ${r.base}; built ${r.built.length ? r.built.join(" ") : "none"}; cached ${r.cached.length}; pruned ${r.pruned}`,
      ),
      timings.time("engine host image (build or cache)", () => images.ensureEngine(), (how) => `${images.engineTag} (rootfs ${how})`),
    ]);
    // One tarball for every engine host; the helper image (redis-cli, a shell) and psql's go too.
    const imagesTar = await timings.time("images save (or cache) for the engine hosts", () => images.saved([...new Set(report.aliases.values()), images.baseTag, images.kindTag("postgres")]));
    for (const d of deployments) {
      const aliases = new Map([...imageKinds(d.main, d.init, d.slug).keys()].map((ref) => [ref, report.aliases.get(ref)!]));
      d.setup = { engineImage: images.engineTag, imagesTar, aliases, timings };
    }

    // One deployment up at a time: they publish the same host ports. The next
    // deployment's init (no host ports) runs while the current one is checked;
    // all inits at once were slower than one after the other on 2 cores.
    const startInit = (d: Deployment, during?: Deployment) => {
      const start = Date.now();
      const label = `${d.scenario.id}: init${during ? ` (during ${during.scenario.id})` : ""}`;
      const p = d.runInit().then(
        () => timings.add(label, Date.now() - start),
        (e: unknown) => {
          timings.add(label, Date.now() - start, "FAILED");
          throw e;
        },
      );
      p.catch(() => {}); // awaited below; this only keeps an early failure from being "unhandled"
      inits.set(d, p);
    };
    for (const [i, d] of deployments.entries()) {
      const id = d.scenario.id;
      const c = new Checker(id);
      checkers.push(c);
      try {
        if (!inits.has(d)) startInit(d);
        log(`── ${id}: init`);
        await inits.get(d);
        const next = deployments[i + 1];
        if (next) startInit(next, d);
        if (d instanceof SwarmDeployment) {
          await timings.time(`${id}: deploy-stack.sh (converged)`, () => d.up(opts.realIntervals, opts.healthTimeoutMs));
          await timings.time(`${id}: job round trip`, async () => {
            // A worker without a running task is the assertions' finding, not the run's error.
            const target = await swarmJobTarget(d).catch((e: unknown) => void c.failures.push(`${id}: job round trip: the workers' tasks: ${e instanceof Error ? e.message : String(e)}`));
            if (target) await checkJobs(target, c);
          }, () => `${c.passed} passed, ${c.failures.length} failed`);
          await timings.time(`${id}: assertions (placement, GPUs, overlay, drain)`, () => checkSwarm(d, c), () => `${c.passed} passed, ${c.failures.length} failed`);
        } else {
          await timings.time(`${id}: up + healthy`, async () => {
            await d.up(opts.realIntervals);
            await d.waitHealthy(opts.healthTimeoutMs);
          });
          const ctx = { deployment: d, helperImage: images.baseTag, psqlImage: images.kindTag("postgres") };
          await timings.time(`${id}: assertions`, async () => {
            await checkDeployment(ctx, c);
            await checkJobs(await composeJobTarget(d), c);
            if (d.postgresMajor() >= 18) await checkPostgresLayout(ctx, c);
            if (d.scenario.canary && !opts.breakMode) await checkCanary(ctx, c);
          }, () => `${c.passed} passed, ${c.failures.length} failed`);
        }
      } catch (e) {
        if (!(e instanceof HealthError || e instanceof CommandError)) throw e;
        c.failures.push(e.message);
        log(e.message);
      } finally {
        await timings.time(`${id}: teardown`, async () => {
          const problems = await d.teardown(opts.keep);
          if (d instanceof SwarmDeployment) {
            await c.check("teardown leaves no stack, swarm, node container, volume or network behind", () => {
              if (problems.length) throw new Error(problems.join("; "));
            });
          } else for (const p of problems) c.failures.push(`teardown: ${p}`);
        });
      }
      // Caught only by the assertion the mode names: any other failure does not count.
      const hit = opts.breakMode ? c.failures.find((f) => BREAKS[opts.breakMode!]!.match.test(f)) : undefined;
      if (hit) detected = hit.split("\n")[0];
      else if (opts.breakMode && c.failures.length > 0) log(`--break ${opts.breakMode}: failures, but none by ${BREAKS[opts.breakMode]!.caughtBy}`);
    }
  } catch (e) {
    failure = e;
  } finally {
    const stopStart = Date.now();
    await cleanup();
    if (engine?.started) timings.add("engine stop", Date.now() - stopStart);
  }

  timings.print(Date.now() - t0);
  const passed = checkers.reduce((n, c) => n + c.passed, 0);
  const failed = checkers.reduce((n, c) => n + c.failures.length, 0) + (failure ? 1 : 0);
  if (failure) console.error(`\ne2e: ERROR: ${failure instanceof Error ? failure.message : String(failure)}`);
  if (opts.breakMode) {
    if (failure) {
      console.log(`\ne2e --break ${opts.breakMode}: the run failed before it could judge the deployment`);
      return 1;
    }
    if (detected) {
      console.log(`\ne2e --break ${opts.breakMode}: DETECTED, as it must be: ${detected}`);
      console.log(`break-${opts.breakMode}: 1 passed, 0 failed`);
      return 0;
    }
    const others = checkers.flatMap((c) => c.failures);
    console.log(`\ne2e --break ${opts.breakMode}: NOT detected by ${BREAKS[opts.breakMode]!.caughtBy}: ${others.length ? `only other failures: ${others.map((f) => f.split("\n")[0]).join("; ")}` : "the corrupted deployment passed every check"}`);
    console.log(`break-${opts.breakMode}: 0 passed, 1 failed`);
    return 1;
  }
  for (const c of checkers) for (const f of c.failures) console.error(`FAILED ${f.split("\n")[0]}`);
  console.log(`\ne2e: ${passed} passed, ${failed} failed (${seconds(Date.now() - t0)})`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
