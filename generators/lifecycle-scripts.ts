/**
 * The scripts that carry a deployment through its life: backup.sh and
 * restore.sh (every deployment), pg-upgrade.sh (when the config declares a
 * PostgreSQL major change), import-resources.sh (Dioptra 1.1). Plain bash
 * and Docker, like init; their sources are ejs templates under
 * generators/init/lifecycle/.
 */
import { serviceName } from "../dsl/services.js";
import { STATE_VOLUMES } from "../model/facts.js";
import { PROFILES, type DioptraRelease } from "../profiles/index.js";
import type { DeploymentModel } from "../model/types.js";
import { shellQuote, shellWords } from "./init/shell.js";
import { prelude, render } from "./init/templates.js";
import { withMarker } from "./marker.js";
import type { OutFile } from "./out-file.js";

/** Values a script may read, with the comment that says what each is; each script names the ones it reads. */
const VALUES: Readonly<Record<string, readonly [comment: string | undefined, value: (m: DeploymentModel) => string]>> = {
  SLUG: [undefined, (m) => shellQuote(m.spec.slug)],
  RELEASE: [undefined, (m) => shellQuote(m.spec.profile.release)],
  POSTGRES_MAJOR: [undefined, (m) => String(m.spec.postgres.major)],
  TOOL_IMAGE: ["The image that runs tar next to the volumes (the db image has it).", (m) => shellQuote(m.spec.images.db)],
  DATA_VOLUMES: ["Named volumes nothing can rebuild, other than the database's (dumped instead).", () => shellWords(Object.keys(STATE_VOLUMES).filter((v) => v !== "postgres-data").sort())],
  IMAGES: ["Service images, for the manifest.", (m) => shellWords(m.services.filter((s) => s.role === "core").map((s) => `${s.name}=${s.image}`))],
  HOST_STATE: ["Files of this folder that no generate can make again.", () => shellWords([".env", "secrets", "ssl", ".dioptra-init-state"])],
};
const ALL = Object.keys(VALUES);

/** Script, its log name, the shared values it reads (undefined: it is self-contained), and whether the deployment gets it. */
const SCRIPTS: readonly (readonly [name: string, logName: string, values: readonly string[] | undefined, wanted: (m: DeploymentModel) => boolean])[] = [
  ["backup", "Backup", ALL, () => true],
  ["restore", "Restore", ALL, () => true],
  ["import-resources", "Import Resources", undefined, (m) => m.spec.profile.workerAccount],
  ["pg-upgrade", "PostgreSQL Upgrade", ["SLUG", "RELEASE"], (m) => m.spec.upgrade.postgresFrom !== undefined],
  ["dioptra-upgrade", "Dioptra Upgrade", ["RELEASE"], (m) => m.spec.upgrade.dioptraFrom !== undefined],
];

/** The old major's image: the db image's repository with the old major as tag. */
function oldPostgresImage(image: string, from: number): string {
  const colon = image.lastIndexOf(":");
  const repo = colon > image.lastIndexOf("/") ? image.slice(0, colon) : image;
  return `${repo}:${from}`;
}

/** The part of a script shared by the lifecycle scripts (lifecycle/common.sh.ejs), with the values it reads. */
function common(model: DeploymentModel, values: readonly string[]): string {
  const { spec } = model;
  const lines = values.flatMap((name) => {
    const [comment, value] = VALUES[name]!;
    return [...(comment ? [`# ${comment}`] : []), `readonly ${name}=${value(model)}`];
  });
  return render("lifecycle/common.sh.ejs", {
    compose: shellWords(spec.composeCommand.split(" ")),
    postgresAdminUser: shellQuote(spec.postgres.adminUser),
    postgresAdminDatabase: shellQuote(spec.postgres.adminDatabase),
    dbService: shellQuote(serviceName(spec.slug, "db")),
    values: lines.join("\n"),
  });
}

/** Where the REST API answers on this host: nginx's published port. */
function defaultHost({ spec }: DeploymentModel): string {
  const tls = spec.nginx.tls;
  const host = spec.nginx.exposePortsOnLocalhostOnly ? "127.0.0.1" : spec.nginx.serverName;
  return `${tls ? "https" : "http"}://${host}:${tls ? spec.nginx.httpsPort : spec.nginx.httpPort}`;
}

/** `old=new` for each worker queue the release switch renames. */
function queueRenames(from: string | undefined, queues: Readonly<Record<string, string>>): string[] {
  const old = from === undefined ? undefined : PROFILES[from as DioptraRelease]?.queues;
  if (!old) return [];
  return Object.entries(queues).flatMap(([kind, q]) => {
    const was = (old as Record<string, string>)[kind];
    return was !== undefined && was !== q ? [`${was}=${q}`] : [];
  });
}

/** What the scripts need beyond the shared part; each template reads its own. */
function scriptData(model: DeploymentModel): Record<string, unknown> {
  const { spec } = model;
  const from = spec.upgrade.postgresFrom;
  return {
    defaultHost: shellQuote(defaultHost(model)),
    oldMajor: String(from ?? ""),
    newMajor: String(spec.postgres.major),
    oldImage: shellQuote(from === undefined ? "" : oldPostgresImage(spec.images.db, from)),
    newImage: shellQuote(spec.images.db),
    release: spec.profile.release,
    fromRelease: spec.upgrade.dioptraFrom ?? "",
    fromReleaseQuoted: shellQuote(spec.upgrade.dioptraFrom ?? ""),
    redisService: shellQuote(serviceName(spec.slug, "redis")),
    queueRenames: shellWords(queueRenames(spec.upgrade.dioptraFrom, spec.profile.queues)),
  };
}

export function lifecycleScripts(model: DeploymentModel): OutFile[] {
  return SCRIPTS.filter(([, , , wanted]) => wanted(model)).map(([name, logName, values]) => ({
    path: `${name}.sh`,
    content: withMarker(render(`lifecycle/${name}.sh.ejs`, { prelude: prelude(logName), common: values ? common(model, values) : "", ...scriptData(model) }), "hash"),
    mode: 0o755 as const,
  }));
}
