/**
 * The native CPython the sandbox is compared with: Debian's /usr/bin/python3.11 and its test suite
 * (package libpython3.11-testsuite), the same 3.11.2 sources the runtime is built from
 * (resources/python/README.md).
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { ensureDebianPackages, isRoot } from '../helpers/debian-packages'

export const NATIVE_PYTHON = process.env.FUELBOOK_NATIVE_PYTHON ?? '/usr/bin/python3.11'
export const NATIVE_STDLIB = process.env.FUELBOOK_NATIVE_STDLIB ?? '/usr/lib/python3.11'
const PACKAGES = ['python3.11', 'libpython3.11-testsuite']

/** When we are root, native runs drop to this user: the comparison is with an ordinary user. */
export const UNPRIVILEGED = { uid: 65534, gid: 65534, name: 'nobody' }
export { isRoot }

// test/support alone is no sign: Debian's libpython3.11-stdlib ships it, the test modules come only
// with libpython3.11-testsuite.
const present = (): boolean =>
  existsSync(NATIVE_PYTHON) &&
  existsSync(`${NATIVE_STDLIB}/test/support/__init__.py`) &&
  existsSync(`${NATIVE_STDLIB}/test/test_textwrap.py`)

/** Makes sure native CPython and its tests are there (test/helpers/debian-packages.ts). */
export function ensureNativeTestsuite(): void {
  ensureDebianPackages(
    PACKAGES,
    present,
    'for the compatibility harness',
    `the comparison with native CPython needs ${NATIVE_PYTHON} and its tests in ${NATIVE_STDLIB}/test: install the Debian packages ${PACKAGES.join(' and ')}, or set FUELBOOK_NATIVE_PYTHON and FUELBOOK_NATIVE_STDLIB`
  )
}

export interface NativeRun {
  exitCode: number | null
  stdout: string
  stderr: string
  wallMs: number
  timedOut: boolean
}

/**
 * Runs `python3.11 -I -c code` in `cwd` with a minimal environment. `unprivileged`: as
 * UNPRIVILEGED when we are root (then `cwd` must be writable by that user).
 */
export function runNativePython(
  code: string,
  options: { cwd: string; timeoutMs: number; unprivileged?: boolean }
): NativeRun {
  ensureNativeTestsuite()
  const started = performance.now()
  const user =
    options.unprivileged === true && isRoot() ? { uid: UNPRIVILEGED.uid, gid: UNPRIVILEGED.gid } : {}
  const result = spawnSync(NATIVE_PYTHON, ['-I', '-c', code], {
    cwd: options.cwd,
    encoding: 'utf8',
    timeout: options.timeoutMs,
    maxBuffer: 256 * 2 ** 20,
    env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: options.cwd, TMPDIR: options.cwd },
    ...user
  })
  return {
    exitCode: result.status,
    stdout: result.stdout ?? '',
    stderr: result.stderr ?? '',
    wallMs: performance.now() - started,
    timedOut: (result.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT'
  }
}
