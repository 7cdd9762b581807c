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
import { resolveDeployment } from "../../dsl/resolve.js";
import { sameData, writeConfigAtomically } from "../../config-edit/config-edit.js";
import { countSettings, renderConfig, type ImportSource } from "../../config-edit/config-writer.js";
import { extractVariables, fromCookiecutter } from "../../importers/cookiecutter-vars.js";
import { fromOverride } from "../../importers/override-import.js";
import { COMMON_FLAGS, EXIT, InputError, UsageError, parseCommandLine, type CommandSpec, type Io } from "../io.js";

export const spec = {
  name: "import",
  summary: "turn a cookiecutter deployment's variables (and override file) into deployment.config.ts",
  usage: "dioptra-deploy import --cruft FILE --out CONFIG.ts [--compose docker-compose.override.yml] [--force]",
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
    force: { type: "boolean", default: false, help: "replace CONFIG.ts if it exists" },
    ...COMMON_FLAGS,
  },
  examples: ["dioptra-deploy import --cruft ../my-deployment/.cruft.json --compose ../my-deployment/docker-compose.override.yml --out deployment.config.ts"],
} satisfies CommandSpec;

function sourceOf(file: string, data: Record<string, unknown>, vars: Record<string, unknown>): ImportSource {
  const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  return {
    file,
    template: text(data.template) ?? text(vars._template),
    directory: text(data.directory),
    commit: text(data.commit),
    checkout: text(data.checkout) ?? text(vars._checkout),
  };
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
  const conversion = fromCookiecutter(vars);
  for (const w of conversion.warnings) io.err(`warning: ${w}`);
  if (conversion.issues.length > 0) {
    for (const i of conversion.issues) io.err(`error: ${values.cruft}: ${i.path}: ${i.message}`);
    throw new InputError(`nothing written: ${conversion.issues.length} invalid template variable${conversion.issues.length === 1 ? "" : "s"}`);
  }
  const props = values.compose === undefined ? conversion.props : await readOverride(values.compose, conversion.props, io);
  const text = await renderConfig(props, { ...sourceOf(values.cruft, data, vars), compose: values.compose }, resolve(out));
  const { loadConfig } = await import("../load-config.js");
  mkdirSync(dirname(resolve(out)), { recursive: true });
  await writeConfigAtomically(out, text, async (staged) => {
    // The written file must load and give the converted props: a safety net for the writer above.
    const d = await loadConfig(staged, { warn: (m) => io.err(`warning: ${m}`) });
    if (!sameData(d.props, props) || d.resolve().issues.length > 0) throw new Error(`internal error: the written config does not reproduce what ${values.cruft} describes`);
  });
  const n = countSettings(props);
  io.out(`${out}: written (${n === 0 ? "every setting at the template's default" : `${n} setting${n === 1 ? "" : "s"} differ${n === 1 ? "s" : ""} from the template's defaults`}); next: npx dioptra-deploy generate --config ${out}`);
  return EXIT.ok;
}
