/** No source file over 400 lines: a longer one holds more than one thing. Templates (.ejs) and compose-spec.json are data, not counted. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ROOT } from "../helpers.js";
import { SOURCE_FOLDERS, sourceFiles } from "./import-rules.js";

export const MAX_LINES = 400;

/**
 * Files another branch is splitting while this rule lands; each goes when
 * that branch merges, and the test fails if one is listed but already short.
 */
const BEING_SPLIT: Readonly<Record<string, string>> = {
  "test/e2e/swarm.ts": "the end-to-end harness (its own branch)",
  "test/e2e/checks.ts": "the end-to-end harness (its own branch)",
};

const lineCount = (text: string) => text.split("\n").length - (text.endsWith("\n") ? 1 : 0);

test(`no source file is over ${MAX_LINES} lines`, () => {
  const long = sourceFiles(ROOT, [...SOURCE_FOLDERS, "test"])
    .map((f) => ({ f, n: lineCount(readFileSync(join(ROOT, f), "utf8")) }))
    .filter(({ f }) => !f.startsWith("test/fixtures/"));
  assert.equal(long.filter(({ f, n }) => n > MAX_LINES && !(f in BEING_SPLIT)).map(({ f, n }) => `${f}: ${n} lines`), []);
  const stale = Object.keys(BEING_SPLIT).filter((f) => !long.some((l) => l.f === f && l.n > MAX_LINES));
  assert.equal(stale, [], "listed as being split, but already short (or gone): take them off the list");
});

test("the line counter counts lines", () => {
  assert.is(lineCount("a\nb\n"), 2);
  assert.is(lineCount("a\nb"), 2);
  assert.is(lineCount(`${"x\n".repeat(MAX_LINES + 1)}`), MAX_LINES + 1);
});

test.run();
