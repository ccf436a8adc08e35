/**
 * The one shape of an outcome that can fail, used at every boundary (service calls, store opens,
 * runtime loading, file checks): the value, or why not. `E` is a message unless a caller needs a
 * typed reason (the runtime loader's error codes).
 */
export type Result<T, E = string> = { ok: true; value: T } | { ok: false; error: E }

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value })

export const fail = <E = string>(error: E): { ok: false; error: E } => ({ ok: false, error })
