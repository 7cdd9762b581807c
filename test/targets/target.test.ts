/** The target seam: the table's rows, and a target switched on only by its settings. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { FOREIGN_FILES, TARGETS } from "../../targets/index.js";
import { entry, type Target } from "../../targets/target.js";
import { Checker } from "../../validation/checker.js";

test("the table has one row per key, Compose first and always on", () => {
  assert.equal(TARGETS.map((t) => t.key), ["compose", "swarm"]);
  const c = new Checker(new Map(), {});
  assert.equal(TARGETS.map((t) => t.activate(c, {}, { slug: "x" })?.key), ["compose", undefined]);
  assert.equal(c.issues, []);
});

test("Compose names the override file Compose loads by itself", () => {
  assert.ok(FOREIGN_FILES.some((f) => f.path === "docker-compose.override.yml"));
});

test("a new target plugs in with its settings bound", () => {
  const seen: string[] = [];
  const t: Target<{ n: number }> = {
    key: "demo",
    settings: (check, props) => (props.name === "off" ? undefined : (check.fail("demo", "checked"), { n: 2 })),
    synth: (m, s) => [{ path: `demo/${m.slug}-${s.n}.txt`, content: "x\n", mode: 0o644 }],
    validate: (_check, spec, s) => void seen.push(`${spec.slug}:${s.n}`),
  };
  const c = new Checker(new Map(), {});
  assert.is(entry(t).activate(c, { name: "off" }, { slug: "x" }), undefined);
  const on = entry(t).activate(c, {}, { slug: "x" })!;
  assert.equal(c.issues.map((i) => i.message), ["checked"]);
  assert.equal(on.foreignFiles, []);
  assert.equal(on.hosts(), undefined);
  assert.equal(on.readme({} as never), {});
  assert.equal(on.synth({ slug: "s" } as never).map((f) => f.path), ["demo/s-2.txt"]);
  on.validate(c, { slug: "s" } as never);
  assert.equal(seen, ["s:2"]);
});

test.run();
