#!/usr/bin/env node
// Builds better-sqlite3 for Electron's ABI into .electron-native/ (git-ignored), next to the Node build npm
// made in node_modules (which the CLI, browser mode and the tests keep using). The desktop shell loads this
// copy through better-sqlite3's `nativeBinding` option (src/main/electron/native-sqlite.ts).
//
// When it runs: `npm start` runs it before launching Electron (only when the Electron binary is present),
// and `npm run dist` runs it with --required before packaging. Not at postinstall: most installs (CI,
// servers, browser mode) never launch Electron, and it needs a download of Electron's headers.
//
// How: node-gyp in a temporary copy of node_modules/better-sqlite3 with --runtime=electron (the approach
// of @electron/rebuild, without rebuilding the package in place). Needs python3, make and a C++ compiler,
// like the npm install of better-sqlite3, plus one download of Electron's headers (~8 MB, cached by
// node-gyp). Failure prints one line and exits 0 (1 with --required); the full log is kept.
//
//   node scripts/electron-native.mjs [--required] [--force] [--check] [--arch=x64|arm64]
//                                    [--headers-tarball=node-v<electron>-headers.tar.gz]
// --headers-tarball builds offline from headers downloaded elsewhere
// (https://electronjs.org/headers/v<electron>/node-v<electron>-headers.tar.gz).
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
export const NATIVE_DIR = join(root, '.electron-native')
const ADDON = join(NATIVE_DIR, 'better_sqlite3.node')
const INFO = join(NATIVE_DIR, 'build-info.json')
const LOG = join(NATIVE_DIR, 'build.log')
const HEADERS_URL = 'https://electronjs.org/headers'

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch {
    return null
  }
}

/** What the build must match: a new Electron or better-sqlite3 version means a rebuild. */
export function wantedBuild(arch = process.arch) {
  const electron = readJson(join(root, 'node_modules', 'electron', 'package.json'))?.version ?? null
  const betterSqlite3 =
    readJson(join(root, 'node_modules', 'better-sqlite3', 'package.json'))?.version ?? null
  return { electron, betterSqlite3, platform: process.platform, arch }
}

export function isUpToDate(wanted = wantedBuild()) {
  const info = readJson(INFO)
  return (
    fs.existsSync(ADDON) &&
    !!info &&
    ['electron', 'betterSqlite3', 'platform', 'arch'].every((k) => info[k] === wanted[k])
  )
}

function nodeGyp() {
  try {
    return require.resolve('node-gyp/bin/node-gyp.js')
  } catch {
    // npm bundles node-gyp; npm run sets npm_config_node_gyp to it.
    const fromNpm = process.env.npm_config_node_gyp
    if (fromNpm && fs.existsSync(fromNpm)) return fromNpm
    const besideNode = join(
      dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js'
    )
    return fs.existsSync(besideNode) ? besideNode : null
  }
}

/** The one line a user sees when the build fails, from node-gyp's output. */
export function failureReason(log) {
  if (
    /(network connectivity|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|fetch failed|getaddrinfo|self.signed|unable to get local issuer|40[34] status code|status 40[34])/i.test(
      log
    )
  )
    return "Electron's headers could not be downloaded from electronjs.org (no internet access?)"
  if (/not found: (make|python)|Could not find any Python|gyp ERR! find Python/i.test(log))
    return 'python3 and make are needed (the same tools as the npm install of better-sqlite3)'
  if (/(g\+\+|c\+\+|cc1plus).*(not found|No such file)/i.test(log)) return 'a C++ compiler (g++) is needed'
  const gypError = log.split('\n').find((l) => /gyp ERR! stack Error:/.test(l))
  return gypError ? gypError.replace(/.*gyp ERR! stack Error:\s*/, '').slice(0, 160) : 'node-gyp failed'
}

/**
 * Returns true when .electron-native/ holds a build for this Electron. Prints one line on failure, and
 * what it builds; `quiet` drops the "up to date" line. Never throws.
 */
export function ensureElectronSqlite({
  force = false,
  quiet = false,
  arch = process.arch,
  headersTarball = null
} = {}) {
  const wanted = wantedBuild(arch)
  const say = (line) => console.log(line)
  if (!wanted.electron || !wanted.betterSqlite3) {
    console.error('fuelbook: electron or better-sqlite3 is missing from node_modules; run npm install first.')
    return false
  }
  if (!force && isUpToDate(wanted)) {
    if (!quiet) say(`fuelbook: SQLite for Electron ${wanted.electron} is up to date (.electron-native/).`)
    return true
  }
  const gyp = nodeGyp()
  if (!gyp) {
    console.error('fuelbook: could not build SQLite for Electron: node-gyp not found (it ships with npm).')
    return false
  }
  fs.mkdirSync(NATIVE_DIR, { recursive: true })
  // Keeps the folder out of git without touching the repository's .gitignore.
  fs.writeFileSync(join(NATIVE_DIR, '.gitignore'), '*\n')
  const work = fs.mkdtempSync(join(os.tmpdir(), 'fuelbook-electron-sqlite-'))
  try {
    const source = join(root, 'node_modules', 'better-sqlite3')
    const copy = join(work, 'better-sqlite3')
    fs.cpSync(source, copy, { recursive: true, filter: (p) => !p.startsWith(join(source, 'build')) })
    say(
      `fuelbook: building SQLite (better-sqlite3 ${wanted.betterSqlite3}) for Electron ${wanted.electron} (${arch})…`
    )
    // A nodedir (this machine's npm config sets one) would make node-gyp build against Node's headers.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) => !/^npm_config_(nodedir|target|runtime|disturl|dist_url|arch)$/i.test(k)
      )
    )
    const result = spawnSync(
      process.execPath,
      [
        gyp,
        'rebuild',
        '--release',
        '--runtime=electron',
        `--target=${wanted.electron}`,
        `--arch=${arch}`,
        `--dist-url=${HEADERS_URL}`,
        ...(headersTarball ? [`--tarball=${headersTarball}`] : [])
      ],
      { cwd: copy, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60 * 1000 }
    )
    const log = `${result.stdout ?? ''}\n${result.stderr ?? ''}${result.error ? `\n${result.error.message}` : ''}\n`
    fs.writeFileSync(LOG, log)
    const built = join(copy, 'build', 'Release', 'better_sqlite3.node')
    if (result.status !== 0 || !fs.existsSync(built)) {
      console.error(
        `fuelbook: could not build SQLite for Electron ${wanted.electron}: ${failureReason(log)}. The desktop app needs it (browser mode and the tests do not); log: .electron-native/build.log`
      )
      return false
    }
    const tmp = `${ADDON}.${process.pid}.tmp`
    fs.copyFileSync(built, tmp)
    fs.renameSync(tmp, ADDON)
    fs.writeFileSync(INFO, `${JSON.stringify({ ...wanted, builtAt: new Date().toISOString() }, null, 2)}\n`)
    say(`fuelbook: SQLite for Electron ${wanted.electron} built into .electron-native/.`)
    return true
  } finally {
    fs.rmSync(work, { recursive: true, force: true })
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === fs.realpathSync(process.argv[1])) {
  const args = process.argv.slice(2)
  const arch = args.find((a) => a.startsWith('--arch='))?.slice('--arch='.length) ?? process.arch
  if (args.includes('--check')) {
    const ok = isUpToDate(wantedBuild(arch))
    console.log(
      ok
        ? 'fuelbook: SQLite for Electron is built.'
        : 'fuelbook: SQLite for Electron is not built (node scripts/electron-native.mjs).'
    )
    process.exit(ok ? 0 : 1)
  }
  const headersTarball =
    args.find((a) => a.startsWith('--headers-tarball='))?.slice('--headers-tarball='.length) ?? null
  const ok = ensureElectronSqlite({ force: args.includes('--force'), arch, headersTarball })
  process.exit(ok || !args.includes('--required') ? 0 : 1)
}
