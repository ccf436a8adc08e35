/**
 * One open notebook: its store, its kernel and its run queue. Runs are executed one at a time in queue
 * order; each result is committed (with the new head when the head moved) in one store transaction,
 * then announced. A killed run is just a status: the kernel already kept its head.
 *
 * While more runs wait in the queue (Run all, `fuelbook run`), a run's new head is not stored with
 * it: the next run would replace it at once, and storing a head (compressing the pages the run
 * changed, ~30 for a trivial cell, and writing them) was most of what a queued cell cost beyond
 * its own run. The head is stored with the last run of the queue, or once the queue is done (after
 * a failure, an interrupt, a stop on error), so the file never holds a head from a run it has no
 * record of; after a crash in between it holds an earlier head, named by its cell.
 */
import type { BudgetProfile, NotebookEvent } from '../../shared/api'
import {
  runCostOf,
  type Cell,
  type CellId,
  type KernelInfo,
  type Limits,
  type NotebookDocument,
  type Output,
  type RunRecord
} from '../../shared/notebook'
import type { Kernel } from '../kernel/types'
import { extractPipCommands } from '../packages'
import type { NotebookStore } from '../store'
import { notebookDocument } from './notebook-document'
import type { NotebookPackages } from './notebook-packages'
import { errorMessage } from '../../shared/result'

/**
 * A queued run: the cell, limits for this run only over the notebook's saved ones, whether to
 * profile it, and whether a failure cancels the runs queued after it.
 */
interface QueuedRun {
  cellId: CellId
  limits: Partial<Limits>
  profile: boolean
  stopOnError: boolean
}

/** Which run's state the kernel's head is: a cell and its `[n]`, or none (the pristine state). */
interface HeadMark {
  cellId: CellId | null
  executionCount: number | null
}

export class NotebookSession {
  private queue: QueuedRun[] = []
  private running: CellId | null = null
  /** A profile-with-a-budget run is in the kernel (interrupt stops it like a queued run). */
  private profiling = false
  private pumping = false
  /** Fuel of the runs since the kernel was last restarted; the store keeps the same sum in the file. */
  private sessionFuel: number
  private head: HeadMark
  /** The head the file holds; differs from `head` while a queued run's head waits to be stored. */
  private savedHead: HeadMark
  private nextExecutionCount: number
  private notice: string | null = null
  private lock: Promise<void> = Promise.resolve()
  /** The running cell waits for its wheels' bytecode (ensureBytecode), and whether it was interrupted meanwhile. */
  private compiling: 'compiling' | 'interrupted' | null = null

  constructor(
    readonly store: NotebookStore,
    readonly kernel: Kernel,
    readonly packages: NotebookPackages,
    private readonly emit: (event: NotebookEvent) => void,
    /** Null when the saved head was restored (or there was none); else why it was dropped. */
    headDropped: string | null
  ) {
    const loaded = store.load()
    this.head = headDropped
      ? { cellId: null, executionCount: null }
      : { cellId: loaded.head.cellId, executionCount: loaded.head.executionCount }
    this.savedHead = this.head
    this.nextExecutionCount = loaded.head.nextExecutionCount
    this.sessionFuel = store.sessionFuel()
    this.notice = headDropped
    packages.mount()
  }

  /**
   * Runs `fn` between queued runs (a package install from the sidebar must not change the mounted
   * wheels under a running cell).
   */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.lock
    let release = (): void => undefined
    this.lock = new Promise<void>((r) => (release = r))
    await previous
    try {
      return await fn()
    } finally {
      release()
    }
  }

  get path(): string {
    return this.store.path
  }

  get busy(): boolean {
    return this.running !== null || this.profiling || this.queue.length > 0
  }

  kernelInfo(): KernelInfo {
    return {
      headCellId: this.head.cellId,
      headExecutionCount: this.head.executionCount,
      nextExecutionCount: this.nextExecutionCount,
      memoryBytes: this.kernel.headMemoryBytes,
      sessionFuel: this.sessionFuel,
      notice: this.notice
    }
  }

  document(extraNotices: string[] = []): NotebookDocument {
    return notebookDocument(this.store, this.store.load(), this.kernelInfo(), {
      readOnly: this.store.readOnly,
      extraNotices
    })
  }

  enqueue(
    cellIds: CellId[],
    { limits = {}, profile = false, stopOnError = false }: Partial<Omit<QueuedRun, 'cellId'>> = {}
  ): CellId[] {
    const known = new Set(this.store.listCells().map((c) => c.id))
    const accepted = cellIds.filter((id) => known.has(id))
    if (accepted.length === 0) return []
    this.queue.push(...accepted.map((cellId) => ({ cellId, limits, profile, stopOnError })))
    this.emit({ type: 'runQueued', path: this.path, cellIds: accepted })
    void this.pump()
    return accepted
  }

  /** Empties the queue and kills the running cell. */
  interrupt(): void {
    this.cancelQueue()
    if (this.compiling !== null) this.compiling = 'interrupted'
    if (this.running !== null || this.profiling) this.kernel.interrupt()
  }

  /** Empties the queue; `after`: the failed run that stopped it (stopOnError). */
  private cancelQueue(after: RunRecord | null = null): void {
    const cancelled = this.queue.splice(0).map((queued) => queued.cellId)
    if (cancelled.length > 0)
      this.emit({
        type: 'runCancelled',
        path: this.path,
        cellIds: cancelled,
        after: after && { executionCount: after.executionCount, status: after.status }
      })
  }

  /**
   * The cell profiled with a fuel budget of `fuel`, between queued runs, from the head as it is then:
   * the kernel throws the state away (`keepHead`), nothing is stored and no run event is sent, so
   * the cell's last run, the head and "fuel this session" stay as they were (like completion runs).
   */
  async profileWithBudget(cell: Cell, fuel: number): Promise<BudgetProfile> {
    return this.exclusive(async () => {
      const settings = this.store.getSettings()
      this.profiling = true
      try {
        // `%pip` lines are blanked (the wheels are installed already), so line numbers stay the cell's.
        const code = withoutProfileMagic(extractPipCommands(cell.source).code)
        const result = await this.kernel.run(code, {
          limits: { ...settings.limits, fuel },
          isolated: cell.isolated,
          keepHead: true,
          deterministic: settings.deterministic,
          profile: true
        })
        return {
          cellId: cell.id,
          source: cell.source,
          status: result.status,
          message: result.message,
          fuelConsumed: result.fuelConsumed,
          fuelBudget: result.fuelBudget,
          wallMs: result.wallMs,
          profile: result.profile
        }
      } finally {
        this.profiling = false
      }
    })
  }

  /** head := S0 and, as in Jupyter, `[n]` starts again at 1. */
  restart(): KernelInfo {
    this.interrupt()
    this.kernel.restart()
    this.head = { cellId: null, executionCount: null }
    this.savedHead = this.head
    this.nextExecutionCount = 1
    this.sessionFuel = 0
    if (!this.store.readOnly) this.store.restartKernel()
    this.notice = null
    const info = this.kernelInfo()
    this.emit({ type: 'kernelChanged', path: this.path, kernel: info })
    return info
  }

  /** Waits for the running cell to end after an interrupt (used by close). */
  async idle(): Promise<void> {
    while (this.pumping) await new Promise((r) => setTimeout(r, 10))
  }

  private async pump(): Promise<void> {
    if (this.pumping) return
    this.pumping = true
    try {
      for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
        const { cellId } = next
        try {
          await this.exclusive(() => this.runOne(next))
        } catch (error) {
          // The result could not be saved (the cell was deleted while it ran, the disk is full…):
          // end the run for the UI, say why, and go on with the queue.
          this.notice = errorMessage(error)
          this.emit({ type: 'runCancelled', path: this.path, cellIds: [cellId], after: null })
          this.emit({ type: 'kernelChanged', path: this.path, kernel: this.kernelInfo() })
        }
      }
      // Normally stored by the queue's last run already (runOne); this covers a last queued cell
      // that was deleted before it ran.
      if (this.head !== this.savedHead) await this.exclusive(() => this.storeWaitingHead())
    } finally {
      this.pumping = false
    }
  }

  /** Stores the head a queued run left unstored; if that fails, the kernel goes back to the saved one. */
  private async storeWaitingHead(): Promise<void> {
    if (this.head === this.savedHead) return
    try {
      const snapshot = await this.kernel.exportHead(this.store.storedHeadHashes())
      this.store.saveHead(snapshot && { snapshot, ...this.head })
      this.kernel.acceptHead()
      this.savedHead = this.head
    } catch (error) {
      this.kernel.revertToStoredHead()
      this.head = this.savedHead
      const reason = errorMessage(error)
      this.notice = `The kernel state could not be saved (${reason}); the kernel is back to its last saved state, so what the last cells did is not kept. Their results are saved.`
      this.emit({ type: 'kernelChanged', path: this.path, kernel: this.kernelInfo() })
    }
  }

  private async runOne({ cellId, limits, profile, stopOnError }: QueuedRun): Promise<void> {
    const cell = this.store.getCell(cellId)
    if (!cell || cell.type !== 'code') return
    const settings = this.store.getSettings()
    this.running = cellId
    const startedAt = Date.now()
    const runLimits = { ...settings.limits, ...limits }
    // The budget the live fuel bar measures against (a "Run with 10× fuel" run's, not the notebook's).
    this.emit({ type: 'runStarted', path: this.path, cellId, startedAt, fuelBudget: runLimits.fuel })
    const executionCount = cell.isolated ? null : this.nextExecutionCount++
    try {
      // `%pip` lines run here, in the host, before the rest of the cell (src/main/packages/README.md).
      const pip = extractPipCommands(cell.source)
      let before: Output[] = []
      if (pip.commands.length > 0) {
        const installed = await this.packages.runCommands(pip.commands)
        before = installed.outputs
        this.emit({ type: 'runOutput', path: this.path, cellId, outputs: before, replace: false })
        if (!installed.ok) {
          const run = this.commitRefusal(cell, executionCount, startedAt, before, settings.limits.fuel)
          await this.endOfRun(run, stopOnError)
          return
        }
      }
      // A `%%fuelprof` cell is a profiled run too: only then does the meter's budget leave room for
      // the profiler's own fuel (tens of times the code's), so the cell has the budget it would have
      // unprofiled (runtime/README.md, "Fuel profile").
      const profiled = profile === true || hasProfileMagic(pip.code)
      // Wheels stored without a bytecode cache for this runtime get one before they are imported
      // (awaited only then: the run goes to the kernel in this very turn otherwise).
      if (this.packages.lacksBytecode()) {
        this.compiling = 'compiling'
        let interrupted = false
        try {
          await this.packages.ensureBytecode()
        } finally {
          interrupted = this.interruptedWhileCompiling()
          this.compiling = null
        }
        if (interrupted) {
          // Stopped while it waited: the cell never ran (the caches made are kept).
          const run = this.commitRefusal(cell, executionCount, startedAt, before, runLimits.fuel, {
            status: 'interrupted',
            message:
              "interrupted while its packages' bytecode was compiled, before it ran; the kernel state is as before this run"
          })
          await this.endOfRun(run, stopOnError)
          return
        }
      }
      const result = await this.kernel.run(profiled ? withoutProfileMagic(pip.code) : pip.code, {
        executionCount,
        limits: runLimits,
        isolated: cell.isolated,
        deterministic: settings.deterministic,
        profile: profiled,
        onOutput: (outputs, replace) =>
          this.emit({ type: 'runOutput', path: this.path, cellId, outputs, replace }),
        onProgress: (p) => this.emit({ type: 'runProgress', path: this.path, cellId, ...p })
      })
      this.sessionFuel += result.fuelConsumed
      const run: Omit<RunRecord, 'id'> = {
        cellId,
        executionCount,
        source: cell.source,
        startedAt,
        finishedAt: Date.now(),
        status: result.status,
        exitCode: result.exitCode,
        message: result.message,
        isolated: cell.isolated,
        outputs: [...before, ...result.outputs],
        ...runCostOf(result),
        fsBytes: result.fsBytes,
        // A profiled run's, or a `%%fuelprof` cell's.
        profile: result.profile
      }
      const headBefore = this.head
      // A run waits behind this one: it stores the head (see the header comment).
      const storeHead = this.queue.length === 0 || this.store.readOnly
      let stored: RunRecord
      try {
        let headUpdate = null
        /** The run left the pristine state (nothing differs from S0): the file holds no head. */
        let pristine = false
        if (result.headAdvanced) {
          this.head = { cellId, executionCount }
          if (storeHead && !this.store.readOnly) {
            const snapshot = await this.kernel.exportHead(this.store.storedHeadHashes())
            if (snapshot) headUpdate = { snapshot, cellId, executionCount }
            else pristine = true
          }
        }
        stored = this.store.readOnly ? { ...run, id: 0 } : this.store.commitRun(run, headUpdate)
        if (pristine) this.store.saveHead(null)
        if (result.headAdvanced && storeHead) {
          // The kernel's head is what the file holds: only now may later runs build on it.
          this.kernel.acceptHead()
          this.savedHead = this.head
        }
        if (result.headAdvanced) this.notice = null
        if (result.brokeInterpreter) this.notice = brokenInterpreterNotice(executionCount, headBefore)
      } catch (error) {
        // Not saved (disk full, the cell deleted meanwhile…): back to the head the file holds, so the
        // next saved head never carries variables from a run that was never recorded.
        this.kernel.revertToStoredHead()
        this.head = this.savedHead
        const reason = errorMessage(error)
        const notice = `This run's result could not be saved (${reason}); the kernel is back to its last saved state, so what this cell did is not kept. Later runs work once the cause is fixed.`
        this.notice = notice
        stored = { ...run, id: 0 }
      }
      await this.endOfRun(stored, stopOnError)
    } finally {
      this.running = null
    }
  }

  /**
   * Announces a stored run. Before that, a failure cancels the rest of a stop-on-error queue, and
   * a run that ends the queue without storing a head (it failed, was stopped, or only its record
   * was kept) stores the head the runs before it left: when its runFinished arrives, the file is
   * complete.
   */
  private async endOfRun(run: RunRecord, stopOnError: boolean): Promise<void> {
    if (stopOnError && run.status !== 'ok') this.cancelQueue(run)
    if (this.queue.length === 0) await this.storeWaitingHead()
    this.emit({ type: 'runFinished', path: this.path, run, kernel: this.kernelInfo() })
  }

  /** Read apart from runOne: TypeScript would take `compiling` as still the value runOne set before its await. */
  private interruptedWhileCompiling(): boolean {
    return this.compiling === 'interrupted'
  }

  /**
   * A cell whose `%pip` line was refused (an error run), or that was interrupted before it ran: a run
   * that never reached the kernel (no fuel, head kept).
   */
  private commitRefusal(
    cell: Cell,
    executionCount: number | null,
    startedAt: number,
    outputs: Output[],
    fuelBudget: number,
    ending: Pick<RunRecord, 'status' | 'message'> = { status: 'error', message: null }
  ): RunRecord {
    const pages = Math.ceil(this.kernel.headMemoryBytes / 65536)
    const run: Omit<RunRecord, 'id'> = {
      cellId: cell.id,
      executionCount,
      source: cell.source,
      startedAt,
      finishedAt: Date.now(),
      ...ending,
      exitCode: null,
      isolated: cell.isolated,
      outputs,
      fuelConsumed: 0,
      fuelBudget,
      memoryPages: pages,
      memoryBytes: this.kernel.headMemoryBytes,
      peakMemoryBytes: this.kernel.headMemoryBytes,
      wallMs: Date.now() - startedAt,
      profile: null
    }
    return this.store.readOnly ? { ...run, id: 0 } : this.store.commitRun(run, null)
  }
}

/**
 * A `%%fuelprof` cell profiles its own body; run under the service's profiler its magic line is
 * blanked (line numbers stay the cell's), so one profiler measures the body instead of a second one
 * measuring the first (IPython skips blank lines before a cell magic, so they count as none).
 */
function withoutProfileMagic(code: string): string {
  const lines = code.split('\n')
  const first = profileMagicLine(lines)
  if (first === -1) return code
  lines[first] = ''
  return lines.join('\n')
}

function hasProfileMagic(code: string): boolean {
  return profileMagicLine(code.split('\n')) !== -1
}

/** The index of the `%%fuelprof` line opening the cell, or -1. */
function profileMagicLine(lines: string[]): number {
  const first = lines.findIndex((line) => line.trim() !== '')
  return first !== -1 && /^%%fuelprof(\s|$)/.test(lines[first]!) ? first : -1
}

/** What the notebook says after a cell broke the interpreter (its run's message says the same). */
function brokenInterpreterNotice(
  executionCount: number | null,
  kept: { executionCount: number | null }
): string {
  const cell = executionCount === null ? 'A cell' : `Cell [${executionCount}]`
  const from = kept.executionCount === null ? 'a fresh kernel' : `the state after [${kept.executionCount}]`
  return `${cell} broke the Python interpreter, so what it did was not kept: the kernel went back to ${from}, and later cells run normally.`
}
