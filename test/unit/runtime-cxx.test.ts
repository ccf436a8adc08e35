/**
 * C++ exceptions inside the runtime (runtime/README.md, "C++ exceptions"): the `_fuelbook_cxx`
 * module, compiled with -fwasm-exceptions and linked with our libc++abi, throws across C++ frames
 * and catches, turns C++ exceptions into Python ones, costs the same fuel on every run, and a run
 * out of fuel inside a C++ `try { } catch (...)` still ends out of fuel: on the bare runtime
 * (plain and metered), and in a notebook kernel, where such a run is rolled back like any other.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { instrument } from '../../src/main/sandbox/meter'
import { parseModule, SECTION } from '../../src/main/sandbox/meter/sections'
import type { Kernel } from '../../src/main/kernel'
import { LIMITS, textOf, useTestHost } from '../helpers/kernel-host'
import { PythonHost, pythonWasm } from '../helpers/meter-python-host'

const UNWIND = `import _fuelbook_cxx as cxx
print(cxx.unwind(1), cxx.unwind(5), cxx.unwind(60))`

const CONVERT = `import _fuelbook_cxx as cxx
for kind, message in [('invalid_argument', 'bad value'), ('overflow_error', 'too big'),
                      ('bad_alloc', ''), ('logic_error', 'broken'), ('int', '')]:
    try:
        cxx.convert(kind, message)
    except Exception as e:
        print(type(e).__name__, repr(str(e)))`

const SPIN_FOREVER = 'import _fuelbook_cxx as cxx\nprint(cxx.spin(10**15))'

describe('C++ exceptions in the runtime', () => {
  let plain: WebAssembly.Module
  let metered: WebAssembly.Module
  let sliced: WebAssembly.Module

  beforeAll(() => {
    plain = new WebAssembly.Module(pythonWasm())
    metered = new WebAssembly.Module(instrument(pythonWasm()).bytes)
    sliced = new WebAssembly.Module(instrument(pythonWasm(), { fuelSlices: true }).bytes)
  })

  it('the reactor carries a tag section (the C++ exception tag) that the meter re-emits', () => {
    expect(parseModule(pythonWasm()).sections.some((x) => x.id === SECTION.tag)).toBe(true)
    const bytes = instrument(pythonWasm()).bytes
    expect(parseModule(bytes).sections.some((x) => x.id === SECTION.tag)).toBe(true)
  })

  it('throws through C++ frames, runs every destructor on the way, catches by base class', () => {
    for (const module of [plain, metered]) {
      const host = new PythonHost(module)
      expect(host.boot().rc).toBe(0)
      expect(host.run(UNWIND)).toMatchObject({ rc: 0, stdout: '(1007, 1) (1007, 5) (1007, 60)\n' })
    }
  })

  it('turns C++ exceptions into the matching Python exceptions', () => {
    const host = new PythonHost(metered)
    host.boot()
    expect(host.run(CONVERT)).toMatchObject({
      rc: 0,
      stdout:
        "ValueError 'bad value'\nOverflowError 'too big'\nMemoryError ''\nRuntimeError 'broken'\n" +
        "RuntimeError 'unknown C++ exception'\n"
    })
  })

  it('costs the same fuel on every run from a fresh instance', () => {
    const figures: number[] = []
    for (let i = 0; i < 2; i++) {
      const host = new PythonHost(metered)
      host.boot()
      const unwind = host.run(UNWIND)
      const convert = host.run(CONVERT)
      expect([unwind.rc, convert.rc]).toEqual([0, 0])
      figures.push(unwind.fuel!, convert.fuel!)
    }
    expect(figures.slice(2)).toEqual(figures.slice(0, 2))
    console.log(`fuel: unwind cell ${figures[0]}, convert cell ${figures[1]}`)
  })

  it('out of fuel inside a C++ try/catch(...) ends the run out of fuel (plain and sliced meter)', () => {
    for (const module of [metered, sliced]) {
      const host = new PythonHost(module)
      host.boot()
      const budget = 30_000_000n
      const run = host.run(SPIN_FOREVER, budget)
      expect(run).toMatchObject({ trapped: true, outOfFuel: true, stdout: '' })
      expect(run.fuel! - Number(budget)).toBeLessThan(1000)
    }
  })
})

describe('C++ exceptions in a notebook kernel', () => {
  const host = useTestHost(1)
  const run = (kernel: Kernel, code: string, fuel = LIMITS.fuel) =>
    kernel.run(code, { limits: { ...LIMITS, fuel } })

  it('an uncaught C++ exception is the Python error a user reads, and the kernel goes on', async () => {
    const kernel = host().createKernel()
    const r = await run(kernel, "import _fuelbook_cxx as cxx\ncxx.convert('invalid_argument', 'bad value')")
    expect(r.status).toBe('error')
    expect(r.outputs).toContainEqual(
      expect.objectContaining({ type: 'error', ename: 'ValueError', evalue: 'bad value' })
    )
    expect(textOf((await run(kernel, 'print(cxx.unwind(3))')).outputs)).toBe('(1007, 3)\n')
    await kernel.dispose()
  })

  it('out of fuel inside C++ ends the cell out of fuel, the state from before it kept', async () => {
    const kernel = host().createKernel()
    expect((await run(kernel, 'x = 41')).status).toBe('ok')
    const spun = await run(kernel, `x = 0\n${SPIN_FOREVER}`, 20_000_000)
    expect(spun.status).toBe('out_of_fuel')
    expect(spun.message).toMatch(/out of fuel/)
    const after = await run(kernel, 'print(x + 1)')
    expect(after.status).toBe('ok')
    expect(textOf(after.outputs)).toBe('42\n')
    await kernel.dispose()
  })
})
