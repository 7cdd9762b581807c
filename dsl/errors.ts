/** One problem with a deployment config, located by its DSL setting path. */
export interface Issue {
  /** Setting path as written in the config, e.g. `workers.tensorflowGpu.count`. */
  readonly path: string;
  readonly message: string;
  /** Source location `file:line:col` of the value, when known. */
  readonly location?: string;
}

/** Thrown for user mistakes: the CLI prints the issues, not a stack trace. */
export class ConfigError extends Error {
  readonly issues: readonly Issue[];
  constructor(issues: readonly Issue[], summary = `${issues.length} problem${issues.length === 1 ? "" : "s"} in the deployment config`) {
    super(summary);
    this.name = "ConfigError";
    this.issues = issues;
  }
}

/** Formats an issue as `file:line:col  path: message`, the CLI's error line. */
export function formatIssue(issue: Issue): string {
  return `${issue.location ? `${issue.location}  ` : ""}${oneLine(issue.path)}: ${issue.message}`;
}

/** A setting path on one line: a key may hold a line break, which would split the error line. */
function oneLine(path: string): string {
  const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
  return path.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
