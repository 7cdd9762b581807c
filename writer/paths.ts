/** Which relative paths the writer accepts, in the files it is given and in the records it reads. */

/**
 * True when `p` is a plain relative path: "/"-separated names, none empty,
 * "." or "..", no backslash, no control character. Such a path can only name something
 * inside the folder it is relative to (links aside, which the writer never
 * follows).
 */
export function isPlainPath(p: unknown): p is string {
  if (typeof p !== "string" || p === "" || p.length > 4096 || /[\u0000-\u001f\u007f\\]/.test(p)) return false;
  return p.split("/").every((s) => s !== "" && s !== "." && s !== ".." && Buffer.byteLength(s) <= 255);
}
