/**
 * Reads what a deployment folder says about the running deployment: the
 * last generation's record, what init recorded on the host, and the hosts
 * `.env`'s URIs name. Every file here may have been written by anyone:
 * only regular files (no links), bounded sizes, every value checked; a file
 * that does not parse counts as absent. Secret values never leave this
 * module: only host names are taken from `.env`.
 */
import { closeSync, fstatSync, lstatSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { parseStateRecord, STATE_RECORD, STATE_RECORD_MAX_BYTES } from "../generators/state-record.js";
import { ENV_URI_HOSTS } from "../model/facts.js";
import type { HostRecord, Previous } from "./changes.js";

/** Written by init-deployment.sh and pg-upgrade.sh on the host. */
export const HOST_RECORD = ".dioptra-init-state";
const SMALL_FILE_MAX = 64 * 1024;

/** A regular file's text, when it is no larger than `max` bytes; else undefined. */
function readBounded(path: string, max: number): string | undefined {
  try {
    if (!lstatSync(path).isFile()) return undefined;
    const fd = openSync(path, "r");
    try {
      if (fstatSync(fd).size > max) return undefined;
      const buf = Buffer.alloc(max + 1);
      const n = readSync(fd, buf, 0, max + 1, 0);
      return n > max ? undefined : buf.subarray(0, n).toString("utf8");
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** `key=value` lines init writes: release, slug, postgres_major. Unknown keys and odd values are skipped. */
export function parseHostRecord(text: string): HostRecord | undefined {
  const out: { release?: string; slug?: string; postgresMajor?: number } = {};
  for (const line of text.split("\n").slice(0, 200)) {
    const m = /^([a-z_]{1,32})=([A-Za-z0-9._-]{1,64})$/.exec(line.trim());
    if (!m) continue;
    const [, k, v] = m as unknown as [string, string, string];
    if (k === "release" && /^[0-9]+\.[0-9]+$/.test(v)) out.release = v;
    else if (k === "slug" && /^[a-z0-9][a-z0-9-]{0,47}$/.test(v)) out.slug = v;
    else if (k === "postgres_major" && /^[0-9]{1,3}$/.test(v)) out.postgresMajor = Number(v);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The host of each URI variable of `.env` (`scheme://user:secret@HOST[:port]/…`); nothing else is kept. */
export function parseEnvHosts(text: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const line of text.split("\n").slice(0, 2000)) {
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    if (!Object.hasOwn(ENV_URI_HOSTS, key)) continue;
    const value = line.slice(eq + 1).trim().replace(/^["']|["']$/g, "");
    const m = /@([A-Za-z0-9.-]{1,253})(?::[0-9]{1,5})?(?:\/|$)/.exec(value.slice(value.lastIndexOf("@")));
    if (m) out[key] = m[1]!;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export function readPrevious(outDir: string): Previous {
  const record = readBounded(join(outDir, STATE_RECORD), STATE_RECORD_MAX_BYTES);
  const host = readBounded(join(outDir, HOST_RECORD), SMALL_FILE_MAX);
  const env = readBounded(join(outDir, ".env"), SMALL_FILE_MAX);
  const previous: { record?: Previous["record"]; host?: HostRecord; envHosts?: Record<string, string> } = {};
  const r = record === undefined ? undefined : parseStateRecord(record);
  if (r) previous.record = r;
  const h = host === undefined ? undefined : parseHostRecord(host);
  if (h) previous.host = h;
  const e = env === undefined ? undefined : parseEnvHosts(env);
  if (e) previous.envHosts = e;
  return previous;
}
