/** The Dioptra releases this tool deploys, and the default one. */
import { DIOPTRA_1_0 } from "./dioptra-1.0.js";
import { DIOPTRA_1_1 } from "./dioptra-1.1.js";
import type { DioptraProfile, DioptraRelease } from "./types.js";

export const PROFILES: Readonly<Record<DioptraRelease, DioptraProfile>> = { "1.0": DIOPTRA_1_0, "1.1": DIOPTRA_1_1 };

/** `deployment({})` deploys the current release. */
export const DEFAULT_RELEASE: DioptraRelease = "1.1";

export const RELEASES = Object.keys(PROFILES) as DioptraRelease[];

export type { DioptraProfile, DioptraRelease } from "./types.js";
