/**
 * Reading a file someone else may have made: a regular file of at most
 * LIMITS.inputBytes, read without reading past that (so /dev/zero or a huge
 * file costs nothing), and UTF-8 text (not silently U+FFFD where it is not).
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { LIMITS } from "../dsl/limits.js";
import { InputError, UsageError } from "./errors.js";

const kib = (n: number) => `${Math.round(n / 1024)} KiB`;

/** The UTF-8 text of `file`; a file that cannot be read is a usage error, one too big or not UTF-8 an input error. */
export function readInputText(file: string, limit: number = LIMITS.inputBytes): string {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${file}: ${code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (e as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UsageError(`cannot read ${file}: not a regular file`);
    if (st.size > limit) throw new InputError(`${file} is ${kib(st.size)}; at most ${kib(limit)} is read (the inputs import reads are a few kB)`);
    const buf = Buffer.alloc(limit + 1);
    let n = 0;
    for (let r = 1; r > 0 && n <= limit; n += r) r = readSync(fd, buf, n, limit + 1 - n, null);
    if (n > limit) throw new InputError(`${file} grew past ${kib(limit)} while it was read`);
    try {
      return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(buf.subarray(0, n));
    } catch {
      throw new InputError(`${file} is not UTF-8 text (byte ${firstBadByte(buf.subarray(0, n))}); save it as UTF-8`);
    }
  } finally {
    closeSync(fd);
  }
}

/** The offset of the first byte that does not decode, for the message. */
function firstBadByte(buf: Buffer): number {
  let lo = 0;
  let hi = buf.length;
  const ok = (end: number) => {
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(buf.subarray(0, end), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The first line of YAML `text` that may nest past `max` levels (indentation,
 * sequence dashes and open flow brackets, each counted as a level: an upper
 * bound), or undefined. The YAML parser recurses per level, so text nested a
 * few hundred deep would overflow its stack, slowly: this scan is linear.
 */
export function yamlNestingPastLine(text: string, max: number): number | undefined {
  let flow = 0;
  let quote: string | undefined;
  const lines = text.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    const block = quote === undefined && flow === 0 ? /^( *)((?:[-?] +)*)/.exec(line)! : undefined;
    const base = block ? block[1]!.length + block[2]!.replace(/ +/g, "").length : 0;
    let deepest = flow;
    for (let i = base; i < line.length; i++) {
      const ch = line[i]!;
      if (quote !== undefined) {
        if (ch === "\\" && quote === '"') i++;
        else if (ch === quote) quote = undefined;
      } else if (ch === '"' || ch === "'") quote = ch;
      else if (ch === "#" && (i === 0 || line[i - 1] === " " || line[i - 1] === "\t")) break;
      else if (ch === "[" || ch === "{") deepest = Math.max(deepest, ++flow);
      else if ((ch === "]" || ch === "}") && flow > 0) flow--;
    }
    if (base + deepest > max) return n + 1;
  }
  return undefined;
}
