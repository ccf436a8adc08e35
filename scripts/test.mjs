#!/usr/bin/env node
// `npm test`: everything, in one command, with its own set-up: Chromium for the e2e tests, a fresh
// build, vitest (unit, integration, reliability), then WebdriverIO against browser mode.
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureChromium } from './ensure-chromium.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const e2eOnly = process.argv.includes('--e2e-only')
const bin = (name) => join(root, 'node_modules', '.bin', name)

function step(title, command, args) {
  console.log(`\n── ${title} ──`)
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env })
  if (result.status !== 0) {
    console.error(`\nfuelbook tests: '${title}' failed.`)
    process.exit(result.status ?? 1)
  }
}

if (!ensureChromium()) process.exit(1)
// npm run build: the app bundles and the library's type declarations (the package test needs both).
step('build', process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'])
if (!e2eOnly) step('unit + integration (vitest)', bin('vitest'), ['run'])
step('end to end (WebdriverIO, browser mode, Chromium)', bin('wdio'), ['run', 'wdio.conf.mts'])
