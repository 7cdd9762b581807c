/**
 * Folders `--out` may never be or contain, besides the project's own: the
 * home folder and the system's. The writer owns the folder it writes and
 * removes what its manifest lists, so one of these, with a planted or stale
 * manifest, would put the user's or the system's files in its hands.
 */
import { homedir } from "node:os";
import type { ProtectedDir } from "../writer/index.js";

/** The file system's top folders (FHS) and the usual system ones below /usr and /var. */
export const SYSTEM_FOLDERS: readonly string[] = [
  "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/media", "/mnt", "/opt", "/proc", "/root",
  "/run", "/sbin", "/srv", "/sys", "/usr", "/usr/bin", "/usr/lib", "/usr/local", "/usr/local/bin", "/usr/sbin",
  "/usr/share", "/var", "/var/lib", "/var/log",
];

export function systemAndHomeFolders(home = homedir()): ProtectedDir[] {
  return [...(home !== "" ? [{ path: home, what: "your home folder" }] : []), ...SYSTEM_FOLDERS.map((path) => ({ path, what: "a system folder" }))];
}
