/**
 * A real, large pure-Python package in the sandbox: `import sympy` (1.11.1, with mpmath 1.2.1) from
 * wheels built from Debian's python3-sympy and python3-mpmath (test/helpers/debian-wheels.ts),
 * mounted the way a notebook's stored wheels are, against native python3 importing the same sources,
 * all in this run:
 * - ours: an isolated Kernel.run of `import sympy` (from S0, so every sample imports afresh) with a
 *   budget large enough to finish; time inside Python (perf_counter around the import) and the fuel
 *   of the run. Wheels hold no bytecode, so every import compiles the modules it loads.
 * - ours with the bytecode cache a notebook stores beside each wheel (src/main/packages/bytecode.ts,
 *   compiled once by the sandbox, outside the samples): the same isolated import, alternating with
 *   the one above in the same kernel host.
 * - native: a new `python3 -I` process per sample, perf_counter around the import, once with
 *   Debian's byte-compiled caches (what a user's native import costs) and once with `-B` and an
 *   empty pycache prefix (compiling from source, like ours).
 * - `sympy.integrate(x**2*sin(x), x)` from a head that imported sympy: time and fuel of the work,
 *   and its result checked against native.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createHash } from 'node:crypto'
import { createKernelHost } from '../src/main/kernel'
import { bytecodeFile } from '../src/main/packages'
import type { MountedWheel } from '../src/main/sandbox/wasi/fs-image'
import { DEFAULT_LIMITS } from '../src/shared/limits'
import type { Limits } from '../src/shared/notebook'
import { buildDebianWheels, NATIVE_PYTHON3, SYMPY_DISTS } from '../test/helpers/debian-wheels'
import { spreadText, summarize, type BenchFigure, type BenchMain } from './harness'

const RESOURCES = resolve(__dirname, '..', 'resources', 'python')
/** Room to finish: the import alone takes tens of G of fuel, far past the default 400 M. */
const LIMITS: Limits = { ...DEFAULT_LIMITS, fuel: 200_000_000_000, timeoutMs: 300_000 }

/** Time inside Python, around the import only. */
const IMPORT =
  'import time\nt0 = time.perf_counter()\nimport sympy\nprint(f"{(time.perf_counter() - t0) * 1000:.3f}")'
const INTEGRATE =
  "import time\nx = sympy.symbols('x')\nt0 = time.perf_counter()\nr = sympy.integrate(x**2 * sympy.sin(x), x)\n" +
  'print(f"{(time.perf_counter() - t0) * 1000:.3f} {r}")'

function msOf(out: string, who: string): { ms: number; rest: string } {
  const match = /^(\d+\.\d+) ?(.*)$/m.exec(out)
  if (!match) throw new Error(`${who}: unexpected output ${out.slice(0, 500)}`)
  return { ms: Number(match[1]), rest: match[2]! }
}

function native(program: string, bytecode: boolean): { ms: number; rest: string } {
  const args = bytecode
    ? ['-I', '-c', program]
    : ['-I', '-B', '-X', `pycache_prefix=${mkdtempSync(join(tmpdir(), 'fuelbook-nopyc-'))}`, '-c', program]
  const r = spawnSync(NATIVE_PYTHON3, args, { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`native python3: ${r.stderr.slice(0, 500)}`)
  return msOf(r.stdout, 'native python3')
}

const BUDGET = 'default fuel budget per cell'

/** A row of the packages group: value against a baseline of this run, ratio value / baseline unless given. */
function compared(
  name: string,
  value: number,
  unit: string,
  baselineName: string,
  baseline: number,
  extra: Partial<BenchFigure> = {}
): BenchFigure {
  return {
    group: 'packages',
    name,
    value,
    unit,
    baseline: { name: baselineName, value: baseline },
    ratio: value / baseline,
    ratioMeaning: 'ours / native',
    ...extra
  }
}

export default (async (ctx) => {
  const folder = mkdtempSync(join(tmpdir(), 'fuelbook-bench-wheels-'))
  const wheels = buildDebianWheels(SYMPY_DISTS, folder).map((w) => {
    const bytes = new Uint8Array(readFileSync(join(folder, w.filename)))
    return { filename: w.filename, sha256: createHash('sha256').update(bytes).digest('hex'), bytes }
  })
  const host = await createKernelHost({
    resourcesDir: RESOURCES,
    cacheDir: join(tmpdir(), 'fuelbook-bench-cache')
  })
  await host.whenWarmed()
  const kernel = host.createKernel()
  kernel.setPackages(wheels)
  const cachedKernel = host.createKernel()
  const withCaches: MountedWheel[] = []
  for (const wheel of wheels) {
    const cache = bytecodeFile((await cachedKernel.compileWheel(wheel)).entries)
    withCaches.push({
      ...wheel,
      bytecode: { sha256: createHash('sha256').update(cache).digest('hex'), bytes: cache }
    })
  }
  cachedKernel.setPackages(withCaches)
  const importMs: number[] = []
  const importFuel: number[] = []
  const cacheMs: number[] = []
  const cacheFuel: number[] = []
  const nativeCached: number[] = []
  const nativeSource: number[] = []
  let integrate: { ms: number; fuel: number; nativeMs: number }
  const text = (outputs: { type: string; text?: string }[]): string =>
    outputs.map((o) => (o.type === 'stream' ? (o.text ?? '') : '')).join('')
  try {
    for (let i = 0; i < ctx.reps(3); i++) {
      // Isolated: from S0, so every sample imports afresh; the fuel is the import's alone.
      const run = await kernel.run(IMPORT, { limits: LIMITS, isolated: true })
      if (run.status !== 'ok')
        throw new Error(`ours: ${run.status} ${run.message ?? ''} ${text(run.outputs)}`)
      importMs.push(msOf(text(run.outputs), 'ours').ms)
      importFuel.push(run.fuelConsumed)
      const fromCache = await cachedKernel.run(IMPORT, { limits: LIMITS, isolated: true })
      if (fromCache.status !== 'ok')
        throw new Error(
          `ours, cached: ${fromCache.status} ${fromCache.message ?? ''} ${text(fromCache.outputs)}`
        )
      cacheMs.push(msOf(text(fromCache.outputs), 'ours, cached').ms)
      cacheFuel.push(fromCache.fuelConsumed)
      nativeCached.push(native(IMPORT, true).ms)
      nativeSource.push(native(IMPORT, false).ms)
    }
    // The work alone, from a head that imported sympy; the same result as native.
    const imported = await kernel.run('import sympy', { limits: LIMITS })
    if (imported.status !== 'ok') throw new Error(`ours: import ${imported.status}`)
    const run = await kernel.run(INTEGRATE, { limits: LIMITS })
    if (run.status !== 'ok') throw new Error(`ours: integrate ${run.status} ${text(run.outputs)}`)
    const got = msOf(text(run.outputs), 'ours')
    const want = native(`import sympy\n${INTEGRATE}`, true)
    if (got.rest !== want.rest) throw new Error(`ours gave ${got.rest}, native ${want.rest}`)
    integrate = { ms: got.ms, fuel: run.fuelConsumed, nativeMs: want.ms }
  } finally {
    await kernel.dispose()
    await cachedKernel.dispose()
    await host.close()
  }
  const ours = summarize(importMs)
  const cached = summarize(nativeCached)
  const source = summarize(nativeSource)
  const fuel = summarize(importFuel)
  const oursCached = summarize(cacheMs)
  const fuelCached = summarize(cacheFuel)
  const fmtG = (n: number): string => `${(n / 1e9).toFixed(1)} G`
  ctx.log(
    `  import sympy: ours ${ours.median.toFixed(0)} ms (${fmtG(fuel.median)} fuel), native ${cached.median.toFixed(0)} ms with .pyc, ${source.median.toFixed(0)} ms from source`
  )
  ctx.log(
    `  import sympy with the bytecode cache: ${oursCached.median.toFixed(0)} ms (${fmtG(fuelCached.median)} fuel)`
  )
  return [
    compared(
      'import sympy 1.11.1 from its wheel (ours)',
      ours.median,
      'ms',
      'native python3, Debian .pyc',
      cached.median,
      {
        spread: spreadText(ours, 'ms')
      }
    ),
    compared(
      'import sympy, native python3 compiling from source (-B)',
      source.median,
      'ms',
      'ours',
      ours.median,
      {
        spread: spreadText(source, 'ms'),
        // The ratio stays ours / native: the baseline here is the native figure's own row.
        ratio: ours.median / source.median,
        ratioMeaning: 'ours / native, both compiling (slow-down of wasm)'
      }
    ),
    compared('import sympy: fuel', fuel.median, 'fuel', BUDGET, DEFAULT_LIMITS.fuel, {
      spread: `min–max ${fmtG(fuel.min)}–${fmtG(fuel.max)} (n=${fuel.values.length})`,
      ratioMeaning: 'times the default budget'
    }),
    compared(
      'import sympy 1.11.1 from its wheel and bytecode cache (ours)',
      oursCached.median,
      'ms',
      'native python3, Debian .pyc',
      cached.median,
      { spread: spreadText(oursCached, 'ms') }
    ),
    compared(
      'import sympy with the bytecode cache: fuel',
      fuelCached.median,
      'fuel',
      BUDGET,
      DEFAULT_LIMITS.fuel,
      {
        spread: `min–max ${fmtG(fuelCached.min)}–${fmtG(fuelCached.max)} (n=${fuelCached.values.length})`,
        ratioMeaning: 'times the default budget'
      }
    ),
    compared(
      'sympy.integrate(x**2*sin(x), x) after the import (ours)',
      integrate.ms,
      'ms',
      'native python3',
      integrate.nativeMs
    ),
    compared('sympy.integrate(x**2*sin(x), x): fuel', integrate.fuel, 'fuel', BUDGET, DEFAULT_LIMITS.fuel, {
      ratioMeaning: 'times the default budget'
    })
  ]
}) satisfies BenchMain
