/**
 * What every `fuelbook <command>` module exports. Commands write results to stdout, messages to
 * stderr, and return an exit code (documented in the README); they never call process.exit themselves.
 */
export interface CliIO {
  stdout: (text: string) => void
  stderr: (text: string) => void
  isTTY: boolean
  /** The application folder (resources/python, out/renderer). */
  appRoot: string
  version: string
}

export interface CliCommand {
  name: string
  usage: string
  run(args: string[], io: CliIO): Promise<number>
}

/** Exit codes shared by all commands. Run statuses map onto 3–8 so scripts can tell them apart. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  error: 3,
  outOfFuel: 4,
  outOfMemory: 5,
  timeout: 6,
  crashed: 7,
  exit: 8
} as const

/** Parses flags with node:util parseArgs, turning its exceptions into a one-line usage error. */
export class UsageError extends Error {}
