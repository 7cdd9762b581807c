/**
 * Parity with the cookiecutter template: for every fixture, our
 * docker-compose.yml equals the template's render (committed under
 * test/fixtures/<name>/reference), compared as data and, where
 * docker-compose is installed (always under CI), after its normalization.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { FIXTURES, composeConfig, fixtureNames, generateTo, haveTool } from "./helpers.js";

/** The few differences YAML parsing leaves: the template writes `NVIDIA_VISIBLE_DEVICES: 0` as a number. */
export function normalizeCompose(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => normalizeCompose(v));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, normalizeCompose((value as Record<string, unknown>)[k], k)]),
    );
  }
  return key !== "" && typeof value === "number" && /^[A-Z_]+$/.test(key) ? String(value) : value;
}

for (const name of fixtureNames()) {
  test(`${name}: docker-compose.yml has the reference's services, networks and volumes`, async () => {
    const out = await generateTo(join(FIXTURES, name, "deployment.config.ts"));
    const ours = normalizeCompose(parse(readFileSync(join(out, "docker-compose.yml"), "utf8")));
    const ref = normalizeCompose(parse(readFileSync(join(FIXTURES, name, "reference", "docker-compose.yml"), "utf8")));
    assert.equal(ours, ref);
  });

  test(`${name}: docker-compose config sees the same deployment as the reference`, async () => {
    if (!haveTool("docker-compose")) return;
    const out = await generateTo(join(FIXTURES, name, "deployment.config.ts"));
    assert.fixture(composeConfig(out, ["docker-compose.yml"]), composeConfig(join(FIXTURES, name, "reference"), ["docker-compose.yml"]));
  });
}

test.run();
