/**
 * `dioptra-deploy set KEY=VALUE... [--unset KEY]... [--config FILE]`: the
 * command line of app/set.ts, which changes settings of a
 * deployment.config.ts in place (or removes them so their defaults apply),
 * keeping its comments and layout.
 */
import { existsSync, statSync } from "node:fs";
import { formatSettingPath, parseSettingPath } from "../../config-edit/config-ast.js";
import type { Assignment, Unset } from "../../app/set.js";
import { LIMITS } from "../../dsl/limits.js";
import { clip } from "../../app/clip.js";
import { COMMON_FLAGS, EXIT, InputError, UsageError, parseCommandLine, type CommandSpec, type Io } from "../io.js";

export const spec = {
  name: "set",
  summary: "change or remove settings of deployment.config.ts in place, keeping its comments",
  usage: "dioptra-deploy set [KEY=VALUE...] [--unset KEY...] [--config FILE]",
  description: [
    "Edits only the settings named: comments and the layout of everything else keep their",
    "bytes. VALUE is read as JSON when it parses (2, false, [\"a.mount\"], {\"count\": 2}) and as",
    "text otherwise; the first reading the setting's type accepts wins. Every value is checked",
    "as generate would, and the edited file is type-checked before it replaces the config.",
  ].join("\n"),
  positionals: { name: "KEY=VALUE", help: "a setting path and its new value, e.g. nginx.serverName=dioptra.lab.org" },
  options: {
    config: { type: "string", value: "FILE", default: "deployment.config.ts", help: "the config to edit" },
    unset: { type: "string", value: "KEY", multiple: true, default: [], help: "remove a stated setting, so its default applies" },
    ...COMMON_FLAGS,
  },
  examples: ["dioptra-deploy set nginx.serverName=dioptra.lab.org workers.tensorflowGpu=2", "dioptra-deploy set --unset datasetsDirectory"],
} satisfies CommandSpec;

function parseAssignments(positionals: readonly string[], unsets: number): Assignment[] {
  if (positionals.length === 0 && unsets === 0) throw new UsageError("no KEY=VALUE or --unset KEY given");
  return positionals.map((arg) => {
    const eq = arg.indexOf("=");
    const keys = eq > 0 ? parseSettingPath(arg.slice(0, eq)) : undefined;
    if (!keys) throw new UsageError(`${JSON.stringify(clip(arg))} is not KEY=VALUE with KEY a setting path such as nginx.serverName or workers.tensorflowGpu.count`);
    // Checked before the value is parsed or tried: every try clones and validates the whole config.
    if (arg.length > LIMITS.stringLength || keys.length > LIMITS.depth)
      throw new InputError(`${clip(arg)}: ${keys.length > LIMITS.depth ? `a setting path of ${keys.length} keys; at most ${LIMITS.depth}` : `${arg.length} characters; a value has at most ${LIMITS.stringLength}`}; nothing changed`);
    return { arg, keys, raw: arg.slice(eq + 1) };
  });
}

function parseUnsets(args: readonly string[], assignments: readonly Assignment[]): Unset[] {
  return args.map((arg) => {
    const keys = parseSettingPath(arg);
    if (!keys) throw new UsageError(`--unset ${JSON.stringify(arg)}: not a setting path such as nginx.serverName or workers.tensorflowGpu`);
    const path = formatSettingPath(keys);
    if (assignments.some((a) => formatSettingPath(a.keys) === path)) throw new UsageError(`${path} is both set and unset`);
    return { arg, keys };
  });
}

/** Runs `set`; returns the exit code (0 changed or already so), or throws what cli/io.ts maps to one (1 rejected or failed). */
export async function run(argv: string[], io: Io): Promise<number> {
  const args = parseCommandLine(spec, argv, io);
  if (!args) return EXIT.ok;
  const config = args.values.config;
  const assignments = parseAssignments(args.positionals, args.values.unset.length);
  const unsets = parseUnsets(args.values.unset, assignments);
  if (!existsSync(config) || !statSync(config).isFile()) throw new UsageError(`config file ${config} not found`);
  const { setSettings } = await import("../../app/set.js");
  for (const line of await setSettings({ config, assignments, unsets }, (m) => io.err(`warning: ${m}`))) io.out(line);
  return EXIT.ok;
}
