/**
 * The meter's options for fewer checks. Bounded functions (src/main/sandbox/meter/bounded.ts,
 * README.md "Bounded functions"): which functions may go without their entry check, their bounds
 * by formula. Checks at back edges (back-edges.ts): where loop checks go. Either way the fuel of a
 * completed run is the same and no run escapes its budget (recursion and loops still meet a check
 * on every round). The oracle comparisons are in meter-oracle.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { classifyFuel, instrument, MeterError } from '../../src/main/sandbox/meter'
import { boundedFunctions } from '../../src/main/sandbox/meter/bounded'
import { parseModule } from '../../src/main/sandbox/meter/sections'
import { wat } from '../helpers/meter-wat'

async function bounds(source: string, limit: number, entryCost = 1): Promise<number[]> {
  const bytes = await wat(source)
  const m = parseModule(bytes)
  return [...boundedFunctions(bytes, m.bodies, m.importedFunctions, entryCost, limit)]
}

const MODULE = `(module
  (import "env" "host" (func $host (param i32) (result i32)))
  (type $t (func (param i32) (result i32)))
  (table 1 funcref)
  ;; 0: 3 cost-1 operators (local.get, i32.const, i32.add)
  (func $leaf (param i32) (result i32) local.get 0 i32.const 1 i32.add)
  ;; 1: if/else and a host call: every operator counted once (local.get, if, 2 i32.const, call)
  (func $branchy (param i32) (result i32) local.get 0 if (result i32) i32.const 2 call $host else i32.const 3 end)
  ;; 2: calls $leaf twice: 2 + 2 x (3 + 1) + 2 (local.get, call, call, i32.add)
  (func $twice (param i32) (result i32) local.get 0 call $leaf local.get 0 call $leaf i32.add)
  ;; 3: a loop
  (func $loops (param i32) (result i32) loop local.get 0 br_if 0 end i32.const 0)
  ;; 4: an indirect call
  (func $indirect (param i32) (result i32) local.get 0 i32.const 0 call_indirect (type $t))
  ;; 5: recursion
  (func $self (param i32) (result i32) local.get 0 call $self)
  ;; 6, 7: mutual recursion
  (func $ping (param i32) (result i32) local.get 0 call $pong)
  (func $pong (param i32) (result i32) local.get 0 if (result i32) local.get 0 call $ping else i32.const 0 end)
  ;; 8: calls a function with a loop
  (func $caller (param i32) (result i32) local.get 0 call $loops)
  (func (export "run") (param i32) (result i32) local.get 0 call $twice))`

/** Each export of `mod` named, run with 5,000 fuel, traps out of fuel with at most a bounded overdraft. */
function expectStoppedAtBudget(mod: WebAssembly.Module, names: string[]): void {
  for (const name of names) {
    const inst = new WebAssembly.Instance(mod)
    const fuel = inst.exports.fb_fuel as WebAssembly.Global
    const flag = inst.exports.fb_out_of_fuel as WebAssembly.Global
    fuel.value = 5000n
    expect(() => (inst.exports[name] as () => number)()).toThrow()
    const outcome = classifyFuel(5000n, fuel.value as bigint, true, flag.value as number)
    expect({ name, status: outcome.status }).toEqual({ name, status: 'out_of_fuel' })
    expect(outcome.remaining).toBeGreaterThan(-10) // a bounded overdraft
  }
}

describe('bounded functions', () => {
  it('bounds loop-free, call-cycle-free functions by formula and no others', async () => {
    // each bound: cost-1 operators + 1 entry + the callees' bounds per call site
    expect(await bounds(MODULE, 1000)).toEqual([4, 6, 14, -1, -1, -1, -1, -1, -1, 17])
    expect(await bounds(MODULE, 1000, 0)).toEqual([3, 5, 11, -1, -1, -1, -1, -1, -1, 13])
  })

  it('leaves a function over the limit checked, and its callers with it', async () => {
    expect(await bounds(MODULE, 13)).toEqual([4, 6, -1, -1, -1, -1, -1, -1, -1, -1])
  })

  it('drops exactly those entry checks, and keeps the fuel of a completed run', async () => {
    const bytes = await wat(MODULE)
    const exact = instrument(bytes)
    const lean = instrument(bytes, { boundedEntryChecks: 1000 })
    expect(lean.stats.uncheckedEntries).toBe(4)
    expect(lean.stats.checks).toBe(exact.stats.checks - 4)
    expect(instrument(bytes, { boundedEntryChecks: 0 }).bytes).toEqual(exact.bytes)
    const imports = { env: { host: (x: number) => x } }
    for (const bytesOf of [exact.bytes, lean.bytes]) {
      const inst = new WebAssembly.Instance(new WebAssembly.Module(bytesOf), imports)
      const fuel = inst.exports.fb_fuel as WebAssembly.Global
      fuel.value = 1000n
      expect((inst.exports.run as (x: number) => number)(5)).toBe(12)
      expect(1000n - (fuel.value as bigint)).toBe(17n) // 3 in run (entry included) + 14 in $twice and its calls
    }
  })

  it('still stops runaway recursion at its budget through the out-of-fuel path', async () => {
    const bytes = await wat(`(module
      (func $down (param i32) (result i32) local.get 0 i32.const 1 i32.add call $down)
      (func $leaf (result i32) i32.const 1)
      (func (export "spin") (result i32) (local i32)
        loop local.get 0 call $leaf i32.add local.set 0 br 0 end local.get 0)
      (func (export "run") (result i32) i32.const 0 call $down))`)
    const mod = new WebAssembly.Module(instrument(bytes, { boundedEntryChecks: 1_000_000 }).bytes)
    expectStoppedAtBudget(mod, ['run', 'spin'])
  })

  it('refuses a limit that is not a non-negative integer', async () => {
    const bytes = await wat(MODULE)
    expect(() => instrument(bytes, { boundedEntryChecks: -1 })).toThrow(MeterError)
    expect(() => instrument(bytes, { boundedEntryChecks: 1.5 })).toThrow(MeterError)
  })
})

describe('checks at back edges', () => {
  const LOOPS = `(module
    (func $f (param i32) (result i32) local.get 0 i32.const 1 i32.add)
    ;; a call on every round: the loop needs no check of its own
    (func (export "calls") (param i32) (result i32) (local i32)
      loop local.get 1 call $f local.set 1 local.get 1 local.get 0 i32.lt_u br_if 0 end local.get 1)
    ;; a call on one arm only: the br back from the other arm is checked
    (func (export "arm") (param i32) (result i32) (local i32)
      block loop
        local.get 1 i32.const 1 i32.add local.set 1
        local.get 1 local.get 0 i32.ge_u br_if 1
        local.get 1 i32.const 1 i32.and if local.get 1 call $f drop br 1 end
        br 0
      end end local.get 1)
    ;; no call: a br_if back edge, checked on its taken edge
    (func (export "spin") (param i32) (result i32) (local i32)
      loop local.get 1 i32.const 1 i32.add local.tee 1 local.get 0 i32.lt_u br_if 0 end local.get 1)
    ;; runaway loops, with and without a call
    (func (export "forever") (result i32) (local i32) loop local.get 0 call $f local.set 0 br 0 end i32.const 0)
    (func (export "forever2") (result i32) (local i32) loop local.get 0 i32.const 1 i32.add local.set 0 i32.const 1 br_if 0 end i32.const 0))`

  it('moves every loop check off its header and keeps the fuel of completed runs', async () => {
    const bytes = await wat(LOOPS)
    const exact = instrument(bytes)
    const moved = instrument(bytes, { backEdgeChecks: true })
    expect(moved.stats.movedLoopChecks).toBe(5)
    expect(moved.stats.chargePoints).toBe(exact.stats.chargePoints)
    // checks: 6 entries, plus the edges of arm (1 of its 2 brs), spin (its br_if) and forever2
    expect(moved.stats.checks).toBe(6 + 3)
    const fuelOf = (b: Uint8Array<ArrayBuffer>, name: string, arg: number): bigint => {
      const inst = new WebAssembly.Instance(new WebAssembly.Module(b))
      const fuel = inst.exports.fb_fuel as WebAssembly.Global
      fuel.value = 1n << 40n
      const plain = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports[name] as (
        x: number
      ) => number
      expect((inst.exports[name] as (x: number) => number)(arg)).toBe(plain(arg))
      return (1n << 40n) - (fuel.value as bigint)
    }
    for (const name of ['calls', 'arm', 'spin'])
      for (const n of [0, 1, 5, 100]) expect(fuelOf(moved.bytes, name, n)).toBe(fuelOf(exact.bytes, name, n))
    // spin: entry 1; per round local.get, i32.const, i32.add, local.tee, local.get, i32.lt_u, br_if
    expect(fuelOf(moved.bytes, 'spin', 100)).toBe(1n + 100n * 7n + 1n)
  })

  it('still stops runaway loops at their budget through the out-of-fuel path', async () => {
    const mod = new WebAssembly.Module(instrument(await wat(LOOPS), { backEdgeChecks: true }).bytes)
    expectStoppedAtBudget(mod, ['forever', 'forever2'])
  })
})
