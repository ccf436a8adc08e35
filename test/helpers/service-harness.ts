/** The service harness for vitest files: `useService` around startService (start-service.ts). */
import { rmSync } from 'node:fs'
import { afterAll, beforeAll } from 'vitest'
import { startService, type ServiceHarness } from './start-service'

export { startService, type ServiceHarness }

/** Call at the top of a test file: a service for the file's tests, closed and removed after them. */
export function useService(): () => ServiceHarness {
  let h: ServiceHarness | null = null
  beforeAll(async () => {
    h = await startService()
  }, 120_000)
  afterAll(async () => {
    await h?.close()
    if (h) rmSync(h.dataDir, { recursive: true, force: true })
  })
  return () => {
    if (h === null) throw new Error('service not ready')
    return h
  }
}
