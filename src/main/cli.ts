/**
 * `fuelbook` command line: one small module per command under ./cli/. This file only dispatches,
 * prints help and maps errors to exit codes.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { EXIT, UsageError, type CliCommand, type CliIO } from './cli/command'
import { pipeWriter } from './cli/pipe-writer'
import { errorMessage } from '../shared/result'

/**
 * The commands, each loaded only when named: `fuelbook exec` then never loads the notebook
 * service, SQLite or the web server, which would cost a short run most of its start-up time
 * (src/main/kernel/README.md, "Cold start").
 */
interface CommandEntry {
  name: string
  summary: string
  load(): Promise<CliCommand>
}

const COMMANDS: CommandEntry[] = [
  {
    name: 'serve',
    summary: 'Serve the notebook UI to your browser on 127.0.0.1 (browser mode)',
    load: async () => {
      const [{ serveCommand }, { startBrowserServer }, { startOutputFrameServer }] = await Promise.all([
        import('./cli/serve'),
        import('./server/browser-server'),
        import('./server/output-frame-server')
      ])
      return serveCommand({ startBrowserServer, startOutputFrameServer })
    }
  },
  {
    name: 'exec',
    summary: 'Run Python code once in a fresh sandbox and print its output and cost',
    load: async () => (await import('./cli/exec')).execCommand
  },
  {
    name: 'run',
    summary: 'Run every code cell of a notebook and store the results in it',
    load: async () => (await import('./cli/run')).runCommand
  },
  {
    name: 'export',
    summary: 'Export a notebook as a self-contained HTML report or as .ipynb',
    load: async () => (await import('./cli/export')).exportCommand
  },
  {
    name: 'import',
    summary: 'Create a .fuelbook notebook from a Jupyter .ipynb file',
    load: async () => (await import('./cli/import')).importCommand
  },
  {
    name: 'packages',
    summary: 'List the Python packages a notebook carries, or add and remove them',
    load: async () => (await import('./cli/packages')).packagesCommand
  }
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
  const entry = COMMANDS.find((c) => c.name === name)
  if (!entry) {
    io.stderr(`fuelbook: unknown command '${name}'\n\n${usage()}\n`)
    return EXIT.usage
  }
  const command = await entry.load()
  try {
    return await command.run(rest, io)
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(
        `fuelbook ${command.name}: ${(error as Error).message}\nRun 'fuelbook ${command.name} --help' for usage.\n`
      )
      return EXIT.usage
    }
    io.stderr(`fuelbook ${command.name}: ${errorMessage(error)}\n`)
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
      process.stderr.write(`fuelbook: ${errorMessage(error)}\n`)
      process.exitCode = EXIT.failed
    }
  )
}
