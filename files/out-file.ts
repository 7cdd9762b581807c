/** One file a generator produces, relative to the output folder. */
export interface OutFile {
  readonly path: string;
  readonly content: string;
  /** 0o644 for data, 0o755 for scripts. */
  readonly mode: 0o644 | 0o755;
}
