/**
 * The change classification (app/changes.ts) on facts built from real
 * configs: each class, both directions of a PostgreSQL major change, the
 * host's record winning over the last generation's, and the defensive
 * readers of the records in out/. No Docker.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { classifyChanges, type Change, type Previous } from "../../app/changes.js";
import { parseEnvHosts, parseHostRecord } from "../../app/previous-state.js";
import type { DeploymentProps } from "../../dsl/props.js";
import { resolveDeployment } from "../../dsl/resolve.js";
import { parseStateRecord, stateRecordFile } from "../../generators/state-record.js";
import { buildModel } from "../../model/build.js";
import { factsOf, type DeploymentFacts } from "../../model/facts.js";

function facts(props: DeploymentProps): DeploymentFacts {
  const { spec, issues } = resolveDeployment(props);
  assert.ok(spec, issues.map((i) => `${i.path}: ${i.message}`).join("\n"));
  return factsOf(buildModel(spec!));
}

/** The facts as the record in out/ holds them: through the writer's text and back. */
function recorded(props: DeploymentProps): DeploymentFacts {
  const { spec } = resolveDeployment(props);
  const parsed = parseStateRecord(stateRecordFile(buildModel(spec!))[0]!.content);
  assert.ok(parsed, "the record parses");
  return parsed!;
}

const classes = (cs: readonly Change[]) => cs.map((c) => c.class);
const change = (before: DeploymentProps, after: DeploymentProps, extra: Omit<Previous, "record"> = {}) => classifyChanges({ record: recorded(before), ...extra }, facts(after));

test("the record round-trips: what generate writes is what the next generate reads", () => {
  assert.equal(recorded({ dioptra: "1.0", name: "Lab" }), facts({ dioptra: "1.0", name: "Lab" }));
});

test("an unchanged config has no changes; a first generation has nothing to compare", () => {
  assert.equal(change({}, {}), []);
  assert.equal(classifyChanges({}, facts({ postgres: { tag: "18" } })), []);
});

test("harmless: a new name with the old slug kept, more workers, a minor PostgreSQL tag", () => {
  const cs = change({ name: "Lab One" }, { name: "Lab Two", slug: "lab-one", workers: { tensorflowCpu: 3 }, postgres: { tag: "17.6-bookworm" } });
  assert.equal(classes(cs), ["harmless", "harmless"]);
  assert.match(cs[0]!.what, /name "Lab One" → "Lab Two"; the slug lab-one stays/);
  assert.match(cs[1]!.what, /db image .*postgres:17 → .*postgres:17\.6-bookworm/);
  assert.ok(cs.every((c) => c.way === undefined), "nothing refused");
});

test("touches data: a rename that changes the slug moves volumes, .env hosts and the KMS key name", () => {
  const cs = change({ name: "Lab One" }, { name: "Lab Two" });
  assert.equal(classes(cs), ["data"]);
  assert.equal(cs[0]!.settings, ["slug", "name"]);
  assert.match(cs[0]!.what, /lab-one to lab-two: .*lab-one_postgres-data.*lab-one-db and lab-one-redis.*KMS key/);
  assert.match(cs[0]!.way!, /slug: "lab-one"/);
});

for (const [from, to] of [["15", "17"], ["17", "15"], ["17", "18"], ["18", "17"]] as const) {
  test(`touches data: PostgreSQL ${from} → ${to} undeclared is refused; declared, it is a migration with steps`, () => {
    const undeclared = change({ postgres: { tag: from } }, { postgres: { tag: to } });
    assert.equal(classes(undeclared), ["data"]);
    assert.match(undeclared[0]!.what, new RegExp(`PostgreSQL ${from} → ${to}: .*\\(${Number(to) > Number(from) ? "up" : "down"}\\)`));
    assert.match(undeclared[0]!.way!, new RegExp(`upgrade: \\{ postgres: \\{ from: ${from} \\} \\}`));
    const declared = change({ postgres: { tag: from } }, { postgres: { tag: to }, upgrade: { postgres: { from: Number(from) } } });
    assert.equal(classes(declared), ["migration"]);
    assert.match(declared[0]!.steps!.join("\n"), /backup\.sh[^]*pg-upgrade\.sh[^]*--remove-old/);
  });
}

test("a declaration that names the wrong source major does not let the change through", () => {
  assert.equal(classes(change({ postgres: { tag: "15" } }, { postgres: { tag: "17" }, upgrade: { postgres: { from: 16 } } })), ["data"]);
});

test("touches data: Dioptra 1.0 → 1.1 undeclared; declared, the steps name the backup, the queues, the buckets and the worker account", () => {
  assert.equal(classes(change({ dioptra: "1.0" }, { dioptra: "1.1", postgres: { tag: "15" } })), ["data"]);
  const cs = change({ dioptra: "1.0" }, { dioptra: "1.1", postgres: { tag: "15" }, upgrade: { dioptra: { from: "1.0" } } });
  assert.equal(classes(cs), ["migration"]);
  const steps = cs[0]!.steps!.join("\n");
  assert.match(steps, /^back up first: \.\/backup\.sh/);
  assert.match(steps, /tensorflow_cpu → tensorflow-cpu/);
  assert.match(steps, /plugins, workflow are kept/);
  assert.match(steps, /registers the workers' account/);
});

test("touches data: going back from 1.1 to 1.0 is refused, and cannot be declared", () => {
  const cs = change({ dioptra: "1.1" }, { dioptra: "1.0", postgres: { tag: "17" } });
  assert.equal(classes(cs), ["data"]);
  assert.match(cs[0]!.way!, /restore\.sh/);
  const { issues } = resolveDeployment({ dioptra: "1.0", upgrade: { dioptra: { from: "1.1" } } });
  assert.match(issues.map((i) => `${i.path}: ${i.message}`).join("\n"), /upgrade\.dioptra\.from: "1\.1" → "1\.0" goes back a release/);
});

test("volumes: a dropped volume of the user's is data; a replaced built-in volume init refills is init", () => {
  const cs = change({ volumes: { scratch: { type: "driver" } } }, {});
  assert.equal(classes(cs), ["data"]);
  assert.match(cs[0]!.what, /dioptra-deployment_scratch is no longer used/);
  const nfs = change({ volumes: { share: { type: "nfs", server: "10.0.0.1", export: "/x" } } }, {});
  assert.equal(classes(nfs), ["harmless"], "an NFS share keeps its data on the server");
  const record = recorded({});
  const renamed: DeploymentFacts = { ...record, volumes: record.volumes.map((v) => (v.key === "nginx-conf-d" ? { ...v, name: "old_nginx-conf-d" } : v)) };
  assert.equal(classes(classifyChanges({ record: renamed }, facts({}))), ["init"]);
});

test("touches data: MinIO's KMS key name or accounts differ from the record", () => {
  const record = recorded({});
  const cs = classifyChanges({ record: { ...record, minio: { ...record.minio, kmsKeyName: "other-key" } } }, facts({}));
  assert.equal(classes(cs), ["data"]);
  assert.match(cs[0]!.what, /KMS key/);
});

test("touches data: .env's URIs name hosts the new config does not have", () => {
  const env = "DIOPTRA_RESTAPI_DATABASE_URI=postgresql://dioptra:s3cr3t@lab-one-db/restapi\nRQ_REDIS_URI=redis://:pw@lab-one-redis:6379/0\n";
  const cs = classifyChanges({ envHosts: parseEnvHosts(env)! }, facts({ name: "Lab Two" }));
  assert.equal(classes(cs), ["data"]);
  assert.match(cs[0]!.what, /name lab-one-db, lab-one-redis, not lab-two-db, lab-two-redis/);
  assert.match(cs[0]!.way!, /slug: "lab-one"/);
  assert.equal(classifyChanges({ envHosts: parseEnvHosts(env)! }, facts({ name: "Lab Two", slug: "lab-one" })), []);
});

test("what init recorded on the host wins over the last generation's record", () => {
  const cs = classifyChanges({ record: recorded({ postgres: { tag: "17" } }), host: { postgresMajor: 15 } }, facts({ postgres: { tag: "17" } }));
  assert.equal(classes(cs), ["data"]);
  assert.match(cs[0]!.what, /PostgreSQL 15 → 17/);
  assert.equal(classifyChanges({ host: { release: "1.1", slug: "dioptra-deployment", postgresMajor: 17 } }, facts({})), []);
});

test("records in out/ are strangers' input: odd ones read as no record, and .env's secrets are never kept", () => {
  const good = stateRecordFile(buildModel(resolveDeployment({}).spec!))[0]!.content;
  for (const bad of ["", "{", "null", "[]", '{"format":2,"facts":{}}', good.replace('"major": 17', '"major": "17"'), good.replace(/"volumes": \[/, '"volumes": [7,'), `${good}${" ".repeat(300 * 1024)}`])
    assert.is(parseStateRecord(bad), undefined, bad.slice(0, 60));
  assert.equal(parseHostRecord("release=1.1\nslug=lab\npostgres_major=15\nslug=$(rm -rf /)\njunk\n"), { release: "1.1", slug: "lab", postgresMajor: 15 });
  assert.is(parseHostRecord("postgres_major=abc\n"), undefined);
  const hosts = parseEnvHosts('DIOPTRA_RESTAPI_DATABASE_URI="postgresql://dioptra:p@ss@w0rd@lab-db/restapi"\nMINIO_ROOT_PASSWORD=topsecret\n');
  assert.equal(hosts, { DIOPTRA_RESTAPI_DATABASE_URI: "lab-db" });
  assert.not.match(JSON.stringify(hosts), /w0rd|topsecret/);
});

test("slug: validated on its own setting; a rename that keeps it keeps every volume name", () => {
  const { issues } = resolveDeployment({ slug: "Lab One" });
  assert.match(issues.map((i) => `${i.path}: ${i.message}`).join("\n"), /^slug: "Lab One" is not a valid host-name prefix/);
  assert.equal(facts({ name: "Lab Two", slug: "lab-one" }).volumes, facts({ name: "Lab One" }).volumes);
});

test.run();
