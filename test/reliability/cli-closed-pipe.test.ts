/**
 * `fuelbook exec … | head -1`: the reader closes the pipe after the first line. The built command
 * must stop writing quietly (no EPIPE stack trace) and end with the exit code it would have had.
 */
import { spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { builtBin, spawnCli, tempDir } from '../integration/cli-helpers'

const dir = tempDir()
const env = { ...process.env, FUELBOOK_DATA_DIR: join(dir, 'data') }

afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface PipedRun {
  code: number | null
  firstLine: string
  /** What the other stream (the one left open) received. */
  other: string
}

/** Runs the built CLI, reads `stream` up to its first line and then closes that pipe, as `head -1` does. */
function runClosingAfterFirstLine(args: string[], stream: 'stdout' | 'stderr'): Promise<PipedRun> {
  const child = spawn(process.execPath, [builtBin(), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  const closing = child[stream]
  const open = stream === 'stdout' ? child.stderr : child.stdout
  let head = ''
  let other = ''
  open.setEncoding('utf8').on('data', (text: string) => (other += text))
  closing.setEncoding('utf8').on('data', (text: string) => {
    head += text
    if (head.includes('\n')) closing.destroy()
  })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, firstLine: head.split('\n')[0]!, other }))
  })
}

const MANY_LINES = 'for i in range(10**5): print(i)'
/** The same 588 KB in one print: far past a pipe's buffer, at a fraction of the fuel. */
const MANY_LINES_AT_ONCE = "print('\\n'.join(map(str, range(10**5))))"

describe('a pipe closed before the command is done', () => {
  it('stdout closed after the first line: prints 0, no stack trace, exit code 0', async () => {
    // 10**5 prints cost more than the default 400 M fuel: the budget lets the run end ok.
    const run = await runClosingAfterFirstLine(['exec', '--fuel', '2G', '-c', MANY_LINES], 'stdout')
    expect(run.firstLine).toBe('0')
    expect(run.other).toBe('')
    expect(run.code).toBe(0)
  }, 120_000)

  it('the exit code is the one the run would have had: a cell that then raises still exits 3', async () => {
    const args = ['exec', '-c', `${MANY_LINES_AT_ONCE}\nraise ValueError('late')`]
    const written = spawnCli(args, { FUELBOOK_DATA_DIR: env.FUELBOOK_DATA_DIR })
    expect(written.code).toBe(3)
    const run = await runClosingAfterFirstLine(args, 'stdout')
    expect(run.firstLine).toBe('0')
    expect(run.other).toMatch(/ValueError: late/)
    expect(run.other).not.toMatch(/EPIPE|node:events/)
    expect(run.code).toBe(written.code)
  }, 120_000)

  it('stderr closed after the first line: quiet too, and stdout still gets the whole result', async () => {
    const run = await runClosingAfterFirstLine(
      ['exec', '-c', "import sys\nprint('\\n'.join(map(str, range(10**5))), file=sys.stderr)"],
      'stderr'
    )
    expect(run.firstLine).toBe('0')
    expect(run.other).toMatch(/\nstatus: ok\n/)
    expect(run.code).toBe(0)
  }, 120_000)
})
