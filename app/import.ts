/**
 * The `import` use case: turns the variables of a cookiecutter deployment (a
 * .cruft.json, a replay/context file, or a flat object of variables), and
 * optionally its hand-edited docker-compose.override.yml, into a
 * deployment.config.ts that states only what differs from the template's
 * defaults. The file is built with ts-morph, formatted with prettier, loaded
 * (and type-checked) once to prove it gives the same settings, and then
 * renamed into place. The command line (cli/commands/import.ts) parses the
 * arguments and prints what this reports.
 */
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
// A static import: esbuild's chunk for a lazily imported CommonJS module exports only `default`.
import { parse } from "yaml";
import type { DeploymentProps } from "../dsl/props.js";
import { resolveDeployment } from "../dsl/resolve.js";
import { sameData, writeConfigAtomically } from "../config-edit/config-edit.js";
import { countSettings, renderConfig, type ImportSource } from "../config-edit/config-writer.js";
import { extractVariables, fromCookiecutter } from "../importers/cookiecutter-vars.js";
import { fromOverride } from "../importers/override-import.js";
import { ReleaseUnknownError, releaseOf } from "../importers/release.js";
import { LIMITS, sizeProblems } from "../dsl/limits.js";
import { InputError, UsageError } from "./errors.js";
import { readInputText, yamlNestingPastLine } from "./read-input.js";
import { shellWord } from "./shell-word.js";

/** What `import` is asked to do (the command line's flags). */
export interface ImportRequest {
  readonly cruft: string;
  readonly out: string;
  readonly compose?: string | undefined;
  readonly dioptra?: string | undefined;
  readonly force: boolean;
  /** Keep the deployment's third-party images exactly (`redis:latest`), instead of this tool's pinned ones. */
  readonly keepImages?: boolean;
}

/** Where `import` tells what it decided (`note`) and what the user should check (`warn`). */
export interface ImportReport {
  readonly note: (message: string) => void;
  readonly warn: (message: string) => void;
}

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

function readVariables(file: string): { vars: Record<string, unknown>; data: Record<string, unknown> } {
  const text = readInputText(file);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  refuseOversized(file, data);
  const vars = extractVariables(data);
  if (!vars) throw new InputError(`${file} must hold a JSON object: a .cruft.json, a cookiecutter replay file ({"cookiecutter": {...}}) or the template variables`);
  const d = data as Record<string, unknown>;
  if (vars === d && "template" in d && "commit" in d && !("context" in d))
    throw new InputError(`${file} looks like a .cruft.json but has no context.cookiecutter with the template variables`);
  return { vars: vars as Record<string, unknown>, data: d };
}

/** Refuses parsed input past the size limits (strings, nesting, values), naming each place. */
function refuseOversized(file: string, data: unknown): void {
  const problems = sizeProblems(data);
  if (problems.length > 0) throw new InputError(`nothing written: ${file} is larger than any deployment's`, problems.map(([path, m]) => `error: ${file}: ${path === "" ? "(the whole file)" : path}: ${m}`));
}

/**
 * Reads --compose FILE: the override's settings merged over `props`, and
 * what cannot be imported. When the template variables themselves are
 * invalid (`base` false), only the file's own problems are looked for, as
 * the deployment they describe is not known.
 */
function readOverride(file: string, props: DeploymentProps, report: ImportReport, base: boolean): { props: DeploymentProps; problems: string[] } {
  const text = readInputText(file);
  // A bound well above LIMITS.depth (whose exact check follows the parse) and well below what overflows the parser.
  const deep = yamlNestingPastLine(text, LIMITS.depth * 8);
  if (deep !== undefined) throw new InputError(`${file}:${deep}: nests deeper than ${LIMITS.depth} levels of mappings and lists`);
  let doc: unknown;
  try {
    doc = parse(text, { merge: true });
  } catch (e) {
    // A stack overflow is the parser's answer to nesting far past LIMITS.depth.
    const why = e instanceof RangeError ? `it nests deeper than ${LIMITS.depth} levels` : (e as Error).message.split("\n")[0];
    return { props, problems: [`error: ${file} is not valid YAML: ${why}`] };
  }
  refuseOversized(file, doc);
  // Against invalid variables the file is read over the release's defaults, for its own problems only.
  const release = { dioptra: props.dioptra } as DeploymentProps;
  const o = fromOverride(doc ?? {}, base ? props : release, file);
  if (base) for (const w of o.warnings) report.warn(w);
  const own = base ? o.issues : o.issues.filter((i) => !/is a worker the template variables do not create/.test(i.message));
  const issues = [...own, ...(base ? resolveDeployment(o.props).issues.map((i) => ({ ...i, path: `${file}: ${i.path}` })) : [])];
  return { props: o.props, problems: issues.map((i) => `error: ${i.path}: ${i.message}`) };
}

/** Writes the config `request.out`; returns the line that says what was written and what to run next. */
export async function importDeployment(values: ImportRequest, report: ImportReport): Promise<string> {
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
  report.note(`importing as Dioptra ${choice.release}: ${choice.reason}`);
  const conversion = fromCookiecutter(vars, choice.release, { keepImages: values.keepImages === true });
  for (const w of conversion.warnings) report.warn(w);
  for (const p of conversion.pinned) {
    const moving = /:latest$/.test(p.was);
    report.warn(
      `images.${p.slot}: the deployment runs ${p.was}, imported as ${p.now} (pinned, so every run of the config gets one image)${
        moving ? `; if the host's ${p.was} is newer, that is a downgrade of a service whose data may not go back: check \`docker compose images\`, set images.${p.slot} to the version it runs, or` : ";"
      } import with --keep-images to keep ${p.was}`,
    );
  }
  const problems = conversion.issues.map((i) => `error: ${values.cruft}: ${i.path}: ${i.message}`);
  // Limits (a million workers) are the config's to enforce; found here, before anything is written.
  if (problems.length === 0 && values.compose === undefined)
    problems.push(...resolveDeployment(conversion.props).issues.map((i) => `error: ${values.cruft}: ${i.path}: ${i.message}`));
  let props = conversion.props;
  if (values.compose !== undefined) {
    const o = readOverride(values.compose, conversion.props, report, problems.length === 0);
    props = o.props;
    problems.push(...o.problems);
  }
  if (problems.length > 0) {
    const inputs = [values.cruft, ...(values.compose === undefined ? [] : [values.compose])].join(" and ");
    throw new InputError(`nothing written: ${problems.length} problem${problems.length === 1 ? "" : "s"} in ${inputs}`, problems);
  }
  const text = await renderConfig(props, { ...source, compose: values.compose }, resolve(out));
  const { loadConfig } = await import("../cli/load-config.js");
  mkdirSync(dirname(resolve(out)), { recursive: true });
  await writeConfigAtomically(out, text, async (staged) => {
    // The written file must load and give the converted props: a safety net for the writer above.
    const d = await loadConfig(staged, { warn: report.warn });
    if (!sameData(d.props, props) || d.resolve().issues.length > 0) throw new Error(`internal error: the written config does not reproduce what ${values.cruft} describes`);
  });
  const { dioptra: _release, ...settings } = props;
  const n = countSettings(settings);
  return `${out}: written (${n === 0 ? "every setting at the template's default" : `${n} setting${n === 1 ? "" : "s"} differ${n === 1 ? "s" : ""} from the template's defaults`}); next: npx dioptra-deploy generate --config ${shellWord(out)} --out ${shellWord(join(dirname(out), "out"))}`;
}
