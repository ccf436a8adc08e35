/**
 * The prologue every `fuelbook <command>` shares: its flags parsed with node:util parseArgs (whose
 * errors cli.ts turns into usage errors), `-h`/`--help` printing the command's usage, and the count
 * of positional arguments checked with the command's own words for too few or too many.
 */
import { basename, dirname, extname, join, resolve } from 'node:path'
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util'
import { missingNotebook } from '../service/notebook-path'
import { EXIT, UsageError, type CliCommand, type CliIO } from './command'

/** How many positional arguments a command takes, and what it says when the count is wrong. */
export type PositionalRule =
  /** Exactly one (the notebook, the .ipynb). */
  | { count: 'one'; missing: string; extra: string }
  /** None or one (`serve [NOTEBOOK]`). */
  | { count: 'at most one'; extra: string }
  /** The command checks them itself (`exec`: -c CODE or a FILE). */
  | { count: 'any' }

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const

type ParsedFlags<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; allowPositionals: true; options: O & typeof HELP_OPTION }>
>['values']

export type CommandLine<O extends ParseArgsOptionsConfig> =
  { helpShown: true } | { helpShown: false; values: ParsedFlags<O>; positionals: string[] }

/**
 * Parses `args` for `command`. `--help` prints the usage and parses no further (the command then
 * returns EXIT.ok); a wrong count of positionals throws the rule's UsageError.
 */
export function parseCommandLine<const O extends ParseArgsOptionsConfig>(
  command: Pick<CliCommand, 'usage'>,
  args: string[],
  io: CliIO,
  options: O,
  rule: PositionalRule
): CommandLine<O> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...options, ...HELP_OPTION }
  })
  // parseArgs cannot name the flags of a generic option table: the help flag is read by hand.
  if ((values as { help?: boolean }).help) {
    io.stdout(command.usage + '\n')
    return { helpShown: true }
  }
  if (rule.count === 'one' && positionals.length !== 1)
    throw new UsageError(positionals.length ? rule.extra : rule.missing)
  if (rule.count === 'at most one' && positionals.length > 1) throw new UsageError(rule.extra)
  return { helpShown: false, values: values as ParsedFlags<O>, positionals }
}

/** A refusal the command reports itself: `fuelbook <name>: message` on stderr, exit code 1. */
export function commandFailure(name: string, io: CliIO): (message: string) => number {
  return (message) => {
    io.stderr(`fuelbook ${name}: ${message}\n`)
    return EXIT.failed
  }
}

/** analysis.ipynb → analysis.fuelbook beside it: where `fuelbook import` (and `run` of an .ipynb) writes. */
export function defaultImportPath(ipynb: string): string {
  const abs = resolve(ipynb)
  return join(dirname(abs), `${basename(abs, extname(abs))}.fuelbook`)
}

/**
 * Why `path` cannot be the notebook a command works on, or null: it is missing, a folder, or a
 * Jupyter notebook (which the store would only call "not an SQLite database"; the CLI says which
 * command makes a notebook of it).
 */
export function notebookArgumentProblem(path: string): string | null {
  const missing = missingNotebook(path)
  if (missing) return missing
  if (extname(path).toLowerCase() !== '.ipynb') return null
  const notebook = defaultImportPath(path)
  return `${path} is a Jupyter notebook; make a Fuelbook notebook of it first: fuelbook import ${path} (writes ${notebook}), then give ${notebook}`
}
