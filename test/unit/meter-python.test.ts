/**
 * The meter on the real runtime (resources/python): the instrumented interpreter boots and runs
 * cells, `print('hello world')` costs the same fuel from fresh instances, and a runaway cell is
 * stopped at its budget through the meter's dedicated out-of-fuel path.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { classifyFuel, instrument, type MeteredModule, type MeterOptions } from '../../src/main/sandbox/meter'
import { PYTHON_DIR, PythonHost, pythonWasm } from '../helpers/meter-python-host'

const hasRuntime = existsSync(join(PYTHON_DIR, 'python.wasm'))

describe('meter on the Python runtime', () => {
  it('finds the committed runtime', () => expect(hasRuntime).toBe(true))
  let metered: MeteredModule
  let module: WebAssembly.Module

  beforeAll(() => {
    metered = instrument(pythonWasm(), { exportMutableGlobals: true })
    module = new WebAssembly.Module(metered.bytes)
  })

  it('instruments the whole runtime into a valid module and exports its mutable globals', () => {
    expect(WebAssembly.validate(metered.bytes)).toBe(true)
    expect(metered.stats.functions).toBeGreaterThan(1000)
    expect(metered.mutableGlobals).toContainEqual({ exportName: '__stack_pointer', type: 'i32' })
  })

  it('instruments the runtime with every kernel option into a valid module', () => {
    const kernel = instrument(pythonWasm(), {
      importMemory: true,
      dropActiveDataSegments: true,
      exportMutableGlobals: true
    })
    expect(WebAssembly.validate(kernel.bytes)).toBe(true)
    expect(kernel.memory).toMatchObject({ module: 'env', name: 'memory' })
    expect(kernel.memory!.initialPages).toBeGreaterThan(0)
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(kernel.bytes))
    expect(imports.filter((i) => i.kind === 'memory')).toEqual([
      { module: 'env', name: 'memory', kind: 'memory' }
    ])
  })

  it("runs print('hello world') with the same fuel from fresh instances", () => {
    const figures: number[] = []
    for (let i = 0; i < 2; i++) {
      const host = new PythonHost(module)
      const boot = host.boot()
      expect(boot.rc).toBe(0)
      const hello = host.run("print('hello world')")
      expect(hello).toMatchObject({ rc: 0, stdout: 'hello world\n', trapped: false, outOfFuel: false })
      figures.push(boot.fuel!, hello.fuel!)
    }
    expect(figures[0]).toBe(figures[2])
    expect(figures[1]).toBe(figures[3])
    expect(figures[1]).toBeGreaterThan(1000)
    console.log(`fuel: fb_init ${figures[0]}, print('hello world') ${figures[1]}`)
  })

  it('stops `while True: pass` at its budget through the out-of-fuel path', () => {
    const host = new PythonHost(module)
    host.boot()
    const budget = 20_000_000n
    const run = host.run('while True: pass', budget)
    expect(run).toMatchObject({ trapped: true, outOfFuel: true })
    const remaining = budget - BigInt(run.fuel!)
    expect(classifyFuel(budget, remaining, true, 1).status).toBe('out_of_fuel')
    expect(remaining <= 0n).toBe(true)
    expect(run.fuel! - Number(budget)).toBeLessThan(1000) // stopped at the first check past the budget
  })

  it('gives the same fuel with the failed-grow record as without, for cells that grow memory', () => {
    const recording = new WebAssembly.Module(
      instrument(pythonWasm(), { exportMutableGlobals: true, recordFailedGrow: true }).bytes
    )
    // As the kernel meters it: fuel handed out in slices, with and without the record.
    const sliced = (recordFailedGrow: boolean): WebAssembly.Module =>
      new WebAssembly.Module(
        instrument(pythonWasm(), { exportMutableGlobals: true, fuelSlices: true, recordFailedGrow }).bytes
      )
    const cells = [
      "print('hello world')",
      'x = bytearray(50_000_000)\nprint(len(x))',
      'y = list(range(10**6))'
    ]
    const fuelOf = (mod: WebAssembly.Module): number[] => {
      const host = new PythonHost(mod)
      return [host.boot().fuel!, ...cells.map((code) => host.run(code).fuel!)]
    }
    const plain = fuelOf(module)
    expect(fuelOf(recording)).toEqual(plain)
    expect(fuelOf(sliced(true))).toEqual(plain)
    expect(fuelOf(sliced(false))).toEqual(plain)
  })

  it('gives the plain runtime’s results', () => {
    const code =
      'import json\nprint(json.dumps(sorted({"b": [1, 2.5], "a": None}.items())))\nprint(sum(i*i for i in range(1000)))'
    const plain = new PythonHost(new WebAssembly.Module(pythonWasm()))
    plain.boot()
    const host = new PythonHost(module)
    host.boot()
    expect(host.run(code).stdout).toBe(plain.run(code).stdout)
  })
})

describe('fewer checks on the Python runtime', () => {
  // The seven bench workloads at small sizes, stdlib-heavy cells, a cell that raises, and the
  // trivial cell: the same fuel with checks dropped or moved as with wasmtime's placement.
  const cells = [
    '1+1',
    "print('hello world')",
    'sum(i * i for i in range(10**4))',
    'def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\nfib(15)',
    'import json\njson.loads(json.dumps([{"id": i, "v": i * 0.25, "t": ["a", "b"]} for i in range(500)]))',
    'import random\nrandom.seed(1)\nsorted(random.random() for _ in range(5000))',
    'import re\nlen(re.findall(r"[\\w.]+@\\w+\\.com|\\d+", "ab 12 x@y.com 7 " * 300))',
    'parts = []\nfor i in range(5000):\n    parts.append(f"{i}:{i % 7};")\ns = "".join(parts)',
    'class P:\n    def __init__(self, x):\n        self.x = x\nsum(P(i).x for i in range(5000))',
    'import decimal, fractions, statistics, datetime, collections, itertools\nprint(decimal.Decimal(1) / 7, fractions.Fraction(3, 9), statistics.mean([1, 2, 4]))\nprint(datetime.date(2026, 12, 6).isoformat(), collections.Counter("abracadabra").most_common(2))',
    'import textwrap, difflib\nprint(textwrap.fill("lorem ipsum " * 40, 30))\nprint(list(difflib.unified_diff(["a", "b"], ["a", "c"])))',
    '1 / 0'
  ]
  const fuelOf = (options: MeterOptions): number[] => {
    const module = new WebAssembly.Module(
      instrument(pythonWasm(), {
        exportMutableGlobals: true,
        fuelSlices: true,
        recordFailedGrow: true,
        ...options
      }).bytes
    )
    const host = new PythonHost(module)
    const boot = host.boot()
    expect(boot.rc).toBe(0)
    return [boot.fuel!, ...cells.map((code) => host.run(code).fuel!)]
  }

  it('gives fb_init and every cell the same fuel as checks where wasmtime puts them', () => {
    const exact = fuelOf({})
    expect(exact.every((f) => f > 1000)).toBe(true)
    expect(fuelOf({ boundedEntryChecks: 4096, backEdgeChecks: true })).toEqual(exact)
    expect(fuelOf({ backEdgeChecks: true })).toEqual(exact)
  }, 120_000)

  it('still stops `while True: pass` at its budget through the out-of-fuel path', () => {
    const module = new WebAssembly.Module(
      instrument(pythonWasm(), { exportMutableGlobals: true, boundedEntryChecks: 4096, backEdgeChecks: true })
        .bytes
    )
    const host = new PythonHost(module)
    host.boot()
    const budget = 20_000_000n
    const run = host.run('while True: pass', budget)
    expect(run).toMatchObject({ trapped: true, outOfFuel: true })
    expect(run.fuel! - Number(budget)).toBeGreaterThanOrEqual(0)
    expect(run.fuel! - Number(budget)).toBeLessThan(5000) // stopped soon after the budget
  })
})
