/**
 * One kernel host per test file, with S0 cached on disk across files and runs (the first file
 * to need it makes it; the others load it).
 */
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import type { Limits } from '../../src/shared/notebook'
import { createKernelHost, type KernelHostInternals } from '../../src/main/kernel'
import { RUNTIME_DIR } from './runtime-dir'

export const RESOURCES_DIR = RUNTIME_DIR
export const TEST_CACHE_DIR = join(tmpdir(), 'fuelbook-test-cache')

export const LIMITS: Limits = {
  fuel: 400_000_000,
  memoryBytes: 256 * 1024 * 1024,
  timeoutMs: 20_000,
  outputBytes: 2_000_000,
  fsBytes: 256 * 1024 * 1024
}

/** Call at the top of a test file: a host for the file's tests, closed after them. */
export function useTestHost(poolSize = 2): () => KernelHostInternals {
  let host: KernelHostInternals | null = null
  beforeAll(async () => {
    host = await createKernelHost({ resourcesDir: RESOURCES_DIR, cacheDir: TEST_CACHE_DIR, poolSize })
    // Timing assertions (timeouts, sleeps) should not compete with the background warm-up.
    await host.whenWarmed()
  }, 120_000)
  afterAll(async () => {
    await host?.close()
  })
  return () => {
    if (host === null) throw new Error('kernel host not ready')
    return host
  }
}

/** All stream text of a run, by name. */
export function textOf(
  outputs: { type: string; name?: string; text?: string }[],
  name: 'stdout' | 'stderr' = 'stdout'
): string {
  return outputs
    .filter((o) => o.type === 'stream' && o.name === name)
    .map((o) => o.text)
    .join('')
}
