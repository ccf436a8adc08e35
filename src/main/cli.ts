/**
 * `fuelbook` command line: one small module per command under ./cli/. This file only dispatches,
 * prints help and maps errors to exit codes.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { EXIT, UsageError, type CliCommand, type CliIO } from './cli/command'
import { execCommand } from './cli/exec'
import { exportCommand } from './cli/export'
import { importCommand } from './cli/import'
import { packagesCommand } from './cli/packages'
import { pipeWriter } from './cli/pipe-writer'
import { runCommand } from './cli/run'
import { serveCommand } from './cli/serve'
import { startBrowserServer } from './server/browser-server'
import { startOutputFrameServer } from './server/output-frame-server'

const COMMANDS: CliCommand[] = [
  serveCommand({ startBrowserServer, startOutputFrameServer }),
  execCommand,
  runCommand,
  exportCommand,
  importCommand,
  packagesCommand
]

function appRoot(): string {
  // Built to out/main/cli.js; the app root is two levels up.
  return resolve(__dirname, '..', '..')
}

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  return [
    'Usage: fuelbook <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'fuelbook <command> --help' for a command's options."
  ].join('\n')
}

/** The real terminal: process streams, the app folder and the package's version. */
function processIO(): CliIO {
  const root = appRoot()
  let version = '0.0.0'
  try {
    version = (JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string }).version
  } catch {
    // Version is cosmetic; a missing package.json must not stop the CLI.
  }
  return {
    stdout: pipeWriter(process.stdout),
    stderr: pipeWriter(process.stderr),
    isTTY: Boolean(process.stdout.isTTY),
    appRoot: root,
    version
  }
}

/** Runs one command line and returns its exit code; tests pass their own `io` to capture output. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const version = io.version
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage() + '\n')
    return name ? EXIT.ok : EXIT.usage
  }
  if (name === '--version' || name === '-V') {
    io.stdout(version + '\n')
    return EXIT.ok
  }
  const command = COMMANDS.find((c) => c.name === name)
  if (!command) {
    io.stderr(`fuelbook: unknown command '${name}'\n\n${usage()}\n`)
    return EXIT.usage
  }
  try {
    return await command.run(rest, io)
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(
        `fuelbook ${command.name}: ${(error as Error).message}\nRun 'fuelbook ${command.name} --help' for usage.\n`
      )
      return EXIT.usage
    }
    io.stderr(`fuelbook ${command.name}: ${error instanceof Error ? error.message : String(error)}\n`)
    return EXIT.failed
  }
}

// Only when run as `node out/main/cli.js`; `require` is not defined when tests import the source.
if (typeof require !== 'undefined' && require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code
    },
    (error: unknown) => {
      process.stderr.write(`fuelbook: ${error instanceof Error ? error.message : String(error)}\n`)
      process.exitCode = EXIT.failed
    }
  )
}
