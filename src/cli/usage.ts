/**
 * `UsageError`: bad command-line usage, printed with the command's usage text
 * and exit code 2. In its own file so that commands can throw it without
 * importing the command table (`cli.ts` re-exports it).
 */

/**
 * Bad command-line usage: printed with the usage text, exit code 2.
 *
 * @example
 * throw new UsageError('--out needs a directory', 'tour');
 */
export class UsageError extends Error {
  /** The command whose usage to show, if known. */
  readonly command: string | undefined;
  constructor(message: string, command?: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}
