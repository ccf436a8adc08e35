#!/usr/bin/env node
// `npm start`: builds the app, then starts the desktop shell. Where the Electron binary is missing
// (e.g. a server without a display, or a machine that could not download it) it says so in one line
// and starts browser mode instead. `npm run serve` (--browser) goes straight to browser mode.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureElectronSqlite } from './electron-native.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const browserOnly = args[0] === '--browser'
const rest = browserOnly ? args.slice(1) : args

const build = spawnSync(
  process.execPath,
  [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
  {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit']
  }
)
if (build.status !== 0) {
  console.error('fuelbook: the build failed (see above).')
  process.exit(1)
}

/**
 * The Electron binary, downloading it on first use as the electron package does. Not through
 * `require('electron')`: that downloads too, but prints a stack trace when it cannot.
 */
function electronBinary() {
  const dir = join(root, 'node_modules', 'electron')
  const locate = () => {
    let relative = null
    try {
      relative = readFileSync(join(dir, 'path.txt'), 'utf8').trim()
    } catch {
      // not downloaded yet
    }
    const override = process.env.ELECTRON_OVERRIDE_DIST_PATH
    const path = override
      ? join(override, relative || 'electron')
      : relative
        ? join(dir, 'dist', relative)
        : null
    return path && existsSync(path) ? path : null
  }
  const found = locate()
  if (found || !existsSync(join(dir, 'install.js'))) return found
  const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version
  console.log(`Downloading Electron ${version} (first start only)…`)
  spawnSync(process.execPath, [join(dir, 'install.js')], {
    cwd: dir,
    stdio: 'ignore',
    timeout: 10 * 60 * 1000
  })
  return locate()
}

function run(command, commandArgs) {
  const child = spawn(command, commandArgs, { cwd: root, stdio: 'inherit' })
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
}

const electron = browserOnly ? null : electronBinary()
// The desktop app loads SQLite built for Electron's ABI: built here the first time (and after an Electron
// upgrade), then reused. If that fails, electron-native.mjs has said why in one line.
const sqliteForElectron = electron ? ensureElectronSqlite({ quiet: true }) : false
if (electron && sqliteForElectron) {
  // npm runs scripts in the package folder: a notebook named relative to where `npm start` was typed
  // (INIT_CWD) is resolved here, as the shell resolves its argv against its own working directory.
  const from = process.env.INIT_CWD ?? process.cwd()
  run(electron, [root, ...rest.map((a) => (/\.(fuelbook|ipynb)$/i.test(a) ? resolve(from, a) : a))])
} else {
  if (electron) {
    console.log('Starting Fuelbook in browser mode instead.')
  } else if (!browserOnly) {
    console.log('Electron binary not available on this machine: starting Fuelbook in browser mode instead.')
  }
  run(process.execPath, [join(root, 'out', 'main', 'cli.js'), 'serve', ...rest])
}
