/**
 * The layers' import rules, read from the sources with the TypeScript
 * parser (no module is loaded): the pipeline runs DSL → validation → model
 * → targets, and a layer may only reach down to what it is allowed to know.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { ts } from "ts-morph";

/** One import of a source file: the module it names (relative to the repository) and whether only types cross. */
export interface ImportEdge {
  readonly from: string;
  readonly to: string;
  readonly typeOnly: boolean;
}

/** The DSL modules whose types are the public API (dsl/index.ts re-exports them): the model may name those types. */
export const PUBLIC_DSL_TYPES = ["dsl/props.ts", "dsl/capabilities.ts", "dsl/images.ts", "dsl/worker-kinds.ts", "dsl/errors.ts"];
/** Public data the model may read: the worker kinds table, whose keys are the public `WorkerKind` type (it imports nothing). */
export const PUBLIC_DSL_DATA = ["dsl/worker-kinds.ts"];

/** The imports of one file's text; `path` is its place in the repository. */
export function importsOf(path: string, text: string): ImportEdge[] {
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: ImportEdge[] = [];
  const add = (spec: string, typeOnly: boolean) => {
    if (!spec.startsWith(".")) return;
    out.push({ from: path, to: normalize(join(dirname(path), spec)).replace(/\.js$/, ".ts"), typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const typeOnly = clause !== undefined && (clause.isTypeOnly || (clause.name === undefined && named !== undefined && named.length > 0 && named.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier.text, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      add(node.arguments[0].text, false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

const inside = (path: string, folder: string) => path.startsWith(`${folder}/`);

/** What a layer may import, as a message when it may not. */
export function violation(e: ImportEdge): string | undefined {
  const { from, to } = e;
  const where = `${from} imports ${to}`;
  if (inside(from, "model")) {
    if (inside(to, "dsl") && !(e.typeOnly && PUBLIC_DSL_TYPES.includes(to)) && !PUBLIC_DSL_DATA.includes(to)) return `${where}: the model knows nothing of the DSL but its public types (import type from ${PUBLIC_DSL_TYPES.join(", ")})`;
    for (const upper of ["targets", "generators", "cli", "app", "config-edit", "importers"]) if (inside(to, upper)) return `${where}: the model is below ${upper}/`;
    if (inside(to, "validation") && !(e.typeOnly && to === "validation/spec.ts")) return `${where}: the model reads only the validated spec's types from validation/`;
  }
  if (inside(from, "targets")) {
    if (inside(to, "dsl") && !(e.typeOnly && PUBLIC_DSL_TYPES.includes(to))) return `${where}: a target reads the model (and its settings through validation/), not the DSL's internals`;
    for (const upper of ["cli", "app", "config-edit", "importers"]) if (inside(to, upper)) return `${where}: targets are below ${upper}/`;
    // A target is a folder on its own: another reaches it only through the table (the Swarm stack shares Compose's file format, so it may use Compose's).
    const own = from.split("/")[1];
    const other = to.split("/")[1];
    if (from.split("/").length > 2 && inside(to, "targets") && to.split("/").length > 2 && own !== other && !(own === "swarm" && other === "compose")) return `${where}: one target does not reach into another`;
  }
  if (["dsl", "validation", "model", "profiles"].some((l) => inside(from, l)) && inside(to, "targets") && to.split("/").length > 2)
    return `${where}: only the targets table (targets/index.ts) and the seam (targets/target.ts) are known below the targets`;
  return undefined;
}

/** The source folders the rules cover. */
export const SOURCE_FOLDERS = ["dsl", "validation", "model", "profiles", "targets", "generators", "app", "files", "cli", "runtime", "config-edit", "importers", "build", "bench"];

/** Every .ts file under `folders` of `root`, relative to it. */
export function sourceFiles(root: string, folders: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(join(root, dir), { withFileTypes: true });
    } catch {
      return;
    }
    for (const d of entries) {
      const p = `${dir}/${d.name}`;
      if (d.isDirectory()) walk(p);
      else if (d.name.endsWith(".ts") && !d.name.endsWith(".d.ts")) out.push(p);
    }
  };
  folders.forEach(walk);
  return out.sort();
}

/** Every rule broken in the repository at `root`. */
export function violations(root: string): string[] {
  return sourceFiles(root, SOURCE_FOLDERS).flatMap((f) => importsOf(f, readFileSync(join(root, f), "utf8")).flatMap((e) => violation(e) ?? []));
}

export const rel = (root: string, p: string) => relative(root, p);
