/**
 * The targets table: every output target, in the order their files are
 * listed. Adding a target is a folder under targets/ and one row here.
 */
import { composeTarget } from "./compose/index.js";
import { swarmTarget } from "./swarm/index.js";
import { entry, type TargetEntry } from "./target.js";

export const TARGETS: readonly TargetEntry[] = [entry(composeTarget), entry(swarmTarget)];

/** Files in out/ that some target must warn about when it did not write them (the writer reads this). */
export const FOREIGN_FILES = TARGETS.flatMap((t) => t.foreignFiles);
