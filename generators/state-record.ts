/**
 * out/.dioptra-state.json: the facts the last generate recorded about the
 * deployment (model/facts.ts), so the next one can classify its changes.
 * The file comes back to us from a folder anyone may have edited, so the
 * reader trusts nothing: bounded size, every field checked, anything odd
 * read as "no record".
 */
import type { DeploymentFacts, VolumeFact } from "../model/facts.js";
import { factsOf } from "../model/facts.js";
import type { DeploymentModel } from "../model/types.js";
import { MARKER } from "./marker.js";
import type { OutFile } from "./out-file.js";

export const STATE_RECORD = ".dioptra-state.json";
/** Bumped when the record's shape changes; an unknown format is read as no record. */
const FORMAT = 1;
/** A real record is a few KiB; anything far larger is not ours. */
export const STATE_RECORD_MAX_BYTES = 256 * 1024;

/** Keys sorted at every level, so the same facts give the same bytes. */
function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (v === null || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, sorted(o[k])]));
}

export function stateRecordFile(model: DeploymentModel): OutFile[] {
  const body = { "//": MARKER, format: FORMAT, facts: sorted(factsOf(model)) };
  return [{ path: STATE_RECORD, content: `${JSON.stringify(body, null, 2)}\n`, mode: 0o644 }];
}

const isStr = (v: unknown, max = 512): v is string => typeof v === "string" && v.length <= max;
const isRecordOf = (v: unknown, test: (x: unknown) => boolean): v is Record<string, string> =>
  v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length <= 256 && Object.values(v).every(test);
const isStrList = (v: unknown): v is string[] => Array.isArray(v) && v.length <= 256 && v.every((x) => isStr(x));

function volume(v: unknown): VolumeFact | undefined {
  if (v === null || typeof v !== "object") return undefined;
  const { key, name, holds } = v as Record<string, unknown>;
  return isStr(key) && isStr(name) && (holds === "data" || holds === "rebuildable" || holds === "outside") ? { key, name, holds } : undefined;
}

/**
 * The facts in a record's text, or undefined when it is not a record this
 * version wrote (too large, not JSON, another format, a field of the wrong
 * shape): the caller then knows nothing about the previous generation.
 */
export function parseStateRecord(text: string): DeploymentFacts | undefined {
  if (text.length > STATE_RECORD_MAX_BYTES) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (doc === null || typeof doc !== "object" || (doc as { format?: unknown }).format !== FORMAT) return undefined;
  const f = (doc as { facts?: unknown }).facts;
  if (f === null || typeof f !== "object") return undefined;
  const r = f as Record<string, unknown>;
  const pg = r.postgres as Record<string, unknown> | null | undefined;
  const minio = r.minio as Record<string, unknown> | null | undefined;
  const up = (r.upgrade ?? {}) as Record<string, unknown>;
  if (!isStr(r.release, 16) || !isStr(r.name) || !isStr(r.slug, 64)) return undefined;
  if (!pg || typeof pg !== "object" || typeof pg.major !== "number" || !Number.isInteger(pg.major) || !isStr(pg.image)) return undefined;
  if (!isRecordOf(r.images, (x) => isStr(x)) || !isRecordOf(r.envHosts, (x) => isStr(x))) return undefined;
  if (!minio || typeof minio !== "object" || !isStr(minio.kmsKeyName) || !isStrList(minio.users) || !isStrList(minio.buckets)) return undefined;
  if (!isRecordOf(r.queues, (x) => isStr(x)) || !Array.isArray(r.volumes) || r.volumes.length > 1024 || typeof up !== "object" || up === null) return undefined;
  const volumes = r.volumes.map(volume);
  if (volumes.some((v) => v === undefined)) return undefined;
  return {
    release: r.release,
    name: r.name,
    slug: r.slug,
    postgres: { major: pg.major, image: pg.image },
    images: r.images,
    volumes: volumes as VolumeFact[],
    envHosts: r.envHosts,
    minio: { kmsKeyName: minio.kmsKeyName, users: minio.users, buckets: minio.buckets },
    queues: r.queues,
    upgrade: {
      ...(typeof up.postgresFrom === "number" ? { postgresFrom: up.postgresFrom } : {}),
      ...(isStr(up.dioptraFrom, 16) ? { dioptraFrom: up.dioptraFrom } : {}),
    },
  };
}
