/**
 * Paths in the commands the CLI prints (`next: …`), quoted for a POSIX
 * shell, so a folder with a space or a quote still works as printed.
 */

/** `s` as one shell word: as it is when it holds only safe characters, else in single quotes. */
export function shellWord(s: string): string {
  return /^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}
