/**
 * deployment.config.ts as TypeScript syntax: finding the object literal
 * passed to `deployment(...)`, the property that states a setting, and
 * editing it in place without touching anything else. Shared by `import`,
 * `set` and error locations. ts-morph is loaded on first use (synchronously,
 * so {@link locateSetting} can stay a plain function), never by `generate`.
 */
import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { basename } from "node:path";
import type * as TsMorph from "ts-morph";
import type { ArrayLiteralExpression, CallExpression, Expression, Node, ObjectLiteralExpression, SourceFile } from "ts-morph";

const require = createRequire(import.meta.url);
let tsMorphModule: typeof TsMorph | undefined;

/** ts-morph, loaded on first use; the same instance `await import("ts-morph")` returns. */
export function tsMorph(): typeof TsMorph {
  return (tsMorphModule ??= require("ts-morph") as typeof TsMorph);
}

/** Parses config text into a ts-morph SourceFile (in memory: nothing is read or written). */
export function parseConfig(text: string, fileName = "deployment.config.ts"): SourceFile {
  const { Project } = tsMorph();
  const project = new Project({ useInMemoryFileSystem: true, skipLoadingLibFiles: true });
  return project.createSourceFile(`/${basename(fileName)}`, text);
}

/**
 * Splits a setting path into its keys: `workers.tensorflowGpu.count`,
 * `customContainers.web.ports.0.host`; a key holding a dot is written
 * `customContainers["my.svc"].image`. Undefined when malformed.
 */
export function parseSettingPath(path: string): string[] | undefined {
  const keys: string[] = [];
  let rest = path;
  while (rest !== "") {
    const bracket = /^\[(?:([0-9]+)|("(?:[^"\\]|\\.)*"))\]/.exec(rest);
    const plain = /^[^.[\]"]+/.exec(rest);
    if (bracket) {
      keys.push(bracket[1] ?? (JSON.parse(bracket[2]!) as string));
      rest = rest.slice(bracket[0].length);
    } else if (plain) {
      keys.push(plain[0]);
      rest = rest.slice(plain[0].length);
    } else return undefined;
    if (rest.startsWith(".")) {
      rest = rest.slice(1);
      if (rest === "" || rest.startsWith(".")) return undefined;
    } else if (rest !== "" && !rest.startsWith("[")) return undefined;
  }
  return keys.length > 0 ? keys : undefined;
}

/** Writes keys back as a setting path (the inverse of {@link parseSettingPath}). */
export function formatSettingPath(keys: readonly string[]): string {
  return keys.map((k, i) => (/^[^.[\]"]+$/.test(k) ? `${i === 0 ? "" : "."}${k}` : `[${JSON.stringify(k)}]`)).join("");
}

/** The `deployment(...)` call a config exports, and the object literal it was given (if it is one). */
export interface DeploymentSite {
  readonly sourceFile: SourceFile;
  readonly call: CallExpression;
  /** The props literal; undefined for `deployment()` or props the file does not spell out. */
  readonly props: ObjectLiteralExpression | undefined;
}

/** Strips parentheses, `as`, `satisfies` and `!`, which do not change the value. */
function unwrap(node: Node): Node {
  const { Node } = tsMorph();
  let n = node;
  while (Node.isParenthesizedExpression(n) || Node.isAsExpression(n) || Node.isSatisfiesExpression(n) || Node.isNonNullExpression(n) || Node.isTypeAssertion(n)) {
    n = n.getExpression();
  }
  return n;
}

/** The initializer of a top-level `const`/`let` of this name, so `const d = deployment({...})` can be followed. */
function declaredValue(sf: SourceFile, name: string): Expression | undefined {
  return sf.getVariableDeclaration(name)?.getInitializer();
}

/** Follows identifiers to their declarations in the same file, up to a few hops. */
function follow(sf: SourceFile, node: Node | undefined): Node | undefined {
  const { Node } = tsMorph();
  let n = node && unwrap(node);
  for (let hops = 0; n && Node.isIdentifier(n) && hops < 8; hops++) {
    const init = declaredValue(sf, n.getText());
    n = init && unwrap(init);
  }
  return n;
}

/** Local names under which `deployment` is imported (`import { deployment as d }`), plus the plain name. */
function deploymentNames(sf: SourceFile): Set<string> {
  const names = new Set(["deployment"]);
  for (const decl of sf.getImportDeclarations()) {
    for (const spec of decl.getNamedImports()) {
      if (spec.getName() === "deployment") names.add(spec.getAliasNode()?.getText() ?? "deployment");
    }
  }
  return names;
}

/** The expression a config exports as default: `export default x` or `export { x as default }`. */
function defaultExport(sf: SourceFile): Node | undefined {
  for (const a of sf.getExportAssignments()) if (!a.isExportEquals()) return a.getExpression();
  for (const decl of sf.getExportDeclarations()) {
    if (decl.getModuleSpecifier()) continue;
    for (const spec of decl.getNamedExports()) {
      if ((spec.getAliasNode()?.getText() ?? spec.getName()) === "default") return spec.getNameNode();
    }
  }
  return undefined;
}

/**
 * Finds the `deployment(...)` call the config exports: `export default
 * deployment({...})`, `const d = deployment({...}); export default d;`, and
 * either followed by builder calls (`.addContainer(...)`).
 */
export function findDeployment(sf: SourceFile): DeploymentSite | undefined {
  const { Node } = tsMorph();
  const names = deploymentNames(sf);
  let n = follow(sf, defaultExport(sf));
  for (let hops = 0; n && hops < 64; hops++) {
    if (!Node.isCallExpression(n)) return undefined;
    const callee = unwrap(n.getExpression());
    const isDeployment =
      (Node.isIdentifier(callee) && names.has(callee.getText())) || (Node.isPropertyAccessExpression(callee) && callee.getName() === "deployment" && !isBuilderCall(callee));
    if (isDeployment) {
      const arg = follow(sf, n.getArguments()[0]);
      return { sourceFile: sf, call: n, props: arg && Node.isObjectLiteralExpression(arg) ? arg : undefined };
    }
    // A builder method (`deployment({...}).addContainer(...)`): the deployment is its receiver.
    n = Node.isPropertyAccessExpression(callee) ? follow(sf, callee.getExpression()) : undefined;
  }
  return undefined;
}

function isBuilderCall(callee: TsMorph.PropertyAccessExpression): boolean {
  return tsMorph().Node.isCallExpression(unwrap(callee.getExpression()));
}

/** The key a property is written with, as a string: `name`, `"custom-container"`, `2`. */
function propertyKey(prop: Node): string | undefined {
  const { Node } = tsMorph();
  if (!Node.isPropertyAssignment(prop) && !Node.isShorthandPropertyAssignment(prop)) return undefined;
  const name = prop.getNameNode();
  if (Node.isIdentifier(name)) return name.getText();
  if (Node.isStringLiteral(name) || Node.isNoSubstitutionTemplateLiteral(name)) return name.getLiteralValue();
  if (Node.isNumericLiteral(name)) return String(name.getLiteralValue());
  if (Node.isComputedPropertyName(name)) {
    const e = unwrap(name.getExpression());
    if (Node.isStringLiteral(e) || Node.isNoSubstitutionTemplateLiteral(e)) return e.getLiteralValue();
    if (Node.isNumericLiteral(e)) return String(e.getLiteralValue());
  }
  return undefined;
}

/** Literal containers a walk can step into. */
export type Container = ObjectLiteralExpression | ArrayLiteralExpression;

/** One key of a setting path as stated in the file. */
export interface Step {
  readonly key: string;
  /** The node that states it: a property assignment, an array element, or an `addContainer(...)` call. */
  readonly holder: Node;
  /** The expression giving its value (the holder itself for array elements). */
  readonly value: Node | undefined;
}

/** How far a setting path is stated in the file. */
export interface Walk {
  /** One step per key found, in order. */
  readonly steps: readonly Step[];
  /** The literal the next, unstated key would go into (undefined when the last step's value is not a literal). */
  readonly container: Container | undefined;
}

/**
 * The value a property or element holds, as a literal to step into: object
 * and array literals, identifiers bound to them in this file, and DSL helper
 * calls whose last argument is an object literal (`nfsVolume({...})`,
 * `workerContainer("cpu", {...})`).
 */
function asContainer(sf: SourceFile, value: Node | undefined): Container | undefined {
  const { Node } = tsMorph();
  const n = follow(sf, value);
  if (!n) return undefined;
  if (Node.isObjectLiteralExpression(n) || Node.isArrayLiteralExpression(n)) return n;
  if (Node.isCallExpression(n)) {
    const last = follow(sf, n.getArguments().at(-1));
    if (last && Node.isObjectLiteralExpression(last)) return last;
  }
  return undefined;
}

/** The last property (or element) of a literal that states `key`; spreads of literals count, later ones win. */
function member(sf: SourceFile, container: Container, key: string): Step | undefined {
  const { Node } = tsMorph();
  if (Node.isArrayLiteralExpression(container)) {
    const elements = container.getElements();
    if (!/^(0|[1-9][0-9]*)$/.test(key) || elements.some((e) => Node.isSpreadElement(e))) return undefined;
    const el = elements[Number(key)];
    return el && { key, holder: el, value: el };
  }
  const props = container.getProperties();
  for (let i = props.length - 1; i >= 0; i--) {
    const p = props[i]!;
    if (Node.isSpreadAssignment(p)) {
      const inner = asContainer(sf, p.getExpression());
      const found = inner && Node.isObjectLiteralExpression(inner) ? member(sf, inner, key) : undefined;
      if (found) return found;
      continue;
    }
    if (propertyKey(p) !== key) continue;
    if (Node.isPropertyAssignment(p)) return { key, holder: p, value: p.getInitializer() };
    if (Node.isShorthandPropertyAssignment(p)) return { key, holder: p, value: declaredValue(sf, p.getName()) };
  }
  return undefined;
}

/** Builder calls that add entries by name, keyed by the setting they fill. */
const BUILDER_METHODS: Readonly<Record<string, string>> = { customContainers: "addContainer", volumes: "addVolume" };

/** `d.addContainer("web", {...})` for `customContainers.web`, anywhere in the file. */
function builderEntry(sf: SourceFile, setting: string, name: string): Step | undefined {
  const { Node, SyntaxKind } = tsMorph();
  const method = BUILDER_METHODS[setting];
  if (!method) return undefined;
  for (const call of sf.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const callee = call.getExpression();
    const [first, second] = call.getArguments();
    if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== method || !first) continue;
    const arg = unwrap(first);
    if ((Node.isStringLiteral(arg) || Node.isNoSubstitutionTemplateLiteral(arg)) && arg.getLiteralValue() === name) return { key: name, holder: call, value: second };
  }
  return undefined;
}

/** Follows a setting path through the props literal as far as the file states it. */
export function walkSetting(site: DeploymentSite, keys: readonly string[]): Walk {
  const sf = site.sourceFile;
  const steps: Step[] = [];
  let container: Container | undefined = site.props;
  while (steps.length < keys.length) {
    const key = keys[steps.length]!;
    let step = container && member(sf, container, key);
    if (!step && steps.length === 1) step = builderEntry(sf, keys[0]!, key);
    if (!step && steps.length === 0 && keys.length > 1) {
      // `customContainers` is not stated at all, but `.addContainer("web", …)` may add the entry.
      const entry = builderEntry(sf, key, keys[1]!);
      if (entry) {
        steps.push({ key, holder: entry.holder, value: undefined }, entry);
        container = asContainer(sf, entry.value);
        if (!container) break;
        continue;
      }
    }
    if (!step) return { steps, container };
    steps.push(step);
    container = asContainer(sf, step.value);
    if (!container) break;
  }
  return { steps, container: steps.length === keys.length ? container : undefined };
}

/** A 1-based position in a file. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

let lastParsed: { file: string; mtimeMs: number; size: number; site: DeploymentSite | undefined } | undefined;

/**
 * Where a config sets `settingPath` (e.g. `workers.tensorflowGpu.count`,
 * `customContainers.web.ports.0.host`): the start of the property that
 * states it, or of the nearest stated ancestor, or of the `deployment(...)`
 * call when none is. Undefined when the file has no exported
 * `deployment(...)` call or cannot be read. Loads ts-morph: meant for
 * error paths.
 */
export function locateSetting(configFile: string, settingPath: string): Position | undefined {
  let site: DeploymentSite | undefined;
  try {
    const st = statSync(configFile);
    if (lastParsed?.file === configFile && lastParsed.mtimeMs === st.mtimeMs && lastParsed.size === st.size) site = lastParsed.site;
    else {
      site = findDeployment(parseConfig(readFileSync(configFile, "utf8"), configFile));
      lastParsed = { file: configFile, mtimeMs: st.mtimeMs, size: st.size, site };
    }
  } catch {
    return undefined;
  }
  if (!site) return undefined;
  const keys = parseSettingPath(settingPath) ?? (settingPath === "" ? [] : settingPath.split("."));
  const { steps } = walkSetting(site, keys);
  const node = steps.at(-1)?.holder ?? site.call;
  return site.sourceFile.getLineAndColumnAtPos(node.getStart());
}

/** How a file writes code, so inserted text looks like its neighbours. */
export interface CodeStyle {
  readonly quote: '"' | "'";
  /** One level of indentation. */
  readonly indent: string;
  /** Whether multi-line literals end with a comma after their last entry. */
  readonly trailingComma: boolean;
  /** Inline literals longer than this (from their column) are written over several lines. */
  readonly printWidth: number;
}

/** Guesses the file's quotes, indentation and trailing commas (prettier's defaults when it does not tell). */
export function detectStyle(sf: SourceFile): CodeStyle {
  const { Node, SyntaxKind } = tsMorph();
  const text = sf.getFullText();
  const firstString = sf.getFirstDescendantByKind(SyntaxKind.StringLiteral);
  const quote = firstString?.getText().startsWith("'") ? "'" : '"';
  let indent: string | undefined;
  let trailingComma: boolean | undefined;
  for (const lit of sf.getDescendants()) {
    if (!Node.isObjectLiteralExpression(lit) && !Node.isArrayLiteralExpression(lit)) continue;
    const items: Node[] = Node.isObjectLiteralExpression(lit) ? lit.getProperties() : lit.getElements();
    const first = items[0];
    const last = items.at(-1);
    if (!first || !last || !text.slice(lit.getStart(), first.getStart()).includes("\n")) continue;
    indent ??= leadingSpace(text, first.getStart()).slice(leadingSpace(text, lit.getStart()).length) || undefined;
    trailingComma ??= last.getNextSibling()?.getKind() === SyntaxKind.CommaToken;
    if (indent !== undefined && trailingComma !== undefined) break;
  }
  return { quote, indent: indent ?? "  ", trailingComma: trailingComma ?? true, printWidth: 80 };
}

/** The whitespace that starts the line holding `pos`. */
function leadingSpace(text: string, pos: number): string {
  const start = text.lastIndexOf("\n", pos - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/** Whether only whitespace precedes `pos` on its line. */
function startsLine(text: string, pos: number): boolean {
  return /^[ \t]*$/.test(text.slice(text.lastIndexOf("\n", pos - 1) + 1, pos));
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const INDEX = /^(0|[1-9][0-9]*)$/;

/** A property key as TypeScript writes it: bare when it can be, quoted otherwise. */
export function keyText(key: string, style: Pick<CodeStyle, "quote">): string {
  return IDENTIFIER.test(key) || INDEX.test(key) ? key : stringText(key, style);
}

function stringText(s: string, style: Pick<CodeStyle, "quote">): string {
  const json = JSON.stringify(s);
  return style.quote === '"' ? json : `'${json.slice(1, -1).replaceAll('\\"', '"').replaceAll("'", "\\'")}'`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const entriesOf = (v: Record<string, unknown>) => Object.entries(v).filter(([, x]) => x !== undefined);

/**
 * A plain value (what JSON can hold) as a TypeScript literal: on one line
 * when it fits within the print width from `column`, else one entry a line
 * at `indent` plus one level.
 */
export function literalText(value: unknown, style: CodeStyle, indent = "", column = 0): string {
  const inline = inlineText(value, style);
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : isRecord(value) ? entriesOf(value) : [];
  if (column + inline.length <= style.printWidth || entries.length === 0) return inline;
  const inner = indent + style.indent;
  const lines = entries.map(([k, v]) => {
    const head = Array.isArray(value) ? "" : `${keyText(k, style)}: `;
    return `${inner}${head}${literalText(v, style, inner, inner.length + head.length)}`;
  });
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  return `${open}\n${lines.join(",\n")}${style.trailingComma ? "," : ""}\n${indent}${close}`;
}

function inlineText(value: unknown, style: CodeStyle): string {
  if (typeof value === "string") return stringText(value, style);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => inlineText(v, style)).join(", ")}]`;
  if (isRecord(value)) {
    const entries = entriesOf(value);
    return entries.length === 0 ? "{}" : `{ ${entries.map(([k, v]) => `${keyText(k, style)}: ${inlineText(v, style)}`).join(", ")} }`;
  }
  throw new TypeError(`cannot write ${typeof value} as a literal`);
}

/** Literals that can be replaced wholesale without losing anything the user wrote. */
function isPlainLiteral(node: Node | undefined): boolean {
  const { Node } = tsMorph();
  const n = node && unwrap(node);
  if (!n) return false;
  if (Node.isPrefixUnaryExpression(n)) return Node.isNumericLiteral(n.getOperand());
  return Node.isStringLiteral(n) || Node.isNumericLiteral(n) || Node.isNoSubstitutionTemplateLiteral(n) || Node.isTrueLiteral(n) || Node.isFalseLiteral(n) || Node.isNullLiteral(n);
}

/** Replaces what a step states with the text `render` gives for the column and line indentation it starts at. */
function replaceStep(sf: SourceFile, step: Step, render: (column: number, indent: string) => string): void {
  const { Node } = tsMorph();
  const h = step.holder;
  const text = sf.getFullText();
  const at = (n: Node) => {
    const parent = n.getParent();
    const literal = parent && Node.isPropertyAssignment(parent) ? parent.getParent() : parent;
    const oneLine = literal !== undefined && !text.slice(literal.getStart(), literal.getEnd()).includes("\n");
    return render(oneLine ? ONE_LINE : sf.getLineAndColumnAtPos(n.getStart()).column - 1, leadingSpace(text, n.getStart()));
  };
  if (Node.isShorthandPropertyAssignment(h)) {
    // `{ workers }` becomes `{ workers: <value> }`: the shared variable is left alone.
    const head = `${h.getName()}: `;
    sf.replaceText([h.getStart(), h.getEnd()], `${head}${render(sf.getLineAndColumnAtPos(h.getStart()).column - 1 + head.length, leadingSpace(text, h.getStart()))}`);
    return;
  }
  const target = Node.isPropertyAssignment(h) ? h.getInitializer() : Node.isCallExpression(h) ? step.value : h;
  if (!target) throw new EditError(`cannot replace the value of ${step.key}`);
  sf.replaceText([target.getStart(), target.getEnd()], at(target));
}

/** A column that makes {@link literalText} stay on one line: for literals written on one line, so are their new values. */
const ONE_LINE = Number.NEGATIVE_INFINITY;

/** Adds `entry` (a property or an array element) as the last entry of a literal, in its layout. */
function insertEntry(sf: SourceFile, container: Container, entry: (column: number, indent: string) => string, style: CodeStyle): void {
  const { Node, SyntaxKind } = tsMorph();
  const text = sf.getFullText();
  const open = container.getStart();
  const close = container.getEnd() - 1;
  const items: Node[] = Node.isObjectLiteralExpression(container) ? container.getProperties() : container.getElements();
  const multiLine = text.slice(open, close).includes("\n");
  const closeIndent = leadingSpace(text, close);
  const last = items.at(-1);
  if (!last) {
    if (!multiLine && text.slice(open + 1, close).trim() === "") {
      const isObject = Node.isObjectLiteralExpression(container);
      sf.replaceText([open, close + 1], isObject ? `{ ${entry(ONE_LINE, closeIndent)} }` : `[${entry(ONE_LINE, closeIndent)}]`);
    } else if (startsLine(text, close)) {
      const indent = closeIndent + style.indent;
      sf.insertText(text.lastIndexOf("\n", close - 1) + 1, `${indent}${entry(indent.length, indent)}${style.trailingComma ? "," : ""}\n`);
    } else {
      sf.insertText(close, ` ${entry(ONE_LINE, closeIndent)} `);
    }
    return;
  }
  const comma = last.getNextSibling();
  const hasComma = comma?.getKind() === SyntaxKind.CommaToken;
  const lastEnd = last.getEnd();
  const anchor = hasComma ? comma!.getEnd() : lastEnd;
  if (!multiLine) {
    sf.insertText(anchor, hasComma ? ` ${entry(ONE_LINE, closeIndent)},` : `, ${entry(ONE_LINE, closeIndent)}`);
    return;
  }
  const indent = startsLine(text, last.getStart()) ? leadingSpace(text, last.getStart()) : closeIndent + style.indent;
  const lineEnd = text.indexOf("\n", anchor);
  // After a trailing `// comment` the new entry goes on the next line; with the closer on the same line, right after the anchor.
  const at = lineEnd !== -1 && lineEnd < close ? lineEnd : anchor;
  // Insert from the end backwards: the second insertion's position is not moved by the first.
  sf.insertText(at, `\n${indent}${entry(indent.length, indent)}${hasComma ? "," : ""}`);
  if (!hasComma) sf.insertText(lastEnd, ",");
}

/** A setting that cannot be edited in place, with the reason. */
export class EditError extends Error {
  override readonly name = "EditError";
}

/**
 * Makes the config state `keys` with the value `valueAt(keys)` gives,
 * editing as little text as possible: the property's value when it is
 * stated, else one new property in the nearest stated literal (holding the
 * nested object the missing keys need). Everything else keeps its bytes.
 * `valueAt` must give the complete new value of any prefix of `keys`
 * (the caller's model of the resulting props). Throws {@link EditError}
 * when the setting is computed by code set cannot see into.
 */
export function editSetting(sf: SourceFile, keys: readonly string[], valueAt: (keys: readonly string[]) => unknown, style = detectStyle(sf)): void {
  const site = findDeployment(sf);
  if (!site) throw new EditError("the config does not `export default deployment({ ... })`");
  const shown = (n: number) => formatSettingPath(keys.slice(0, n));
  const render = (n: number) => (column: number, indent: string) => {
    const head = `${keyText(keys[n - 1]!, style)}: `;
    return `${head}${literalText(valueAt(keys.slice(0, n)), style, indent, column + head.length)}`;
  };
  if (!site.props) {
    const args = site.call.getArguments();
    if (args.length > 0) throw new EditError(`the props given to deployment(...) are computed by \`${oneLine(args[0]!)}\`, which set cannot edit; edit the file by hand`);
    sf.insertText(site.call.getEnd() - 1, `{ ${render(1)(ONE_LINE, "")} }`);
    return;
  }
  const { steps, container } = walkSetting(site, keys);
  const n = steps.length;
  if (n === keys.length) {
    replaceStep(sf, steps[n - 1]!, (column, indent) => literalText(valueAt(keys), style, indent, column));
    return;
  }
  if (container) {
    if (tsMorph().Node.isArrayLiteralExpression(container)) {
      if (keys[n] !== String(container.getElements().length))
        throw new EditError(`${shown(n + 1)}: ${shown(n)} has ${container.getElements().length} entries; set an existing index, the next one (${container.getElements().length}), or the whole list`);
      insertEntry(sf, container, (column, indent) => literalText(valueAt(keys.slice(0, n + 1)), style, indent, column), style);
    } else insertEntry(sf, container, render(n + 1), style);
    return;
  }
  const step = steps[n - 1]!;
  if (isPlainLiteral(step.value)) {
    replaceStep(sf, step, (column, indent) => literalText(valueAt(keys.slice(0, n)), style, indent, column));
    return;
  }
  const where = sf.getLineAndColumnAtPos((step.value ?? step.holder).getStart());
  throw new EditError(`${shown(n)} is computed by \`${oneLine(step.value ?? step.holder)}\` (line ${where.line}), which set cannot edit; edit the file by hand`);
}

function oneLine(node: Node): string {
  const t = node.getText().replace(/\s+/g, " ");
  return t.length > 50 ? `${t.slice(0, 47)}...` : t;
}

/** Deep equality of plain data, ignoring key order and keys whose value is undefined. */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameData(x, b[i]));
  if (!isRecord(a) || !isRecord(b)) return false;
  const ka = entriesOf(a);
  const kb = entriesOf(b);
  return ka.length === kb.length && ka.every(([k, v]) => sameData(v, b[k]));
}

/** A staging file older than this was left by a killed run. */
const STALE_STAGING_MS = 5 * 60 * 1000;

/**
 * Writes a config atomically: the text goes to a staging file beside `path`
 * (same extension, so it loads like the config, relative imports included),
 * `check` may load it and throw to abandon the write, then it is renamed
 * over `path`. On any failure the staging file is removed and `path` is
 * untouched. The staging name is fixed per target, so loading it reuses one
 * bundle-cache entry instead of adding one per run, and it doubles as a
 * lock against two writers of one config.
 */
export async function writeConfigAtomically(path: string, text: string, check?: (stagedPath: string) => Promise<void>): Promise<void> {
  const { chmodSync, existsSync, realpathSync, renameSync, rmSync, writeFileSync } = await import("node:fs");
  const { dirname, extname, join } = await import("node:path");
  const target = existsSync(path) ? realpathSync(path) : path;
  const ext = extname(target) || ".ts";
  const staged = join(dirname(target), `.${basename(target, extname(target))}.staged${ext}`);
  try {
    writeFileSync(staged, text, { flag: "wx" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    // Left by a run that was killed: a live writer finishes in seconds.
    if (Date.now() - statSync(staged).mtimeMs < STALE_STAGING_MS) throw new Error(`${staged} exists: another dioptra-deploy is writing ${path} (remove the file if not)`);
    rmSync(staged, { force: true });
    writeFileSync(staged, text, { flag: "wx" });
  }
  try {
    if (existsSync(target)) chmodSync(staged, statSync(target).mode & 0o7777);
    await check?.(staged);
    renameSync(staged, target);
  } finally {
    rmSync(staged, { force: true });
  }
}
