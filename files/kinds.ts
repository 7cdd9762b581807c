/**
 * The kinds of file generate writes, one constructor each. A constructor owns
 * the file's invariants: the generated-file marker in the format's own
 * comment syntax, and the mode. Generators build content and call one of
 * these; none sets a marker or a mode by hand.
 */
import { withMarker } from "./marker.js";
import type { OutFile } from "./out-file.js";

/** A bash script: executable, the marker after the shebang. */
export const shellScript = (path: string, text: string): OutFile => ({ path, content: withMarker(text, "hash"), mode: 0o755 });

/**
 * A file whose comments start with `#`: YAML, nginx confs, env files,
 * systemd units, .gitignore. The header is made apart from `body`, so a
 * large body (a Compose file of a thousand workers) is copied once.
 */
export function hashCommentFile(path: string, body: string, header: readonly string[] = []): OutFile {
  if (header.length === 0) return { path, content: withMarker(body, "hash"), mode: 0o644 };
  const head = withMarker(header.map((l) => (l === "" ? "#\n" : `# ${l}\n`)).join(""), "hash");
  return { path, content: head + (body.endsWith("\n") ? body : `${body}\n`), mode: 0o644 };
}

/** Markdown: the marker as an HTML comment, which renders as nothing. */
export const markdownFile = (path: string, text: string): OutFile => ({ path, content: withMarker(text, "html"), mode: 0o644 });

/**
 * JSON, two-space indented. JSON has no comments, and a `"//"` key (projen's
 * way) would change what the reader gets: the MinIO policies are compared
 * byte for byte with the template's, and dockerd refuses unknown keys in
 * daemon.json. So JSON files carry no marker; their folder and the
 * manifest say where they come from.
 */
export const jsonFile = (path: string, value: unknown): OutFile => ({ path, content: `${JSON.stringify(value, null, 2)}\n`, mode: 0o644 });
