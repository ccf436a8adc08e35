/**
 * Debian packages a test needs from the machine (native CPython, its test suite, pure-Python
 * libraries to build wheels from). On Debian/Ubuntu as root they are installed with apt-get, as
 * scripts/ensure-chromium.mjs does for the e2e tests (so a fresh CI machine needs no manual step);
 * elsewhere the error says what to install.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

export const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0

/** Makes `present()` true by installing `packages` when it can; throws `missing` when it cannot. */
export function ensureDebianPackages(
  packages: string[],
  present: () => boolean,
  purpose: string,
  missing: string
): void {
  if (present()) return
  if (isRoot() && existsSync('/usr/bin/apt-get')) {
    process.stderr.write(`Installing ${packages.join(' and ')} with apt-get (${purpose})…\n`)
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
    if (update.status === 0)
      spawnSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'inherit', env })
    if (present()) return
  }
  throw new Error(missing)
}
