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
import { FIXTURES, composeConfig, fixtureNames, generateTo, haveTool, normalizeCompose } from "./helpers.js";

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
