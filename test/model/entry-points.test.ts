/** nginx's entry-point table: what each reader derives from it. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ENTRY_POINTS, healthUrls, hostPort, publishedEntryPoints } from "../../model/entry-points.js";

test("published ports follow the nginx settings, HTTPS only with TLS", () => {
  const plain = { httpPort: 8080, httpsPort: 8443, tls: false };
  assert.equal(publishedEntryPoints(plain).map((e) => hostPort(e, plain)), [8080, 35432, 35000, 35050, 39000, 39001]);
  const tls = { ...plain, tls: true };
  assert.equal(publishedEntryPoints(tls).map((e) => hostPort(e, tls)), [8080, 8443, 35432, 35000, 35050, 39000, 39001]);
});

test("the health check probes the HTTP entry points, the web app on its scheme's port", () => {
  assert.equal(healthUrls(false), ["http://localhost:30080", "http://localhost:35000", "http://localhost:35050/login", "http://localhost:39000", "http://localhost:39001"]);
  assert.equal(healthUrls(true)[0], "https://localhost:30443");
});

test("container ports and keys are unique", () => {
  assert.is(new Set(ENTRY_POINTS.map((e) => e.container)).size, ENTRY_POINTS.length);
  assert.is(new Set(ENTRY_POINTS.map((e) => e.key)).size, ENTRY_POINTS.length);
});

test.run();
