/**
 * `fuelbook run`: runs a notebook's code cells top to bottom from a fresh kernel, through the same
 * service as the app, so every result is stored in the file exactly as a click on "Run all" would
 * store it. Like nbconvert --execute it stops at the first failing cell unless --allow-errors.
 */
import { existsSync } from 'node:fs'
import { extname, resolve } from 'node:path'
import type { NotebookEvent } from '../../shared/api'
import type { CellId, Limits, RunRecord } from '../../shared/notebook'
import { formatFsUse, formatFuel, formatMemory, formatMs, statusLook } from '../../shared/format'
import { composeService } from '../service/compose'
import type { NotebookService } from '../service/notebook-service'
import { EXIT, UsageError, type CliCommand, type CliIO } from './command'
import { commandFailure, defaultImportPath, notebookArgumentProblem, parseCommandLine } from './command-line'
import { importIpynbFile } from './import'
import { missingNotebook } from '../service/notebook-path'
import { EXIT_CODES_HELP, exitCodeFor } from './exec'
import { limitsFromFlags } from './flags'
import { refuseTarget, writeFileAtomic } from './output-file'
import { profileReport } from './profile-table'

/** Sandbox workers of `fuelbook run`: its cells run one after another from one head. */
const RUN_POOL_SIZE = 1

/** "[3] ✓ ok · 2.4 M fuel · 160 pages (10 MiB) · 31 ms", the app's stats line in plain text. */
function runLine(run: RunRecord): string {
  const look = statusLook(run.status)
  const count = run.executionCount === null ? '[–]' : `[${run.executionCount}]`
  const parts = [
    `${count} ${look.icon} ${look.word}`,
    `${formatFuel(run.fuelConsumed)} fuel`,
    formatMemory(run.memoryPages, run.memoryBytes),
    formatMs(run.wallMs),
    formatFsUse(run.fsBytes)
  ]
  return parts.filter((part) => part !== null).join(' · ')
}

/**
 * What went wrong, in one line: the exception, or the reason a run was killed. A MemoryError's
 * message says what the code tried to allocate, which the exception itself does not.
 */
function failureLine(run: RunRecord): string {
  const error = run.outputs.find((o) => o.type === 'error')
  if (error?.type === 'error' && !(run.status === 'out_of_memory' && run.message))
    return `${error.ename}: ${error.evalue}`
  return run.message ?? statusLook(run.status).word
}

/** Each line two spaces in, under its cell's line. */
function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line ? `  ${line}` : line))
    .join('\n')
}

function progressBar(done: number, total: number, width = 24): string {
  const filled = total === 0 ? width : Math.round((done / total) * width)
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total}`
}

/**
 * Queues `cellIds` in one go (the session then stores the kernel's head once, after the last of
 * them; a failure cancels the rest when `stopOnError`) and calls `onEvent` with each event of this
 * notebook until every one of them finished or was cancelled. Subscribed before queuing, so a fast
 * run cannot finish unseen. Resolves with an error message when the cells could not be queued.
 */
async function runQueue(
  service: NotebookService,
  path: string,
  cellIds: CellId[],
  options: { limits: Limits; profile: boolean; stopOnError: boolean },
  onEvent: (e: NotebookEvent) => void
): Promise<string | null> {
  const pending = new Set(cellIds)
  let off = (): void => undefined
  const done = new Promise<void>((resolve) => {
    off = service.onEvent((event) => {
      if (event.path !== path) return
      onEvent(event)
      if (event.type === 'runFinished') pending.delete(event.run.cellId)
      else if (event.type === 'runCancelled') for (const id of event.cellIds) pending.delete(id)
      if (pending.size === 0) resolve()
    })
  })
  try {
    const queued = await service.runCells(path, cellIds, options)
    if (!queued.ok) return queued.error
    if (queued.value.queued.length !== cellIds.length) {
      await service.interrupt(path)
      return `${cellIds.length - queued.value.queued.length} of the cells are no longer in the notebook`
    }
    await done
    return null
  } finally {
    off()
  }
}

class Progress {
  private shown = false
  constructor(private readonly io: CliIO) {}
  /** TTY: one line redrawn in place. */
  draw(text: string): void {
    if (!this.io.isTTY) return
    this.io.stderr(`\r\u001b[2K${text}`)
    this.shown = true
  }
  clear(): void {
    if (this.shown) this.io.stderr('\r\u001b[2K')
    this.shown = false
  }
  /** A line that stays (every cell without a TTY; only failures and the summary with one). */
  line(text: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    this.clear()
    this.io[stream](text + '\n')
  }
}

export const runCommand: CliCommand = {
  name: 'run',
  usage: `fuelbook run NOTEBOOK.fuelbook [--fuel N] [--memory MiB] [--timeout s] [--fs-quota MiB] [--isolated] [--allow-errors] [--profile] [--export FILE]

Restarts the kernel, then runs the code cells in order and stores each result (outputs, status, fuel,
memory, time) in the notebook, as "Run all" in the app does. Stops at the first cell that fails unless
--allow-errors is given. Shows a progress bar on a terminal and one line per cell otherwise.
Given a Jupyter NOTEBOOK.ipynb, it first creates NOTEBOOK.fuelbook from it beside it (as fuelbook
import does; never over an existing file) and runs that; the .ipynb is not changed.

Options:
  --fuel N          fuel budget per cell for this run, e.g. 400M (default: the notebook's setting)
  --memory MiB      memory cap per cell in MiB for this run (default: the notebook's setting)
  --timeout s       time limit per cell in seconds for this run (default: the notebook's setting)
  --fs-quota MiB    size of the sandbox's file system for this run (default: the notebook's setting)
  --isolated        run every cell from a fresh interpreter: no cell sees another's variables
  --allow-errors    keep going after a failing cell (nbconvert's name for it)
  --profile         profile each cell's fuel: print its costliest lines and functions after its
                    line and store the profile with the run (--fuel is then the code's own budget)
  --export FILE     afterwards, export the notebook to FILE (.ipynb → Jupyter notebook, else HTML)
  -h, --help        show this help

The notebook's saved limits are unchanged: --fuel, --memory, --timeout and --fs-quota apply to this run only.

${EXIT_CODES_HELP}
A failing run exits with the code of the first cell that failed.`,
  async run(args, io) {
    const line = parseCommandLine(
      runCommand,
      args,
      io,
      {
        fuel: { type: 'string' },
        memory: { type: 'string' },
        timeout: { type: 'string' },
        'fs-quota': { type: 'string' },
        isolated: { type: 'boolean' },
        'allow-errors': { type: 'boolean' },
        profile: { type: 'boolean' },
        export: { type: 'string' }
      },
      { count: 'one', missing: 'which notebook? give NOTEBOOK.fuelbook', extra: 'run takes one notebook' }
    )
    if (line.helpShown) return EXIT.ok
    const { values, positionals } = line
    // Validate every flag before starting Python.
    limitsFromFlags({ fuel: 1, memoryBytes: 1, timeoutMs: 1, outputBytes: 1, fsBytes: 1 }, values)
    const given = resolve(positionals[0]!)
    const jupyter = extname(given).toLowerCase() === '.ipynb'
    const exportTarget = values.export === undefined ? null : resolve(values.export)
    const fail = commandFailure('run', io)
    const missing = jupyter ? missingNotebook(given) : notebookArgumentProblem(given)
    if (missing) return fail(missing)
    if (exportTarget) {
      if (exportTarget === given)
        throw new UsageError('--export would replace the notebook itself; choose another FILE')
      const refused = refuseTarget(exportTarget, true)
      if (refused) return fail(`cannot export to ${exportTarget}: ${refused}`)
    }
    // A Jupyter notebook runs as the Fuelbook notebook `fuelbook import` makes of it, beside it: the
    // results need a .fuelbook to live in, and the .ipynb stays as it was.
    const path = jupyter ? defaultImportPath(given) : given
    if (jupyter) {
      if (existsSync(path))
        return fail(
          `${path} already exists: run it (fuelbook run ${path}), or make it anew from ${given} with fuelbook import ${given} --force`
        )
      const imported = importIpynbFile(given, path, false)
      if (!imported.ok) return fail(imported.error)
      io.stderr(`Created ${path} from ${given} (${imported.value.cellCount} cells); running it\n`)
    }

    // One worker: the cells run one after another from one head (compose.ts, `poolSize`); and
    // the process exits after them, so V8 tiers the runtime up late (kernel/host.ts, `lateTierUp`).
    const composed = await composeService({
      shell: 'browser',
      appRoot: io.appRoot,
      version: io.version,
      poolSize: RUN_POOL_SIZE,
      lateTierUp: true
    })
    const { service } = composed
    let interrupted = false
    const onInterrupt = (): void => {
      interrupted = true
      void service.interrupt(path)
    }
    process.once('SIGINT', onInterrupt)
    try {
      // Every run starts from a fresh kernel: the saved one is not even read.
      const opened = await service.openNotebook(path, { freshKernel: true })
      if (!opened.ok) return fail(opened.error)
      const doc = opened.value
      if (doc.readOnly)
        return fail(
          `${path} is read-only (open in another Fuelbook window, or not writable); results could not be stored`
        )
      // For these runs only: the notebook's saved settings are never written.
      const limits = limitsFromFlags(doc.settings.limits, values)
      const cells = doc.cells.filter((c) => c.type === 'code')
      const position = new Map(cells.map((cell, i) => [cell.id, i]))
      const progress = new Progress(io)
      const results: RunRecord[] = []
      let label = ''
      const onEvent = (e: NotebookEvent): void => {
        if (e.type === 'runStarted') {
          const i = position.get(e.cellId) ?? 0
          label = `${progressBar(i, cells.length)}  running cell ${i + 1}`
          progress.draw(label)
        } else if (e.type === 'runProgress') {
          progress.draw(`${label} · ${formatFuel(e.fuelConsumed)} fuel · ${formatMs(e.elapsedMs)}`)
        } else if (e.type === 'runFinished') {
          const run = e.run
          results.push(run)
          const line = `cell ${(position.get(run.cellId) ?? 0) + 1}/${cells.length} ${runLine(run)}`
          if (run.status !== 'ok') {
            progress.line(line, 'stdout')
            progress.line(`  ${failureLine(run)}`, 'stderr')
          } else if (!io.isTTY || values.profile) {
            progress.line(line)
          }
          // Asked for with --profile, or by the cell itself (`%%fuelprof`).
          if (values.profile || run.profile !== null) progress.line(indent(profileReport(run.profile)))
        }
      }
      const options = { limits, profile: values.profile === true, stopOnError: !values['allow-errors'] }
      // --isolated: one cell at a time, each from a fresh kernel; else all of them in one queue.
      const batches = values.isolated ? cells.map((cell) => [cell.id]) : [cells.map((cell) => cell.id)]
      for (const [i, batch] of batches.entries()) {
        if (interrupted || (options.stopOnError && results.some((r) => r.status !== 'ok'))) break
        if (i > 0) await service.restartKernel(path)
        const problem = await runQueue(service, path, batch, options, onEvent)
        if (problem !== null) return fail(problem)
      }
      progress.clear()

      const failed = results.filter((r) => r.status !== 'ok')
      const notRun = cells.length - results.length
      const fuel = results.reduce((sum, r) => sum + r.fuelConsumed, 0)
      const wall = results.reduce((sum, r) => sum + r.wallMs, 0)
      io.stdout(
        `${results.length} of ${cells.length} cells run: ${results.length - failed.length} ok, ${failed.length} failed · ${formatFuel(fuel)} fuel · ${formatMs(wall)}\n`
      )
      if (interrupted) io.stderr('Interrupted; the results so far are stored.\n')
      else if (notRun > 0 && failed.length > 0) {
        io.stderr(
          `Stopped at the first failing cell; ${notRun} cell${notRun === 1 ? '' : 's'} not run. Use --allow-errors to run every cell.\n`
        )
      }

      if (exportTarget) {
        const format = extname(exportTarget).toLowerCase() === '.ipynb' ? 'ipynb' : 'html'
        const exported = await service.exportNotebook(path, format, {})
        if (!exported.ok) return fail(`export failed: ${exported.error}`)
        writeFileAtomic(exportTarget, exported.value.content)
        io.stderr(`Wrote ${exportTarget}\n`)
      }
      if (interrupted) return EXIT.failed
      return failed.length ? exitCodeFor(failed[0]!.status) : EXIT.ok
    } finally {
      process.removeListener('SIGINT', onInterrupt)
      await composed.close()
    }
  }
}
