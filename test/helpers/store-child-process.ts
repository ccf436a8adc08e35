/**
 * Starts test/helpers/store-child.ts as a real second process. The child is bundled once with esbuild
 * (a dependency of tsx and vite) so each start costs a plain `node` start-up, not a TypeScript compile;
 * without esbuild it falls back to `node --import tsx`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const root = path.resolve(__dirname, '..', '..')
const entry = path.join(__dirname, 'store-child.ts')
let command: Promise<string[]> | null = null

async function childCommand(): Promise<string[]> {
  try {
    const esbuild = await import('esbuild')
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'fuelbook-child-'))
    process.once('exit', () => fs.rmSync(outdir, { recursive: true, force: true }))
    const outfile = path.join(outdir, 'store-child.cjs')
    await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile,
      external: ['better-sqlite3'],
      logLevel: 'silent'
    })
    return [outfile]
  } catch {
    return ['--import', 'tsx', entry]
  }
}

export interface StoreChild {
  process: ChildProcess
  /** Lines printed so far. */
  lines: string[]
  /** Resolves with the first line ("ready" or "error …"). */
  ready: Promise<string>
  /** Resolves when the process has exited. */
  exited: Promise<void>
}

export async function startStoreChild(args: string[]): Promise<StoreChild> {
  command ??= childCommand()
  const cmd = await command
  const child = spawn(process.execPath, [...cmd, ...args], {
    cwd: root,
    env: { ...process.env, NODE_PATH: path.join(root, 'node_modules') },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const lines: string[] = []
  let partial = ''
  let onFirst: (line: string) => void = () => undefined
  const ready = new Promise<string>((resolve) => (onFirst = resolve))
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n')
    partial = parts.pop()!
    for (const p of parts) {
      if (lines.length === 0) onFirst(p)
      lines.push(p)
    }
  })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c))
  const exited = new Promise<void>((resolve) =>
    child.on('exit', () => {
      if (lines.length === 0) onFirst(`exited ${stderr.slice(0, 500)}`)
      resolve()
    })
  )
  return { process: child, lines, ready, exited }
}
