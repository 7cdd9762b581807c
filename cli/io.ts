/**
 * The plumbing every command shares: where output goes (and whether it may
 * be coloured), how command lines are parsed and explained (`--help`), and
 * the one mapping from errors to exit codes. Exit codes, which scripts rely
 * on: 0 success; 1 invalid input (config, variables, override file), stale
 * output under --check, a refused or failed write; 2 usage error (unknown
 * flag or command, missing required flag, missing config file).
 */
import { parseArgs } from "node:util";
import { ConfigError, formatIssue, type Issue } from "../dsl/errors.js";
import { relative } from "node:path";

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Where a command prints; `color` says which streams take ANSI colours. */
export interface Io {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  readonly color?: { readonly out: boolean; readonly err: boolean };
}

/** A mistake in how the command was called: printed with the usage line, exit 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Input the user can fix (a file's contents, a refused write): printed as is, exit 1, no stack. */
export class InputError extends Error {
  override readonly name = "InputError";
  /** Lines printed before the `error:` line (one per problem). */
  constructor(message: string, readonly details: readonly string[] = []) {
    super(message);
  }
}

const ESC = "\u001b[";
const paint = (code: string, s: string) => `${ESC}${code}m${s}${ESC}0m`;
export const red = (s: string) => paint("31", s);
export const green = (s: string) => paint("32", s);
export const yellow = (s: string) => paint("33", s);
export const cyan = (s: string) => paint("36", s);
export const bold = (s: string) => paint("1", s);

/** Colours for a terminal only: never in a pipe or file, never with NO_COLOR set (https://no-color.org). */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return stream.isTTY === true && env.TERM !== "dumb";
}

/** `error:` in red, `warning:` in yellow; the rest of the line as it is. */
export function paintMessage(line: string): string {
  return line.replace(/^(error|warning):/, (m, kind: string) => (kind === "error" ? bold(red(m)) : bold(yellow(m))));
}

/** A unified diff with removed lines red, added lines green and hunk headers cyan. */
export function paintDiff(diff: string): string {
  return diff
    .split("\n")
    .map((l) => (/^(---|\+\+\+) /.test(l) ? bold(l) : l.startsWith("@@") ? cyan(l) : l.startsWith("-") ? red(l) : l.startsWith("+") ? green(l) : l))
    .join("\n");
}

/** The process's own stdout and stderr. */
export function terminalIo(): Io {
  const color = { out: wantsColor(process.stdout), err: wantsColor(process.stderr) };
  return {
    out: (s) => console.log(s),
    err: (s) => console.error(color.err ? s.split("\n").map(paintMessage).join("\n") : s),
    color,
  };
}

/** A flag: what parseArgs needs, plus how `--help` shows it. */
export interface Flag {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly multiple?: boolean;
  readonly default?: string | boolean | string[];
  /** The value's placeholder in help (`FILE`); none for a boolean flag. */
  readonly value?: string;
  readonly help: string;
}

/** A command's name, usage line, description and flags: its parser and its `--help` page in one table. */
export interface CommandSpec<O extends Readonly<Record<string, Flag>> = Readonly<Record<string, Flag>>> {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly description: string;
  readonly options: O;
  /** Positional arguments and their help, when the command takes any. */
  readonly positionals?: { readonly name: string; readonly help: string };
  /** Examples shown at the end of `--help`. */
  readonly examples?: readonly string[];
}

/** Flags every command has. */
export const COMMON_FLAGS = {
  debug: { type: "boolean", default: false, help: "on an unexpected error, print its stack trace" },
  help: { type: "boolean", short: "h", default: false, help: "show this help and exit" },
} satisfies Record<string, Flag>;

/** `dioptra-deploy <command> --help`. */
export function helpText(spec: CommandSpec): string {
  const rows: [string, string][] = [];
  if (spec.positionals) rows.push([spec.positionals.name, spec.positionals.help]);
  for (const [name, f] of Object.entries(spec.options)) {
    const flag = `${f.short ? `-${f.short}, ` : ""}--${name}${f.value ? ` ${f.value}` : ""}`;
    const def = typeof f.default === "string" ? ` (default: ${f.default})` : "";
    rows.push([flag, `${f.help}${def}${f.multiple ? "; may be given more than once" : ""}`]);
  }
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  const lines = [`usage: ${spec.usage}`, "", spec.description, "", "options:", ...rows.map(([k, v]) => `  ${k.padEnd(width)}${v}`)];
  if (spec.examples?.length) lines.push("", "examples:", ...spec.examples.map((e) => `  ${e}`));
  return lines.join("\n");
}

/** True when the arguments ask for help (before any `--`). */
function asksHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === "--help" || a === "-h");
}

/**
 * Parses a command's arguments by its spec; undefined when `--help` was
 * asked for (the help is printed). Parse errors become {@link UsageError}s
 * without Node's hint about `--`, which is about positionals, not flags.
 */
export function parseCommandLine<const O extends Readonly<Record<string, Flag>>>(spec: CommandSpec<O>, argv: string[], io: Io) {
  if (asksHelp(argv)) {
    io.out(helpText(spec));
    return undefined;
  }
  try {
    return parseArgs({ args: argv, options: spec.options, strict: true as const, allowPositionals: spec.positionals !== undefined });
  } catch (e) {
    const err = e as Error & { code?: string };
    if (!err.code?.startsWith("ERR_PARSE_ARGS")) throw e;
    throw new UsageError(err.message.replace(/\. To specify a positional argument.*$/s, "").replace(/^Unknown option '([^']*)'$/, "unknown flag $1"));
  }
}

/** `file:line:col` relative to the working directory when the file is under it. */
function shortLocation(issue: Issue): Issue {
  if (!issue.location) return issue;
  const rel = relative(process.cwd(), issue.location);
  return rel.startsWith("..") ? issue : { ...issue, location: rel };
}

/**
 * Prints an error the way its kind asks and returns the exit code: the one
 * place errors become exit codes. `usage` is the failing command's usage
 * line (or the tool's).
 */
export function reportError(e: unknown, io: Io, usage: { line: string; help: string }, debug: boolean): number {
  const err = e as Error & { code?: string };
  if (e instanceof ConfigError) {
    for (const issue of e.issues) io.err(formatIssue(shortLocation(issue)));
    io.err(`error: ${e.message}`);
    return EXIT.failed;
  }
  if (e instanceof UsageError || err?.name === "ConfigMissingError") {
    io.err(`error: ${err.message}`);
    io.err(`usage: ${usage.line}`);
    io.err(`(${usage.help} lists every flag)`);
    return EXIT.usage;
  }
  if (e instanceof InputError) {
    for (const d of e.details) io.err(d);
    io.err(`error: ${e.message}`);
    return EXIT.failed;
  }
  if (err?.name === "ConfigLoadError" || err?.name === "WriteError") {
    io.err(`error: ${err.message}`);
    if (debug) io.err(err.stack ?? "");
    return EXIT.failed;
  }
  io.err(`error: ${err?.message ?? String(e)}${debug ? `\n${err?.stack ?? ""}` : " (run with --debug for details)"}`);
  return EXIT.failed;
}
