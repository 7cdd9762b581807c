/** Reading what is in the output folder now. */
import { lstatSync, readFileSync } from "node:fs";

/** The bytes of a regular file at `p`; undefined for anything else (missing, a folder, a link). */
export function readIfFile(p: string): Buffer | undefined {
  try {
    const st = lstatSync(p);
    return st.isFile() ? readFileSync(p) : undefined;
  } catch {
    return undefined;
  }
}

/** git keeps only the executable bit, so that is the only mode bit compared. */
export const isExecutable = (mode: number) => (mode & 0o111) !== 0;
