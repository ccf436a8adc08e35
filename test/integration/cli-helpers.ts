/** Runs `fuelbook` command modules in-process with a captured CliIO (fast), or spawns the built CLI. */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { CliIO } from '../../src/main/cli/command'
import { main } from '../../src/main/cli'
import { DEFAULT_SETTINGS } from '../../src/main/service/defaults'
import { NotebookStore } from '../../src/main/store'
import type { Cell } from '../../src/shared/notebook'

export const APP_ROOT = resolve(__dirname, '..', '..')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** The command line's own dispatch and error mapping (src/main/cli.ts), in-process, output captured. */
export async function cli(args: string[], options: { isTTY?: boolean } = {}): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const io: CliIO = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    isTTY: options.isTTY ?? false,
    appRoot: APP_ROOT,
    version: 'test'
  }
  const code = await main(args, io)
  return { code, stdout, stderr }
}

const BUILT_CLI = join(APP_ROOT, 'out', 'main', 'cli.js')

/** The `fuelbook` command as installed (bin/fuelbook.cjs), once the build made out/main/cli.js. */
export function builtBin(): string {
  if (!existsSync(BUILT_CLI))
    throw new Error(`${BUILT_CLI} is missing: run 'npm run build' first (npm test does).`)
  return join(APP_ROOT, 'bin', 'fuelbook.cjs')
}

/** The real command line, as a user types it (needs the build: npm test makes it). */
export function spawnCli(args: string[], env: Record<string, string> = {}, input?: string): CliResult {
  const bin = builtBin()
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    input,
    timeout: 120_000
  })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'fuelbook-cli-'))
}

/**
 * Points the app's data folder (recent files, settings) at `folder` for the commands these tests
 * run, so they never touch the user's; returns what puts the previous value back.
 */
export function useDataDir(folder: string): () => void {
  const saved = process.env.FUELBOOK_DATA_DIR
  process.env.FUELBOOK_DATA_DIR = folder
  return () => {
    if (saved === undefined) delete process.env.FUELBOOK_DATA_DIR
    else process.env.FUELBOOK_DATA_DIR = saved
  }
}

/** A .fuelbook with these cells (code unless the source starts with '#'). */
export function makeNotebook(path: string, title: string, sources: string[]): Cell[] {
  const created = NotebookStore.create(path, { title, settings: DEFAULT_SETTINGS })
  if (!created.ok) throw new Error(created.error)
  const cells: Cell[] = sources.map((source, i) => ({
    id: `cell-${i + 1}`,
    type: source.startsWith('#') ? 'markdown' : 'code',
    source,
    metadata: {},
    isolated: false
  }))
  cells.forEach((c, i) => created.value.insertCell(c, i))
  created.value.close()
  return cells
}
