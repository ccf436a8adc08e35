/**
 * The block-based meter against an independent naive oracle (test/helpers/meter-wat.ts: every
 * cost-1 operator charged one by one, checks at entries and loop headers) on the hand-written
 * modules and on hundreds of random structured programs: same results, same fuel on completion,
 * and — for random budgets — the same trap decision at the same point with the same balance.
 */
import { describe, expect, it } from 'vitest'
import { classifyFuel, FuelSlices, instrument, type MeterOptions } from '../../src/main/sandbox/meter'
import { useBranchHints } from '../../src/main/sandbox/runtime'
import { oracleInstrument, prng, randomProgram, wat } from '../helpers/meter-wat'

// As in the app: V8 reads the sliced modules' branch hints (and would reject malformed ones).
useBranchHints()

interface Outcome {
  result: unknown
  trapped: boolean
  remaining: bigint
  flag: number
}

function run(
  mod: WebAssembly.Module,
  fuelName: string,
  flagName: string,
  args: unknown[],
  budget: bigint
): Outcome {
  const inst = new WebAssembly.Instance(mod)
  const fuel = inst.exports[fuelName] as WebAssembly.Global
  const flag = inst.exports[flagName] as WebAssembly.Global
  fuel.value = budget
  try {
    const result = (inst.exports.run as (...a: unknown[]) => unknown)(...args)
    return { result, trapped: false, remaining: fuel.value as bigint, flag: flag.value as number }
  } catch {
    return { result: undefined, trapped: true, remaining: fuel.value as bigint, flag: flag.value as number }
  }
}

/** The same call with the budget handed out in slices of `slice` fuel (the hook's refill path). */
function runSliced(
  mod: WebAssembly.Module,
  args: unknown[],
  budget: bigint,
  slice: bigint
): Outcome & { refills: number } {
  const inst = new WebAssembly.Instance(mod)
  let refills = 0
  const slices = new FuelSlices(
    inst.exports,
    { fuelExport: 'fb_fuel', fuelSliceExport: 'fb_fuel_slice' },
    () => {
      refills++
      return slice
    }
  )
  slices.start(budget)
  const flag = inst.exports.fb_out_of_fuel as WebAssembly.Global
  try {
    const result = (inst.exports.run as (...a: unknown[]) => unknown)(...args)
    return { result, trapped: false, remaining: slices.remaining(), flag: flag.value as number, refills }
  } catch {
    return {
      result: undefined,
      trapped: true,
      remaining: slices.remaining(),
      flag: flag.value as number,
      refills
    }
  }
}

/** Refills of every sliced run so far: proves the slice path really ran. */
let slicesUsed = 0

async function compare(
  source: string,
  args: unknown[][],
  seed: number,
  entryCost: 0 | 1 = 1
): Promise<number> {
  const bytes = await wat(source, false)
  const plain = new WebAssembly.Module(bytes)
  const metered = instrument(bytes, { functionEntryCost: entryCost })
  expect(WebAssembly.validate(metered.bytes)).toBe(true)
  const mine = new WebAssembly.Module(metered.bytes)
  const slicedBytes = instrument(bytes, { functionEntryCost: entryCost, fuelSlices: true }).bytes
  expect(WebAssembly.validate(slicedBytes)).toBe(true)
  const sliced = new WebAssembly.Module(slicedBytes)
  const oracle = new WebAssembly.Module(await oracleInstrument(bytes, entryCost))
  const rnd = prng(seed)
  let total = 0
  for (const a of args) {
    const expected = (new WebAssembly.Instance(plain).exports.run as (...x: unknown[]) => unknown)(...a)
    const big = 1n << 50n
    const m = run(mine, 'fb_fuel', 'fb_out_of_fuel', a, big)
    const o = run(oracle, 'oracle_fuel', 'oracle_oof', a, big)
    expect(m.trapped).toBe(false)
    expect(m.result).toEqual(expected)
    expect(o.result).toEqual(expected)
    expect(m.remaining).toBe(o.remaining)
    const n = big - m.remaining
    total += Number(n)
    // Same trap decisions and balances around the exact budget and at random budgets.
    const budgets = budgetsAround(n, rnd)
    for (const b of budgets) {
      const mb = run(mine, 'fb_fuel', 'fb_out_of_fuel', a, b)
      const ob = run(oracle, 'oracle_fuel', 'oracle_oof', a, b)
      expect({ budget: b, trapped: mb.trapped, flag: mb.flag }).toEqual({
        budget: b,
        trapped: ob.trapped,
        flag: ob.flag
      })
      if (!mb.trapped || mb.flag === 1)
        expect({ budget: b, remaining: mb.remaining }).toEqual({ budget: b, remaining: ob.remaining })
      if (!mb.trapped) expect(mb.result).toEqual(expected)
      // Sliced: the same outcome, balance and result as unsliced, whatever the slice size.
      for (const slice of [1n, 2n, 3n, 7n, BigInt(1 + Math.floor(rnd() * Number(n + 1n)))]) {
        const sb = runSliced(sliced, a, b, slice)
        expect({ budget: b, slice, trapped: sb.trapped, flag: sb.flag, remaining: sb.remaining }).toEqual({
          budget: b,
          slice,
          trapped: mb.trapped,
          flag: mb.flag,
          remaining: mb.trapped && mb.flag === 0 ? sb.remaining : mb.remaining
        })
        if (!sb.trapped) expect(sb.result).toEqual(expected)
        slicesUsed += sb.refills
      }
    }
  }
  return total
}

const HANDWRITTEN: [string, unknown[][]][] = [
  [
    `(module (func (export "run") (param i32) (result i32) local.get 0 if (result i32) i32.const 1 else i32.const 2 i32.const 3 i32.add end))`,
    [[0], [1]]
  ],
  [
    `(module (func (export "run") (param $n i32) (result i32) (local $i i32)
      block loop local.get $i local.get $n i32.ge_u br_if 1 local.get $i i32.const 1 i32.add local.set $i br 0 end end local.get $i))`,
    [[0], [1], [7], [100]]
  ],
  [
    `(module (func (export "run") (param i32) (result i32) block block block local.get 0 br_table 0 1 2 end i32.const 10 return end i32.const 20 return end i32.const 30))`,
    [[0], [1], [2], [3]]
  ],
  [
    `(module (type $t (func (param i32) (result i32))) (table 2 funcref) (elem (i32.const 0) $sq $fact)
      (func $sq (type $t) local.get 0 local.get 0 i32.mul)
      (func $fact (type $t) local.get 0 i32.eqz if (result i32) i32.const 1 else local.get 0 local.get 0 i32.const 1 i32.sub call $fact i32.mul end)
      (func (export "run") (param i32) (result i32) local.get 0 i32.const 1 call_indirect (type $t) local.get 0 call $sq i32.add))`,
    [[0], [3], [10]]
  ],
  [`(module (func $e) (func (export "run") call $e call $e))`, [[]]],
  [
    `(module (func (export "run") (param i32) (result i32) local.get 0 if i32.const 1 return end loop end i32.const 2))`,
    [[0], [1]]
  ],
  [`(module (memory 1 2) (func (export "run") (result i32) i32.const 1 memory.grow drop memory.size))`, [[]]],
  // br_table to an `if` label (which defers its carry) and to a block: the body is redone without carries
  [
    `(module (func (export "run") (param i32) (result i32)
      block (result i32)
        local.get 0 i32.const 3 i32.add drop
        local.get 0
        if (result i32) i32.const 5 local.get 0 br_table 0 1 0 else i32.const 7 end
        i32.const 2 i32.mul
      end))`,
    [[0], [1], [2], [5]]
  ],
  // a call inside an `if` arm pays the carried cost early; the arm's end refunds it
  [
    `(module (func $g (param i32) (result i32) local.get 0 i32.const 1 i32.add)
      (func (export "run") (param i32) (result i32)
        local.get 0 i32.const 2 i32.mul local.set 0
        local.get 0 if local.get 0 call $g local.set 0 end
        local.get 0 if (result i32) local.get 0 call $g else i32.const 9 end))`,
    [[0], [1], [4]]
  ],
  // exception handling: a throw three frames down, caught by tag; the frames it skips never return
  // their fuel, which must not vanish
  [
    `(module (tag $e (param i32))
      (func $thrower (param i32) (result i32)
        local.get 0 i32.const 3 i32.gt_s if local.get 0 i32.const 10 i32.mul throw $e end
        local.get 0 i32.const 1 i32.add)
      (func $mid (param i32) (result i32) (local i32)
        i32.const 4 local.set 1
        loop local.get 1 i32.const 1 i32.sub local.tee 1 br_if 0 end
        local.get 0 call $thrower i32.const 2 i32.mul)
      (func $top (param i32) (result i32) local.get 0 i32.const 1 i32.add call $mid)
      (func (export "run") (param i32) (result i32)
        try (result i32) local.get 0 call $top catch $e i32.const 100 i32.add end))`,
    [[0], [2], [3], [9]]
  ],
  // caught at an intermediate depth by catch_all (a cleanup that rethrows), then again by tag;
  // delegate to the function label passes it to the caller; a throw caught in its own function
  [
    `(module (tag $e (param i32)) (tag $f)
      (func $leaf (param i32) (result i32)
        local.get 0 i32.eqz if throw $f end
        local.get 0 i32.const 1 i32.and if local.get 0 throw $e end
        local.get 0)
      (func $cleanup (param i32) (result i32)
        try (result i32) local.get 0 call $leaf catch_all i32.const 7 global.set $g rethrow 0 end)
      (func $delegating (param i32) (result i32)
        try (result i32) local.get 0 call $cleanup delegate 0)
      (func $local (param i32) (result i32)
        try (result i32) local.get 0 i32.const 5 i32.gt_u if i32.const 1 throw $e end i32.const 2
        catch $e i32.const 3 i32.add end)
      (global $g (mut i32) (i32.const 0))
      (func (export "run") (param i32) (result i32)
        local.get 0 call $local drop
        try (result i32) local.get 0 call $delegating
        catch $e global.get $g i32.add
        catch $f i32.const -1
        end))`,
    [[0], [1], [2], [6], [7]]
  ],
  // a try inside an if arm that defers its carry (the body is redone without carries), a br out
  // of a catch clause, and a throw from inside a loop
  [
    `(module (tag $e (param i32))
      (func $maybe (param i32) (result i32) local.get 0 i32.const 2 i32.ge_u if local.get 0 throw $e end local.get 0)
      (func (export "run") (param i32) (result i32) (local i32)
        local.get 0 i32.const 1 i32.add local.set 1
        local.get 0 if (result i32)
          block (result i32)
            try (result i32)
              loop local.get 1 i32.const 1 i32.sub local.tee 1 call $maybe drop local.get 1 br_if 0 end
              i32.const 40
            catch $e
              i32.const 50 i32.add br 1
            end
          end
        else i32.const 9 end))`,
    [[0], [1], [2], [5]]
  ]
]

/** The budgets a run that needs `n` fuel is checked at: exactly, one either side, none, one, and six at random. */
function budgetsAround(n: bigint, rnd: () => number): bigint[] {
  return [
    n,
    n - 1n,
    n + 1n,
    0n,
    1n,
    ...Array.from({ length: 6 }, () => BigInt(Math.floor(rnd() * Number(n + 2n))))
  ]
}

describe('meter vs naive oracle', () => {
  it('agrees on the hand-written modules (entry cost 1 and 0)', async () => {
    for (const [src, args] of HANDWRITTEN) {
      await compare(src, args, 1, 1)
      await compare(src, args, 2, 0)
    }
  })

  it('agrees on 300 random structured programs', async () => {
    let fuel = 0
    for (let seed = 1; seed <= 300; seed++) {
      const src = randomProgram(seed)
      try {
        fuel += await compare(
          src,
          [
            [3, seed],
            [1, -seed]
          ],
          seed,
          seed % 5 === 0 ? 0 : 1
        )
      } catch (e) {
        throw new Error(`seed ${seed}: ${(e as Error).message}\n${src}`, { cause: e })
      }
    }
    expect(fuel).toBeGreaterThan(10_000) // the programs really run
    expect(slicesUsed).toBeGreaterThan(10_000) // and the sliced runs were really refilled
  }, 120_000)

  it('agrees on 150 random programs that throw across frames and catch at various depths', async () => {
    let fuel = 0
    let caughtAtTop = 0
    for (let seed = 1; seed <= 150; seed++) {
      const src = randomProgram(seed, true)
      try {
        fuel += await compare(
          src,
          [
            [3, seed],
            [2, -seed],
            [4, seed * 7]
          ],
          seed,
          seed % 5 === 0 ? 0 : 1
        )
        // how often tag 1 (no value) crossed every frame to the wrapper's catch_all
        const plain = new WebAssembly.Instance(new WebAssembly.Module(await wat(src, false)))
        const run = plain.exports.run as (a: number, b: number) => number
        for (const [a, b] of [
          [3, seed],
          [2, -seed],
          [4, seed * 7]
        ] as const) {
          if (run(a, b) === -1000) caughtAtTop++
        }
      } catch (e) {
        throw new Error(`seed ${seed}: ${(e as Error).message}\n${src}`, { cause: e })
      }
    }
    expect(fuel).toBeGreaterThan(10_000)
    expect(caughtAtTop).toBeGreaterThan(20) // exceptions really crossed every frame
  }, 240_000)
})

/**
 * `boundedEntryChecks` (README.md, "Bounded functions") drops the entry check of bounded
 * functions; `backEdgeChecks` ("Checks at back edges") moves loop checks to the back edges that
 * need one. Either way the checks left are a subset of the oracle's, at the same points with the
 * same balances, and charges are unchanged. So against the oracle: the same fuel on completion;
 * every budget below that fuel ends out of fuel; every budget the oracle completes on completes
 * with the same balance; a trap comes at the oracle's trap point or a later check; and sliced
 * runs behave exactly as unsliced ones.
 */
async function compareFewerChecks(
  source: string,
  args: unknown[][],
  seed: number,
  entryCost: 0 | 1,
  fewer: Pick<MeterOptions, 'boundedEntryChecks' | 'backEdgeChecks'>
): Promise<{ unchecked: number; laterTraps: number }> {
  const bytes = await wat(source, false)
  const plain = new WebAssembly.Module(bytes)
  const options = { functionEntryCost: entryCost, ...fewer }
  const metered = instrument(bytes, options)
  expect(WebAssembly.validate(metered.bytes)).toBe(true)
  const exact = instrument(bytes, { functionEntryCost: entryCost })
  if (!fewer.backEdgeChecks)
    expect(metered.stats.checks).toBe(exact.stats.checks - metered.stats.uncheckedEntries)
  expect(metered.stats.chargePoints).toBe(exact.stats.chargePoints)
  const mine = new WebAssembly.Module(metered.bytes)
  const sliced = new WebAssembly.Module(instrument(bytes, { ...options, fuelSlices: true }).bytes)
  const oracle = new WebAssembly.Module(await oracleInstrument(bytes, entryCost))
  const rnd = prng(seed)
  let laterTraps = 0
  for (const a of args) {
    const expected = (new WebAssembly.Instance(plain).exports.run as (...x: unknown[]) => unknown)(...a)
    const big = 1n << 50n
    const m = run(mine, 'fb_fuel', 'fb_out_of_fuel', a, big)
    const o = run(oracle, 'oracle_fuel', 'oracle_oof', a, big)
    expect(m.trapped).toBe(false)
    expect(m.result).toEqual(expected)
    expect(m.remaining).toBe(o.remaining)
    const n = big - m.remaining
    const budgets = budgetsAround(n, rnd)
    for (const b of budgets) {
      const mb = run(mine, 'fb_fuel', 'fb_out_of_fuel', a, b)
      const ob = run(oracle, 'oracle_fuel', 'oracle_oof', a, b)
      const status = classifyFuel(b, mb.remaining, mb.trapped, mb.flag).status
      const oracleStatus = classifyFuel(b, ob.remaining, ob.trapped, ob.flag).status
      const at = { budget: b, status, oracleStatus, remaining: mb.remaining, oracle: ob.remaining }
      if (b < n) expect(at).toMatchObject({ status: 'out_of_fuel' })
      if (oracleStatus === 'ok') {
        expect(at).toMatchObject({ status: 'ok', remaining: ob.remaining })
        expect(mb.result).toEqual(expected)
      }
      if (status === 'ok') expect(at).toMatchObject({ remaining: b - n })
      if (mb.trapped) {
        // Only ever the out-of-fuel path, at a check the oracle has too: at or after its trap.
        expect({ ...at, flag: mb.flag }).toMatchObject({ flag: 1 })
        expect(ob.trapped && ob.flag === 1 && mb.remaining <= ob.remaining && mb.remaining <= 0n).toBe(true)
        if (mb.remaining < ob.remaining) laterTraps++
      }
      for (const slice of [1n, 2n, 3n, 7n, BigInt(1 + Math.floor(rnd() * Number(n + 1n)))]) {
        const sb = runSliced(sliced, a, b, slice)
        expect({ budget: b, slice, trapped: sb.trapped, flag: sb.flag, remaining: sb.remaining }).toEqual({
          budget: b,
          slice,
          trapped: mb.trapped,
          flag: mb.flag,
          remaining: mb.remaining
        })
        if (!sb.trapped) expect(sb.result).toEqual(expected)
      }
    }
  }
  return { unchecked: metered.stats.uncheckedEntries + metered.stats.movedLoopChecks, laterTraps }
}

const FEWER: Pick<MeterOptions, 'boundedEntryChecks' | 'backEdgeChecks'>[] = [
  { boundedEntryChecks: 1000 },
  { backEdgeChecks: true },
  { boundedEntryChecks: 1000, backEdgeChecks: true }
]

describe('meter with fewer checks vs naive oracle', () => {
  it('agrees on the hand-written modules (entry cost 1 and 0)', async () => {
    let unchecked = 0
    for (const [src, args] of HANDWRITTEN) {
      for (const fewer of FEWER) {
        unchecked += (await compareFewerChecks(src, args, 1, 1, fewer)).unchecked
        unchecked += (await compareFewerChecks(src, args, 2, 0, fewer)).unchecked
      }
    }
    expect(unchecked).toBeGreaterThan(5) // checks really were dropped or moved
  })

  it('agrees on 300 random structured programs, with and without exceptions', async () => {
    let unchecked = 0
    let laterTraps = 0
    for (let seed = 1; seed <= 300; seed++) {
      const src = randomProgram(seed, seed % 2 === 0)
      try {
        const r = await compareFewerChecks(
          src,
          [
            [3, seed],
            [1, -seed]
          ],
          seed,
          seed % 5 === 0 ? 0 : 1,
          seed % 3 === 0
            ? { boundedEntryChecks: 8 }
            : seed % 3 === 1
              ? { backEdgeChecks: true }
              : { boundedEntryChecks: 10_000, backEdgeChecks: true }
        )
        unchecked += r.unchecked
        laterTraps += r.laterTraps
      } catch (e) {
        throw new Error(`seed ${seed}: ${(e as Error).message}\n${src}`, { cause: e })
      }
    }
    expect(unchecked).toBeGreaterThan(100)
    expect(laterTraps).toBeGreaterThan(10) // some runs really went past a dropped check
  }, 240_000)
})
