/**
 * The only ways a value becomes TypeScript text in a written config: as a
 * string literal, a property key, or text inside a block comment. Values
 * come from files the user did not write (.cruft.json, replay files,
 * override YAML), so each function guarantees that whatever the value
 * holds, the text is inert data: the parser reads back exactly the value
 * and no token ends early. test/hostile.test.ts checks this with random
 * strings through the TypeScript parser.
 */

/**
 * A string as a TypeScript string literal in `quote`: JSON's escaping
 * (quotes, backslashes, control characters, lone surrogates), plus
 * U+2028/U+2029 written as escapes so no line ends inside the literal.
 */
export function tsStringLiteral(value: string, quote: '"' | "'" = '"'): string {
  const json = JSON.stringify(value).replaceAll("\u2028", "\\u2028").replaceAll("\u2029", "\\u2029");
  if (quote === '"') return json;
  // In JSON's output every `"` of the value is `\"` (a `\` of the value is `\\`, so no `\"` is split).
  return `'${json.slice(1, -1).replace(/\\"|'/g, (m) => (m === "'" ? "\\'" : '"'))}'`;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const INDEX = /^(0|[1-9][0-9]*)$/;

/**
 * A property key: bare when it can be, quoted otherwise. `__proto__` is
 * written computed (`["__proto__"]`): in an object literal the plain or
 * quoted form sets the prototype instead of a property.
 */
export function tsPropertyKey(key: string, quote: '"' | "'" = '"'): string {
  if (key === "__proto__") return `[${tsStringLiteral(key, quote)}]`;
  return IDENTIFIER.test(key) || INDEX.test(key) ? key : tsStringLiteral(key, quote);
}

/**
 * Text for inside a `/* … *\/` comment, one line: `\` is doubled, `*​/`
 * becomes `*\/`, and control characters and line breaks become `\uXXXX`,
 * so the comment cannot end early, and {@link fromTsCommentText} gives the
 * value back. Printable text (URLs, paths) is unchanged.
 */
export function tsCommentText(value: string): string {
  return value
    .replaceAll("\\", "\\\\")
    .replaceAll("*/", "*\\/")
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The value {@link tsCommentText} wrote. */
export function fromTsCommentText(text: string): string {
  return text.replace(/\\(\\|\/|u[0-9a-f]{4})/g, (_, e: string) => (e === "\\" ? "\\" : e === "/" ? "/" : String.fromCharCode(parseInt(e.slice(1), 16))));
}
