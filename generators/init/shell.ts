/** Quoting for the values generators embed in bash. */

/** Words that need no quoting in bash: `docker`, `compose`, `/usr/bin/docker-compose`. */
const PLAIN = /^[A-Za-z0-9_./:=@+,%-]+$/;

/** One shell word that reads back as exactly `value`. */
export function shellQuote(value: string): string {
  if (PLAIN.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Text for the inside of a double-quoted bash string, where `$`, `` ` ``, `"` and `\` are special. */
export function doubleQuoted(value: string): string {
  return value.replace(/[$`"\\]/g, (c) => `\\${c}`);
}

/** A bash array literal's elements, e.g. `(docker compose)`. */
export function shellWords(words: readonly string[]): string {
  return `(${words.map(shellQuote).join(" ")})`;
}
