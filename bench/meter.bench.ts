/**
 * Fuel meter: instrumentation time and size growth on the runtime (resources/python), and the
 * run-time overhead of the instrumented runtime against the plain one, measured in this run.
 *
 * Overhead: one warm plain instance and one warm metered instance (booted, workload set up), then
 * the workload cell alternately on each. Each sample is the CPU time (process.cpuUsage, user +
 * system) of one fb_run call: CPU rather than wall time because waiting for a core is not the
 * meter's cost. The figure is the ratio of the *fastest* samples (least disturbed by other load,
 * as `timeit` does); the ratio of medians is given in the note.
 *
 * Instrumentation: wall time of `instrument()` on the runtime, the first call in this process
 * (cold JIT, what a fresh install pays once) and warm; CPU time in the notes.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { type BenchFigure, type BenchMain, geomean, spreadText, summarize } from './harness'
import { DEFAULT_SLICE_FUEL, instrument, type MeteredModule } from '../src/main/sandbox/meter'
import { PYTHON_DIR, PythonHost, pythonWasm } from '../test/helpers/meter-python-host'
import { useBranchHints } from '../src/main/sandbox/runtime'

interface Workload {
  name: string
  setup: string
  work: string
}

const WORKLOADS: Workload[] = [
  { name: 'sum(i*i) 1e6', setup: '', work: 'sum(i * i for i in range(10**6))' },
  {
    name: 'fib(25)',
    setup: 'def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)',
    work: 'fib(25)'
  },
  {
    name: 'json 1 MB round-trip',
    setup:
      'import json\ndata = [{"id": i, "name": f"item {i}", "tags": ["a", "b", "c"], "value": i * 0.25, "ok": i % 3 == 0} for i in range(11000)]',
    work: 'json.loads(json.dumps(data))'
  },
  {
    name: 'sort 300k floats',
    setup: 'import random\nrandom.seed(1)\nxs = [random.random() for _ in range(300000)]',
    work: 'sorted(xs)'
  },
  {
    name: '200k objects',
    setup: 'class P:\n    def __init__(self, a, b):\n        self.a = a\n        self.b = b',
    work: 'ps = [P(i, i + 1) for i in range(200000)]\nsum(p.a + p.b for p in ps)\ndel ps'
  },
  {
    name: 'regex',
    setup: 'import re\ntext = "abc123 def456 ghi789 " * 20000',
    work: 're.findall(r"[a-z]+(\\d+)", text)\nre.sub(r"\\d", "#", text)'
  },
  { name: 'string join', setup: '', work: '",".join(str(i) for i in range(300000))' }
]

function cpuMs(fn: () => void): number {
  const start = process.cpuUsage()
  fn()
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1000
}

export default (async (ctx) => {
  if (!existsSync(join(PYTHON_DIR, 'python.wasm'))) {
    return [
      {
        group: 'meter',
        name: 'runtime missing',
        value: 0,
        unit: '',
        note: 'resources/python/python.wasm not built'
      }
    ]
  }
  const figures: BenchFigure[] = []
  const wasm = pythonWasm()

  // --- instrumentation time and size ---
  const wall: number[] = []
  const cpu: number[] = []
  let metered: MeteredModule | undefined
  for (let i = 0; i < Math.max(2, ctx.reps(8)); i++) {
    cpu.push(cpuMs(() => (metered = instrument(wasm, { exportMutableGlobals: true, fuelSlices: true }))))
    wall.push(metered!.stats.ms!)
  }
  const m = metered!
  const warm = summarize(wall.slice(1))
  const warmCpu = summarize(cpu.slice(1))
  figures.push({
    group: 'meter',
    name: 'instrument runtime, first call (cold JIT)',
    value: wall[0]!,
    unit: 'ms',
    target: '≤ 250 ms',
    met: wall[0]! <= 250,
    note: `cpu ${cpu[0]!.toFixed(0)} ms; ${(wasm.length / 1e6).toFixed(1)} MB, ${m.stats.functions} functions`
  })
  figures.push({
    group: 'meter',
    name: 'instrument runtime, warm',
    value: warm.median,
    unit: 'ms',
    spread: spreadText(warm, 'ms'),
    target: '≤ 250 ms',
    met: warm.median <= 250,
    note: `cpu median ${warmCpu.median.toFixed(0)} ms`
  })
  figures.push({
    group: 'meter',
    name: 'size of instrumented runtime',
    value: m.bytes.length / 1e6,
    unit: 'MB',
    baseline: { name: 'plain', value: wasm.length / 1e6 },
    ratio: m.bytes.length / wasm.length,
    ratioMeaning: 'instrumented / plain',
    note: `${m.stats.chargePoints} charge points, ${m.stats.checks} checks`
  })
  ctx.log(
    `meter: instrumented in ${wall[0]!.toFixed(0)} ms cold (cpu ${cpu[0]!.toFixed(0)}), ${warm.median.toFixed(0)} ms warm (cpu ${warmCpu.median.toFixed(0)})`
  )

  // --- run-time overhead ---
  useBranchHints() // as the app's runtime loader does before compiling
  const plainModule = new WebAssembly.Module(wasm)
  const meteredModule = new WebAssembly.Module(m.bytes)
  // The same meter without fuel slices, to show what slicing itself costs (meter/README.md).
  const unslicedModule = new WebAssembly.Module(instrument(wasm, { exportMutableGlobals: true }).bytes)
  const ratios: number[] = []
  const medianRatios: number[] = []
  const sliceRatios: number[] = []
  const reps = ctx.quick ? 2 : ctx.reps(13)
  const warmups = ctx.quick ? 1 : 2
  for (const w of WORKLOADS) {
    const plain = new PythonHost(plainModule)
    const meter = new PythonHost(meteredModule)
    const unsliced = new PythonHost(unslicedModule)
    for (const host of [plain, meter, unsliced]) {
      if (host.boot().rc !== 0) throw new Error('fb_init failed')
      const setup = host.run(w.setup)
      if (setup.rc !== 0) throw new Error(`${w.name} setup failed: ${setup.stderr}`)
    }
    const tp: number[] = []
    const tm: number[] = []
    const tu: number[] = []
    let fuel = 0
    for (let i = 0; i < warmups + reps; i++) {
      let rp = -1
      let rm = -1
      const p = cpuMs(() => (rp = plain.run(w.work).rc ?? -1))
      const q = cpuMs(() => {
        const r = meter.run(w.work)
        rm = r.rc ?? -1
        fuel = r.fuel ?? 0
      })
      let ru = -1
      let fuelUnsliced = 0
      const u = cpuMs(() => {
        const r = unsliced.run(w.work)
        ru = r.rc ?? -1
        fuelUnsliced = r.fuel ?? 0
      })
      if (rp !== 0 || rm !== 0 || ru !== 0)
        throw new Error(`${w.name} failed (plain ${rp}, metered ${rm}, unsliced ${ru})`)
      if (fuelUnsliced !== fuel) throw new Error(`${w.name}: sliced ${fuel} fuel, unsliced ${fuelUnsliced}`)
      if (i >= warmups) {
        tp.push(p)
        tm.push(q)
        tu.push(u)
      }
    }
    const sp = summarize(tp)
    const sm = summarize(tm)
    const ratio = sm.min / sp.min
    const medianRatio = sm.median / sp.median
    ratios.push(ratio)
    medianRatios.push(medianRatio)
    sliceRatios.push(sm.min / summarize(tu).min)
    figures.push({
      group: 'meter overhead',
      name: w.name,
      value: sm.min,
      unit: 'ms cpu',
      spread: spreadText(sm, 'ms'),
      baseline: { name: 'plain', value: sp.min },
      ratio,
      ratioMeaning: 'metered / plain (fastest samples)',
      note: `median ratio ×${medianRatio.toFixed(3)}; ${(fuel / 1e6).toFixed(1)} M fuel`
    })
    ctx.log(
      `meter: ${w.name} ${sp.min.toFixed(1)} → ${sm.min.toFixed(1)} ms cpu (×${ratio.toFixed(3)}, median ×${medianRatio.toFixed(3)})`
    )
  }
  const g = geomean(ratios)
  figures.push({
    group: 'meter overhead',
    name: 'geomean',
    value: g,
    unit: '×',
    ratio: g,
    ratioMeaning: 'metered / plain (fastest samples)',
    target: '≤ 1.15',
    met: g <= 1.15,
    note: `geomean of median ratios ×${geomean(medianRatios).toFixed(3)}`
  })
  const gs = geomean(sliceRatios)
  figures.push({
    group: 'meter overhead',
    name: 'fuel slices (geomean)',
    value: gs,
    unit: '×',
    ratio: gs,
    ratioMeaning: 'sliced / unsliced meter (fastest samples)',
    note: `slices of ${DEFAULT_SLICE_FUEL} fuel; per workload ${sliceRatios.map((r) => r.toFixed(3)).join(', ')}`
  })
  return figures
}) satisfies BenchMain
