/**
 * Errors carry a stable code so that counters, logs and the dashboard can group them
 * without parsing messages, and a `where` that names the place (config path, frame, field).
 */
export class GateWatchError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly where?: string,
  ) {
    super(where ? `${where}: ${message}` : message);
    this.name = new.target.name;
  }
}

/** A device frame or MQTT payload that cannot be used. Counted and skipped, never thrown past an adapter. */
export class InputError extends GateWatchError {
  /**
   * An InputError without a stack trace, for decoders on a hot path (serial framing) whose
   * errors are only counted and logged: `where` names the place (device, frame, field), while a
   * stack would name only the parser, and capturing one costs about ten times the rest of the
   * error (a line-noise burst is thousands of bad frames a second). `stack` is then just
   * `InputError: <message>`. Errors that may be thrown keep the plain constructor.
   */
  static untraced(code: string, message: string, where?: string): InputError {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return new InputError(code, message, where);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}

/** The site configuration is not valid; the agent refuses to start. */
export class ConfigError extends GateWatchError {
  constructor(readonly issues: readonly string[]) {
    super('CONFIG_INVALID', `invalid configuration:\n  ${issues.join('\n  ')}`);
  }
}

export type Result<T, E = InputError> = { ok: true; value: T } | { ok: false; error: E };
export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const fail = <E>(error: E): Result<never, E> => ({ ok: false, error });
