/**
 * The native CPython the sandbox is compared with: Debian's /usr/bin/python3.11 and its test suite
 * (package libpython3.11-testsuite), the same 3.11.2 sources the runtime is built from
 * (resources/python/README.md).
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

export const NATIVE_PYTHON = process.env.FUELBOOK_NATIVE_PYTHON ?? '/usr/bin/python3.11'
export const NATIVE_STDLIB = process.env.FUELBOOK_NATIVE_STDLIB ?? '/usr/lib/python3.11'
const PACKAGES = ['python3.11', 'libpython3.11-testsuite']

/** When we are root, native runs drop to this user: the comparison is with an ordinary user. */
export const UNPRIVILEGED = { uid: 65534, gid: 65534, name: 'nobody' }
export const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0

const present = (): boolean =>
  existsSync(NATIVE_PYTHON) && existsSync(`${NATIVE_STDLIB}/test/support/__init__.py`)

/**
 * Makes sure native CPython and its tests are there: on Debian/Ubuntu as root installs the packages
 * (as scripts/ensure-chromium.mjs does for the e2e tests), otherwise throws saying what to install.
 */
export function ensureNativeTestsuite(): void {
  if (present()) return
  if (isRoot() && existsSync('/usr/bin/apt-get')) {
    process.stderr.write(
      `Installing ${PACKAGES.join(' and ')} with apt-get (for the compatibility harness)…\n`
    )
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
    if (update.status === 0)
      spawnSync('apt-get', ['install', '-y', '-qq', ...PACKAGES], { stdio: 'inherit', env })
    if (present()) return
  }
  throw new Error(
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
