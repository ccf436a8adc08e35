/**
 * A NotebookClient that records calls and fires events on demand: lets the transports (browser mode,
 * IPC) be tested without a kernel or files.
 */
import { API_METHODS, type NotebookApi, type NotebookClient, type NotebookEvent } from '../../src/shared/api'

export interface FakeService extends NotebookClient {
  calls: { method: string; args: unknown[] }[]
  fire(event: NotebookEvent): void
}

export function createFakeService(overrides: Partial<NotebookApi> = {}): FakeService {
  const listeners = new Set<(e: NotebookEvent) => void>()
  const calls: { method: string; args: unknown[] }[] = []
  const api = Object.fromEntries(
    API_METHODS.map((method) => [
      method,
      async (...args: unknown[]) => {
        calls.push({ method, args })
        const override = overrides[method] as ((...a: unknown[]) => Promise<unknown>) | undefined
        if (override) return override(...args)
        return { ok: true, value: null }
      }
    ])
  ) as unknown as NotebookApi
  return {
    ...api,
    calls,
    onEvent(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    fire(event) {
      for (const l of listeners) l(event)
    }
  }
}
