/**
 * The dioptra-deploy command line. Exit codes (other tools rely on them):
 * 0 success; 1 invalid config, stale output under --check, or a failed
 * write; 2 usage error (unknown flag, missing config file).
 */
import { relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, formatIssue, type Issue } from "../dsl/errors.js";

export class UsageError extends Error {
  override readonly name = "UsageError";
}

const USAGE = `usage:
  dioptra-deploy generate [--config FILE] [--out DIR] [--check] [--debug]
  dioptra-deploy import --cruft FILE --out CONFIG.ts [--compose OVERRIDE.yml] [--force]
  dioptra-deploy set [KEY=VALUE...] [--unset KEY...] [--config FILE]`;

type Io = { out: (s: string) => void; err: (s: string) => void };

async function generate(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: "string", default: "deployment.config.ts" },
      out: { type: "string", default: "out" },
      check: { type: "boolean", default: false },
      debug: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const { loadConfig } = await import("./load-config.js");
  const { synth } = await import("../generators/index.js");
  const d = await loadConfig(values.config, { warn: (m) => io.err(`warning: ${m}`) });
  const { spec, issues } = d.resolve();
  if (!spec) throw new ConfigError(await locate(values.config, issues));
  const { securityAudit } = await import("../generators/security-audit.js");
  for (const w of securityAudit(spec)) io.err(`warning: ${w}`);
  let files;
  try {
    files = synth(spec);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(await locate(values.config, e.issues), e.message);
    throw e;
  }
  const outDir = resolve(values.out);
  const rel = relative(process.cwd(), outDir);
  const shown = rel === "" ? "." : rel.startsWith("..") ? outDir : rel;
  if (values.check) {
    const { checkOut } = await import("../generators/write.js");
    const drift = await checkOut(files, outDir);
    if (drift.length === 0) {
      io.out(`${shown}/ is up to date (${files.length} files)`);
      return 0;
    }
    for (const d of drift) io.out(d.diff.trimEnd());
    io.err(`${shown}/ is stale: ${drift.length} file${drift.length === 1 ? "" : "s"} differ (${drift.map((d) => `${d.path}: ${d.kind}`).join(", ")}); run \`npm run generate\``);
    return 1;
  }
  const { writeOut } = await import("../generators/write.js");
  const report = writeOut(files, outDir);
  for (const w of report.warnings) io.err(`warning: ${w}`);
  if (report.written.length === 0 && report.removed.length === 0) io.out(`${shown}/ is up to date (${files.length} files)`);
  else io.out(`${shown}/: ${report.written.length} written, ${report.removed.length} removed (${files.length} generated files)`);
  return 0;
}

/**
 * Points each problem at the property that set it in the config (the error
 * path only: this parses the config with ts-morph). Problems it cannot place
 * keep the location the DSL recorded, the call that made the deployment.
 */
async function locate(configFile: string, issues: readonly Issue[]): Promise<Issue[]> {
  const { locateSetting } = await import("../config-edit/config-ast.js");
  const abs = resolve(configFile);
  const located = issues.map((i) => {
    const pos = /^[a-zA-Z]/.test(i.path) && !i.path.includes(": ") ? locateSetting(abs, i.path) : undefined;
    return { issue: pos ? { ...i, location: `${abs}:${pos.line}:${pos.column}` } : i, line: pos?.line ?? Number.MAX_SAFE_INTEGER, column: pos?.column ?? 0 };
  });
  // In the order they appear in the file, as a compiler lists them.
  return located.sort((a, b) => a.line - b.line || a.column - b.column).map((l) => l.issue);
}

/** `file:line:col` relative to the working directory when the file is under it. */
function shortLocation(issue: Issue): Issue {
  if (!issue.location) return issue;
  const rel = relative(process.cwd(), issue.location);
  return rel.startsWith("..") ? issue : { ...issue, location: rel };
}

/** Runs the CLI; returns the exit code. Never throws. */
export async function main(argv: string[], io: Io = { out: (s) => console.log(s), err: (s) => console.error(s) }): Promise<number> {
  const [command, ...rest] = argv;
  const debug = rest.includes("--debug");
  try {
    switch (command) {
      case "generate":
        return await generate(rest, io);
      case "import":
        return await (await import("./commands/import.js")).run(rest, io);
      case "set":
        return await (await import("./commands/set.js")).run(rest, io);
      case "-h":
      case "--help":
      case "help":
        io.out(USAGE);
        return 0;
      default:
        throw new UsageError(command === undefined ? "no command given" : `unknown command ${JSON.stringify(command)}`);
    }
  } catch (e) {
    return report(e, io, debug);
  }
}

function report(e: unknown, io: Io, debug: boolean): number {
  const err = e as Error & { code?: string };
  if (e instanceof ConfigError) {
    for (const issue of e.issues) io.err(formatIssue(shortLocation(issue)));
    io.err(`error: ${e.message}`);
    return 1;
  }
  if (e instanceof UsageError || err.code?.startsWith("ERR_PARSE_ARGS") || err.name === "ConfigMissingError") {
    io.err(`error: ${err.message}`);
    io.err(USAGE);
    return 2;
  }
  if (err.name === "ConfigLoadError" || err.name === "WriteError") {
    io.err(`error: ${err.message}`);
    if (debug) io.err(err.stack ?? "");
    return 1;
  }
  io.err(`error: ${err?.message ?? String(e)}${debug ? `\n${err?.stack ?? ""}` : " (run with --debug for details)"}`);
  return 1;
}
