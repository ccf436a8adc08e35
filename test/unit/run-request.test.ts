import { describe, expect, it } from 'vitest'
import { buildRunRequest, type RunRequestSpec } from '../../src/main/kernel/run-request'
import type { MachineState } from '../../src/main/sandbox/protocol'

/** A state whose only relevant part here is its size. */
function stateOfPages(pageCount: number): MachineState {
  return {
    id: 's',
    memory: { pageCount, pages: [] },
    globals: {},
    wasi: {} as MachineState['wasi']
  }
}

function spec(extra: Partial<RunRequestSpec> = {}): RunRequestSpec {
  return {
    id: 7,
    state: stateOfPages(100),
    guest: { kind: 'cell', code: '1', executionCount: 3 },
    limits: { fuel: 1000, outputBytes: 64, fsBytes: 128 },
    maxPages: 200,
    deterministic: false,
    capture: true,
    newStateId: 'k1.1',
    packages: [],
    ...extra
  }
}

describe('buildRunRequest', () => {
  it('carries the limits as the worker reads them', () => {
    const request = buildRunRequest(spec())
    expect(request).toMatchObject({
      type: 'run',
      id: 7,
      fuel: 1000,
      maxPages: 200,
      outputBytes: 64,
      fsQuotaBytes: 128,
      capture: true,
      newStateId: 'k1.1'
    })
  })

  it('turns a budget BigInt() would refuse into a whole number', () => {
    const fuelOf = (fuel: number): number =>
      buildRunRequest(spec({ limits: { ...spec().limits, fuel } })).fuel
    expect(fuelOf(-5)).toBe(0)
    expect(fuelOf(12.9)).toBe(12)
    expect(fuelOf(Infinity)).toBe(2 ** 62)
    for (const fuel of [-5, 12.9, Infinity]) expect(() => BigInt(fuelOf(fuel))).not.toThrow()
  })

  it('never caps memory below the state it restores', () => {
    expect(buildRunRequest(spec({ maxPages: 10 })).maxPages).toBe(100)
    expect(buildRunRequest(spec({ state: null, maxPages: 10 })).maxPages).toBe(10)
  })

  it('reseeds random unless deterministic', () => {
    expect(buildRunRequest(spec({ deterministic: true, randomSeed: 5 })).randomSeed).toBeNull()
    expect(buildRunRequest(spec({ randomSeed: 5 })).randomSeed).toBe(5)
    const seeds = new Set([1, 2, 3, 4].map(() => buildRunRequest(spec()).randomSeed))
    for (const seed of seeds) expect(Number.isSafeInteger(seed)).toBe(true)
    expect(seeds.size).toBeGreaterThan(1)
  })
})
