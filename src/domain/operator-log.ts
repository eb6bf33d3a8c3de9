// What the domain tells the operator: pino's shape, structurally, so that the domain imports no
// logger (the composition root passes the real one). Details carry account keys and addresses,
// never a password, secret or token.

export type LogDetails = Readonly<Record<string, unknown>>;

export interface OperatorLog {
  warn(details: LogDetails, message: string): void;
  info(details: LogDetails, message: string): void;
  debug(details: LogDetails, message: string): void;
}

/** For code that runs outside a server (tests, one-off tools): nothing is logged. */
export const SILENT_LOG: OperatorLog = { warn() {}, info() {}, debug() {} };
