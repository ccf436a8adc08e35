/**
 * `fuelbook packages` and `fuelbook run` with stored wheels: listing, adding .whl files, removing,
 * every refusal (the notebook unchanged after each), and a run that never asks the package index.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppData, NotebookStore } from '../../src/main/store'
import { startPackageIndex, type PackageIndex } from '../helpers/package-index'
import { buildWheel, type BuiltWheel } from '../helpers/wheels'
import { cli, makeNotebook, tempDir, useDataDir } from './cli-helpers'

const greeter = buildWheel({
  name: 'greeter',
  version: '0.5',
  requires: ['base-lib>=0.3'],
  files: {
    'greeter/__init__.py':
      'import base_lib\nfrom importlib import resources\ndef motto():\n    return resources.files(__name__).joinpath("motto.txt").read_text() + base_lib.MARK\n',
    'greeter/motto.txt': 'fuel is finite'
  }
})
const base = buildWheel({
  name: 'base-lib',
  version: '0.3',
  files: { 'base_lib/__init__.py': 'MARK = "!"\n' }
})
const compiled = buildWheel({
  name: 'fastmath',
  version: '1.0',
  tag: 'cp311-cp311-manylinux_2_17_x86_64',
  files: { 'fastmath/__init__.py': '' }
})

let dir: string
let wheels: string
let index: PackageIndex
let restoreDataDir = (): void => undefined

function writeWheel(folder: string, wheel: BuiltWheel): string {
  const path = join(folder, wheel.filename)
  writeFileSync(path, wheel.bytes)
  return path
}

/** What a user could lose: the cells and the stored wheels, as the file holds them. */
function snapshot(path: string): { cells: string[]; packages: string[] } {
  const opened = NotebookStore.open(path)
  if (!opened.ok) throw new Error(opened.error)
  try {
    return {
      cells: opened.value.load().cells.map((c) => c.source),
      packages: opened.value.listPackages().map((p) => `${p.name} ${p.version} ${p.sha256}`)
    }
  } finally {
    opened.value.close()
  }
}

beforeAll(async () => {
  dir = tempDir()
  wheels = join(dir, 'wheels')
  mkdirSync(wheels)
  writeWheel(wheels, base)
  restoreDataDir = useDataDir(join(dir, 'data'))
  // An index that serves nothing useful and logs every request: `run` must never call it.
  index = await startPackageIndex([{ wheel: base }])
  new AppData(join(dir, 'data')).setSettings({ packageIndexUrl: index.url })
})
afterAll(async () => {
  await index?.close()
  restoreDataDir()
})

describe('fuelbook packages', () => {
  it('adds a wheel with its dependency from the same folder, lists, runs offline, removes', async () => {
    const nb = join(dir, 'greet.fuelbook')
    makeNotebook(nb, 'Greet', ['%pip install greeter\nimport greeter\nprint(greeter.motto())'])
    expect(await cli(['packages', nb])).toEqual({
      code: 0,
      stdout: 'No packages in this notebook.\n',
      stderr: ''
    })

    const added = await cli(['packages', nb, '--add', writeWheel(wheels, greeter), '--no-index'])
    expect(added).toMatchObject({ code: 0, stderr: '' })
    expect(added.stdout).toBe('Installed in this notebook: greeter 0.5, base-lib 0.3\n')

    const listed = await cli(['packages', nb])
    expect(listed.code).toBe(0)
    expect(listed.stdout.split('\n')).toEqual([
      expect.stringMatching(/^Package\s+Version\s+Size\s+Bytecode\s+Requested by$/),
      expect.stringMatching(
        /^base-lib\s+0\.3\s+\d+ B\s+[\d.]+ (B|KiB)\s+greeter 0\.5 requires base-lib>=0\.3$/
      ),
      expect.stringMatching(/^greeter\s+0\.5\s+[\d.]+ (B|KiB)\s+[\d.]+ (B|KiB)\s+greeter==0\.5$/),
      ''
    ])

    const requestsBefore = index.requests.length
    const ran = await cli(['run', nb])
    expect(ran.stderr).toBe('')
    expect(ran.code).toBe(0)
    expect(index.requests.length).toBe(requestsBefore)
    const cell = NotebookStore.open(nb)
    if (!cell.ok) throw new Error(cell.error)
    const run = Object.values(cell.value.load().lastRuns)[0]!
    cell.value.close()
    expect(run.status).toBe('ok')
    expect(run.outputs.map((o) => (o.type === 'stream' ? o.text : '')).join('')).toBe(
      'Installed in this notebook: greeter 0.5, base-lib 0.3\nfuel is finite!\n'
    )

    const removed = await cli(['packages', nb, '--remove', 'Greeter'])
    expect(removed).toEqual({ code: 0, stdout: 'Removed from this notebook: greeter 0.5\n', stderr: '' })
    expect(snapshot(nb).packages).toEqual([`base-lib 0.3 ${base.sha256}`])
  })

  it('refuses wrong arguments, non-wheels and compiled wheels, and leaves the notebook as it was', async () => {
    const nb = join(dir, 'keep.fuelbook')
    makeNotebook(nb, 'Keep', ['x = 1'])
    expect((await cli(['packages', nb, '--add', writeWheel(wheels, base), '--no-index'])).code).toBe(0)
    const before = snapshot(nb)
    const notZip = join(dir, 'broken-1.0-py3-none-any.whl')
    writeFileSync(notZip, 'this is not a zip file')
    const text = join(dir, 'notes.txt')
    writeFileSync(text, 'hello')

    const cases: [string[], number, RegExp][] = [
      [['packages'], 2, /which notebook\? give NOTEBOOK\.fuelbook/],
      [['packages', nb, nb], 2, /packages takes one notebook/],
      [
        ['packages', nb, '--add', text],
        2,
        /--add takes a wheel file \(NAME-VERSION-py3-none-any\.whl\), got '.*notes\.txt'/
      ],
      [
        ['packages', nb, '--add', join(dir, 'gone-1.0-py3-none-any.whl')],
        2,
        /gone-1\.0-py3-none-any\.whl: no such file/
      ],
      [['packages', nb, '--add', writeWheel(wheels, base), '--remove', 'base-lib'], 2, /cannot be combined/],
      [['packages', nb, '--no-index'], 2, /--no-index goes with --add/],
      [['packages', nb, '--frobnicate'], 2, /Unknown option '--frobnicate'/],
      [['packages', join(dir, 'missing.fuelbook')], 1, /missing\.fuelbook: no such file/],
      [['packages', text], 1, /notes\.txt” is not a Fuelbook notebook/],
      [
        ['packages', nb, '--add', notZip, '--no-index'],
        1,
        /broken-1\.0-py3-none-any\.whl is not a wheel: not a zip archive.*nothing was installed/
      ],
      [
        ['packages', nb, '--add', writeWheel(wheels, compiled), '--no-index'],
        1,
        /fastmath needs compiled code for Linux.*fastmath cannot be installed/
      ],
      [['packages', nb, '--remove', 'numpy'], 1, /not installed in this notebook: numpy/]
    ]
    for (const [args, code, message] of cases) {
      const result = await cli(args)
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({ args, code, stdout: '' })
      expect(result.stderr).toMatch(message)
      expect(result.stderr.trim().split('\n').length).toBeLessThanOrEqual(2)
      expect(snapshot(nb)).toEqual(before)
    }
    expect(readFileSync(text, 'utf8')).toBe('hello')
  })

  it('has a help page and is listed in the command overview', async () => {
    const help = await cli(['packages', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('--add FILE.whl')
    expect((await cli(['--help'])).stdout).toMatch(/packages\s+List the Python packages a notebook carries/)
  })
})
