/**
 * What the header's "saved" dot means: every change to the file goes through `track`, and editor
 * text is sent after a pause (`schedule`, debounced per cell). Saved = nothing pending or in flight.
 */
import type { Result } from '../../../../shared/api'
import { errorMessage } from '../../../../shared/result'

export type SaveState = 'saved' | 'unsaved' | 'saving' | 'error'

interface Pending {
  timer: ReturnType<typeof setTimeout>
  send: () => Promise<Result<unknown>>
}

export class SaveTracker {
  state = $state<SaveState>('saved')
  // Bookkeeping, not view state: plain collections on purpose.
  /* eslint-disable svelte/prefer-svelte-reactivity */
  private readonly pending = new Map<string, Pending>()
  private readonly inFlight = new Set<Promise<unknown>>()
  /* eslint-enable svelte/prefer-svelte-reactivity */

  constructor(private readonly onError: (message: string) => void) {}

  /** Sends `send()` after `delayMs` without a newer schedule for the same key. */
  schedule(key: string, send: () => Promise<Result<unknown>>, delayMs: number): void {
    this.state = 'unsaved'
    clearTimeout(this.pending.get(key)?.timer)
    this.pending.set(key, { timer: setTimeout(() => void this.flushKey(key), delayMs), send })
  }

  /** Something is scheduled or on its way to the service. */
  get busy(): boolean {
    return this.pending.size > 0 || this.inFlight.size > 0
  }

  /** Drops a scheduled send (its object is gone). */
  cancel(key: string): void {
    clearTimeout(this.pending.get(key)?.timer)
    this.pending.delete(key)
  }

  private async flushKey(key: string): Promise<void> {
    const entry = this.pending.get(key)
    if (!entry) return
    clearTimeout(entry.timer)
    this.pending.delete(key)
    await this.track(entry.send())
  }

  /** Sends everything scheduled now; resolves when the service has it all. */
  async flush(): Promise<boolean> {
    await Promise.all([...this.pending.keys()].map((key) => this.flushKey(key)))
    await Promise.all([...this.inFlight])
    return this.state !== 'error'
  }

  async track<T>(call: Promise<Result<T>>): Promise<T | null> {
    this.state = 'saving'
    const p = call.catch((e: unknown) => ({
      ok: false as const,
      error: errorMessage(e)
    }))
    this.inFlight.add(p)
    const result = await p
    this.inFlight.delete(p)
    if (!result.ok) {
      this.state = 'error'
      this.onError(result.error)
      return null
    }
    if (this.inFlight.size === 0 && this.pending.size === 0 && this.state === 'saving') this.state = 'saved'
    return result.value
  }
}
