#!/usr/bin/env node
// Entry of the `fuelbook` command: the CLI is built with the app (npm run build).
const { existsSync } = require('node:fs')
const { join } = require('node:path')
const cli = join(__dirname, '..', 'out', 'main', 'cli.js')
if (!existsSync(cli)) {
  process.stderr.write(
    "fuelbook: the app is not built yet; run 'npm run build' in " + join(__dirname, '..') + '\n'
  )
  process.exit(1)
}
require(cli)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code
  })
