#!/usr/bin/env node
// `npm start`: builds the app, then starts the desktop shell. Where the Electron binary is missing
// (e.g. a server without a display, or a machine that could not download it) it says so in one line
// and starts browser mode instead. `npm run serve` (--browser) goes straight to browser mode.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureElectronSqlite } from './electron-native.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
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

function electronBinary() {
  try {
    const path = require('electron') // the electron package exports the binary's path
    return typeof path === 'string' && existsSync(path) ? path : null
  } catch {
    return null
  }
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
  run(electron, [root, ...rest])
} else {
  if (electron) {
    console.log('Starting Fuelbook in browser mode instead.')
  } else if (!browserOnly) {
    console.log('Electron binary not available on this machine: starting Fuelbook in browser mode instead.')
  }
  run(process.execPath, [join(root, 'out', 'main', 'cli.js'), 'serve', ...rest])
}
