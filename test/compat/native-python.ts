/**
 * The native CPython the sandbox is compared with: Debian's /usr/bin/python3.11, the same 3.11.2
 * sources the runtime is built from (resources/python/README.md).
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

export const NATIVE_PYTHON = process.env.FUELBOOK_NATIVE_PYTHON ?? '/usr/bin/python3.11'

export interface NativeRun {
  exitCode: number | null
  stdout: string
  stderr: string
  wallMs: number
  timedOut: boolean
}

/** Runs `python3.11 -c code` (isolated: no user site, no PYTHON* variables) in `cwd`. */
export function runNativePython(
  code: string,
  options: { cwd: string; timeoutMs: number; args?: string[] }
): NativeRun {
  if (!existsSync(NATIVE_PYTHON))
    throw new Error(
      `the comparison with native CPython needs ${NATIVE_PYTHON}: install the Debian package python3.11, or set FUELBOOK_NATIVE_PYTHON`
    )
  const started = performance.now()
  const result = spawnSync(NATIVE_PYTHON, ['-I', '-c', code, ...(options.args ?? [])], {
    cwd: options.cwd,
    encoding: 'utf8',
    timeout: options.timeoutMs,
    maxBuffer: 256 * 2 ** 20,
    env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: options.cwd, TMPDIR: options.cwd }
  })
  return {
    exitCode: result.status,
    stdout: result.stdout ?? '',
    stderr: result.stderr ?? '',
    wallMs: performance.now() - started,
    timedOut: result.error !== undefined && (result.error as NodeJS.ErrnoException).code === 'ETIMEDOUT'
  }
}
