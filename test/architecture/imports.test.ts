/**
 * The import direction: targets → model → nothing of the DSL's internals.
 * Each rule is shown to catch a planted bad import before the repository is
 * checked against them all.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ROOT } from "../helpers.js";
import { importsOf, violation, violations } from "./import-rules.js";

const planted = (path: string, line: string) => importsOf(path, `${line}\nexport const x = 1;\n`).map(violation).filter((v) => v !== undefined);

test("a planted bad import is caught, a good one is not", () => {
  assert.equal(planted("model/bad.ts", 'import { SETTINGS } from "../validation/settings.js";').length, 1, "model → validation internals");
  assert.equal(planted("model/bad.ts", 'import { deployment } from "../dsl/deployment.js";').length, 1, "model → DSL builder");
  assert.equal(planted("model/bad.ts", 'import { fromEnv } from "../dsl/env.js";').length, 1, "model → a DSL function");
  assert.equal(planted("model/bad.ts", 'import { x } from "../dsl/props.js";').length, 1, "model → a public DSL module, not type-only");
  assert.equal(planted("model/bad.ts", 'const m = await import("../targets/compose/lower.js");').length, 1, "model → a target, dynamically");
  assert.equal(planted("targets/compose/bad.ts", 'import type { WorkerSpec } from "../../dsl/container.js";').length, 1, "target → DSL internals");
  assert.equal(planted("targets/swarm/bad.ts", 'export { x } from "../kubernetes/lower.js";').length, 1, "target → another target");
  assert.equal(planted("validation/bad.ts", 'import { composeFiles } from "../targets/compose/files.js";').length, 1, "validation → a target's folder");
  assert.equal(planted("model/good.ts", 'import type { EnvValue } from "../dsl/props.js";'), [], "model → public DSL types");
  assert.equal(planted("targets/swarm/good.ts", 'import { lowerVolume } from "../compose/lower.js";'), [], "the Swarm stack uses Compose's format");
  assert.equal(planted("validation/good.ts", 'import { TARGETS } from "../targets/index.js";'), [], "validation → the targets table");
});

test("the repository keeps the import direction", () => {
  assert.equal(violations(ROOT), []);
});

test.run();
