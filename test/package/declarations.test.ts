/**
 * The package's declarations are its public API only: the builder, the
 * helpers and the types of their settings. Internals (validation, defaults,
 * the resolved spec, call sites) must not ship as .d.ts, or a user's compiler
 * would check them under the user's flags and users would take them for API.
 */
import { spawnSync } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ROOT } from "../helpers.js";

/** Every .d.ts the tarball may hold; a new public module is added here on purpose. */
const PUBLIC = [
  "dist/dsl/capabilities.d.ts",
  "dist/dsl/container.d.ts",
  "dist/dsl/deployment.d.ts",
  "dist/dsl/env.d.ts",
  "dist/dsl/errors.d.ts",
  "dist/dsl/images.d.ts",
  "dist/dsl/index.d.ts",
  "dist/dsl/mount.d.ts",
  "dist/dsl/props.d.ts",
  "dist/dsl/volume.d.ts",
  "dist/dsl/worker-kinds.d.ts",
];

test("the packed tarball's declarations are exactly the public API's", () => {
  const r = spawnSync(process.platform === "win32" ? "npm.cmd" : "npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  const [info] = JSON.parse(r.stdout) as { files: { path: string }[] }[];
  const shipped = info!.files.map((f) => f.path).filter((p) => p.endsWith(".d.ts") || p.endsWith(".d.mts") || p.endsWith(".d.cts")).sort();
  assert.equal(shipped, PUBLIC);
});

test.run();
