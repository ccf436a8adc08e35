/**
 * The contract every `bench/*.bench.ts` follows. `bench/run.ts` imports each file, calls its default
 * export and prints one table. Figures are measured in the same run as their baselines, so a ratio is
 * meaningful even on a noisy machine; absolute numbers are printed for context only.
 */
import { spawnSync } from 'node:child_process'
import { performance } from 'node:perf_hooks'

export interface BenchContext {
  /** `--quick`: CI mode. Few repetitions, only proves the bench still runs. */
  readonly quick: boolean
  /** Repetitions to use for a measurement that would normally take `full` repetitions. */
  reps(full: number): number
  log(message: string): void
}

export interface BenchFigure {
  /** Section of the table, e.g. "runtime", "meter", "kernel". */
  group: string
  /** What was measured, e.g. "sum(i*i) 1e6". */
  name: string
  value: number
  unit: string
  /** Spread of the samples, e.g. "p25–p75 120–131 ms" or "min–max …". */
  spread?: string
  /** What the value is compared to, measured in the same run. */
  baseline?: { name: string; value: number }
  /** value / baseline.value unless the bench says otherwise (e.g. speed-up = baseline / value). */
  ratio?: number
  ratioMeaning?: string
  /** Target from the issue, e.g. "≤ 5 ms", and whether it was met. */
  target?: string
  met?: boolean
  note?: string
}

export type BenchMain = (ctx: BenchContext) => Promise<BenchFigure[]>

export interface Samples {
  values: number[]
  median: number
  p25: number
  p75: number
  p95: number
  min: number
  max: number
}

export function summarize(values: number[]): Samples {
  if (values.length === 0) throw new Error('summarize: no samples')
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number): number => {
    const pos = (sorted.length - 1) * q
    const lo = Math.floor(pos)
    const hi = Math.ceil(pos)
    return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo)
  }
  return {
    values,
    median: at(0.5),
    p25: at(0.25),
    p75: at(0.75),
    p95: at(0.95),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!
  }
}

export function spreadText(s: Samples, unit: string, digits = 1): string {
  return `p25–p75 ${s.p25.toFixed(digits)}–${s.p75.toFixed(digits)} ${unit} (n=${s.values.length})`
}

/** Times `fn` `n` times (after `warmup` untimed calls) and returns milliseconds per call. */
export async function timeMs(n: number, fn: () => unknown | Promise<unknown>, warmup = 1): Promise<Samples> {
  for (let i = 0; i < warmup; i++) await fn()
  const values: number[] = []
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    await fn()
    values.push(performance.now() - t0)
  }
  return summarize(values)
}

export function geomean(values: number[]): number {
  return Math.exp(values.reduce((acc, v) => acc + Math.log(v), 0) / values.length)
}

/** Wall time of one whole process, spawn to exit; throws when it fails. */
export function processWallMs(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = performance.now()
  const r = spawnSync(command, args, { env, encoding: 'utf8' })
  const ms = performance.now() - t0
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr.slice(0, 500)}`)
  return ms
}
