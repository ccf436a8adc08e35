/**
 * The runtime's Python side, natively: runtime/tests (pytest) runs the cell driver and
 * runtime/site/IPython with a stand-in for the _fuelbook module, and compares Out values with
 * real IPython's. Needs Debian's python3.11 with pytest and python3-ipython (the real IPython is
 * only the comparison's reference, never part of the runtime): installed here when root on
 * Debian/Ubuntu, as the e2e tests install Chromium; elsewhere the test says what is missing.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const PYTHON = process.env.FUELBOOK_TEST_PYTHON ?? '/usr/bin/python3.11'
const RUNTIME = resolve(__dirname, '../../runtime')

function pythonReady(): boolean {
  return spawnSync(PYTHON, ['-c', 'import pytest, IPython'], { stdio: 'ignore' }).status === 0
}

function ensurePython(): string | null {
  if (existsSync(PYTHON) && pythonReady()) return null
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    spawnSync('apt-get', ['install', '-y', '-qq', 'python3.11', 'python3-pytest', 'python3-ipython'], { env })
    if (existsSync(PYTHON) && pythonReady()) return null
  }
  return `these tests need ${PYTHON} with pytest and IPython: install the Debian packages python3.11, python3-pytest and python3-ipython, or set FUELBOOK_TEST_PYTHON`
}

describe('runtime Python (pytest, natively)', () => {
  it('passes runtime/tests: IPython syntax, magics, display, Out history, pretty output as IPython prints it', () => {
    const missing = ensurePython()
    expect(missing).toBeNull()
    const run = spawnSync(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests'], {
      cwd: RUNTIME,
      encoding: 'utf8',
      // No __pycache__ folders under runtime/site/: everything there goes into the stdlib zip.
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' }
    })
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0)
    expect(run.stdout).toMatch(/\d+ passed/)
  }, 120_000)
})
