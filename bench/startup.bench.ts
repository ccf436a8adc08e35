/**
 * Cold start of whole processes, each against `node -e 0` (the floor any Node command pays) of the
 * same run, interleaved:
 * - `fuelbook exec -c "1+1"` from spawn to exit (and native `python3 -c pass` for context);
 * - the app: browser mode (`fuelbook serve NOTEBOOK`) from spawn to the stored result of the
 *   notebook's first cell, asked for over the WebSocket as the page asks for it (no browser: the
 *   page's own load is the `ui` group's). The desktop shell needs Electron, which the bench machine
 *   may not have; it starts the same service.
 * The caches (instrumented runtime, S0) are on disk from a first start in a private data folder, as
 * they are for a user after the first start. Needs the build (`npx electron-vite build`).
 */
import { spawn, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import WebSocket from 'ws'
import { DEFAULT_SETTINGS } from '../src/main/service/defaults'
import { NotebookStore } from '../src/main/store'
import { type BenchFigure, type BenchMain, processWallMs, spreadText, summarize } from './harness'

const ROOT = resolve(__dirname, '..')
const CLI = join(ROOT, 'bin', 'fuelbook.cjs')
const CELL_ID = 'cell-1'

/** A notebook with one code cell, `1+1`. */
function makeNotebook(path: string): void {
  const created = NotebookStore.create(path, { title: 'startup', settings: DEFAULT_SETTINGS })
  if (!created.ok) throw new Error(created.error)
  created.value.insertCell({ id: CELL_ID, type: 'code', source: '1+1', metadata: {}, isolated: false }, 0)
  created.value.close()
}

/**
 * `fuelbook serve NOTEBOOK` from spawn to the `runFinished` of its first cell: ms, and the run's
 * status. The server is stopped (SIGTERM) and waited for before the next sample.
 */
async function appFirstResultMs(notebook: string, env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = performance.now()
  const child = spawn(process.execPath, [CLI, 'serve', notebook], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  try {
    const url = await new Promise<URL>((found, failed) => {
      let out = ''
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString()
        const m = /running at (http:\/\/\S+)/.exec(out)
        if (m) found(new URL(m[1]!))
      })
      child.once('exit', (code) => failed(new Error(`serve exited (${code}): ${stderr.slice(0, 500)}`)))
    })
    const origin = `${url.protocol}//${url.host}`
    const ws = new WebSocket(`ws://${url.host}/ws?token=${url.searchParams.get('token')}`, {
      headers: { origin }
    })
    await new Promise<void>((open, failed) => {
      ws.once('open', () => open())
      ws.once('error', failed)
    })
    let nextId = 1
    const call = (
      method: string,
      args: unknown[]
    ): Promise<{ ok: boolean; value?: unknown; error?: string }> =>
      new Promise((answer) => {
        const id = nextId++
        const onMessage = (data: WebSocket.RawData): void => {
          const message = JSON.parse(data.toString()) as { type: string; id?: number; value?: never }
          if (message.type === 'reply' && message.id === id) {
            ws.off('message', onMessage)
            answer(message.value ?? { ok: false, error: JSON.stringify(message) })
          }
        }
        ws.on('message', onMessage)
        ws.send(JSON.stringify({ type: 'call', id, method, args }))
      })
    const finished = new Promise<string>((done) => {
      ws.on('message', (data) => {
        const message = JSON.parse(data.toString()) as {
          type: string
          event?: { type: string; run?: { status: string } }
        }
        if (message.type === 'event' && message.event?.type === 'runFinished') done(message.event.run!.status)
      })
    })
    const opened = await call('openNotebook', [notebook])
    if (!opened.ok) throw new Error(`openNotebook: ${opened.error}`)
    const queued = await call('runCells', [notebook, [CELL_ID]])
    if (!queued.ok) throw new Error(`runCells: ${queued.error}`)
    const status = await finished
    const ms = performance.now() - t0
    if (status !== 'ok') throw new Error(`the first cell ended ${status}`)
    ws.close()
    return ms
  } finally {
    child.kill('SIGTERM')
    await exited
  }
}

const main: BenchMain = async (ctx) => {
  if (!existsSync(join(ROOT, 'out', 'main', 'cli.js')))
    throw new Error('build first: npx electron-vite build')
  const dataDir = mkdtempSync(join(tmpdir(), 'fuelbook-bench-startup-'))
  const env = { ...process.env, FUELBOOK_DATA_DIR: dataDir }
  try {
    const template = join(dataDir, 'template.fuelbook')
    makeNotebook(template)
    // A fresh copy per start: every sample runs the cell from S0, as a new notebook's first run does.
    let copies = 0
    const app = (): Promise<number> => {
      const notebook = join(dataDir, `startup-${copies++}.fuelbook`)
      copyFileSync(template, notebook)
      return appFirstResultMs(notebook, env)
    }
    const exec = (): number => processWallMs(process.execPath, [CLI, 'exec', '-c', '1+1'], env)
    const node = (): number => processWallMs(process.execPath, ['-e', '0'], env)
    const python = spawnSync('python3', ['-c', 'pass']).status === 0
    const firstMs = exec() // fills the caches, as a user's first start does
    const rounds = ctx.reps(9)
    const samples = {
      exec: [] as number[],
      app: [] as number[],
      node: [] as number[],
      python: [] as number[]
    }
    for (let i = 0; i < rounds; i++) {
      samples.exec.push(exec())
      samples.node.push(node())
      samples.app.push(await app())
      if (python) samples.python.push(processWallMs('python3', ['-c', 'pass'], env))
    }
    const e = summarize(samples.exec)
    const a = summarize(samples.app)
    const n = summarize(samples.node)
    const p = python ? summarize(samples.python) : null
    const baseline = { name: 'node -e 0, same run', value: n.median }
    return [
      {
        group: 'startup',
        name: 'cold start: fuelbook exec -c "1+1", whole process (caches on disk)',
        value: e.median,
        unit: 'ms',
        spread: spreadText(e, 'ms', 0),
        baseline,
        ratio: e.median / n.median,
        ratioMeaning: 'ours / bare Node',
        target: '≤ 250 ms',
        note: `first start (caches made): ${firstMs.toFixed(0)} ms${p ? `; python3 -c pass: ${p.median.toFixed(1)} ms` : ''}`,
        ...(ctx.quick ? {} : { met: e.median <= 250 })
      },
      {
        group: 'startup',
        name: 'app launch → first cell result: fuelbook serve NOTEBOOK, spawn to runFinished of `1+1` (caches on disk)',
        value: a.median,
        unit: 'ms',
        spread: spreadText(a, 'ms', 0),
        baseline,
        ratio: a.median / n.median,
        ratioMeaning: 'ours / bare Node',
        target: '≤ 1 s',
        note: 'browser mode, the cell asked for over the WebSocket as the page does; no browser',
        ...(ctx.quick ? {} : { met: a.median <= 1000 })
      }
    ] satisfies BenchFigure[]
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

export default main
