/** The one `${…}` parser and printer: every form round-trips, anything else is refused. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { defaultOf, envRef, envSecret, parseEnvRef, printEnvRef } from "../../model/env-value.js";

test("each interpolation form parses and prints back to the same text", () => {
  for (const text of ["${A}", "${A_1:-x}", "${a-}", "${B:?must be set}", "${B?unset}", "${C:-http://h:1/p}"]) {
    const r = parseEnvRef(text);
    assert.ok(r, text);
    assert.is(printEnvRef(r!), text);
  }
  assert.equal(parseEnvRef("${PORT:-8888}"), { var: "PORT", fallback: { kind: "default", ifEmpty: true, text: "8888" } });
  assert.is(defaultOf(parseEnvRef("${X:?no}")!), undefined);
  assert.is(defaultOf(parseEnvRef("${X-d}")!), "d");
});

test("text that is not one whole interpolation is refused", () => {
  for (const text of ["$A", "${1A}", "${A", "x${A}", "${A}x", "${A:+x}", "${A}}", ""]) assert.is(parseEnvRef(text), undefined, text);
});

test("the DSL's values are printed by the same function", () => {
  assert.equal(envRef("N"), { interpolate: "${N}" });
  assert.equal(envRef("N", "d"), { interpolate: "${N:-d}" });
  assert.equal(envSecret("S"), { interpolate: "${S}", secret: true });
});

test.run();
