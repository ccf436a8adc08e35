/**
 * The S0 disk cache (kernel/s0-cache.ts): a second host reads S0 from disk with the same bytes,
 * identity and state a boot gives, so the same cells cost the same fuel from either, and a damaged
 * or foreign cache file is ignored (S0 is booted again and the file rewritten), never restored.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { baseIdentity, createKernelHost } from '../../src/main/kernel/host'
import { readS0Cache } from '../../src/main/kernel/s0-cache'
import { DEFAULT_LIMITS } from '../../src/shared/limits'
import { RUNTIME_DIR } from '../helpers/runtime-dir'

const cacheDir = mkdtempSync(join(tmpdir(), 'fuelbook-s0-cache-'))
let runtimeHash = ''
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }))

/**
 * Cells whose fuel must not depend on where S0 came from: run isolated (as `fuelbook exec` does),
 * in deterministic mode and not, and one after another in a kernel (the second from the first's head).
 */
const FUEL_CELLS = [
  '1+1',
  'import os\nos.listdir("/")',
  'x = {i: str(i) for i in range(300)}',
  "print('hi')",
  'import json, re\njson.dumps({"a": [1, 2]})',
  "raise ValueError('boom')"
]

interface HostFacts {
  source: string
  identity: string
  fromCache: string
  out: string
  /** S0 but its memory (which the identity covers): globals, file system, clock, wheel list. */
  rest: unknown
  fuel: number[]
}

async function hostFacts(): Promise<HostFacts> {
  const host = await createKernelHost({ resourcesDir: RUNTIME_DIR, cacheDir, poolSize: 1, warmUp: false })
  try {
    runtimeHash = host.runtimeHash
    const kernel = host.createKernel()
    const run = await kernel.run('import sys; print(len(sys.modules) > 50, 6 * 7)', {
      isolated: true,
      limits: DEFAULT_LIMITS
    })
    const out = run.outputs.map((o) => (o.type === 'stream' ? o.text : '')).join('')
    const fuel: number[] = []
    for (const deterministic of [false, true])
      for (const code of FUEL_CELLS)
        fuel.push(
          (await kernel.run(code, { isolated: true, deterministic, limits: DEFAULT_LIMITS })).fuelConsumed
        )
    for (const code of FUEL_CELLS)
      fuel.push((await kernel.run(code, { deterministic: true, limits: DEFAULT_LIMITS })).fuelConsumed)
    const { memory: _, id: __, ...rest } = host.s0
    return {
      source: host.s0Source,
      identity: baseIdentity(host.runtimeHash, host.s0),
      fromCache: (await readS0Cache(s0File(), host.runtimeHash))?.identity ?? 'none',
      out,
      rest,
      fuel
    }
  } finally {
    await host.close()
  }
}

const s0File = (): string =>
  join(
    cacheDir,
    readdirSync(cacheDir).find((f) => f.endsWith('.fbs0'))!
  )

describe('S0 cache', () => {
  it('reads S0 back with the bytes and identity of the boot, and reboots past a damaged file', async () => {
    const booted = await hostFacts()
    expect(booted.source).toBe('boot')
    expect(booted.out).toBe('True 42\n')
    expect(booted.fromCache).toBe(booted.identity)

    expect(booted.fuel.every((f) => f > 0)).toBe(true)

    const read = await hostFacts()
    expect(read).toEqual({ ...booted, source: 'disk' })
    expect(read.fuel).toEqual(booted.fuel)

    // One flipped bit in a page: the crc32 catches it, S0 is booted again and the file rewritten.
    const bytes = readFileSync(s0File())
    bytes[bytes.length - 70_000] = bytes[bytes.length - 70_000]! ^ 0x01
    writeFileSync(s0File(), bytes)
    expect(await readS0Cache(s0File(), runtimeHash)).toBeNull()
    const afterDamage = await hostFacts()
    expect(afterDamage).toEqual(booted)
    expect((await hostFacts()).source).toBe('disk')

    // Made by another runtime, or truncated: ignored.
    expect(await readS0Cache(s0File(), 'x'.repeat(64))).toBeNull()
    writeFileSync(s0File(), bytes.subarray(0, 1000))
    expect(await readS0Cache(s0File(), runtimeHash)).toBeNull()
    expect((await hostFacts()).source).toBe('boot')
  }, 300_000)
})
