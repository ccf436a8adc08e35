/**
 * `fuelbook run --profile`: each cell's costliest lines and functions under its line (the table
 * `fuelbook exec --profile` prints), the profiles stored with the runs and in the HTML report, the
 * same text on every run of a deterministic notebook.
 */
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { parseHTML } from 'linkedom'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_SETTINGS } from '../../src/main/service/defaults'
import { NotebookStore } from '../../src/main/store'
import { cli, tempDir } from './cli-helpers'

const HOT_LOOP = [
  'def total(n):',
  '    s = 0',
  '    for i in range(n):',
  '        s += i * i',
  '    return s'
]

let dir: string
beforeAll(() => {
  dir = tempDir()
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A deterministic notebook (the same fuel on every run) with these code cells. */
function notebook(name: string, sources: string[]): string {
  const path = join(dir, name)
  const created = NotebookStore.create(path, {
    title: name,
    settings: { ...DEFAULT_SETTINGS, deterministic: true }
  })
  if (!created.ok) throw new Error(created.error)
  sources.forEach((source, i) =>
    created.value.insertCell({ id: `cell-${i + 1}`, type: 'code', source, metadata: {}, isolated: false }, i)
  )
  created.value.close()
  return path
}

function storedProfiles(path: string): unknown[] {
  const opened = NotebookStore.open(path)
  if (!opened.ok) throw new Error(opened.error)
  const runs = opened.value.load().lastRuns
  opened.value.close()
  return Object.keys(runs)
    .sort()
    .map((id) => runs[id]!.profile)
}

/** The profile tables: the lines printed two spaces in under the cells' lines. */
const tables = (stdout: string): string =>
  stdout
    .split('\n')
    .filter((line) => line.startsWith('  '))
    .join('\n')

describe('fuelbook run --profile', () => {
  it('prints each cell’s costliest lines and functions, stores them, the same on every run', async () => {
    const path = notebook('hot.fuelbook', [HOT_LOOP.join('\n'), 'print(total(20_000))'])
    const html = join(dir, 'hot.html')
    const first = await cli(['run', path, '--profile', '--export', html])
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toMatch(
      /^cell 2\/2 \[2\] ✓ ok · .*\n {2}fuel profile: \d+ fuel in the profiled code, \d+ spent by the profiler\n/m
    )
    // Cell 2's fuel went to the loop of the function cell 1 defined: its line 4, in cell 1's file.
    expect(first.stdout).toMatch(/^ {2}<cell-\d+>:4 +\d+ +99\.\d%$/m)
    expect(first.stdout).toMatch(/^ {2}total \(<cell-\d+>:1\) +\d+ +\d+ +99\.\d% +1$/m)
    const profiles = storedProfiles(path)
    expect(profiles.every((p) => p !== null)).toBe(true)

    const { document } = parseHTML(readFileSync(html, 'utf8'))
    const report = document.querySelectorAll('details.fuel-profile')
    expect(report.length).toBe(2)
    expect(report[1]!.querySelector('summary')!.textContent).toMatch(/^fuel profile: [\d,]+ fuel/)
    expect(report[1]!.querySelector('tbody td')!.textContent).toMatch(/^<cell-\d+>:4$/)

    const second = await cli(['run', path, '--profile'])
    expect(tables(second.stdout)).toBe(tables(first.stdout))
    expect(storedProfiles(path)).toEqual(profiles)
  })

  it('says where a cell that ran out of its budget spent it, and goes on with --allow-errors', async () => {
    const path = notebook('spin.fuelbook', ['x = 0\nwhile True:\n    x += 1', 'print("after")'])
    const r = await cli(['run', path, '--profile', '--fuel', '5M', '--allow-errors'])
    expect(r.code).toBe(4)
    expect(r.stdout).toMatch(/^cell 1\/2 \[1\] ⚠ out of fuel · .*\n {2}fuel profile: /m)
    expect(r.stdout).toContain('  stopped when the profiled code reached its budget')
    expect(r.stdout).toMatch(/^ {2}cell line [23] +\d+ +\d+\.\d%$/m)
    expect(r.stdout).toMatch(/^cell 2\/2 \[2\] ✓ ok/m)
  })
})
