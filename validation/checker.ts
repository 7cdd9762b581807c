/**
 * The validation pass's one reporting tool: typed readers of user values
 * that record every problem at its setting path (located at the call that
 * wrote it) and fall back to the default, so one run reports everything.
 * Targets read their own settings with it too.
 */
import type { CallSite } from "../dsl/call-site.js";
import { RESERVED_KEYS, isPort, isSafeAbsolutePath, show, textProblems, type ValueTest } from "./checks.js";
import type { Issue } from "../dsl/errors.js";

/** Where a setting was written, keyed by setting path (filled by the builder). */
export type Sites = ReadonlyMap<string, CallSite>;

export class Checker {
  readonly issues: Issue[] = [];
  /** Paths already reported by textProblems: their other checks would only repeat it. */
  private readonly textPaths: Set<string>;
  constructor(private readonly sites: Sites, props: unknown) {
    const problems = textProblems(props);
    for (const [path, message] of problems) this.issues.push({ path, message, ...this.locate(path) });
    this.textPaths = new Set(problems.map(([path]) => path));
  }

  fail(path: string, message: string): void {
    if (!this.textPaths.has(path)) this.issues.push({ path, message, ...this.locate(path) });
  }

  private locate(path: string): { location?: string } {
    for (let p = path; p !== ""; p = p.includes(".") ? p.slice(0, p.lastIndexOf(".")) : "") {
      const site = this.sites.get(p)?.();
      if (site) return { location: site };
    }
    const root = this.sites.get("")?.();
    return root ? { location: root } : {};
  }

  /** Reports keys the DSL does not know (typos, or settings from another version). */
  keys(path: string, value: object, allowed: readonly string[]): void {
    for (const k of Object.keys(value)) {
      // Reported once, by textProblems.
      if (!allowed.includes(k) && !RESERVED_KEYS.has(k)) this.fail(joinPath(path, k), `unknown setting (allowed here: ${allowed.join(", ")})`);
    }
  }

  object<T extends object>(path: string, value: unknown, allowed: readonly string[]): T | undefined {
    if (value === undefined) return undefined;
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      this.fail(path, `must be an object, got ${show(value)}`);
      return undefined;
    }
    this.keys(path, value, allowed);
    return value as T;
  }

  string(path: string, value: unknown, fallback: string, test?: { re: ValueTest; what: string }): string {
    if (value === undefined) return fallback;
    if (typeof value !== "string") {
      this.fail(path, `must be a string, got ${show(value)}`);
      return fallback;
    }
    if (test && !test.re.test(value)) this.fail(path, `${show(value)} is not ${test.what}`);
    return value;
  }

  boolean(path: string, value: unknown, fallback: boolean): boolean {
    if (value === undefined) return fallback;
    if (typeof value !== "boolean") {
      this.fail(path, `must be true or false, got ${show(value)}`);
      return fallback;
    }
    return value;
  }

  port(path: string, value: unknown, fallback: number): number {
    if (value === undefined) return fallback;
    if (!isPort(value)) {
      this.fail(path, `must be a port number from 1 to 65535, got ${show(value)}`);
      return fallback;
    }
    return value;
  }

  array<T>(path: string, value: unknown): readonly T[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.fail(path, `must be a list, got ${show(value)}`);
      return [];
    }
    return value as T[];
  }

  absolutePath(path: string, value: unknown, what: string): string | undefined {
    if (typeof value !== "string") {
      this.fail(path, `must be an absolute path string, got ${show(value)}`);
      return undefined;
    }
    if (!isSafeAbsolutePath(value)) {
      this.fail(path, `${show(value)} is not ${what}: an absolute, normalized path of letters, digits and _ . @ + = - (no ":", ",", spaces or quotes)`);
      return undefined;
    }
    return value.length > 1 ? value.replace(/\/$/, "") : value;
  }
}

export function joinPath(path: string, key: string | number): string {
  return path === "" ? String(key) : `${path}.${key}`;
}

