/**
 * The upstream reference renders, read at run time from ../shared beside the
 * project (never copied into it). A user's clone has no ../shared: tests
 * that need it skip, saying why; under CI=true its absence is a failure.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const SHARED_RENDERS = join(ROOT, "..", "shared", "reference", "renders");

export interface RenderIndex {
  readonly [profile: string]: { readonly commit: string; readonly variants: readonly string[] };
}

let warned = false;

/** The render index, or undefined (with one printed reason) when ../shared is absent outside CI. */
export function renderIndex(): RenderIndex | undefined {
  const index = join(SHARED_RENDERS, "index.json");
  if (existsSync(index)) return JSON.parse(readFileSync(index, "utf8")) as RenderIndex;
  if (process.env.CI === "true") throw new Error(`${SHARED_RENDERS} is required under CI (the upstream reference renders) but is absent`);
  if (!warned) console.log(`  (skipping parity with the upstream template: ${SHARED_RENDERS} is absent)`);
  warned = true;
  return undefined;
}

/** `<renders>/<profile>/<variant>`. */
export const renderDir = (profile: string, variant: string): string => join(SHARED_RENDERS, profile, variant);
