/**
 * The host memory bound (src/main/kernel/README.md, "Budget"): for every attack of the sandbox
 * resource probe and every case of the adversarial corpus, the host process's peak resident set
 * while the case runs and is saved stays within
 *
 *   2 × memory limit + file-system quota + output cap + margin,
 *
 * where the margin is what the same process peaks at for a trivial cell (`x = 1`: Node, the
 * compiled runtime, S0, the workers, SQLite) plus a fixed slack, MARGIN_SLACK_BYTES. Linear memory
 * counts twice because the host holds it twice while a run's state is kept: the worker's live
 * memory and the head's image (src/main/kernel/README.md, "Budget"). The cases run
 * in child processes (host-memory-child.ts) so that one case's leftovers do not count against the
 * next: each heavy case alone, the light corpus cases together (what an earlier light case left can
 * only raise a later one's peak).
 */
import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { formatBytes } from '../../src/shared/format'
import {
  ATTACKS,
  BASELINE,
  CORPUS_CASES,
  HEAVY_CORPUS_IDS,
  type MemoryCase,
  type MemoryMeasurement
} from './host-memory-cases'
import { Recorder } from './record'

/**
 * Allowance for what a case makes the host hold beyond its limits: allocator slack, GC timing, and
 * the head's encoding buffers. The trivial cell it is added to moves by ~30 MiB between runs of the
 * same build; the heaviest case (the 100 MB line, its 256 MiB memory held twice) peaked 457–528 MiB
 * over it in three runs at loads of 2–8.
 */
export const MARGIN_SLACK_BYTES = 96 * 2 ** 20

const ROOT = resolve(__dirname, '..', '..')
const CHILD = 'test/reliability/host-memory-child.ts'
const recorder = new Recorder('host-memory', 'Host memory: peak RSS per attack')

afterAll(() => {
  recorder.save({
    note:
      "Each case runs in a fresh notebook through the service, and its runs are saved; the figure is the host process's " +
      "peak resident set (VmHWM) while it ran. The bound is twice the case's memory limit (the worker's live memory and the head's image) + file-system quota + output cap + a " +
      `margin: what the same process peaks at for a trivial cell (\`x = 1\`, measured first in each child process) plus ` +
      `${formatBytes(MARGIN_SLACK_BYTES)}. Heavy cases run in a process of their own, the light corpus cases in one.`
  })
})

/**
 * Two children at a time (each measures only its own resident set): the file then takes under three
 * minutes on the 2-core machine under load.
 */
const CHILDREN_AT_ONCE = 2
let running = 0
const waiting: (() => void)[] = []

async function inTurn<T>(work: () => Promise<T>): Promise<T> {
  // A finished child hands its slot straight to the next waiting one.
  if (running >= CHILDREN_AT_ONCE) await new Promise<void>((go) => waiting.push(go))
  else running++
  try {
    return await work()
  } finally {
    const next = waiting.shift()
    if (next) next()
    else running--
  }
}

/** Runs the cases in one child process: the trivial cell's measurement first, then one per case. */
async function measure(
  cases: MemoryCase[]
): Promise<{ baseline: MemoryMeasurement; results: MemoryMeasurement[] }> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', CHILD, ...cases.map((c) => c.id)],
    { cwd: ROOT, maxBuffer: 1 << 20, timeout: 170_000 }
  )
  const lines = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as MemoryMeasurement)
  const [baseline, ...results] = lines
  if (baseline?.id !== BASELINE.id || results.length !== cases.length)
    throw new Error(`the child reported ${lines.length} measurements for ${cases.length} cases`)
  return { baseline, results }
}

function bound(c: MemoryCase, baselineBytes: number): number {
  return (
    2 * c.limits.memoryBytes + c.limits.fsBytes + c.limits.outputBytes + baselineBytes + MARGIN_SLACK_BYTES
  )
}

const mb = (bytes: number): string => formatBytes(bytes)

async function check(cases: MemoryCase[]): Promise<void> {
  const { baseline, results } = await inTurn(() => measure(cases))
  const over: string[] = []
  for (const [i, c] of cases.entries()) {
    const result = results[i]!
    const limit = bound(c, baseline.peakBytes)
    const pass = result.peakBytes <= limit
    recorder.add({
      case: c.title,
      expected: `≤ ${mb(limit)} (2 × memory ${mb(c.limits.memoryBytes)} + files ${mb(c.limits.fsBytes)} + output ${mb(c.limits.outputBytes)} + trivial cell ${mb(baseline.peakBytes)} + ${mb(MARGIN_SLACK_BYTES)})`,
      observed: `${mb(result.peakBytes)}`,
      detail: `${result.statuses.join(', ')}; ${(result.wallMs / 1000).toFixed(1)} s`,
      pass
    })
    if (!pass) over.push(`${c.id}: ${mb(result.peakBytes)} > ${mb(limit)}`)
  }
  expect(over).toEqual([])
}

const heavyCorpus = CORPUS_CASES.filter((c) => HEAVY_CORPUS_IDS.includes(c.id))
const lightCorpus = CORPUS_CASES.filter((c) => !HEAVY_CORPUS_IDS.includes(c.id))

describe.runIf(process.platform === 'linux').concurrent('the host stays within its budget', () => {
  for (const attack of ATTACKS) {
    it(`attack: ${attack.title}`, () => check([attack]), 180_000)
  }
  for (const c of heavyCorpus) {
    it(`corpus: ${c.title}`, () => check([c]), 180_000)
  }
  it('the rest of the corpus', () => check(lightCorpus), 180_000)
})
