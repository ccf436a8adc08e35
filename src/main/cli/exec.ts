/**
 * `fuelbook exec`: `run_python_code` from a shell. One isolated run from the pristine
 * interpreter (no notebook, no saved state), then its facts: memory size in 64 KiB pages,
 * data length in bytes, fuel consumed. The exit code says how the run ended.
 */
import { readFileSync } from 'node:fs'
import type { Output, RunStatus } from '../../shared/notebook'
import { truncationText } from '../../shared/output-model'
import { DEFAULT_LIMITS } from '../../shared/limits'
import { createKernelHost, runPython, type RunPythonResult } from '../library'
import { cacheDirOf } from '../service/cache-dir'
import { EXIT, UsageError, type CliCommand, type CliIO } from './command'
import { commandFailure, parseCommandLine } from './command-line'
import { limitsFromFlags } from './flags'
import { profileReport } from './profile-table'

/** Exit code per run status (EXIT in command.ts; documented in `--help`). */
export function exitCodeFor(status: RunStatus): number {
  switch (status) {
    case 'ok':
      return EXIT.ok
    case 'error':
      return EXIT.error
    case 'out_of_fuel':
      return EXIT.outOfFuel
    case 'out_of_memory':
      return EXIT.outOfMemory
    case 'timeout':
      return EXIT.timeout
    case 'crashed':
      return EXIT.crashed
    case 'exit':
      return EXIT.exit
    case 'interrupted':
      return EXIT.failed
  }
}

export const EXIT_CODES_HELP = `Exit codes:
  0  ok                                   5  out of memory
  1  interrupted, or a file problem       6  timeout
  2  bad command line                     7  crashed
  3  the code raised an exception         8  the code called sys.exit()
  4  out of fuel`

// eslint-disable-next-line no-control-regex
const ANSI_RE = /\u001b\[[0-9;?]*[ -/]*[@-~]/g

/** Outputs as a terminal shows them: streams as they are, rich results as their text/plain. */
function writeOutputs(outputs: readonly Output[], io: CliIO): void {
  const plain = (text: string): string => (io.isTTY ? text : text.replace(ANSI_RE, ''))
  const line = (text: string): string => (text.endsWith('\n') ? text : text + '\n')
  for (const o of outputs) {
    if (o.type === 'stream') (o.name === 'stderr' ? io.stderr : io.stdout)(o.text)
    else if (o.type === 'error')
      io.stderr(line(plain(o.traceback.length ? o.traceback.join('\n') : `${o.ename}: ${o.evalue}`)))
    else if (o.type === 'truncated') io.stderr(`[${truncationText(o)}]\n`)
    else {
      const text = o.data['text/plain']
      const types = Object.keys(o.data).filter((m) => m !== 'text/plain')
      if (typeof text === 'string' || Array.isArray(text))
        io.stdout(line(Array.isArray(text) ? text.join('') : text))
      else if (types.length) io.stdout(`[${types.join(', ')} output]\n`)
    }
  }
}

function runFacts(result: RunPythonResult): string {
  return [
    `status: ${result.status}${result.message ? ` (${result.message})` : ''}`,
    `mem size pages: ${result.memoryPages} (64 KiB each)`,
    `data length: ${result.memoryBytes} bytes`,
    `fuel consumed: ${result.fuelConsumed}`
  ].join('\n')
}

function readCode(code: string | undefined, positionals: string[]): string {
  if (code !== undefined && positionals.length > 0)
    throw new UsageError('give either -c CODE or a FILE, not both')
  if (positionals.length > 1) throw new UsageError(`exec takes one FILE (got ${positionals.length})`)
  if (code !== undefined) return code
  const file = positionals[0]
  if (file === undefined)
    throw new UsageError('nothing to run: give -c CODE or a FILE (- for standard input)')
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8')
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message
    throw new ExecFileError(`cannot read ${file}: ${reason}`)
  }
}

class ExecFileError extends Error {}

export const execCommand: CliCommand = {
  name: 'exec',
  usage: `fuelbook exec -c CODE | FILE [--fuel N] [--memory MiB] [--timeout s] [--fs-quota MiB] [--profile] [--json]

Runs the code in a fresh, isolated Python (no notebook, nothing saved), prints its output, then
the run's status, memory size in 64 KiB pages, data length in bytes and fuel consumed.
FILE may be - for standard input.

Options:
  -c, --code CODE   the code to run
  --fuel N          fuel budget (executed wasm instructions), e.g. 400000000 or 400M (default 400M)
  --memory MiB      memory cap in MiB (default 512)
  --timeout s       wall-clock limit in seconds (default 30)
  --fs-quota MiB    size of the sandbox's in-memory file system; writes past it fail with ENOSPC
                    (default 256)
  --profile         profile the run's fuel: print the costliest lines and functions after the
                    facts (--fuel is then the code's own budget, the profiler's fuel on top)
  --json            print the result as one JSON object instead (status, stdout, stderr, outputs,
                    fuelConsumed, memoryPages, memoryBytes, …, profile)
  -h, --help        show this help

${EXIT_CODES_HELP}`,
  async run(args, io) {
    const line = parseCommandLine(
      execCommand,
      args,
      io,
      {
        code: { type: 'string', short: 'c' },
        fuel: { type: 'string' },
        memory: { type: 'string' },
        timeout: { type: 'string' },
        'fs-quota': { type: 'string' },
        json: { type: 'boolean' },
        profile: { type: 'boolean' }
      },
      // -c CODE or one FILE: readCode checks them together.
      { count: 'any' }
    )
    if (line.helpShown) return EXIT.ok
    const { values, positionals } = line
    const limits = limitsFromFlags(DEFAULT_LIMITS, values)
    let code: string
    try {
      code = readCode(values.code, positionals)
    } catch (error) {
      if (error instanceof ExecFileError) return commandFailure('exec', io)(error.message)
      throw error
    }
    const host = await createKernelHost({
      appRoot: io.appRoot,
      cacheDir: cacheDirOf(),
      warmUp: false,
      oneRun: true,
      inThread: true
    })
    const interrupted = new AbortController()
    const interrupt = (): void => interrupted.abort()
    process.once('SIGINT', interrupt)
    let result: RunPythonResult
    try {
      result = await runPython(code, {
        host,
        signal: interrupted.signal,
        fuel: limits.fuel,
        memoryLimitBytes: limits.memoryBytes,
        timeoutMs: limits.timeoutMs,
        outputBytes: limits.outputBytes,
        fsQuotaBytes: limits.fsBytes,
        profile: values.profile === true
      })
    } finally {
      process.removeListener('SIGINT', interrupt)
      await host.close()
    }
    if (values.json) {
      io.stdout(JSON.stringify(result) + '\n')
    } else {
      writeOutputs(result.outputs, io)
      io.stdout('\n' + runFacts(result) + '\n')
      if (values.profile) io.stdout('\n' + profileReport(result.profile) + '\n')
    }
    return exitCodeFor(result.status)
  }
}
