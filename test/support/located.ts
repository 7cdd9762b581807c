/** The one assertion behind every "rejects X at path, located" table of config errors. */
import * as assert from "uvu/assert";
import type { Deployment } from "../../dsl/deployment.js";

/**
 * `d` does not resolve, and one issue sits at `path`, says `fragment` and is located in the file `file`
 * (a test's own name: the builder records where `deployment(...)` was called, so the test calls it).
 */
export function assertLocatedIssue(d: Deployment, path: string, fragment: string, file: string): void {
  const { spec, issues } = d.resolve();
  assert.is(spec, undefined);
  const hit = issues.find((i) => i.path === path);
  assert.ok(hit, `no issue at ${path}; got: ${issues.map((i) => `${i.path}: ${i.message}`).join(" | ")}`);
  assert.ok(hit!.message.includes(fragment), `message "${hit!.message}" lacks "${fragment}"`);
  assert.match(hit!.location ?? "", new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.(?:ts|js):\\d+:\\d+$`));
}
