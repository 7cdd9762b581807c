/**
 * `dioptra-deploy new [DIR]`: the command line of app/new.ts, which starts a
 * deployment repository (config, tsconfig, package.json scripts, .gitignore,
 * CI) without overwriting anything.
 */
import { join } from "node:path";
import { shellWord } from "../../app/shell-word.js";
import { COMMON_FLAGS, EXIT, UsageError, parseCommandLine, type CommandSpec, type Io } from "../io.js";

export const spec = {
  name: "new",
  summary: "start a deployment repository: config, tsconfig, package.json scripts, .gitignore, CI",
  usage: "dioptra-deploy new [DIR]",
  description: [
    "Writes deployment.config.ts (the defaults, stated and commented), a strict tsconfig.json,",
    ".gitignore, a GitHub Actions workflow and a GitLab CI job that run `generate --check`, and",
    "adds the scripts, the module type and the packages the config needs to package.json",
    "(created when missing). An existing file among them stops it before anything is written;",
    "package.json only gains what it lacks.",
  ].join("\n"),
  positionals: { name: "DIR", help: "the repository's folder (default: the current folder)" },
  options: { ...COMMON_FLAGS },
  examples: ["dioptra-deploy new", "dioptra-deploy new lab-deployment"],
} satisfies CommandSpec;

/** Runs `new`; returns the exit code, or throws what cli/io.ts maps to one. */
export async function run(argv: string[], io: Io): Promise<number> {
  const args = parseCommandLine(spec, argv, io);
  if (!args) return EXIT.ok;
  if (args.positionals.length > 1) throw new UsageError(`new takes one folder, got ${args.positionals.length}`);
  const dir = args.positionals[0] ?? ".";
  const { scaffold } = await import("../../app/new.js");
  const report = scaffold(dir);
  for (const f of report.created) io.out(`created ${join(dir, f)}`);
  if (report.packageJson.length > 0) io.out(`${join(dir, "package.json")}: added ${report.packageJson.join(", ")}`);
  for (const k of report.kept) io.err(`warning: ${k}`);
  io.out(`next: ${dir === "." ? "" : `cd ${shellWord(dir)} && `}npm install && npx dioptra-deploy generate`);
  return EXIT.ok;
}
