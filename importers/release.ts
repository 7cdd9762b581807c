/**
 * Which Dioptra release an old deployment came from. A `.cruft.json` records
 * the template commit it was rendered from; a known commit names its release.
 * An unknown commit falls back to the date of the file's last change in its
 * git history, matched to the release whose template is closest in time.
 * Replay files and flat variables record neither, so the user says.
 */
import { spawnSync } from "node:child_process";
import { basename, dirname } from "node:path";
import { PROFILES, RELEASES, type DioptraRelease } from "../profiles/index.js";

export interface ReleaseChoice {
  readonly release: DioptraRelease;
  /** Why, for the line import prints. */
  readonly reason: string;
}

export class ReleaseUnknownError extends Error {
  override readonly name = "ReleaseUnknownError";
}

const CHOOSE = `pass --dioptra ${RELEASES.join(" or --dioptra ")} to say which release it is`;

/** The date of the last commit that touched `file`, if it is tracked by git. */
function lastChange(file: string): Date | undefined {
  const r = spawnSync("git", ["log", "-1", "--format=%cI", "--", basename(file)], { cwd: dirname(file), encoding: "utf8" });
  const text = r.status === 0 ? r.stdout.trim() : "";
  return text === "" ? undefined : new Date(text);
}

function closestByDate(date: Date): DioptraRelease {
  const distance = (r: DioptraRelease) => Math.abs(new Date(PROFILES[r].template.date).getTime() - date.getTime());
  return [...RELEASES].sort((a, b) => distance(a) - distance(b))[0]!;
}

/** Picks the release of the deployment described by `data` (the parsed input file). */
export function releaseOf(file: string, data: Readonly<Record<string, unknown>>, explicit: string | undefined): ReleaseChoice {
  if (explicit !== undefined) {
    if (!(RELEASES as string[]).includes(explicit)) throw new ReleaseUnknownError(`--dioptra ${JSON.stringify(explicit)} is not a release this tool deploys (${RELEASES.join(", ")})`);
    return { release: explicit as DioptraRelease, reason: "--dioptra" };
  }
  const commit = typeof data.commit === "string" ? data.commit.trim().toLowerCase() : undefined;
  if (commit === undefined || commit === "") {
    throw new ReleaseUnknownError(`${file} does not say which template commit it came from (a replay file or plain variables); ${CHOOSE}`);
  }
  if (!/^[0-9a-f]{7,40}$/.test(commit)) throw new ReleaseUnknownError(`${file}: commit ${JSON.stringify(data.commit)} is not a git commit id; ${CHOOSE}`);
  for (const r of RELEASES) {
    if (PROFILES[r].template.commit.startsWith(commit)) return { release: r, reason: `template commit ${commit.slice(0, 8)} is Dioptra ${r}'s (${PROFILES[r].template.date})` };
  }
  const date = lastChange(file);
  if (date !== undefined && !Number.isNaN(date.getTime())) {
    const r = closestByDate(date);
    return { release: r, reason: `template commit ${commit.slice(0, 8)} is not one this tool knows; ${basename(file)} last changed on ${date.toISOString().slice(0, 10)}, closest to Dioptra ${r}'s template` };
  }
  throw new ReleaseUnknownError(`${file}: template commit ${commit.slice(0, 8)} is not one this tool knows (${RELEASES.map((r) => `${PROFILES[r].template.commit.slice(0, 8)} is ${r}`).join(", ")}) and the file has no git history to date it; ${CHOOSE}`);
}
