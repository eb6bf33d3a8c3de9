/** An error whose message is for the person at the terminal; printed as one line, exit code 1. */
export class CliError extends Error {
  readonly code = 'cli_error';
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}
