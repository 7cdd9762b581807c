/**
 * The one YAML serializer for Compose files. It writes the text directly, in
 * exactly the bytes the `yaml` library writes for the same document with our
 * options (yaml-lib.ts), for the documents we generate: maps, lists, ASCII
 * strings on one line, whole numbers, booleans, null. Anything else (line
 * breaks, non-ASCII text, fractions, a key over 1000 characters) goes to the
 * library, so every value keeps the library's YAML 1.1-safe quoting.
 * test/yaml-fast-path.test.ts checks both claims on random documents: the
 * same bytes as the library, and the same data for PyYAML (YAML 1.1) and
 * `yaml` (1.2). Writing the 1.3 MB docker-compose.yml of 1000 workers takes
 * ~60 ms of CPU in a fresh process here, ~250 ms through the library's
 * document model.
 */
import type { ComposeDocument, ComposeFile } from "./types.js";
import { libYamlBody } from "./yaml-lib.js";
import { ALWAYS_QUOTED, canonical, FRAGILE, FRAGILE_KEY, HEALTHCHECK_ORDER, SERVICE_ORDER, TOP_ORDER } from "./yaml-style.js";

/**
 * Plain scalars that a YAML 1.1 reader resolves to something other than a
 * string: the `test` of every default non-string tag of the `yaml` library's
 * yaml-1.1 schema, in its order (null, bool, int, float, merge key `<<`,
 * sexagesimal, timestamp). The library quotes a plain string matching one;
 * test/yaml-fast-path.test.ts fails if this table stops matching the library.
 */
export const YAML11_IMPLICIT: readonly RegExp[] = [
  /^(?:~|[Nn]ull|NULL)?$/,
  /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/,
  /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/,
  /^[-+]?0b[0-1_]+$/,
  /^[-+]?0[0-7_]+$/,
  /^[-+]?[0-9][0-9_]*$/,
  /^[-+]?0x[0-9a-fA-F_]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/,
  /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/,
  /^<<$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/,
  /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:t|T|[ \t]+)([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2}(\.[0-9]+)?)(?:[ \t]*(Z|[-+][012]?[0-9](?::[0-9]{2})?))?)?$/,
];

/** The library's test for a string that cannot be plain: indicator first, `: `, ` #`, trailing space or `:`. */
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
/** Printable ASCII only: no line breaks, control or non-ASCII characters, whose spelling is the library's business. */
const SIMPLE = /^[\x20-\x7e]*$/;
/** Would start a new document for a YAML 1.1 reader; the library block-quotes these, so they go to it. */
const DOCUMENT_MARKER = /^(?:%|---|\.\.\.)/;
/** Keys longer than this become explicit `? key` entries in the library; they go to it. */
const MAX_KEY = 1000;

/** Thrown inside the emitter for a value it leaves to the library. */
class Unsupported extends Error {}

/** The library's quoted form of a printable-ASCII string: single quotes only when it holds `"` and no `'`. */
const quoted = (s: string): string => (s.includes('"') && !s.includes("'") ? `'${s}'` : JSON.stringify(s));

/** Spellings of strings met before; a document repeats most of its strings many times. */
const plainCache = new Map<string, string>();

/** A string where the library decides between plain and quoted (a key, or a value not forced into quotes). */
function plainOrQuoted(s: string, key: boolean): string {
  const known = plainCache.get(s);
  if (known !== undefined) return known;
  if (!SIMPLE.test(s) || DOCUMENT_MARKER.test(s) || (key && s.length > MAX_KEY)) throw new Unsupported();
  // FRAGILE_KEY strings are FRAGILE too, so only keys get here with one; the library double-quotes those keys.
  const out = key && FRAGILE_KEY.test(s) ? JSON.stringify(s) : NOT_PLAIN.test(s) || YAML11_IMPLICIT.some((r) => r.test(s)) ? quoted(s) : s;
  // Keys and values are spelled alike within the class above; only the key-length bound differs.
  if (s.length <= MAX_KEY) plainCache.set(s, out);
  return out;
}

/** Spellings of strings under an ALWAYS_QUOTED key, or FRAGILE ones: double-quoted. */
const quotedCache = new Map<string, string>();
/** Spellings of other string values (FRAGILE decides; a key is spelled differently: `a:b` stays plain). */
const valueCache = new Map<string, string>();

function stringValue(s: string, forceQuotes: boolean): string {
  if (forceQuotes) {
    let out = quotedCache.get(s);
    if (out === undefined) {
      if (!SIMPLE.test(s)) throw new Unsupported();
      quotedCache.set(s, (out = JSON.stringify(s)));
    }
    return out;
  }
  let out = valueCache.get(s);
  if (out === undefined) valueCache.set(s, (out = FRAGILE.test(s) ? stringValue(s, true) : plainOrQuoted(s, false)));
  return out;
}

function scalar(value: unknown, forceQuotes: boolean): string {
  if (typeof value === "string") return stringValue(value, forceQuotes);
  // -0: the library writes `-0`, String() writes `0`.
  if (typeof value === "number" && Number.isSafeInteger(value) && !Object.is(value, -0)) return String(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value === null) return "null";
  throw new Unsupported();
}

/** A plain object or array; anything else (Date, Map, class instances) is left to the library. */
function composite(value: unknown): "map" | "seq" | undefined {
  if (value === null || typeof value !== "object") return undefined;
  if (Array.isArray(value)) return "seq";
  return isPlainObject(value) ? "map" : unsupported();
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

function unsupported(): never {
  throw new Unsupported();
}

/**
 * Which key order a map follows: canonical() (yaml-style.ts) sorts the top
 * level, each service and each health check, and leaves other maps as built.
 * The emitter follows the same orders without copying the document.
 */
type Level = "top" | "services" | "service" | "healthcheck" | undefined;
const ORDER: Readonly<Record<string, readonly string[]>> = { top: TOP_ORDER, service: SERVICE_ORDER, healthcheck: HEALTHCHECK_ORDER };
const RANKS: Readonly<Record<string, ReadonlyMap<string, number>>> = Object.fromEntries(Object.entries(ORDER).map(([k, o]) => [k, new Map(o.map((key, i) => [key, i]))]));

/** Keys that JS objects list first, in ascending order, whatever the insertion order. */
const isArrayIndex = (k: string): boolean => /^(?:0|[1-9]\d{0,9})$/.test(k) && Number(k) < 2 ** 32 - 1;

/** Key orders met before, by level and key list: the services of a deployment share a few. */
const orderCache = new Map<string, readonly string[]>();

/**
 * The keys of a map with a defined value, in the order canonical() gives
 * them: array-index keys first (an object built by Object.fromEntries lists
 * them so), then the others stably sorted by their rank in the level's order.
 */
function keysOf(value: Record<string, unknown>, level: Level): readonly string[] {
  const keys: string[] = [];
  // Indexed loops here and below: a run is over before V8 optimizes this code, and an
  // unoptimized for…of allocates a result object per step.
  const all = Object.keys(value);
  for (let i = 0; i < all.length; i++) if (value[all[i]!] !== undefined) keys.push(all[i]!);
  const ranks = level === undefined ? undefined : RANKS[level];
  if (ranks === undefined) return keys;
  const last = ranks.size;
  let indexed = 0;
  while (indexed < keys.length && isArrayIndex(keys[indexed]!)) indexed++;
  // Already in order (the lowering builds services so): the stable sort would change nothing.
  let sorted = true;
  for (let i = indexed, previous = -1; i < keys.length; i++) {
    const r = ranks.get(keys[i]!) ?? last;
    if (r < previous) {
      sorted = false;
      break;
    }
    previous = r;
  }
  if (sorted) return keys;
  const signature = `${level}\0${keys.join("\0")}`;
  const known = orderCache.get(signature);
  if (known !== undefined) return known;
  const rest = keys.slice(indexed);
  const rank = (k: string) => ranks.get(k) ?? last;
  rest.sort((a, b) => rank(a) - rank(b));
  const ordered = indexed === 0 ? rest : [...keys.slice(0, indexed), ...rest];
  orderCache.set(signature, ordered);
  return ordered;
}

/** The level of a map's value under `key`. */
function childLevel(level: Level, key: string): Level {
  if (level === "top") return key === "services" ? "services" : undefined;
  if (level === "services") return "service";
  if (level === "service") return key === "healthcheck" ? "healthcheck" : undefined;
  return undefined;
}

/** Indentation strings by depth, made once. */
const INDENTS: string[] = [""];
const indentOf = (depth: number): string => (INDENTS[depth] ??= `${indentOf(depth - 1)}  `);

/**
 * Writes a collection into `out` as the library lays it out with indent 2 and
 * indentSeq: the first line without indentation (it follows `key:` + newline +
 * indent, or `- `), each later line after a newline and the indentation of
 * `depth`. `quoteItems`: the collection sits under an ALWAYS_QUOTED key, so
 * its own string items or values are quoted.
 */
function collection(out: string[], value: object, kind: "map" | "seq", depth: number, quoteItems: boolean, level: Level): void {
  const nl = `\n${indentOf(depth)}`;
  let first = true;
  if (kind === "seq") {
    const items = value as unknown[];
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const lead = first ? "- " : `${nl}- `;
      first = false;
      const k = composite(item);
      if (k === undefined) out.push(lead + scalar(item, quoteItems));
      else if (isEmpty(item as object, k)) out.push(lead + (k === "map" ? "{}" : "[]"));
      else {
        out.push(lead);
        listItem(out, item as object, k, depth + 1);
      }
    }
    return;
  }
  const map = value as Record<string, unknown>;
  const leads = leadsAt(depth);
  const keys = keysOf(map, level);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const v = map[key];
    let lead = leads.get(key);
    if (lead === undefined) leads.set(key, (lead = nl + plainOrQuoted(key, true)));
    // The first line has no line break: it follows `key:` and a line break, or `- `, already written.
    if (first) lead = lead.slice(nl.length);
    first = false;
    if (v === null || typeof v !== "object") out.push(lead, ": ", scalar(v, quoteItems || ALWAYS_QUOTED.has(key)));
    else mapValue(out, lead, v, depth + 1, ALWAYS_QUOTED.has(key), childLevel(level, key));
  }
}

/**
 * A map's collection value after its key (`lead`): `: {}` or `: []` when
 * empty, else `:` and the collection on the lines below, at `depth`. Any
 * value below a service may be shared (see the Compose lowering): its text
 * is looked up in {@link written} before anything else is done with it.
 */
function mapValue(out: string[], lead: string, v: object, depth: number, quoteItems: boolean, level: Level): void {
  const nl = `\n${indentOf(depth)}`;
  // The services map and each service are met once: written straight into `out`.
  if (level === "services" || level === "service") {
    const k = composite(v)!;
    if (isEmpty(v, k)) out.push(lead, k === "map" ? ": {}" : ": []");
    else {
      out.push(lead, ":", nl);
      collection(out, v, k, depth, quoteItems, level);
    }
    return;
  }
  const where = depth * 4 + (quoteItems ? 2 : 0) + (level === "healthcheck" ? 1 : 0);
  const known = knownText(v, where);
  if (known !== undefined) {
    out.push(lead, known);
    return;
  }
  const k = composite(v)!;
  let text: string;
  if (isEmpty(v, k)) text = k === "map" ? ": {}" : ": []";
  else {
    const own = [":", nl];
    collection(own, v, k, depth, quoteItems, level);
    text = own.join("");
  }
  out.push(lead, remember(v, where, text));
}

/** A key's spelling after a line break and the indentation of its depth, by depth: services repeat the same keys. */
const LEADS: Map<string, string>[] = [];
const leadsAt = (depth: number): Map<string, string> => (LEADS[depth] ??= new Map());

/**
 * Text of the collections met so far in the document being written, by
 * identity, then by depth, quoting and level (what the text depends on): a
 * map's value from the `:` after its key on (see mapValue()), a list's item
 * after its `- ` (see listItem()). Services share parts (the lowering gives
 * the workers of a pool one environment, one command, one list of mounts),
 * which are written once.
 */
let written = new WeakMap<object, Map<number, string>>();

/** The text of `v` written before at `where` (see {@link written}). */
const knownText = (v: object, where: number): string | undefined => written.get(v)?.get(where);

/** Keeps `text` as the text of `v` at `where`, and returns it. */
function remember(v: object, where: number, text: string): string {
  let texts = written.get(v);
  if (texts === undefined) written.set(v, (texts = new Map()));
  texts.set(where, text);
  return text;
}

/** A collection that is a list's item, after its `- `, through {@link written} (negative keys: list items, not map values). */
function listItem(out: string[], value: object, kind: "map" | "seq", depth: number): void {
  const where = -1 - depth;
  const known = knownText(value, where);
  if (known !== undefined) {
    out.push(known);
    return;
  }
  const own: string[] = [];
  collection(own, value, kind, depth, false, undefined);
  out.push(remember(value, where, own.join("")));
}

/** True when a map has no defined value or a list no item: the library writes `{}` / `[]` inline. */
function isEmpty(value: object, kind: "map" | "seq"): boolean {
  if (kind === "seq") return (value as unknown[]).length === 0;
  for (const key in value) if (Object.hasOwn(value, key) && (value as Record<string, unknown>)[key] !== undefined) return false;
  return true;
}

/**
 * True when canonical() only reorders keys of `file`: its services, and their
 * truthy health checks, are plain objects. Otherwise canonical() also turns
 * lists into maps (or throws), and the emitter writes its copy instead.
 */
function onlyReordered(file: ComposeDocument): boolean {
  if (!isPlainObject(file)) return false;
  const services = file.services as unknown;
  if (!services) return true;
  if (!isPlainObject(services)) return false;
  for (const name in services) {
    if (!Object.hasOwn(services, name)) continue;
    const s = services[name];
    if (!isPlainObject(s) || (s.healthcheck && !isPlainObject(s.healthcheck))) return false;
  }
  return true;
}

/** The emitter's text for a document, or undefined when a value is the library's to spell. */
function emit(file: ComposeDocument): string | undefined {
  // A long-lived process (tests) meets many strings.
  for (const cache of [plainCache, quotedCache, valueCache, orderCache, ...LEADS.filter(Boolean)]) if (cache.size > 50_000) cache.clear();
  const [doc, level]: [object, Level] = onlyReordered(file) ? [file, "top"] : [canonical(file), undefined];
  try {
    const kind = composite(doc);
    if (kind === undefined) return undefined;
    if (isEmpty(doc, kind)) return kind === "map" ? "{}\n" : "[]\n";
    const out: string[] = [];
    written = new WeakMap();
    collection(out, doc, kind, 0, false, level);
    out.push("\n");
    return out.join("");
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}

/** A Compose document as YAML text, without header comments. */
export function yamlBody<T extends ComposeDocument>(file: T): string {
  return emit(file) ?? libYamlBody(canonical(file));
}

/** For tests: the emitter alone (undefined where it defers to the library). */
export const emitYamlForTest = (file: ComposeFile | ComposeDocument): string | undefined => emit(file);
