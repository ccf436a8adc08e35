/**
 * A notebook saved by Jupyter that uses IPython habits (magics, !cmd, IPython.display) imported
 * and run with `fuelbook run`: every cell runs, none with a SyntaxError, and the stored outputs
 * are what the habits give in the sandbox.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NotebookStore } from '../../src/main/store'
import type { Output } from '../../src/shared/notebook'
import { cli, tempDir } from './cli-helpers'

const NOTEBOOK = join(__dirname, '..', 'fixtures', 'ipynb', 'ipython-magics.v4.5.ipynb')
let dir: string
let savedDataDir: string | undefined

beforeAll(() => {
  dir = tempDir()
  savedDataDir = process.env.FUELBOOK_DATA_DIR
  process.env.FUELBOOK_DATA_DIR = join(dir, 'data')
})
afterAll(() => {
  if (savedDataDir === undefined) delete process.env.FUELBOOK_DATA_DIR
  else process.env.FUELBOOK_DATA_DIR = savedDataDir
})

const text = (outputs: Output[], name: 'stdout' | 'stderr') =>
  outputs.map((o) => (o.type === 'stream' && o.name === name ? o.text : '')).join('')

describe('fuelbook run on a Jupyter notebook with magics', () => {
  it('runs every cell without a SyntaxError', async () => {
    const path = join(dir, 'magics.fuelbook')
    expect((await cli(['import', NOTEBOOK, '-o', path])).code).toBe(0)
    const r = await cli(['run', path])
    expect(r.stderr).not.toMatch(/SyntaxError/)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/9 of 9 cells run: 9 ok, 0 failed/)

    const opened = NotebookStore.open(path)
    if (!opened.ok) throw new Error(opened.error)
    const nb = opened.value.load()
    opened.value.close()
    const outputsOf = (n: number): Output[] => nb.lastRuns[nb.cells[n]!.id]!.outputs
    expect(outputsOf(1)).toEqual([]) // %matplotlib inline, %load_ext autoreload, %autoreload 2
    expect(text(outputsOf(3), 'stdout')).toMatch(/^Wall time: .+\nFuel: .+\n$/)
    expect(outputsOf(3).at(-1)).toMatchObject({ type: 'execute_result', data: { 'text/plain': '49995000' } })
    expect(text(outputsOf(4), 'stderr')).toBe(
      'shell commands are not available in the sandbox: !ls was not run\n'.repeat(2)
    )
    expect(text(outputsOf(4), 'stdout')).toBe('files: 0\n')
    expect(
      outputsOf(5).map((o) => (o.type === 'display_data' ? Object.keys(o.data).sort() : o.type))
    ).toEqual([
      ['text/html', 'text/plain'],
      ['text/markdown', 'text/plain']
    ])
    expect(outputsOf(6).at(-1)).toMatchObject({ data: { 'text/plain': '{0: 0, 1: 1, 2: 4, 3: 9, 4: 16}' } })
    expect(text(outputsOf(7), 'stdout')).toMatch(/per loop \(mean ± std\. dev\. of 3 runs, 10 loops each\)/)
    expect(text(outputsOf(8), 'stdout')).toBe(
      'HTML\t Image\t Markdown\t display\t files\t json\t squares\t total\t \n'
    )
    expect(text(outputsOf(9), 'stdout')).toMatch(/^Signature:\njson\.dumps\(/)
  })
})
