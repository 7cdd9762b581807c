/**
 * Editing deployment.config.ts in place for `set`, and writing configs for
 * `set` and `import`: a person's file must keep its comments, layout and
 * style, so a change replaces only the text of one value (or adds one
 * property) in the code style the file already uses, and a write that
 * fails its check leaves the file untouched.
 */
import { chmodSync, existsSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import type { Node, SourceFile } from "ts-morph";
import { tsPropertyKey, tsStringLiteral } from "./ts-text.js";
import { findDeployment, formatSettingPath, tsMorph, unwrap, walkSetting, type Container, type Step } from "./config-ast.js";

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

/** A property key as TypeScript writes it: bare when it can be, quoted otherwise (see {@link tsPropertyKey}). */
export function keyText(key: string, style: Pick<CodeStyle, "quote">): string {
  return tsPropertyKey(key, style.quote);
}

const stringText = (s: string, style: Pick<CodeStyle, "quote">): string => tsStringLiteral(s, style.quote);

/** A plain object: not null, not an array. */
export const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
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

/**
 * Removes what the config states for `keys` (a property, or a list entry),
 * so the setting falls back to its default. Returns false when the file does
 * not state it. Throws {@link EditError} when it is stated by code set cannot
 * edit (computed props, a helper's result, an `addContainer(...)` call).
 */
export function removeSetting(sf: SourceFile, keys: readonly string[]): boolean {
  const { Node } = tsMorph();
  const site = findDeployment(sf);
  if (!site) throw new EditError("the config does not `export default deployment({ ... })`");
  const path = formatSettingPath(keys);
  if (!site.props) {
    const args = site.call.getArguments();
    if (args.length > 0) throw new EditError(`the props given to deployment(...) are computed by \`${oneLine(args[0]!)}\`, which set cannot edit; edit the file by hand`);
    return false;
  }
  const { steps, container } = walkSetting(site, keys);
  if (steps.length < keys.length) {
    // Stopped at a literal without the key: not stated. Stopped at a value that is no literal: computed.
    const last = steps.at(-1);
    if (container || !last) return false;
    throw new EditError(`${path} is inside \`${oneLine(last.value ?? last.holder)}\`, which set cannot edit; edit the file by hand`);
  }
  const holder = steps.at(-1)!.holder;
  const parent = holder.getParent();
  const isProperty = (Node.isPropertyAssignment(holder) || Node.isShorthandPropertyAssignment(holder)) && Node.isObjectLiteralExpression(parent);
  if (!isProperty && !Node.isArrayLiteralExpression(parent)) {
    throw new EditError(`${path} is stated by \`${oneLine(holder)}\`, which set cannot remove; edit the file by hand`);
  }
  removeEntry(sf, parent as Container, holder);
  return true;
}

/**
 * Deletes one entry of an object or array literal as text, in the literal's
 * layout: on lines of its own, the lines go, with the comment lines right
 * above (they describe it) and a comment after it on its last line; sharing
 * a line, the entry and one separating comma. The file's trailing-comma style stays.
 */
function removeEntry(sf: SourceFile, container: Container, entry: Node): void {
  const { Node, SyntaxKind } = tsMorph();
  const text = sf.getFullText();
  const items: Node[] = Node.isObjectLiteralExpression(container) ? container.getProperties() : container.getElements();
  const i = items.indexOf(entry);
  const prev = items[i - 1];
  const next = items[i + 1];
  const commaAfter = (n: Node) => (n.getNextSibling()?.getKind() === SyntaxKind.CommaToken ? n.getNextSibling()! : undefined);
  if (items.length === 1) {
    sf.replaceText([container.getStart(), container.getEnd()], Node.isObjectLiteralExpression(container) ? "{}" : "[]");
    return;
  }
  const end = commaAfter(entry)?.getEnd() ?? entry.getEnd();
  const lineEnd = text.indexOf("\n", end);
  // On lines of its own: it starts its line, and only spaces or a comment follow it there.
  if (startsLine(text, entry.getStart()) && lineEnd !== -1 && /^\s*(\/\/.*|\/\*.*\*\/\s*)?$/.test(text.slice(end, lineEnd))) {
    let from = text.lastIndexOf("\n", entry.getStart() - 1) + 1;
    // Own-line comments directly above belong to the entry.
    for (const c of entry.getLeadingCommentRanges().reverse()) {
      const gap = text.slice(c.getEnd(), from);
      if (!startsLine(text, c.getPos()) || !/^\s*$/.test(gap) || /\n[ \t]*\n/.test(gap)) break;
      from = text.lastIndexOf("\n", c.getPos() - 1) + 1;
    }
    // When the last entry had no trailing comma, neither may the new last one. Positions are
    // taken first: an edit forgets every node. The later range goes first, so the earlier stays put.
    const prevComma = !next && !commaAfter(entry) && prev ? commaAfter(prev) : undefined;
    const comma = prevComma && ([prevComma.getStart(), prevComma.getEnd()] as const);
    sf.replaceText([from, lineEnd + 1], "");
    if (comma) sf.replaceText([comma[0], comma[1]], "");
    return;
  }
  // Sharing a line: `a, b, c` less b is `a, c`; less c it is `a, b` (a trailing comma stays after b if c had one).
  if (next) sf.replaceText([entry.getStart(), next.getStart()], "");
  else sf.replaceText([prev!.getEnd(), commaAfter(entry)?.getStart() ?? entry.getEnd()], "");
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
  const target = existsSync(path) ? realpathSync(path) : path;
  const ext = extname(target) || ".ts";
  // Dots in the stem become "_": TypeScript reads any `*.d.*.ts` as a declaration file and
  // would skip type-checking the staged copy of, say, `d.config.ts`.
  const staged = join(dirname(target), `.${basename(target, extname(target)).replaceAll(".", "_")}.staged${ext}`);
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
