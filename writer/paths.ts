/** Which relative paths the writer accepts for the files it is given and the ones its records name. */
import { isAbsolute, normalize, sep } from "node:path";

/** True when `p` is a relative path that stays inside the folder. */
export function isInside(p: string): boolean {
  if (typeof p !== "string" || p === "" || isAbsolute(p)) return false;
  const n = normalize(p);
  return n !== ".." && !n.startsWith(`..${sep}`) && !n.includes(`${sep}..${sep}`) && !n.endsWith(`${sep}..`);
}
