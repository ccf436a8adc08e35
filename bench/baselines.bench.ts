/**
 * The comparison table (README, Benchmarks): every workload of bench/workloads.ts through our kernel
 * (Kernel.run: metered, restored from the head, snapshotted after) against what a user would pick
 * instead, all measured in this run, round-robin (one sample of each contender per round) so a
 * busy machine slows them all alike:
 * - the VMware CPython 3.12 WASI build (command model: a fresh instance per run, setup included
 *   in the program but not in the timing);
 * - Pyodide (npm `pyodide`), loaded once: its cold load is a figure of its own, then each sample is
 *   one runPython in that interpreter, setup done once before;
 * - native python3 when present (a new process per sample, setup untimed).
 *
 * Compute figures are the time of the work itself, measured inside Python, so interpreter speed
 * (and our meter's cost) is compared without start-up; the note of our row gives the whole cell's
 * wall time through Kernel.run. The trivial cell is a per-run cost instead: wall time of one run in
 * each contender's own model.
 */
import { spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createKernelHost, type Kernel } from '../src/main/kernel'
import type { Limits } from '../src/shared/notebook'
import { spreadText, summarize, type BenchFigure, type BenchMain, type Samples } from './harness'
import {
  elapsedFrom,
  NativePython,
  timedWork,
  TRIVIAL,
  VMwarePython,
  WORKLOADS,
  type Workload
} from './workloads'

const RESOURCES = resolve(__dirname, '../resources/python')
/** Enough fuel and time for the heaviest workload with room to spare: the bench measures, it does not limit. */
const LIMITS: Limits = {
  fuel: 50_000_000_000,
  memoryBytes: 1024 * 2 ** 20,
  timeoutMs: 120_000,
  outputBytes: 1 << 20,
  fsBytes: 256 * 1024 * 1024
}

interface PyodideLike {
  runPython(code: string): unknown
  setStdout(options: { batched: (s: string) => void }): void
  version: string
}

interface Contender {
  name: string
  /** One sample of the trivial cell: wall ms per run. */
  trivialMs(): Promise<number>
  /** Prepares `w` (setup), once, before its samples. */
  prepare(w: Workload): Promise<void>
  /** One sample of `w`: ms of the work, measured inside Python. */
  workMs(w: Workload): Promise<number>
  /** Extra detail for the figure's note (e.g. our cell's wall time). */
  note?(w: Workload): string
}

function outputText(outputs: { type: string; name?: string; text?: string }[]): string {
  return outputs
    .filter((o) => o.type === 'stream')
    .map((o) => o.text ?? '')
    .join('')
}

function ours(kernelFor: () => Kernel): Contender {
  let kernel: Kernel | null = null
  const walls = new Map<string, number[]>()
  const run = async (code: string) => {
    const r = await kernel!.run(code, { limits: LIMITS })
    if (r.status !== 'ok')
      throw new Error(`ours: ${r.status} ${r.message ?? ''} ${outputText(r.outputs).slice(0, 500)}`)
    return r
  }
  return {
    name: 'ours (Kernel.run)',
    async trivialMs() {
      kernel ??= kernelFor()
      const t0 = performance.now()
      await run(TRIVIAL.work)
      return performance.now() - t0
    },
    async prepare(w) {
      // A new kernel per workload: the head holds only this workload's state, as in a notebook.
      await kernel?.dispose()
      kernel = kernelFor()
      if (w.setup) await run(w.setup)
    },
    async workMs(w) {
      const t0 = performance.now()
      const r = await run(timedWork(w))
      const wall = performance.now() - t0
      walls.set(w.name, [...(walls.get(w.name) ?? []), wall])
      return elapsedFrom(outputText(r.outputs), 'ours')
    },
    note(w) {
      const s = walls.get(w.name)
      return s
        ? `whole cell through Kernel.run (restore + run + snapshot) p50 ${summarize(s).median.toFixed(1)} ms`
        : ''
    }
  }
}

function pyodide(py: PyodideLike): Contender {
  let out = ''
  py.setStdout({ batched: (s) => (out += s + '\n') })
  return {
    name: `Pyodide ${py.version}`,
    async trivialMs() {
      const t0 = performance.now()
      py.runPython(TRIVIAL.work)
      return performance.now() - t0
    },
    async prepare(w) {
      if (w.setup) py.runPython(w.setup)
    },
    async workMs(w) {
      out = ''
      py.runPython(timedWork(w))
      return elapsedFrom(out, 'pyodide')
    }
  }
}

function vmware(vm: VMwarePython): Contender {
  return {
    name: 'VMware python-wasi 3.12',
    trivialMs: async () => vm.wallMs(TRIVIAL.work),
    prepare: async () => undefined,
    workMs: async (w) => vm.workMs(w),
    note: () => 'command model: new instance per run, setup untimed'
  }
}

function native(py: NativePython): Contender {
  return {
    name: `native python ${py.version}`,
    trivialMs: async () => py.wallMs(TRIVIAL.work),
    prepare: async () => undefined,
    workMs: async (w) => py.workMs(w),
    note: () => 'new process per run, setup untimed'
  }
}

/** One sample of each contender per round, after `warmup` untimed rounds. */
async function interleaved(
  rounds: number,
  warmup: number,
  fns: (() => Promise<number>)[]
): Promise<Samples[]> {
  for (let i = 0; i < warmup; i++) for (const fn of fns) await fn()
  const values: number[][] = fns.map(() => [])
  for (let i = 0; i < rounds; i++) for (const [j, fn] of fns.entries()) values[j]!.push(await fn())
  return values.map(summarize)
}

/** Pyodide's cold load in a fresh Node process (nothing cached in memory), ms. */
function pyodideColdLoadMs(): number {
  const script =
    "const t0 = performance.now(); require('pyodide').loadPyodide().then(() => console.log('LOADED', performance.now() - t0))"
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: resolve(__dirname, '..') })
  const m = /LOADED ([0-9.]+)/.exec(r.stdout)
  if (!m) throw new Error(`pyodide cold load failed: ${r.stderr.slice(0, 500)}`)
  return Number(m[1])
}

const main: BenchMain = async (ctx) => {
  const figures: BenchFigure[] = []
  const group = 'baselines'

  // ---- start-up costs: our kernel host (S0 from the disk cache) and Pyodide's load
  const cacheDir = join(tmpdir(), 'fuelbook-bench-cache')
  const tHost = performance.now()
  const host = await createKernelHost({ resourcesDir: RESOURCES, cacheDir })
  const hostMs = performance.now() - tHost
  const tLoad = performance.now()
  const { loadPyodide } = (await import('pyodide')) as unknown as { loadPyodide: () => Promise<PyodideLike> }
  const py = await loadPyodide()
  const inProcessLoadMs = performance.now() - tLoad
  const coldLoads = summarize(
    ctx.quick ? [inProcessLoadMs] : Array.from({ length: ctx.reps(3) }, () => pyodideColdLoadMs())
  )
  figures.push({
    group,
    name: 'start-up: Pyodide cold load (fresh process)',
    value: coldLoads.median,
    unit: 'ms',
    spread: spreadText(coldLoads, 'ms', 0),
    baseline: { name: 'our kernel host start (runtime + cached S0 + warm-up)', value: hostMs },
    ratio: coldLoads.median / hostMs,
    ratioMeaning: 'Pyodide / ours',
    note: `loadPyodide in this process: ${inProcessLoadMs.toFixed(0)} ms`
  })

  const vm = new VMwarePython()
  const nat = NativePython.find()
  try {
    const contenders: Contender[] = [
      ours(() => host.createKernel()),
      pyodide(py),
      vmware(vm),
      ...(nat ? [native(nat)] : [])
    ]
    ctx.log(`baselines: ${contenders.map((c) => c.name).join(' vs ')}`)

    const push = (workload: string, unit: string, samples: Samples[], notes: string[]): void => {
      const mine = samples[0]!
      contenders.forEach((c, i) => {
        const s = samples[i]!
        const figure: BenchFigure = {
          group,
          name: `${workload} — ${c.name}`,
          value: s.median,
          unit,
          spread: spreadText(s, unit, 2)
        }
        if (i === 0) {
          const nativeIndex = contenders.findIndex((x) => x.name.startsWith('native'))
          if (nativeIndex > 0) {
            figure.baseline = { name: contenders[nativeIndex]!.name, value: samples[nativeIndex]!.median }
            figure.ratio = s.median / samples[nativeIndex]!.median
            figure.ratioMeaning = 'ours / native'
          }
        } else {
          figure.baseline = { name: contenders[0]!.name, value: mine.median }
          figure.ratio = s.median / mine.median
          figure.ratioMeaning = 'speed-up of ours (them / ours)'
        }
        if (notes[i]) figure.note = notes[i]
        figures.push(figure)
      })
      ctx.log(
        `  ${workload}: ${contenders.map((c, i) => `${c.name} ${samples[i]!.median.toFixed(2)}`).join(', ')} ${unit}`
      )
    }

    // ---- trivial cell: per-run wall time in each contender's own model
    const trivial = await interleaved(
      ctx.quick ? 1 : 30,
      ctx.quick ? 0 : 5,
      contenders.map((c) => () => c.trivialMs())
    )
    push(TRIVIAL.name, 'ms/run', trivial, [
      'restore head + run + snapshot',
      'runPython in a loaded interpreter',
      'python -c, compiled module reused',
      'process spawn'
    ])

    // ---- compute workloads: time of the work inside Python
    for (const w of WORKLOADS) {
      for (const c of contenders) await c.prepare(w)
      const samples = await interleaved(
        ctx.quick ? 1 : 7,
        ctx.quick ? 0 : 1,
        contenders.map((c) => () => c.workMs(w))
      )
      push(
        w.name,
        'ms',
        samples,
        contenders.map((c) => c.note?.(w) ?? '')
      )
    }
  } finally {
    await host.close()
  }
  return figures
}

export default main satisfies BenchMain
