/**
 * Realistic notebooks (test/fixtures/notebooks) run in Fuelbook and in real IPython, compared cell
 * by cell: stdout, stderr, the Out value's MIME bundle, each display's MIME bundle, the
 * error's ename and evalue. Fuelbook runs them as `fuelbook run --allow-errors` does (import, then
 * run every cell from a fresh kernel); IPython is Debian's python3-ipython on /usr/bin/python3.11,
 * driven by test/compat/run_notebook_natively.py. The few differences Fuelbook means to have are
 * normalised by KNOWN_DIFFERENCES below; anything else fails.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NotebookStore } from '../../src/main/store'
import type { MimeBundle } from '../../src/shared/notebook'
import { cli, tempDir, useDataDir } from './cli-helpers'
import { ensureDebianPackages } from '../helpers/debian-packages'

const NOTEBOOKS = join(__dirname, '..', 'fixtures', 'notebooks')
const RUNNER = join(__dirname, '..', 'compat', 'run_notebook_natively.py')
const NATIVE_PYTHON = '/usr/bin/python3.11'

/** What one code cell showed, in the shape the native runner prints. */
interface Shown {
  stdout: string
  stderr: string
  result: MimeBundle | null
  displays: MimeBundle[]
  error: { ename: string; evalue: string } | null
}

/** A cell as compared: bundles as text by MIME type, the error as one 'ename: evalue' line. */
interface Compared {
  stdout: string
  stderr: string
  result: Record<string, string> | null
  displays: Record<string, string>[]
  error: string | null
}

/**
 * The differences Fuelbook means to have, each applied to every text on both sides. Keep it short:
 * every entry says why the difference is intended; a divergence not explained here is a bug.
 */
const KNOWN_DIFFERENCES: { why: string; pattern: RegExp; replacement: string }[] = [
  {
    why: '%time: the wall time differs from run to run',
    pattern: /^Wall time: .*$/gm,
    replacement: 'Wall time: <time>'
  },
  {
    why: "%time: Fuelbook prints the cell's fuel where IPython prints CPU times (runtime/README.md, magics)",
    pattern: /^CPU times: .*\n/gm,
    replacement: ''
  },
  {
    why: "%time: Fuelbook adds the cell's fuel, which IPython has no notion of",
    pattern: /^Fuel: .*\n/gm,
    replacement: ''
  },
  {
    why: "a cell's code is named <cell-N> in Fuelbook, <ipython-input-N-hash> in a folder in IPython",
    pattern: /\S*<(?:cell-\d+|ipython-input-\d+-[0-9a-f]+)>/g,
    replacement: '<cell>'
  },
  {
    why: "the notebook's working folder: / in the sandbox, a fresh temporary folder for IPython here",
    pattern: /\/tmp\/fuelbook-native-nb-\w+\//g,
    replacement: '/'
  },
  {
    why: 'object addresses are where an object happens to live',
    pattern: / at 0x[0-9a-f]+/g,
    replacement: ' at 0x…'
  },
  {
    why: "sys.exit() ends a cell as it ends a script: status 'exit' with its exit code, not an exception (src/main/kernel/README.md)",
    pattern: /^SystemExit: .*$/s,
    replacement: 'SystemExit'
  },
  {
    why: 'and IPython warns about it, where Fuelbook just ends the cell',
    pattern: /^.*UserWarning: To exit: use 'exit', 'quit', or Ctrl-D\.\n.*\n/m,
    replacement: ''
  }
]

function normalise(text: string): string {
  return KNOWN_DIFFERENCES.reduce((t, d) => t.replace(d.pattern, d.replacement), text)
}

/** JSON with its keys sorted: a bundle's application/json compares by value, not key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v
  )
}

function normaliseBundle(bundle: MimeBundle): Record<string, string> {
  return Object.fromEntries(
    Object.entries(bundle)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([mime, value]) => [mime, normalise(typeof value === 'string' ? value : canonicalJson(value))])
  )
}

function normaliseShown(cell: Shown): Compared {
  return {
    stdout: normalise(cell.stdout),
    stderr: normalise(cell.stderr),
    result: cell.result && normaliseBundle(cell.result),
    displays: cell.displays.map(normaliseBundle),
    error: cell.error && normalise(`${cell.error.ename}: ${cell.error.evalue}`)
  }
}

function runNatively(notebook: string): Shown[] {
  const cwd = mkdtempSync(join(tmpdir(), 'fuelbook-native-nb-'))
  // IPython's own files (~/.ipython) go elsewhere: the working folder holds only what cells write.
  const home = mkdtempSync(join(tmpdir(), 'fuelbook-native-home-'))
  try {
    const r = spawnSync(NATIVE_PYTHON, ['-I', RUNNER, notebook], {
      cwd,
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: home, TMPDIR: cwd, TERM: 'dumb' }
    })
    if (r.status !== 0) throw new Error(`native run of ${notebook} failed: ${r.stderr}`)
    return JSON.parse(r.stdout) as Shown[]
  } finally {
    rmSync(cwd, { recursive: true, force: true })
    rmSync(home, { recursive: true, force: true })
  }
}

async function runInFuelbook(notebook: string): Promise<Shown[]> {
  const path = join(dir, `${notebook.replace(/.*\//, '')}.fuelbook`)
  const imported = await cli(['import', notebook, '-o', path])
  if (imported.code !== 0) throw new Error(imported.stderr)
  const run = await cli(['run', path, '--allow-errors'])
  // Exceptions (3) and sys.exit() (8) are part of the corpus; running out of fuel or memory is not.
  if (![0, 3, 8].includes(run.code)) throw new Error(`fuelbook run: exit ${run.code}: ${run.stderr}`)
  const opened = NotebookStore.open(path)
  if (!opened.ok) throw new Error(opened.error)
  const { cells, lastRuns } = (() => {
    try {
      return opened.value.load()
    } finally {
      opened.value.close()
    }
  })()
  return cells
    .filter((cell) => cell.type === 'code')
    .map((cell) => {
      const run = lastRuns[cell.id]
      const shown: Shown = { stdout: '', stderr: '', result: null, displays: [], error: null }
      if (run?.status === 'exit') shown.error = { ename: 'SystemExit', evalue: `exit code ${run.exitCode}` }
      for (const output of run?.outputs ?? []) {
        if (output.type === 'stream' && output.name === 'stdout') shown.stdout += output.text
        else if (output.type === 'stream') shown.stderr += output.text
        else if (output.type === 'execute_result') shown.result = output.data
        else if (output.type === 'display_data') shown.displays.push(output.data)
        else if (output.type === 'error') shown.error = { ename: output.ename, evalue: output.evalue }
        else if (output.type === 'truncated') throw new Error(`${cell.id}: output cap reached`)
      }
      return shown
    })
}

let dir: string
let restoreDataDir = (): void => undefined

beforeAll(() => {
  ensureDebianPackages(
    ['python3-ipython'],
    () => spawnSync(NATIVE_PYTHON, ['-I', '-c', 'import IPython']).status === 0,
    'for the notebook corpus',
    `the notebook corpus is compared with IPython: install the Debian package python3-ipython`
  )
  dir = tempDir()
  restoreDataDir = useDataDir(join(dir, 'data'))
})
afterAll(() => {
  restoreDataDir()
  rmSync(dir, { recursive: true, force: true })
})

describe('real notebooks print in Fuelbook what they print in IPython', () => {
  const notebooks = readdirSync(NOTEBOOKS).filter((name) => name.endsWith('.ipynb'))

  it('the corpus is there', () => {
    expect(notebooks.length).toBeGreaterThanOrEqual(8)
  })

  it.each(notebooks)('%s', async (name) => {
    const file = join(NOTEBOOKS, name)
    const native = runNatively(file).map(normaliseShown)
    const ours = (await runInFuelbook(file)).map(normaliseShown)
    // Each cell numbered (0-based among the code cells), so the diff of a failure names it.
    const numbered = (cells: Compared[]) => cells.map((cell, i) => ({ cell: i, ...cell }))
    expect(numbered(ours)).toEqual(numbered(native))
  })
})
