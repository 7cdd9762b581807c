/**
 * `dioptra-deploy generate`: checks deployment.config.ts (types and values,
 * every problem in one report) and writes out/, or with --check compares
 * out/ with what it would write.
 */
import { existsSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { ConfigError, type Issue } from "../../dsl/errors.js";
import { COMPOSE_FOREIGN_FILES } from "../../generators/compose/foreign-files.js";
import type { OutFile } from "../../generators/out-file.js";
import type { ProtectedDir, WriteReport } from "../../writer/index.js";
import { projectDir } from "../project.js";
import { fixCommand, generateCommand } from "../generate-command.js";
import { systemAndHomeFolders } from "../out-folder.js";
import { COMMON_FLAGS, EXIT, InputError, UsageError, paintDiff, parseCommandLine, type CommandSpec, type Io } from "../io.js";

export const spec = {
  name: "generate",
  summary: "check deployment.config.ts and write the deployment folder (out/)",
  usage: "dioptra-deploy generate [--config FILE] [--out DIR] [--check] [--adopt] [--force]",
  description: [
    "Checks the config (TypeScript types and every setting, all problems at once) and writes",
    "the Compose files, nginx configs, env files and init scripts to the output folder. Only",
    "files dioptra-deploy generated there are replaced or removed; a file in the way that it did",
    "not generate, or that was edited by hand, stops the run until --adopt or --force says",
    "what to do, and then the original is kept in DIR/.dioptra-backup/<time>/. A folder",
    "generated from another config is refused, naming both, until --force.",
  ].join("\n"),
  options: {
    config: { type: "string", value: "FILE", default: "deployment.config.ts", help: "the deployment config to generate from" },
    out: { type: "string", value: "DIR", help: "the folder to write (default: out beside the config); not the project folder itself" },
    check: { type: "boolean", default: false, help: "write nothing; show how DIR differs from the config (exit 1 when it does)" },
    adopt: { type: "boolean", default: false, help: "take over files in DIR that dioptra-deploy did not generate, after a backup" },
    force: { type: "boolean", default: false, help: "replace generated files that were edited by hand, or another config's folder, after a backup" },
    ...COMMON_FLAGS,
  },
  examples: ["dioptra-deploy generate", "dioptra-deploy generate --check", "dioptra-deploy generate --config lab.config.ts --out lab-out"],
} satisfies CommandSpec;

/** Folders --out must neither be nor contain. */
function protectedDirs(configFile: string): ProtectedDir[] {
  const configDir = dirname(resolve(configFile));
  const project = projectDir(configDir);
  return [{ path: configDir, what: "the config's folder" }, ...(project ? [{ path: project, what: "the project folder" }] : []), ...systemAndHomeFolders()];
}

/**
 * Points each problem at the property that set it in the config (the error
 * path only: this parses the config with ts-morph). Problems it cannot place
 * keep the location the DSL recorded, the call that made the deployment.
 */
async function locate(configFile: string, issues: readonly Issue[]): Promise<Issue[]> {
  const { locateSetting } = await import("../../config-edit/config-ast.js");
  const abs = resolve(configFile);
  return issues.map((i) => {
    const pos = /^[a-zA-Z]/.test(i.path) && !i.path.includes(": ") ? locateSetting(abs, i.path) : undefined;
    return pos ? { ...i, location: `${abs}:${pos.line}:${pos.column}` } : i;
  });
}

/** `file`, line and column of an issue's location, for sorting. */
function position(i: Issue): [string, number, number] {
  const m = /^(.*):(\d+):(\d+)$/.exec(i.location ?? "");
  return m ? [m[1]!, Number(m[2]), Number(m[3])] : [i.location ?? "", Number.MAX_SAFE_INTEGER, 0];
}

/**
 * Type errors and validation errors as one list, in the order they appear
 * (the config first, then files it imports), as a compiler lists them. A
 * validation error at the very spot of a type error (the same property)
 * says the same thing in other words, so the compiler's is kept.
 */
export function oneReport(configFile: string, typeIssues: readonly Issue[], validation: readonly Issue[]): Issue[] {
  const config = resolve(configFile);
  const spot = (i: Issue) => position(i).join(":");
  const typed = new Set(typeIssues.map(spot));
  const all = [...typeIssues, ...validation.filter((i) => !typed.has(spot(i)))];
  const key = (i: Issue) => {
    const [file, line, column] = position(i);
    return { first: file === config ? 0 : 1, file, line, column };
  };
  return all
    .map((i) => ({ i, k: key(i) }))
    .sort((a, b) => a.k.first - b.k.first || a.k.file.localeCompare(b.k.file) || a.k.line - b.k.line || a.k.column - b.k.column)
    .map((x) => x.i);
}

function summary(shown: string, files: number, report: WriteReport): string {
  if (report.written.length === 0 && report.removed.length === 0) return `${shown}/ is up to date (${files} files)`;
  return `${shown}/: ${report.written.length} written, ${report.removed.length} removed (${files} generated files)`;
}

/**
 * The files generate would write for a config: checked (types and values,
 * every problem located, in one ConfigError) and audited (warnings printed).
 */
export async function filesOfConfig(configFile: string, io: Io): Promise<OutFile[]> {
  const { loadConfigAndTypes } = await import("../load-config.js");
  const { synth } = await import("../../generators/index.js");
  const { deployment, typeIssues } = await loadConfigAndTypes(configFile, { warn: (m) => io.err(`warning: ${m}`) });
  const { spec: resolved, issues } = deployment.resolve();
  if (!resolved || typeIssues.length > 0) {
    const { suggestion } = await import("../../app/did-you-mean.js");
    const suggested = issues.map((i) => ({ ...i, message: `${i.message}${suggestion(i)}` }));
    const all = oneReport(configFile, typeIssues, await locate(configFile, suggested));
    throw new ConfigError(all, `${configFile}: ${all.length} problem${all.length === 1 ? "" : "s"}; nothing written`);
  }
  const { securityAudit } = await import("../../generators/security-audit.js");
  for (const w of securityAudit(resolved)) io.err(`warning: ${w}`);
  try {
    return synth(resolved);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(await locate(configFile, e.issues), e.message);
    throw e;
  }
}

/**
 * The config as the manifest records it: its path relative to the output
 * folder, with "/", so the same config and folder give the same bytes from
 * any working folder.
 */
export const configOfOut = (configFile: string, outDir: string) => relative(outDir, resolve(configFile)).split(sep).join("/");

/** How to print a folder: relative to the working directory when under it. */
export function shownDir(outDir: string): string {
  const rel = relative(process.cwd(), outDir);
  return rel === "" ? "." : rel.startsWith("..") ? outDir : rel;
}

/**
 * What `generate` and `plan` share: a checked --out, and the files the
 * config generates (or every problem of the config at once).
 */
export async function filesAndOut(values: { readonly config: string; readonly out?: string | undefined }, io: Io): Promise<{ files: OutFile[]; outDir: string }> {
  if (values.out?.trim() === "") throw new UsageError("--out needs a folder name, such as out");
  // Beside the config: a second config in another folder never writes into the first one's out/.
  return { files: await filesOfConfig(values.config, io), outDir: resolve(values.out ?? join(dirname(values.config), "out")) };
}

/** Stops before anything is written when the config would strand the deployment's data (app/changes.ts). */
async function refuseDataChanges(files: readonly OutFile[], outDir: string, configFile: string): Promise<void> {
  const { lifecycleChanges, refusals } = await import("../../app/lifecycle-check.js");
  const issues = await refusals(lifecycleChanges(files, outDir), configFile);
  if (issues.length > 0)
    throw new ConfigError(issues, `${configFile}: ${issues.length} change${issues.length === 1 ? "" : "s"} would strand the deployment's data; nothing written (\`npx dioptra-deploy plan\` lists every change)`);
}

export async function run(argv: string[], io: Io): Promise<number> {
  const args = parseCommandLine(spec, argv, io);
  if (!args) return EXIT.ok;
  const { values } = args;
  const { files, outDir } = await filesAndOut(values, io);
  const shown = shownDir(outDir);
  const write = await import("../../writer/index.js");
  if (values.check) {
    if (!existsSync(outDir)) throw new InputError(`${shown}/ does not exist: nothing was generated there yet; run \`${generateCommand(values)}\``);
    const drift = await write.checkOut(files, outDir, { config: configOfOut(values.config, outDir) });
    if (drift.length === 0) {
      io.out(`${shown}/ is up to date (${files.length} files)`);
      return EXIT.ok;
    }
    for (const d of drift) if (d.diff !== "") io.out(io.color?.out ? paintDiff(d.diff.trimEnd()) : d.diff.trimEnd());
    const manifest = new Map(write.readOutManifest(outDir).entries.map((e) => [e.path, e.sha256]));
    io.err(
      `error: ${shown}/ is stale: ${drift.length === 1 ? "1 file differs" : `${drift.length} files differ`} (${drift.map((d) => `${d.path}: ${d.kind}`).join(", ")}); run ${fixCommand(values, drift, outDir, manifest)}`,
    );
    return EXIT.failed;
  }
  await refuseDataChanges(files, outDir, values.config);
  let report: WriteReport;
  try {
    report = write.writeOut(files, outDir, {
      adopt: values.adopt,
      force: values.force,
      protect: protectedDirs(values.config),
      foreign: COMPOSE_FOREIGN_FILES,
      config: configOfOut(values.config, outDir),
    });
  } catch (e) {
    if (!(e instanceof write.WriteConflictError)) throw e;
    const edited = e.conflicts.filter((c) => c.kind === "edited");
    for (const c of edited) io.out(io.color?.out ? paintDiff(c.diff.trimEnd()) : c.diff.trimEnd());
    throw new InputError(
      e.message,
      e.conflicts.map((c) =>
        c.kind === "foreign"
          ? `${join(shown, c.path)}: exists and was not generated by dioptra-deploy`
          : `${join(shown, c.path)}: edited by hand since it was generated (diff above: - yours, + generated)`,
      ),
    );
  }
  for (const w of report.warnings) io.err(`warning: ${w}`);
  if (report.backup !== undefined) io.out(`${shown}/: kept the originals of ${report.backedUp.join(", ")} in ${join(shown, report.backup)}/`);
  io.out(summary(shown, files.length, report));
  return EXIT.ok;
}
