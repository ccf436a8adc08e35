/**
 * The one shape of an outcome that can fail, used at every boundary (service calls, store opens,
 * runtime loading, call validation, saved heads, package resolution, fuel profiles): the value, or
 * why not. `E` is a message unless a caller needs a typed reason (the runtime loader's error codes).
 * Outcomes that are more than success-or-failure keep their own shape: a run ends in one of several
 * statuses with outputs either way (`RunStatus`), and checks that only say why not return the message
 * or null.
 */
export type Result<T, E = string> = { ok: true; value: T } | { ok: false; error: E }

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value })

export const fail = <E = string>(error: E): { ok: false; error: E } => ({ ok: false, error })

/** The message of a caught value: an Error's own message, anything else (JavaScript throws anything) as text. */
export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error)
