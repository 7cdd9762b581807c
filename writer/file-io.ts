/**
 * Reading and creating single files inside an open folder (see folder.ts)
 * without following a link at the last step, with a size bound on reads,
 * and without blocking on a FIFO someone left where a file should be.
 */
import { closeSync, constants, fchmodSync, fstatSync, openSync, readSync, writeSync } from "node:fs";

/** What was found at a path. */
export type Found =
  | { readonly kind: "missing" }
  | { readonly kind: "file"; readonly bytes: Buffer; readonly mode: number }
  | { readonly kind: "other"; readonly what: string }
  | { readonly kind: "too-large"; readonly size: number };

const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** Reads the regular file at `at` (a path from {@link Folder.at}) if it holds at most `max` bytes. */
export function readAt(at: string, max: number): Found {
  let fd: number;
  try {
    fd = openSync(at, READ_FLAGS);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { kind: "missing" };
    if (code === "ELOOP") return { kind: "other", what: "a symbolic link" };
    if (code === "ENOTDIR") return { kind: "missing" };
    return { kind: "other", what: `unreadable (${code ?? (e as Error).message})` };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { kind: "other", what: st.isDirectory() ? "a folder" : "not a regular file" };
    if (st.size > max) return { kind: "too-large", size: st.size };
    const bytes = Buffer.alloc(st.size);
    let got = 0;
    while (got < st.size) {
      const n = readSync(fd, bytes, got, st.size - got, got);
      if (n === 0) break;
      got += n;
    }
    // A file that grew while read is still bounded: what is past `size` is not read.
    return { kind: "file", bytes: got === st.size ? bytes : bytes.subarray(0, got), mode: st.mode };
  } finally {
    closeSync(fd);
  }
}

/**
 * Creates the file at `at`, which must not exist (a link there fails too),
 * with `bytes` and `mode` (whatever the umask). Returns the open descriptor
 * so that the caller can flush it; the caller closes it.
 */
export function createAt(at: string, bytes: Buffer, mode: number): number {
  const fd = openSync(at, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), mode);
  try {
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    fchmodSync(fd, mode);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  return fd;
}
