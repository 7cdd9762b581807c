/**
 * What a change of the config does to a deployment's data. Compares the
 * facts the last generation recorded (and, where init ran, what init
 * recorded on the host and the hosts `.env` names) with the new facts, and
 * sorts every difference into a class:
 * - `harmless`: Compose recreates containers, nothing else;
 * - `init`: run ./init-deployment.sh again (it refills what it made);
 * - `migration`: moves data, and the config declares it (`upgrade`): the
 *   steps say how;
 * - `data`: moves or strands data, undeclared: generate refuses it and
 *   names the way through.
 * Pure: the caller reads the folder (app/previous-state.ts).
 */
import type { DeploymentFacts } from "../model/facts.js";

export type ChangeClass = "harmless" | "init" | "migration" | "data";

export interface Change {
  readonly class: ChangeClass;
  /** Settings that make the change, most specific first: the error points at the first one the config states. */
  readonly settings: readonly string[];
  readonly what: string;
  /** For `data`: the setting or command that makes it safe. */
  readonly way?: string;
  /** For `migration`: what to do, in order. */
  readonly steps?: readonly string[];
}

/** What init recorded on the host (`.dioptra-init-state`), field by field; any may be unknown. */
export interface HostRecord {
  readonly release?: string;
  readonly slug?: string;
  readonly postgresMajor?: number;
}

/** What the deployment folder says about the running deployment. */
export interface Previous {
  /** The last generation's record (out/.dioptra-state.json). */
  readonly record?: DeploymentFacts;
  readonly host?: HostRecord;
  /** The host each `.env` URI variable names, when `.env` is there (values never leave the reader). */
  readonly envHosts?: Readonly<Record<string, string>>;
}

const list = (xs: readonly string[]) => xs.join(", ");

/** A Dioptra release switch: the steps of a declared one, or a refusal. */
function releaseChange(from: string, next: DeploymentFacts, prev: DeploymentFacts | undefined): Change {
  const settings = ["dioptra"];
  const what = `Dioptra ${from} → ${next.release}: the REST API and MLflow migrate their database schemas in place at their first start, with no way back but a backup`;
  if (next.upgrade.dioptraFrom !== from)
    return {
      class: "data",
      settings,
      what,
      way:
        from < next.release
          ? `back up (./backup.sh), then declare the switch with upgrade: { dioptra: { from: ${JSON.stringify(from)} } }, or keep dioptra: ${JSON.stringify(from)}`
          : `going back needs a backup made under ${from} (./restore.sh); keep dioptra: ${JSON.stringify(from)}`,
    };
  const steps = [`back up first: ./backup.sh (the first start under ${next.release} migrates both schemas for good)`];
  steps.push("stop the deployment: docker compose down");
  const renamed = prev ? Object.entries(next.queues).filter(([k, q]) => prev.queues[k] !== undefined && prev.queues[k] !== q) : [];
  if (renamed.length > 0)
    steps.push(
      `queues renamed (${renamed.map(([k, q]) => `${prev!.queues[k]} → ${q}`).join(", ")}): jobs still queued under the old names are not picked up by the new workers; ./dioptra-upgrade.sh moves them to the new queues`,
    );
  const dropped = prev ? prev.minio.buckets.filter((b) => !next.minio.buckets.includes(b)) : [];
  if (dropped.length > 0) steps.push(`MinIO buckets ${list(dropped)} are kept with their objects, but ${next.release} neither makes nor uses them; ${list(next.minio.buckets)} stays in use`);
  steps.push(`run ./init-deployment.sh: it adds the ${next.release} secrets to .env, sets up MinIO's ${next.release} policies and registers the workers' account`);
  steps.push("docker compose up -d: the REST API and MLflow migrate their schemas; the workers log in with the new account");
  return { class: "migration", settings, what, steps };
}

function postgresChange(from: number, next: DeploymentFacts): Change {
  const to = next.postgres.major;
  const settings = ["postgres.tag", "images.db.tag", "images.db", "dioptra"];
  const what = `PostgreSQL ${from} → ${to}: PostgreSQL cannot open a data folder of another major version (${to > from ? "up" : "down"})`;
  if (next.upgrade.postgresFrom !== from)
    return {
      class: "data",
      settings,
      what,
      way: `declare the move with upgrade: { postgres: { from: ${from} } } (generate then writes pg-upgrade.sh, which dumps, restores into a fresh data folder and keeps the old one), or keep a ${from} tag in postgres.tag`,
    };
  return {
    class: "migration",
    settings,
    what,
    steps: [
      "back up first: ./backup.sh",
      `./pg-upgrade.sh: stops the deployment, dumps the ${from} data, restores it into a fresh ${to} data folder, compares every table's row count, and keeps the ${from} folder as a volume of its own`,
      "docker compose up -d, check the deployment, then ./pg-upgrade.sh --remove-old deletes the old data",
      ...(to < from ? [`going down a major: a dump of ${from} may use what ${to} lacks; pg-upgrade.sh stops at the first error and keeps everything`] : []),
    ],
  };
}

/** The slug moves every volume, host and the KMS key name at once: one change, one way through. */
function slugChange(from: string, next: DeploymentFacts, prev: DeploymentFacts | undefined): Change {
  const dataVolumes = (prev?.volumes ?? []).filter((v) => v.holds === "data").map((v) => v.name);
  const parts = [
    dataVolumes.length > 0 ? `the data volumes get new, empty names (the data stays in ${list(dataVolumes)})` : "every volume gets a new, empty name",
    `.env's URIs name hosts ${from}-db and ${from}-redis, which would no longer exist`,
    "MinIO's KMS key changes name, so MinIO could not read its own users",
  ];
  return {
    class: "data",
    settings: ["slug", "name"],
    what: `the slug changes from ${from} to ${next.slug}: ${parts.join("; ")}`,
    way: `keep the identity with slug: ${JSON.stringify(from)} (the name may change freely; see "Renaming" in out/README.md)`,
  };
}

/** Every change from the previous deployment to `next`, the most serious first. */
export function classifyChanges(previous: Previous, next: DeploymentFacts): Change[] {
  const prev = previous.record;
  const host = previous.host ?? {};
  const changes: Change[] = [];
  // What init recorded is what the data is; the last generation's record may be ahead of it.
  const release = host.release ?? prev?.release;
  const slug = host.slug ?? prev?.slug;
  const major = host.postgresMajor ?? prev?.postgres.major;

  if (release !== undefined && release !== next.release) changes.push(releaseChange(release, next, prev));
  if (major !== undefined && major !== next.postgres.major) changes.push(postgresChange(major, next));
  const slugMoved = slug !== undefined && slug !== next.slug;
  if (slugMoved) changes.push(slugChange(slug, next, prev));

  if (!slugMoved && prev) {
    const names = new Set(next.volumes.map((v) => v.name));
    for (const v of prev.volumes.filter((v) => !names.has(v.name))) {
      const where = [`volumes.${v.key}`, "volumes"];
      if (v.holds === "data")
        changes.push({
          class: "data",
          settings: where,
          what: `volume ${v.name} is no longer used: its data (${v.key}) would stay behind, out of the deployment`,
          way: `keep volumes.${v.key} in the config, or back it up (./backup.sh) and remove the volume yourself once you no longer need it`,
        });
      else if (v.holds === "outside") changes.push({ class: "harmless", settings: where, what: `volume ${v.name} is no longer used; its data stays where its driver keeps it` });
      else changes.push({ class: "init", settings: where, what: `volume ${v.name} is replaced: init fills the new one` });
    }
    if (prev.minio.kmsKeyName !== next.minio.kmsKeyName || list(prev.minio.users) !== list(next.minio.users))
      changes.push({
        class: "data",
        settings: ["slug", "name"],
        what: `MinIO's KMS key name or account names change (${prev.minio.kmsKeyName} → ${next.minio.kmsKeyName}): MinIO could not read the users and policies it encrypted`,
        way: "keep the slug and release the MinIO data was made with",
      });
  }
  if (!slugMoved && previous.envHosts) {
    const stale = Object.entries(next.envHosts).filter(([k, h]) => previous.envHosts![k] !== undefined && previous.envHosts![k] !== h);
    if (stale.length > 0)
      changes.push({
        class: "data",
        settings: ["slug", "name"],
        what: `.env's ${stale.map(([k]) => k).join(", ")} name ${[...new Set(stale.map(([k]) => previous.envHosts![k]))].join(", ")}, not ${[...new Set(stale.map(([, h]) => h))].join(", ")}: the services would not find their databases`,
        way: `keep the slug .env was made with (slug: ${JSON.stringify(previous.envHosts[stale[0]![0]]!.replace(/-(?:db|redis)$/, ""))}), or correct the host in those .env lines by hand`,
      });
  }

  if (prev) {
    if (prev.name !== next.name && !slugMoved)
      changes.push({ class: "harmless", settings: ["name"], what: `name ${JSON.stringify(prev.name)} → ${JSON.stringify(next.name)}; the slug ${next.slug} stays, and with it every volume and host` });
    // A release switch changes the images itself: its steps say what that means.
    for (const [svc, image] of release === next.release ? Object.entries(next.images) : []) {
      const was = prev.images[svc];
      if (was === undefined || was === image || (svc === "db" && major !== next.postgres.major)) continue;
      const schema = svc === "restapi" || svc === "mlflow-tracking" ? " (it migrates its database schema at start: back up first)" : "";
      changes.push({ class: "harmless", settings: [`images.${svc}`, "tag"], what: `${svc} image ${was} → ${image}${schema}` });
    }
  }
  const order: Record<ChangeClass, number> = { data: 0, migration: 1, init: 2, harmless: 3 };
  return changes.sort((a, b) => order[a.class] - order[b.class]);
}

/** The lines `plan` prints for the changes; empty when there are none. */
export function formatChanges(changes: readonly Change[]): string[] {
  if (changes.length === 0) return [];
  const lines = ["changes to the deployment's state:"];
  for (const c of changes) {
    lines.push(`  ${c.class.padEnd(10)}${c.what}`);
    if (c.way) lines.push(`            refused by generate; the way through: ${c.way}`);
    for (const [i, s] of (c.steps ?? []).entries()) lines.push(`            ${i + 1}. ${s}`);
  }
  return lines;
}
