/**
 * Fuel profiler: what profiling costs, in fuel and in time, against the same cell unprofiled in this
 * run (runPython on one host, deterministic, so fuel figures are exact and repeat). Fuel: the meter's
 * whole count of the profiled run (the code plus the profiler) over the unprofiled run's. Time: the
 * median wall time of profiled runs over that of unprofiled ones, sampled alternately.
 */
import { type BenchFigure, type BenchMain, summarize } from './harness'
import { closeSharedKernelHost, runPython } from '../src/main/library'

const CELLS: { name: string; code: string }[] = [
  {
    name: 'loop s += i*i, 20k',
    code: 'def f(n):\n    s = 0\n    for i in range(n):\n        s += i * i\n    return s\n\nf(20_000)'
  },
  { name: 'fib(15)', code: 'def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n\nfib(15)' },
  {
    name: 'sorted 20k floats',
    code: 'import random\nr = random.Random(1)\nsorted(r.random() for _ in range(20_000))'
  }
]

function vsUnprofiled(name: string, unit: string, value: number, base: number, what: string): BenchFigure {
  return {
    group: 'profile',
    name,
    value,
    unit,
    baseline: { name: 'unprofiled', value: base },
    ratio: value / base,
    ratioMeaning: `profiled / unprofiled, ${what}`
  }
}

const main: BenchMain = async (ctx) => {
  const figures: BenchFigure[] = []
  try {
    for (const cell of CELLS) {
      const options = { deterministic: true, fuel: 400_000_000, timeoutMs: 120_000 }
      const plainMs: number[] = []
      const profiledMs: number[] = []
      let plainFuel = 0
      let meterFuel = 0
      for (let i = 0; i < ctx.reps(5); i++) {
        const plain = await runPython(cell.code, options)
        const profiled = await runPython(cell.code, { ...options, profile: true })
        if (plain.status !== 'ok' || profiled.status !== 'ok' || profiled.profile === null)
          throw new Error(`${cell.name}: ${plain.status} / ${profiled.status}`)
        plainMs.push(plain.wallMs)
        profiledMs.push(profiled.wallMs)
        plainFuel = plain.fuelConsumed
        meterFuel = profiled.fuelConsumed + profiled.profile.overheadFuel
      }
      const plain = summarize(plainMs).median
      const profiled = summarize(profiledMs).median
      figures.push(
        vsUnprofiled(`${cell.name}: profiled fuel`, 'fuel', meterFuel, plainFuel, 'the meter’s whole count'),
        vsUnprofiled(`${cell.name}: profiled time`, 'ms', profiled, plain, 'median wall time')
      )
      ctx.log(
        `${cell.name}: fuel ×${(meterFuel / plainFuel).toFixed(1)}, time ×${(profiled / plain).toFixed(1)}`
      )
    }
  } finally {
    await closeSharedKernelHost()
  }
  return figures
}

export default main
