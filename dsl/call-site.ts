/**
 * Where user code called into the DSL, as `file:line:col`, so validation
 * errors can point at the line that set a value. Frames inside the DSL are
 * skipped. With source maps enabled (the CLI enables them) positions refer
 * to the original .ts file.
 */
const DSL_DIR = new URL(".", import.meta.url).href;
/** The same folder as a path: frames of CommonJS code (the CLI bundle) name their file by path, not URL. */
const DSL_PATH = decodeURIComponent(new URL(DSL_DIR).pathname);

/** V8's stack API, declared here so the DSL's types need no @types/node in a user's config check. */
const V8Error = Error as ErrorConstructor & { stackTraceLimit: number; captureStackTrace(target: object, fn?: unknown): void };

/** Where a DSL call was made, as `file:line:col`, worked out when first asked (most runs never ask). */
export type CallSite = () => string | undefined;

/**
 * The caller's position. The stack is captured now, but read and mapped
 * through source maps only when a problem needs the location: that costs a
 * run a few milliseconds, and a config without problems never needs it.
 */
export function callSite(): CallSite {
  const holder: { stack?: string } = {};
  const limit = V8Error.stackTraceLimit;
  V8Error.stackTraceLimit = 12;
  V8Error.captureStackTrace(holder, callSite);
  V8Error.stackTraceLimit = limit;
  let site: string | undefined | null = null;
  return () => (site === null ? (site = firstOutsideDsl(holder.stack ?? "")) : site);
}

function firstOutsideDsl(stack: string): string | undefined {
  for (const line of stack.split("\n").slice(1)) {
    const m = /\(?(file:[^\s()]+|\/[^\s()]+):(\d+):(\d+)\)?$/.exec(line.trim());
    if (!m || m[1] === undefined) continue;
    if (m[1].startsWith(DSL_DIR) || m[1].startsWith(DSL_PATH)) continue;
    const file = m[1].startsWith("file:") ? decodeURIComponent(new URL(m[1]).pathname) : m[1];
    return `${file}:${m[2]}:${m[3]}`;
  }
  return undefined;
}
