/**
 * Cold start of a whole process: `fuelbook exec -c "1+1"` from spawn to exit, against `node -e 0`
 * (the floor any Node command pays) and native `python3 -c pass`, interleaved in this run. The
 * caches (instrumented runtime, S0) are on disk from a first run in a private data folder, as they
 * are for a user after the first start. Needs the build (`npx electron-vite build`).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { type BenchFigure, type BenchMain, processWallMs, spreadText, summarize } from './harness'

const ROOT = resolve(__dirname, '..')
const CLI = join(ROOT, 'bin', 'fuelbook.cjs')

const main: BenchMain = async (ctx) => {
  if (!existsSync(join(ROOT, 'out', 'main', 'cli.js')))
    throw new Error('build first: npx electron-vite build')
  const dataDir = mkdtempSync(join(tmpdir(), 'fuelbook-bench-startup-'))
  const env = { ...process.env, FUELBOOK_DATA_DIR: dataDir }
  try {
    const exec = (): number => processWallMs(process.execPath, [CLI, 'exec', '-c', '1+1'], env)
    const node = (): number => processWallMs(process.execPath, ['-e', '0'], env)
    const python = spawnSync('python3', ['-c', 'pass']).status === 0
    const firstMs = exec() // fills the caches, as a user's first start does
    const rounds = ctx.reps(9)
    const samples = { exec: [] as number[], node: [] as number[], python: [] as number[] }
    for (let i = 0; i < rounds; i++) {
      samples.exec.push(exec())
      samples.node.push(node())
      if (python) samples.python.push(processWallMs('python3', ['-c', 'pass'], env))
    }
    const e = summarize(samples.exec)
    const n = summarize(samples.node)
    const p = python ? summarize(samples.python) : null
    const figure: BenchFigure = {
      group: 'startup',
      name: 'cold start: fuelbook exec -c "1+1", whole process (caches on disk)',
      value: e.median,
      unit: 'ms',
      spread: spreadText(e, 'ms', 0),
      baseline: { name: 'node -e 0, same run', value: n.median },
      ratio: e.median / n.median,
      ratioMeaning: 'ours / bare Node',
      target: '≤ 250 ms',
      note: `first start (caches made): ${firstMs.toFixed(0)} ms${p ? `; python3 -c pass: ${p.median.toFixed(1)} ms` : ''}`,
      ...(ctx.quick ? {} : { met: e.median <= 250 })
    }
    return [figure]
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

export default main
