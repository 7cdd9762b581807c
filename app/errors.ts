/**
 * The two kinds of failure a use case reports to whoever called it. The CLI
 * (cli/io.ts) maps them to exit codes: a usage error prints the usage line
 * and exits 2, an input error prints its lines and exits 1.
 */

/** A mistake in how the command was called: printed with the usage line, exit 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Input the user can fix (a file's contents, a refused write): printed as is, exit 1, no stack. */
export class InputError extends Error {
  override readonly name = "InputError";
  /**
   * Lines printed before the `error:` line (one per problem). Not named
   * `details`: uvu reads an error's `details` as a diff string, and an array
   * there made it drop the failing test and every test after it, silently.
   */
  constructor(message: string, readonly problems: readonly string[] = []) {
    super(message);
  }
}
