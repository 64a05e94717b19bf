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
export class InputError extends GateWatchError {}

/** The site configuration is not valid; the agent refuses to start. */
export class ConfigError extends GateWatchError {
  constructor(readonly issues: readonly string[]) {
    super('CONFIG_INVALID', `invalid configuration:\n  ${issues.join('\n  ')}`);
  }
}

export type Result<T, E = InputError> = { ok: true; value: T } | { ok: false; error: E };
export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const fail = <E>(error: E): Result<never, E> => ({ ok: false, error });
