/**
 * Fuel meter: exact counts by formula on small WAT modules, the trap and overdraft rules, the
 * dedicated out-of-fuel path, and the module options. Formulas count cost-1 operators plus
 * wasmtime's 1 per function entry (functionEntryCost defaults to 1).
 */
import { describe, expect, it } from 'vitest'
import {
  classifyFuel,
  FuelSlices,
  instrument,
  MeterError,
  type MeteredModule,
  type MeterOptions
} from '../../src/main/sandbox/meter'
import { parseModule } from '../../src/main/sandbox/meter/sections'
import { wat } from '../helpers/meter-wat'

const BIG = 1n << 40n

interface Call {
  result: unknown
  trapped: boolean
  error?: unknown
  remaining: bigint
  flag: number
}

async function meter(
  source: string,
  options?: MeterOptions
): Promise<{ met: MeteredModule; mod: WebAssembly.Module; plain: WebAssembly.Module }> {
  const bytes = await wat(source)
  const met = instrument(bytes, options)
  expect(WebAssembly.validate(met.bytes)).toBe(true)
  return { met, mod: new WebAssembly.Module(met.bytes), plain: new WebAssembly.Module(bytes) }
}

function call(
  mod: WebAssembly.Module,
  name: string,
  args: unknown[],
  budget: bigint,
  imports: WebAssembly.Imports = {}
): Call {
  const inst = new WebAssembly.Instance(mod, imports)
  const ex = inst.exports as Record<string, unknown>
  const fuel = ex.fb_fuel as WebAssembly.Global
  const flag = ex.fb_out_of_fuel as WebAssembly.Global
  fuel.value = budget
  try {
    const result = (ex[name] as (...a: unknown[]) => unknown)(...args)
    return { result, trapped: false, remaining: fuel.value as bigint, flag: flag.value as number }
  } catch (error) {
    return {
      result: undefined,
      trapped: true,
      error,
      remaining: fuel.value as bigint,
      flag: flag.value as number
    }
  }
}

/** Fuel consumed by a completed call, after checking the result matches the uninstrumented module. */
async function fuelOf(
  source: string,
  name: string,
  args: unknown[],
  options?: MeterOptions
): Promise<number> {
  const { mod, plain } = await meter(source, options)
  const expected = (new WebAssembly.Instance(plain).exports[name] as (...a: unknown[]) => unknown)(...args)
  const c = call(mod, name, args, BIG)
  expect(c.trapped).toBe(false)
  expect(c.result).toEqual(expected)
  return Number(BIG - c.remaining)
}

/** Budget N completes with exactly 0 left; N-1 ends as out_of_fuel (a trap at a check, or an overdraft). */
async function expectExactBudget(source: string, name: string, args: unknown[], n: number): Promise<void> {
  const { mod } = await meter(source)
  const ok = call(mod, name, args, BigInt(n))
  expect(classifyFuel(BigInt(n), ok.remaining, ok.trapped, ok.flag)).toEqual({
    status: 'ok',
    consumed: n,
    remaining: 0
  })
  const short = call(mod, name, args, BigInt(n - 1))
  expect(classifyFuel(BigInt(n - 1), short.remaining, short.trapped, short.flag).status).toBe('out_of_fuel')
}

const STRAIGHT = `(module (func (export "f") (result i32) i32.const 1 i32.const 2 i32.add nop i32.const 3 drop))`
const IF_ELSE = `(module (func (export "f") (param i32) (result i32)
  local.get 0
  if (result i32) i32.const 1 else i32.const 2 i32.const 3 i32.add end))`
const LOOP = `(module (func (export "f") (param $n i32) (result i32) (local $i i32)
  block
    loop
      local.get $i local.get $n i32.ge_u br_if 1
      local.get $i i32.const 1 i32.add local.set $i
      br 0
    end
  end
  local.get $i))`
const BR_TABLE = `(module (func (export "f") (param i32) (result i32)
  block block block
    local.get 0 br_table 0 1 2
  end i32.const 10 i32.const 1 i32.add return
  end i32.const 20 return
  end i32.const 30))`
const BR_IF_VALUE = `(module (func (export "f") (param i32) (result i32)
  block (result i32)
    block (result i32)
      i32.const 7 local.get 0 br_if 1
      drop i32.const 8 local.get 0 i32.eqz br_if 0
      drop i32.const 9
    end
    i32.const 100 i32.add
  end))`
const CALLS = `(module
  (type $t (func (param i32) (result i32)))
  (table 2 funcref) (elem (i32.const 0) $sq $neg)
  (func $sq (type $t) local.get 0 local.get 0 i32.mul)
  (func $neg (type $t) i32.const 0 local.get 0 i32.sub)
  (func (export "direct") (param i32) (result i32) local.get 0 call $sq call $sq)
  (func (export "indirect") (param i32 i32) (result i32) local.get 0 local.get 1 call_indirect (type $t)))`
const FACT = `(module (func $fact (export "fact") (param i32) (result i32)
  local.get 0 i32.eqz
  if (result i32) i32.const 1
  else local.get 0 local.get 0 i32.const 1 i32.sub call $fact i32.mul end))`
const EARLY_RETURN = `(module (func (export "f") (param i32) (result i32)
  local.get 0 if i32.const 1 return end
  i32.const 2 i32.const 3 i32.add))`
const MEMORY = `(module (memory 1 3) (func (export "f") (result i32)
  i32.const 1 memory.grow drop memory.size))`

describe('meter: exact fuel by formula', () => {
  it('straight-line code: 4 cost-1 operators + entry (nop and drop are free)', async () => {
    expect(await fuelOf(STRAIGHT, 'f', [])).toBe(1 + 4)
    expect(await fuelOf(STRAIGHT, 'f', [], { functionEntryCost: 0 })).toBe(4)
  })

  it('if/else: each arm counted once', async () => {
    expect(await fuelOf(IF_ELSE, 'f', [1])).toBe(1 + 3)
    expect(await fuelOf(IF_ELSE, 'f', [0])).toBe(1 + 5)
  })

  it('a loop of N iterations costs 9N + 6', async () => {
    for (const n of [0, 1, 2, 10, 1000]) expect(await fuelOf(LOOP, 'f', [n])).toBe(9 * n + 6)
  })

  it('br_table out of nested blocks', async () => {
    expect(await fuelOf(BR_TABLE, 'f', [0])).toBe(1 + 5)
    expect(await fuelOf(BR_TABLE, 'f', [1])).toBe(1 + 3)
    expect(await fuelOf(BR_TABLE, 'f', [2])).toBe(1 + 3)
    expect(await fuelOf(BR_TABLE, 'f', [99])).toBe(1 + 3)
  })

  it('br_if carrying values out of nested blocks', async () => {
    expect(await fuelOf(BR_IF_VALUE, 'f', [1])).toBe(1 + 3)
    expect(await fuelOf(BR_IF_VALUE, 'f', [0])).toBe(1 + 3 + 4 + 2)
  })

  it('direct and indirect calls: callee body + its entry', async () => {
    expect(await fuelOf(CALLS, 'direct', [3])).toBe(1 + 3 + 2 * (1 + 3))
    expect(await fuelOf(CALLS, 'indirect', [3, 0])).toBe(1 + 3 + (1 + 3))
    expect(await fuelOf(CALLS, 'indirect', [3, 1])).toBe(1 + 3 + (1 + 3))
  })

  it('recursion: fact(n) costs 10n + 5', async () => {
    for (const n of [0, 1, 5, 12]) expect(await fuelOf(FACT, 'fact', [n])).toBe(10 * n + 5)
  })

  it('early return', async () => {
    expect(await fuelOf(EARLY_RETURN, 'f', [1])).toBe(1 + 3)
    expect(await fuelOf(EARLY_RETURN, 'f', [0])).toBe(1 + 5)
  })

  it('memory.grow and memory.size', async () => {
    expect(await fuelOf(MEMORY, 'f', [])).toBe(1 + 3)
  })

  it('unreachable traps as a genuine trap, with the balance published', async () => {
    const { mod } = await meter(`(module (func (export "f") i32.const 1 drop unreachable))`)
    const c = call(mod, 'f', [], 100n)
    expect(c.trapped).toBe(true)
    expect(c.flag).toBe(0)
    expect(c.remaining).toBe(100n - 2n)
    expect(classifyFuel(100n, c.remaining, c.trapped, c.flag).status).toBe('trap')
  })

  it('host imports see the balance and may change it (like wasmtime set_fuel from a host call)', async () => {
    const { mod } = await meter(`(module (import "env" "h" (func $h (param i32) (result i32)))
      (func (export "f") (result i32) i32.const 5 call $h i32.const 1 i32.add))`)
    let seen = 0n
    const box: { fuel?: WebAssembly.Global } = {}
    const inst = new WebAssembly.Instance(mod, {
      env: {
        h: (x: number) => {
          seen = box.fuel!.value as bigint
          box.fuel!.value = 1000n
          return x * 2
        }
      }
    })
    const fuel = inst.exports.fb_fuel as WebAssembly.Global
    box.fuel = fuel
    fuel.value = 500n
    expect((inst.exports.f as () => number)()).toBe(11)
    expect(seen).toBe(500n - 3n)
    expect(fuel.value).toBe(1000n - 2n)
  })
})

describe('meter: imported functions in tables', () => {
  it('calls an import through call_indirect via an adapter that publishes and reloads the balance', async () => {
    const { mod } = await meter(`(module
      (type $t (func (param i32) (result i32)))
      (import "env" "h" (func $h (type $t)))
      (table 2 funcref) (elem (i32.const 0) $h $sq)
      (func $sq (type $t) local.get 0 local.get 0 i32.mul)
      (func (export "f") (param i32 i32) (result i32) local.get 0 local.get 1 call_indirect (type $t)))`)
    let seen = -1n
    const box: { fuel?: WebAssembly.Global } = {}
    const inst = new WebAssembly.Instance(mod, {
      env: {
        h: (x: number) => {
          seen = box.fuel!.value as bigint
          box.fuel!.value = (box.fuel!.value as bigint) - 100n // the host may spend fuel too
          return x + 1
        }
      }
    })
    const fuel = inst.exports.fb_fuel as WebAssembly.Global
    box.fuel = fuel
    const f = inst.exports.f as (a: number, b: number) => number
    fuel.value = 1000n
    expect(f(7, 0)).toBe(8)
    expect(seen).toBe(1000n - 4n) // entry + get + get + call_indirect; no wasm entry for the host
    expect(fuel.value).toBe(1000n - 4n - 100n)
    fuel.value = 1000n
    expect(f(7, 1)).toBe(49)
    expect(fuel.value).toBe(1000n - 4n - 4n)
  })
})

describe('meter: trap rule (wasmtime: a check traps when remaining ≤ 0)', () => {
  it('budget N completes with 0 left, N-1 is out of fuel', async () => {
    await expectExactBudget(LOOP, 'f', [10], 96)
    await expectExactBudget(FACT, 'fact', [6], 65)
    await expectExactBudget(CALLS, 'direct', [3], 12)
    await expectExactBudget(IF_ELSE, 'f', [0], 6)
    await expectExactBudget(BR_TABLE, 'f', [0], 6)
  })

  it('running out inside a loop traps through the dedicated path at a loop header', async () => {
    const { mod } = await meter(LOOP)
    const c = call(mod, 'f', [1_000_000], 1000n)
    expect(c.trapped).toBe(true)
    expect(c.flag).toBe(1)
    // checks happen at the header after whole iterations: entry, then 5 more before the first header
    expect(Number(1000n - c.remaining) % 9).toBe((1 + 0) % 9) // 1 (entry) + 9k consumed at a header
    expect(c.remaining <= 0n).toBe(true)
    expect(classifyFuel(1000n, c.remaining, c.trapped, c.flag).status).toBe('out_of_fuel')
  })

  it('an infinite loop stops at its budget', async () => {
    const { mod } = await meter(`(module (func (export "f") loop br 0 end))`)
    const c = call(mod, 'f', [], 1_000_001n)
    expect(c.flag).toBe(1)
    expect(c.remaining).toBe(0n) // entry 1, then 1 per iteration (the br): header sees exactly 0
  })

  it('the check counts the entry cost: a call into an empty function with 0 left traps (wasmtime)', async () => {
    const src = `(module (func $e) (func (export "f") call $e))`
    const { mod } = await meter(src)
    // f: entry 1 + call 1; $e: entry 1 → total 3, but $e's entry check sees remaining 3-3 = 0
    expect(call(mod, 'f', [], 3n)).toMatchObject({ trapped: true, flag: 1, remaining: 0n })
    expect(call(mod, 'f', [], 4n)).toMatchObject({ trapped: false, remaining: 1n })
  })

  it('a run may complete with a small overdraft, which classifyFuel reports as out_of_fuel', async () => {
    const { mod } = await meter(STRAIGHT) // entry check sees 1; 4 more operators follow
    const c = call(mod, 'f', [], 2n)
    expect(c).toMatchObject({ trapped: false, remaining: -3n, flag: 0 })
    expect(classifyFuel(2n, c.remaining, c.trapped, c.flag)).toEqual({
      status: 'out_of_fuel',
      consumed: 5,
      remaining: -3
    })
  })

  it('a budget of 0 traps at the first function entry', async () => {
    const { mod } = await meter(STRAIGHT)
    expect(call(mod, 'f', [], 0n)).toMatchObject({ trapped: true, flag: 1, remaining: -1n })
  })
})

describe('meter: operators clang emits', () => {
  it('multi-value functions and blocks typed by a type index with parameters', async () => {
    const src = `(module
      (type $pair (func (param i32) (result i32 i32)))
      (func $two (type $pair) local.get 0 local.get 0 i32.const 1 i32.add)
      (func (export "f") (param i32) (result i32)
        local.get 0 call $two
        block (type $pair) i32.const 5 i32.add i32.const 0 end
        i32.add i32.add))`
    // f: get, call, block(free)[const, add, const], add, add; $two: entry + 4
    expect(await fuelOf(src, 'f', [4])).toBe(1 + 7 + (1 + 4))
  })

  it('sign extension, saturating truncation, bulk memory, typed select, memarg offsets', async () => {
    const src = `(module (memory 1)
      (func (export "f") (param i32) (result i32)
        i32.const 0 i32.const 7 i32.const 16 memory.fill
        i32.const 32 i32.const 0 i32.const 16 memory.copy
        local.get 0 i32.extend8_s
        f32.const 1e30 i32.trunc_sat_f32_s
        local.get 0 select (result i32)
        i32.const 32 i32.load8_u offset=3 align=1
        i32.add
        i64.const -9223372036854775808 i64.extend32_s i32.wrap_i64 i32.add))`
    expect(await fuelOf(src, 'f', [200])).toBe(1 + 21)
    expect(await fuelOf(src, 'f', [0])).toBe(1 + 21)
  })

  it('br to the function label from nested blocks, with a value', async () => {
    const src = `(module (func (export "f") (param i32) (result i32)
      block block i32.const 42 local.get 0 br_if 2 drop end end i32.const 1))`
    expect(await fuelOf(src, 'f', [1])).toBe(1 + 3)
    expect(await fuelOf(src, 'f', [0])).toBe(1 + 4)
  })

  it('300 nested blocks, a br_table into them, locals with multi-byte indices', () => {
    // Built by hand: wabt's text parser gives up on nesting this deep.
    const N = 300
    const targets = [0, 1, 2, 255, 256, 257, N - 1]
    const leb = (v: number): number[] => {
      const out: number[] = []
      do {
        let b = v & 0x7f
        v >>>= 7
        if (v) b |= 0x80
        out.push(b)
      } while (v)
      return out
    }
    const sleb = (v: number): number[] => (v < 64 ? [v] : [(v & 0x7f) | 0x80, v >> 7]) // 0 ≤ v < 8192
    const code = [
      ...[1, ...leb(200), 0x7f], // 200 i32 locals: indices 1..200
      ...Array.from({ length: N }, () => [0x02, 0x40]).flat(),
      ...[0x20, 0, 0x21, ...leb(150), 0x20, ...leb(150), 0x41, targets.length, 0x70], // (x) % 7
      ...[0x0e, ...leb(targets.length - 1), ...targets.flatMap(leb)],
      ...Array.from({ length: N }, (_, i) => [
        0x0b,
        0x41,
        ...sleb(i),
        0x20,
        ...leb(199),
        0x6a,
        0x21,
        ...leb(199)
      ]).flat(),
      ...[0x20, ...leb(199), 0x0b]
    ]
    const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body]
    const bytes = new Uint8Array([
      ...[0, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
      ...section(1, [1, 0x60, 1, 0x7f, 1, 0x7f]),
      ...section(3, [1, 0]),
      ...section(7, [1, 3, 0x72, 0x75, 0x6e, 0, 0]),
      ...section(10, [1, ...leb(code.length), ...code])
    ])
    expect(WebAssembly.validate(bytes)).toBe(true)
    const met = instrument(bytes)
    expect(WebAssembly.validate(met.bytes)).toBe(true)
    const mod = new WebAssembly.Module(met.bytes)
    for (let x = 0; x < targets.length; x++) {
      const t = targets[x]!
      const c = call(mod, 'run', [x], BIG)
      let sum = 0
      for (let i = t; i < N; i++) sum += i
      expect(c.result).toBe(sum)
      // entry, 6 operators to the br_table, 4 per block end passed, the final local.get
      expect(Number(BIG - c.remaining)).toBe(1 + 6 + 4 * (N - t) + 1)
    }
  })

  it('refuses SIMD, atomics and other unknown operators with a MeterError', async () => {
    const simd = await wat(`(module (func (export "f") v128.const i32x4 0 0 0 0 drop))`, true, { simd: true })
    expect(() => instrument(simd)).toThrow(MeterError)
    expect(() => instrument(simd)).toThrow(/function 0 \(f\): unsupported operator SIMD prefix 0xFD/)
    const tail = await wat(`(module (func $g) (func (export "f") return_call $g))`, true, { tail_call: true })
    expect(() => instrument(tail)).toThrow(/return_call \(tail calls\)/)
    const atomics = await wat(
      `(module (memory 1 1) (func (export "f") i32.const 0 i32.atomic.load drop))`,
      true,
      { threads: true }
    )
    expect(() => instrument(atomics)).toThrow(MeterError)
  })

  it('refuses a start function, which would run before the host can set the fuel', async () => {
    const bytes = await wat(
      `(module (global $g (mut i32) (i32.const 0)) (func $init i32.const 1 global.set $g) (start $init))`
    )
    expect(() => instrument(bytes)).toThrow(/start function \(func0\)/)
  })

  it('refuses truncated and non-wasm input with a MeterError', async () => {
    const bytes = await wat(LOOP)
    expect(() => instrument(bytes.subarray(0, bytes.length - 3))).toThrow(MeterError)
    expect(() => instrument(new TextEncoder().encode('not wasm at all'))).toThrow(/magic/)
  })
})

describe('meter: module options', () => {
  const DATA = `(module (memory (export "memory") 2 10) (data (i32.const 100) "hello")
    (global $sp (mut i32) (i32.const 4096)) (global $k i32 (i32.const 1)) (global $g (export "counter") (mut i64) (i64.const 5))
    (func (export "read") (result i32) i32.const 100 i32.load8_u)
    (func (export "bump") global.get $sp i32.const 16 i32.sub global.set $sp))`

  it('importMemory turns the memory into env.memory with the original limits', async () => {
    const { met, mod } = await meter(DATA, { importMemory: true })
    expect(met.memory).toEqual({ module: 'env', name: 'memory', initialPages: 2, maximumPages: 10 })
    expect(WebAssembly.Module.imports(mod)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }])
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 4 })
    const inst = new WebAssembly.Instance(mod, { env: { memory } })
    expect(inst.exports.memory).toBe(memory)
    ;(inst.exports.fb_fuel as WebAssembly.Global).value = 100n
    expect((inst.exports.read as () => number)()).toBe('h'.charCodeAt(0))
  })

  it('dropActiveDataSegments leaves memory zeroed for a snapshot restore', async () => {
    const { mod } = await meter(DATA, { dropActiveDataSegments: true, importMemory: true })
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 10 })
    new Uint8Array(memory.buffer)[100] = 77 // a restored snapshot
    const inst = new WebAssembly.Instance(mod, { env: { memory } })
    ;(inst.exports.fb_fuel as WebAssembly.Global).value = 100n
    expect((inst.exports.read as () => number)()).toBe(77)
  })

  it('exportMutableGlobals exports every mutable global, keeping existing export names', async () => {
    const { met, mod } = await meter(DATA, { exportMutableGlobals: true })
    expect(met.mutableGlobals).toEqual([
      { exportName: 'fb_global_0', type: 'i32' },
      { exportName: 'counter', type: 'i64' }
    ])
    const inst = new WebAssembly.Instance(mod)
    ;(inst.exports.fb_fuel as WebAssembly.Global).value = 100n
    ;(inst.exports.bump as () => void)()
    expect((inst.exports.fb_global_0 as WebAssembly.Global).value).toBe(4080)
    ;(inst.exports.fb_global_0 as WebAssembly.Global).value = 1
    expect((inst.exports.fb_global_0 as WebAssembly.Global).value).toBe(1)
  })

  it('exportMutableGlobals includes imported mutable globals', async () => {
    const { met, mod } = await meter(
      `(module (import "env" "g" (global $g (mut i64))) (global $h (mut f64) (f64.const 1)) (func (export "f") global.get $g global.set $g))`,
      { exportMutableGlobals: true }
    )
    expect(met.mutableGlobals).toEqual([
      { exportName: 'fb_global_0', type: 'i64' },
      { exportName: 'fb_global_1', type: 'f64' }
    ])
    const g = new WebAssembly.Global({ value: 'i64', mutable: true }, 5n)
    const inst = new WebAssembly.Instance(mod, { env: { g } })
    expect(inst.exports.fb_global_0).toBe(g)
    expect((inst.exports.fb_global_1 as WebAssembly.Global).value).toBe(1)
  })

  it('keeps the name section: traps still show function names', async () => {
    const { mod } = await meter(`(module (func $deep_function_name (export "f") unreachable))`)
    const c = call(mod, 'f', [], 10n)
    expect(String((c.error as Error).stack)).toContain('deep_function_name')
  })

  it('names the meter’s export wrappers in the name section', async () => {
    const { mod } = await meter(`(module (func $inner (export "f") unreachable))`)
    const c = call(mod, 'f', [], 10n)
    expect(String((c.error as Error).stack)).toMatch(/at inner[\s\S]*at f\.fb_entry/)
  })

  it('reports stats', async () => {
    const { met } = await meter(CALLS)
    expect(met.stats.functions).toBe(4)
    expect(met.stats.checks).toBe(4)
    expect(met.stats.chargePoints).toBeGreaterThan(0)
    expect(met.stats.ms).toBeGreaterThanOrEqual(0)
  })

  it('refuses modules that already use the meter’s export names', async () => {
    const bytes = await wat(`(module (global (export "fb_fuel") i32 (i32.const 0)) (func))`)
    expect(() => instrument(bytes)).toThrow(/fb_fuel/)
  })
})

describe('meter: failed grows (recordFailedGrow)', () => {
  // Grows by $pages, then by 0 (a grow that always succeeds); returns both results and the size.
  const GROWS = `(module (memory 1 4) (func (export "f") (param $pages i32) (result i32 i32 i32)
    local.get $pages memory.grow i32.const 0 memory.grow memory.size))`
  const record = (mod: WebAssembly.Module, pages: number[]): { results: unknown[]; failed: number } => {
    const inst = new WebAssembly.Instance(mod)
    const ex = inst.exports as Record<string, unknown>
    ;(ex.fb_fuel as WebAssembly.Global).value = BIG
    const results = pages.map((p) => (ex.f as (p: number) => unknown)(p))
    return { results, failed: ((ex.fb_failed_grow as WebAssembly.Global).value as number) >>> 0 }
  }

  it('keeps the largest request that failed, in pages, and grows exactly like memory.grow', async () => {
    const { met, mod, plain } = await meter(GROWS, { recordFailedGrow: true })
    expect(met.failedGrowExport).toBe('fb_failed_grow')
    const calls = [0, 1, 9, 2, 5, 1, -1, 0]
    const expected = new WebAssembly.Instance(plain).exports.f as (p: number) => unknown
    const recorded = record(mod, calls)
    expect(recorded.results).toEqual(calls.map((p) => expected(p)))
    // 9 and 5 fail (the cap is 4 pages), so does -1 (2^32 - 1 pages, read unsigned); 0, 1 and 2 succeed.
    expect(recorded.failed).toBe(2 ** 32 - 1)
    expect(record(mod, [3, 9, 5]).failed).toBe(9)
    expect(record(mod, [1, 2]).failed).toBe(0)
  })

  it('costs no fuel: the same count with and without the record, succeeding or failing', async () => {
    for (const pages of [0, 1, 9]) {
      const plainFuel = await fuelOf(GROWS, 'f', [pages])
      expect(await fuelOf(GROWS, 'f', [pages], { recordFailedGrow: true })).toBe(plainFuel)
      expect(plainFuel).toBe(1 + 5)
    }
    expect(await fuelOf(MEMORY, 'f', [], { recordFailedGrow: true })).toBe(1 + 3)
  })

  it('without the option the module exports no record and keeps memory.grow inline', async () => {
    const { met } = await meter(GROWS)
    expect(met.failedGrowExport).toBeNull()
    expect(WebAssembly.Module.exports(new WebAssembly.Module(met.bytes)).map((e) => e.name)).not.toContain(
      'fb_failed_grow'
    )
  })
})

describe('meter: fuel slices', () => {
  /** Reads a custom section's payload (after its name) from a module's bytes. */
  function customSection(bytes: Uint8Array, name: string): Uint8Array | null {
    let at = 8
    const leb = (): number => {
      let v = 0
      let shift = 0
      for (;;) {
        const b = bytes[at++]!
        v += (b & 0x7f) * 2 ** shift
        shift += 7
        if (!(b & 0x80)) return v
      }
    }
    while (at < bytes.length) {
      const id = bytes[at++]!
      const size = leb()
      const end = at + size
      if (id === 0) {
        const n = leb()
        const sectionName = new TextDecoder().decode(bytes.subarray(at, at + n))
        if (sectionName === name) return bytes.subarray(at + n, end)
      }
      at = end
    }
    return null
  }

  const LOOP = `(module (func $f (result i32) i32.const 7) (func (export "run") (param $n i32) (result i32) (local $i i32)
    block loop local.get $i local.get $n i32.ge_u br_if 1 local.get $i i32.const 1 i32.add local.set $i call $f drop br 0 end end local.get $i))`

  it('the slice hook grants fuel from the reserve; without a hook entry the module still runs while fuel lasts', async () => {
    const { met, mod } = await meter(LOOP, { fuelSlices: true })
    expect(met.fuelSliceExport).toBe('fb_fuel_slice')
    const inst = new WebAssembly.Instance(mod)
    const asks: bigint[] = []
    const slices = new FuelSlices(
      inst.exports,
      { fuelExport: 'fb_fuel', fuelSliceExport: 'fb_fuel_slice' },
      (c) => {
        asks.push(c)
        return 50n
      }
    )
    const unsliced = call((await meter(LOOP)).mod, 'run', [100], BIG)
    slices.start(BIG)
    expect((inst.exports.run as (n: number) => number)(100)).toBe(100)
    expect(BIG - slices.remaining()).toBe(BIG - unsliced.remaining)
    // Asked at the start and at every refill, with the fuel consumed so far, climbing.
    expect(asks.length).toBeGreaterThan(10)
    expect(asks[0]).toBe(0n)
    for (let i = 1; i < asks.length; i++) expect(asks[i]! > asks[i - 1]!).toBe(true)
  })

  it('marks every check unlikely in a metadata.code.branch_hint section, at the offset of its `if`', async () => {
    const { met } = await meter(LOOP, { fuelSlices: true })
    expect(customSection(instrument(await wat(LOOP)).bytes, 'metadata.code.branch_hint')).toBeNull()
    const hints = customSection(met.bytes, 'metadata.code.branch_hint')!
    expect(hints).not.toBeNull()
    const parsed = parseModule(met.bytes)
    let at = 0
    const u = (): number => hints[at++]! // every number here is < 128
    let total = 0
    for (let nf = u(), i = 0; i < nf; i++) {
      const f = u()
      const body = parsed.bodies[f - parsed.importedFunctions]!
      for (let nh = u(), j = 0; j < nh; j++) {
        const offset = u()
        expect(u()).toBe(1)
        expect(u()).toBe(0) // unlikely
        // The hinted byte is the check's `if` (0x04 0x40), right after its i64.lt_s.
        expect([met.bytes[body.start + offset - 1], met.bytes[body.start + offset]]).toEqual([0x53, 0x04])
        total++
      }
    }
    // Two function entries and one loop header.
    expect(total).toBe(met.stats.checks)
    expect(total).toBe(3)
  })
})

describe('meter: exception handling (legacy proposal: try, catch, catch_all, delegate, throw, rethrow)', () => {
  // $deep burns fuel in a loop three frames below the handler, then throws: the frames the
  // exception skips never return their fuel result, which must still be counted.
  const THROWS = `(module (import "host" "boom" (func $boom)) (tag $e (export "err") (param i32))
    (func $deep (param i32) (result i32) (local i32)
      i32.const 5 local.set 1
      loop local.get 1 i32.const 1 i32.sub local.tee 1 br_if 0 end
      local.get 0 throw $e)
    (func $mid (param i32) (result i32) local.get 0 call $deep i32.const 1 i32.add)
    (func $spin loop br 0 end)
    (func (export "caught") (param i32) (result i32)
      try (result i32) local.get 0 call $mid catch $e i32.const 1 i32.add end)
    (func (export "escapes") (param i32) (result i32) local.get 0 call $mid)
    (func (export "host_throws") (result i32)
      try (result i32) call $boom i32.const 1 catch_all i32.const 2 end)
    (func (export "spin_in_try") (result i32)
      try (result i32) call $spin i32.const 1 catch_all i32.const 2 end)
    (func (export "trap_in_try") (result i32)
      try (result i32) i32.const 1 i32.const 0 i32.div_u catch_all i32.const 2 end))`
  const host = {
    host: {
      boom: (): never => {
        throw new Error('boom')
      }
    }
  }
  // $deep: entry 1, 2 + 5 × 5 in the loop, get + throw 2 = 30; $mid: entry + get + call = 3;
  // caught: entry + get + call = 3, then the handler's const + add = 2.
  const DEEP = 30
  const MID = 3

  it('counts the fuel of frames an exception skips, exactly: by formula and against budgets', async () => {
    const { mod } = await meter(THROWS)
    const c = call(mod, 'caught', [7], BIG, host)
    expect(c).toMatchObject({ result: 8, trapped: false })
    expect(Number(BIG - c.remaining)).toBe(3 + MID + DEEP + 2)
    // The same figure is the exact budget; one less overdraws after the last check; less still
    // runs out at a check inside $deep's loop.
    expect(call(mod, 'caught', [7], 38n, host)).toMatchObject({ result: 8, remaining: 0n })
    const short = call(mod, 'caught', [7], 37n, host)
    expect(short).toMatchObject({ trapped: false, remaining: -1n })
    expect(classifyFuel(37n, short.remaining, short.trapped, short.flag).status).toBe('out_of_fuel')
    expect(call(mod, 'caught', [7], 20n, host)).toMatchObject({ trapped: true, flag: 1 })
  })

  it('an exception that leaves the module leaves the exact balance in fb_fuel for the host', async () => {
    const { mod } = await meter(THROWS)
    const c = call(mod, 'escapes', [7], BIG, host)
    expect(c.trapped).toBe(true)
    expect(c.error).toBeInstanceOf(WebAssembly.Exception)
    expect(c.flag).toBe(0)
    expect(Number(BIG - c.remaining)).toBe(MID + MID + DEEP) // escapes: entry + get + call
  })

  it("a host import's JS exception caught by catch_all: the pad takes the balance the host saw", async () => {
    const { mod } = await meter(THROWS)
    let seen = 0n
    let inst: WebAssembly.Instance | null = null
    inst = new WebAssembly.Instance(mod, {
      host: {
        boom: (): never => {
          const fuel = inst!.exports.fb_fuel as WebAssembly.Global
          seen = fuel.value as bigint
          fuel.value = seen - 100n // the host may charge; the guest continues from its value
          throw new Error('boom')
        }
      }
    })
    const fuel = inst.exports.fb_fuel as WebAssembly.Global
    fuel.value = 1000n
    expect((inst.exports.host_throws as () => number)()).toBe(2)
    expect(seen).toBe(1000n - 2n) // entry + call
    expect(fuel.value).toBe(1000n - 2n - 100n - 1n) // then the handler's i32.const
  })

  it('out of fuel inside a try ends the run: catch_all cannot catch it (plain and sliced)', async () => {
    const { mod } = await meter(THROWS)
    const c = call(mod, 'spin_in_try', [], 10_000n, host)
    expect(c).toMatchObject({ trapped: true, flag: 1 })
    expect(classifyFuel(10_000n, c.remaining, true, c.flag).status).toBe('out_of_fuel')
    const sliced = await meter(THROWS, { fuelSlices: true })
    const inst = new WebAssembly.Instance(sliced.mod, host)
    let asks = 0
    const slices = new FuelSlices(
      inst.exports,
      { fuelExport: 'fb_fuel', fuelSliceExport: 'fb_fuel_slice' },
      () => {
        asks++
        return 1000n
      }
    )
    slices.start(10_000n)
    expect(() => (inst.exports.spin_in_try as () => number)()).toThrow(WebAssembly.RuntimeError)
    expect((inst.exports.fb_out_of_fuel as WebAssembly.Global).value).toBe(1)
    expect(asks).toBeGreaterThan(5)
    expect(slices.remaining()).toBeLessThanOrEqual(0n)
  })

  it('a genuine trap inside a try is not caught either, and is no out-of-fuel', async () => {
    const { mod } = await meter(THROWS)
    const c = call(mod, 'trap_in_try', [], BIG, host)
    expect(c).toMatchObject({ trapped: true, flag: 0 })
    expect(String(c.error)).toMatch(/divide by zero/)
  })

  it('keeps tag sections, tag imports and tag exports: the exported tag is the one thrown', async () => {
    const src = `(module (import "lib" "tag" (tag $imported (param i32))) (tag $own (export "own") (param i64))
      (func (export "run") (param i32) (result i32)
        local.get 0 i32.eqz if i64.const 5 throw $own end
        local.get 0 throw $imported))`
    const { met, mod } = await meter(src)
    expect(parseModule(met.bytes).imports.map((i) => i.kind)).toEqual([4])
    const tag = new WebAssembly.Tag({ parameters: ['i32'] })
    // TypeScript's lib lacks Tag among import values (the engine takes it)
    const inst = new WebAssembly.Instance(mod, { lib: { tag } } as unknown as WebAssembly.Imports)
    const ex = inst.exports as Record<string, unknown>
    ;(ex.fb_fuel as WebAssembly.Global).value = BIG
    const thrown = (x: number): WebAssembly.Exception => {
      try {
        ;(ex.run as (x: number) => number)(x)
      } catch (e) {
        return e as WebAssembly.Exception
      }
      throw new Error('did not throw')
    }
    expect(thrown(3).is(tag)).toBe(true)
    expect(thrown(3).getArg(tag, 0)).toBe(3)
    expect(thrown(0).is(ex.own as WebAssembly.Tag)).toBe(true)
  })

  it('refuses the newer exnref form (try_table) with a MeterError naming it', async () => {
    // try_table 0x1f, empty block type, no catch clauses, end; inside a minimal function
    const bytes = Uint8Array.from([
      0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 7, 1, 5, 0, 0x1f, 0x40, 0, 0x0b
    ])
    expect(() => instrument(bytes)).toThrow(/try_table \(exception handling with exnref\)/)
  })
})
