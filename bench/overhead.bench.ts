/**
 * Per-cell overhead: what a notebook run costs beyond the cells themselves.
 * - `fuelbook run` of a 130-cell notebook of trivial cells, as a whole process (start-up included),
 *   against `node -e 0` of the same rounds (target ≤ 1.5 s);
 * - through the service, per cell: the time from the kernel's result to the `runFinished` event,
 *   i.e. committing the run, encoding the new head's changed pages and emitting the events (target
 *   ≤ 5 ms p50), against the cell's own run time; and the main thread's CPU per cell over the whole
 *   notebook (Linux: the main thread's own counters), since that work is meant to run elsewhere.
 * Needs the build (`npx electron-vite build`) for the whole-process row.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { NotebookEvent } from '../src/shared/api'
import type { RunRecord } from '../src/shared/notebook'
import { composeService } from '../src/main/service/compose'
import { type BenchFigure, type BenchMain, processWallMs, spreadText, summarize } from './harness'

const ROOT = resolve(__dirname, '..')
const CLI = join(ROOT, 'bin', 'fuelbook.cjs')
const CELLS = 130

/** Trivial cells as a notebook has them: assignments, prints, expressions with an Out value. */
function trivialSource(i: number): string {
  return [`x${i} = ${i}`, `print(${i})`, `x${i - 2} + 1`][i % 3]!
}

function writeIpynb(file: string): void {
  const cells = Array.from({ length: CELLS }, (_, i) => ({
    cell_type: 'code',
    metadata: {},
    source: trivialSource(i),
    outputs: [],
    execution_count: null
  }))
  writeFileSync(file, JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 }))
}

const wallMs = (args: string[], env: NodeJS.ProcessEnv): number => processWallMs(process.execPath, args, env)

/** CPU time (ms) the calling thread has used, where the OS says (Linux), else null. */
function mainThreadCpuMs(): number | null {
  try {
    const stat = readFileSync(`/proc/${process.pid}/task/${process.pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // utime and stime, in clock ticks (USER_HZ, 100 on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
  } catch {
    return null
  }
}

const main: BenchMain = async (ctx) => {
  if (!existsSync(join(ROOT, 'out', 'main', 'cli.js')))
    throw new Error('build first: npx electron-vite build')
  const dir = mkdtempSync(join(tmpdir(), 'fuelbook-bench-overhead-'))
  const env = { ...process.env, FUELBOOK_DATA_DIR: join(dir, 'data') }
  const notebook = join(dir, 'trivial.fuelbook')
  const figures: BenchFigure[] = []
  try {
    writeIpynb(join(dir, 'trivial.ipynb'))
    wallMs([CLI, 'import', join(dir, 'trivial.ipynb'), '-o', notebook], env)

    // ---- whole process, interleaved with bare Node
    wallMs([CLI, 'run', notebook], env) // fills the caches, as a user's first run does
    const rounds = ctx.reps(5)
    const run: number[] = []
    const node: number[] = []
    for (let i = 0; i < rounds; i++) {
      run.push(wallMs([CLI, 'run', notebook], env))
      node.push(wallMs(['-e', '0'], env))
    }
    const r = summarize(run)
    const n = summarize(node)
    figures.push({
      group: 'overhead',
      name: `fuelbook run of ${CELLS} trivial cells, whole process (caches on disk)`,
      value: r.median,
      unit: 'ms',
      spread: spreadText(r, 'ms', 0),
      baseline: { name: 'node -e 0, same rounds', value: n.median },
      ratio: r.median / n.median,
      ratioMeaning: 'ours / bare Node',
      target: '≤ 1.5 s',
      note: `${(r.median / CELLS).toFixed(1)} ms per cell`,
      ...(ctx.quick ? {} : { met: r.median <= 1500 })
    })

    // ---- per cell, in process, through the service
    const composed = await composeService({
      shell: 'browser',
      appRoot: ROOT,
      dataDir: join(dir, 'data'),
      version: 'bench'
    })
    try {
      const { service } = composed
      const opened = await service.openNotebook(notebook)
      if (!opened.ok) throw new Error(opened.error)
      const cells = opened.value.cells.filter((c) => c.type === 'code')
      const overhead: number[] = []
      const runMs: number[] = []
      for (let pass = 0; pass < (ctx.quick ? 1 : 2); pass++) {
        await service.restartKernel(notebook)
        const cpu0 = mainThreadCpuMs()
        const t0 = performance.now()
        for (const cell of cells) {
          let started = 0
          const finished = new Promise<{ run: RunRecord; at: number }>((done) => {
            const off = service.onEvent((event: NotebookEvent) => {
              if (event.type === 'runStarted' && event.cellId === cell.id) started = performance.now()
              if (event.type === 'runFinished' && event.run.cellId === cell.id) {
                off()
                done({ run: event.run, at: performance.now() })
              }
            })
          })
          const queued = await service.runCells(notebook, [cell.id])
          if (!queued.ok) throw new Error(queued.error)
          const { run, at } = await finished
          if (run.status !== 'ok') throw new Error(`cell ${cell.source}: ${run.status}`)
          // The kernel's wall time ends when its result is in; the rest is the service's.
          overhead.push(at - started - run.wallMs)
          runMs.push(run.wallMs)
        }
        const wall = performance.now() - t0
        const cpu1 = mainThreadCpuMs()
        if (pass === 0) continue // the first pass warms V8 up, as a notebook's first cells do
        const o = summarize(overhead.slice(-CELLS))
        const k = summarize(runMs.slice(-CELLS))
        figures.push({
          group: 'overhead',
          name: 'per cell: commit + encoding of the new head + events, through the service (p50)',
          value: o.median,
          unit: 'ms',
          spread: `${spreadText(o, 'ms', 2)}, p95 ${o.p95.toFixed(2)} ms`,
          baseline: { name: "the cell's own run through the kernel (p50)", value: k.median },
          ratio: o.median / k.median,
          ratioMeaning: 'overhead / run',
          target: '≤ 5 ms',
          note:
            `${CELLS} cells in ${wall.toFixed(0)} ms` +
            (cpu0 !== null && cpu1 !== null
              ? `; main thread CPU ${((cpu1 - cpu0) / CELLS).toFixed(2)} ms per cell (10 ms ticks)`
              : ''),
          ...(ctx.quick ? {} : { met: o.median <= 5 })
        })
      }
    } finally {
      await composed.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return figures
}

export default main
