#!/usr/bin/env node
// The e2e tests drive Debian's Chromium through its chromedriver (no browser downloads). On a fresh
// Debian/Ubuntu machine where we are root, install them; elsewhere say in one line what is missing.
import { existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'

export const CHROMIUM = process.env.FUELBOOK_CHROMIUM ?? '/usr/bin/chromium'
export const CHROMEDRIVER = process.env.FUELBOOK_CHROMEDRIVER ?? '/usr/bin/chromedriver'

export function ensureChromium() {
  if (existsSync(CHROMIUM) && existsSync(CHROMEDRIVER)) return true
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  const hasApt = existsSync('/usr/bin/apt-get')
  if (isRoot && hasApt) {
    console.log('Installing chromium and chromium-driver with apt-get (needed by the e2e tests)…')
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
    const install =
      update.status === 0 &&
      spawnSync('apt-get', ['install', '-y', '-qq', 'chromium', 'chromium-driver'], { stdio: 'inherit', env })
    if (install && install.status === 0 && existsSync(CHROMIUM) && existsSync(CHROMEDRIVER)) return true
  }
  console.error(
    `fuelbook tests: the e2e tests need Chromium and its driver at ${CHROMIUM} and ${CHROMEDRIVER}: install the packages 'chromium' and 'chromium-driver' (Debian/Ubuntu), or set FUELBOOK_CHROMIUM and FUELBOOK_CHROMEDRIVER.`
  )
  return false
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(ensureChromium() ? 0 : 1)
