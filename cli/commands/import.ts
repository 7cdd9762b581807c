/**
 * `dioptra-deploy import --cruft FILE --out CONFIG.ts [--compose OVERRIDE] [--force]`:
 * turns the variables of a cookiecutter deployment (a .cruft.json, a
 * replay/context file, or a flat object of variables), and optionally its
 * hand-edited docker-compose.override.yml, into a deployment.config.ts that
 * states only what differs from the template's defaults. The file is built
 * with ts-morph, formatted with prettier, loaded (and type-checked) once to
 * prove it gives the same settings, and then renamed into place.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
// A static import: esbuild's chunk for a lazily imported CommonJS module exports only `default`.
import { parse } from "yaml";
import type { DeploymentProps } from "../../dsl/props.js";
import { resolveDeployment } from "../../validation/resolve.js";
import { sameData, writeConfigAtomically } from "../../config-edit/config-edit.js";
import { countSettings, renderConfig, type ImportSource } from "../../config-edit/config-writer.js";
import { extractVariables, fromCookiecutter } from "../../importers/cookiecutter-vars.js";
import { fromOverride } from "../../importers/override-import.js";
import { ReleaseUnknownError, releaseOf } from "../../importers/release.js";
import { COMMON_FLAGS, EXIT, InputError, UsageError, parseCommandLine, type CommandSpec, type Io } from "../io.js";

export const spec = {
  name: "import",
  summary: "turn a cookiecutter deployment's variables (and override file) into deployment.config.ts",
  usage: "dioptra-deploy import --cruft FILE --out CONFIG.ts [--compose docker-compose.override.yml] [--dioptra 1.0|1.1] [--force]",
  description: [
    "Reads the variables of a deployment made with Dioptra's cookiecutter template and writes a",
    "config that states only what differs from the template's defaults. With --compose, the",
    "hand-edited override file becomes typed mounts, GPUs, volumes and containers. The config is",
    "loaded and type-checked before it is put in place; on any problem nothing is written.",
  ].join("\n"),
  options: {
    cruft: { type: "string", value: "FILE", help: "a .cruft.json, a cookiecutter replay file, or a JSON object of template variables (required)" },
    out: { type: "string", value: "CONFIG.ts", help: "the config file to write (required)" },
    compose: { type: "string", value: "FILE", help: "the deployment's hand-edited docker-compose.override.yml, to import as well" },
    dioptra: { type: "string", value: "1.0|1.1", help: "the Dioptra release the deployment runs; needed when FILE records no known template commit" },
    force: { type: "boolean", default: false, help: "replace CONFIG.ts if it exists" },
    ...COMMON_FLAGS,
  },
  examples: ["dioptra-deploy import --cruft ../my-deployment/.cruft.json --compose ../my-deployment/docker-compose.override.yml --out deployment.config.ts"],
} satisfies CommandSpec;

/** Text that prints on one line: no control characters or line breaks, at most 2048 characters. */
const PRINTABLE = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]{1,2048}$/;

/**
 * What the metadata of a .cruft.json or replay file may hold. It is written
 * into the new config's header comment, so a value it cannot be (a control
 * character, a `*​/`, a commit that is no commit id) means the file was not
 * written by cruft or cookiecutter, and it is refused. Whatever passes is
 * still escaped by the header's writer.
 */
const SOURCE_FIELDS: readonly { readonly key: keyof Omit<ImportSource, "file" | "compose">; readonly from: "file" | "variables"; readonly name: string; readonly ok: (v: string) => boolean; readonly what: string }[] = [
  { key: "template", from: "file", name: "template", ok: (v) => PRINTABLE.test(v) && !v.includes("*/"), what: "a template URL or path (one line, no \"*/\")" },
  { key: "template", from: "variables", name: "_template", ok: (v) => PRINTABLE.test(v) && !v.includes("*/"), what: "a template URL or path (one line, no \"*/\")" },
  { key: "directory", from: "file", name: "directory", ok: (v) => PRINTABLE.test(v) && !v.includes("*/"), what: "a folder in the template's repository (one line, no \"*/\")" },
  { key: "commit", from: "file", name: "commit", ok: (v) => /^[0-9a-fA-F]{7,64}$/.test(v), what: "a git commit id (7 to 64 hex digits)" },
  { key: "checkout", from: "file", name: "checkout", ok: isRefName, what: "a git branch or tag name" },
  { key: "checkout", from: "variables", name: "_checkout", ok: isRefName, what: "a git branch or tag name" },
];

/** A name git accepts for a branch or tag (git check-ref-format, one level or more). */
function isRefName(v: string): boolean {
  return PRINTABLE.test(v) && !/[\s~^:?*[\\]|\.\.|@\{|\/\/|^[-/.]|[/.]$|\.lock$/.test(v);
}

/** Where the variables came from, for the header; a value that cannot be what it claims is an input error. */
function sourceOf(file: string, data: Record<string, unknown>, vars: Record<string, unknown>): ImportSource {
  const source: Record<string, string> = {};
  const problems: string[] = [];
  for (const f of SOURCE_FIELDS) {
    const v = (f.from === "file" ? data : vars)[f.name];
    if (v === undefined || v === null || v === "") continue;
    // Every field is checked, also one the header does not use: junk in any means the file is not what it claims.
    if (typeof v === "string" && f.ok(v)) source[f.key] ??= v;
    else problems.push(`${file}: ${f.from === "variables" ? "variable " : ""}${f.name}: ${JSON.stringify(v).slice(0, 80)} is not ${f.what}`);
  }
  if (problems.length > 0) throw new InputError(`${problems.join("\nerror: ")}\nerror: nothing written: ${file} does not look like a file cruft or cookiecutter wrote`);
  return { file, ...source };
}

/** An input file's text; a file that cannot be read is a usage error. */
function readInput(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
}

function readVariables(file: string): { vars: Record<string, unknown>; data: Record<string, unknown> } {
  const text = readInput(file);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  const vars = extractVariables(data);
  if (!vars) throw new InputError(`${file} must hold a JSON object: a .cruft.json, a cookiecutter replay file ({"cookiecutter": {...}}) or the template variables`);
  const d = data as Record<string, unknown>;
  if (vars === d && "template" in d && "commit" in d && !("context" in d))
    throw new InputError(`${file} looks like a .cruft.json but has no context.cookiecutter with the template variables`);
  return { vars: vars as Record<string, unknown>, data: d };
}

/** Reads --compose FILE: the override's settings merged over `props`, or an error naming what cannot be imported. */
async function readOverride(file: string, props: DeploymentProps, io: Io): Promise<DeploymentProps> {
  const text = readInput(file);
  let doc: unknown;
  try {
    doc = parse(text, { merge: true });
  } catch (e) {
    throw new InputError(`${file} is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  const o = fromOverride(doc ?? {}, props, file);
  for (const w of o.warnings) io.err(`warning: ${w}`);
  const issues = [...o.issues, ...resolveDeployment(o.props).issues.map((i) => ({ ...i, path: `${file}: ${i.path}` }))];
  if (issues.length > 0) {
    for (const i of issues) io.err(`error: ${i.path}: ${i.message}`);
    throw new InputError(`nothing written: ${file} cannot be imported as it is`);
  }
  return o.props;
}

/** Runs `import`; returns the exit code, or throws what cli/io.ts maps to one. */
export async function run(argv: string[], io: Io): Promise<number> {
  const args = parseCommandLine(spec, argv, io);
  if (!args) return EXIT.ok;
  const { values } = args;
  if (values.cruft === undefined) throw new UsageError("--cruft FILE is required (a .cruft.json, a cookiecutter replay file, or a JSON object of template variables)");
  if (values.out === undefined) throw new UsageError("--out CONFIG.ts is required");
  const out = values.out;
  if (existsSync(out) && !values.force) throw new InputError(`${out} already exists; pass --force to replace it`);
  const { vars, data } = readVariables(values.cruft);
  const source = sourceOf(values.cruft, data, vars);
  let choice;
  try {
    choice = releaseOf(values.cruft, data, values.dioptra);
  } catch (e) {
    if (e instanceof ReleaseUnknownError) throw new UsageError(e.message);
    throw e;
  }
  io.err(`importing as Dioptra ${choice.release}: ${choice.reason}`);
  const conversion = fromCookiecutter(vars, choice.release);
  for (const w of conversion.warnings) io.err(`warning: ${w}`);
  if (conversion.issues.length > 0) {
    for (const i of conversion.issues) io.err(`error: ${values.cruft}: ${i.path}: ${i.message}`);
    throw new InputError(`nothing written: ${conversion.issues.length} invalid template variable${conversion.issues.length === 1 ? "" : "s"}`);
  }
  const props = values.compose === undefined ? conversion.props : await readOverride(values.compose, conversion.props, io);
  const text = await renderConfig(props, { ...source, compose: values.compose }, resolve(out));
  const { loadConfig } = await import("../../app/load-config.js");
  mkdirSync(dirname(resolve(out)), { recursive: true });
  await writeConfigAtomically(out, text, async (staged) => {
    // The written file must load and give the converted props: a safety net for the writer above.
    const d = await loadConfig(staged, { warn: (m) => io.err(`warning: ${m}`) });
    if (!sameData(d.props, props) || d.resolve().issues.length > 0) throw new Error(`internal error: the written config does not reproduce what ${values.cruft} describes`);
  });
  const { dioptra: _release, ...settings } = props;
  const n = countSettings(settings);
  io.out(`${out}: written (${n === 0 ? "every setting at the template's default" : `${n} setting${n === 1 ? "" : "s"} differ${n === 1 ? "s" : ""} from the template's defaults`}); next: npx dioptra-deploy generate --config ${out}`);
  return EXIT.ok;
}
