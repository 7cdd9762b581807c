/**
 * Which Dioptra release an old deployment came from. A `.cruft.json` records
 * the template commit it was rendered from; a known commit names its release.
 * For any other commit, and for replay files and flat variables (which record
 * none), the user says. Nothing else in the input's folder is consulted: its
 * git history could only be read by running git there, and a folder's own git
 * configuration can make git run programs of its choosing (fsmonitor, gpg,
 * ssh, hooks, pagers), which import must never do.
 */
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
  throw new ReleaseUnknownError(`${file}: template commit ${commit.slice(0, 8)} is not one this tool knows (${RELEASES.map((r) => `${PROFILES[r].template.commit.slice(0, 8)} is ${r}`).join(", ")}); ${CHOOSE}`);
}
