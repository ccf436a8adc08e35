/**
 * One open notebook: cells, selection and mode, the kernel line, save state, and the event feed
 * from the service. Components read fields and call methods; they never talk to the API directly.
 */
import type {
  Completion,
  Inspection,
  NotebookClient,
  NotebookEvent,
  Result,
  RunCellsOptions,
  RunSummary,
  Variable
} from '../../../../shared/api'
import {
  isKilledStatus,
  type CellId,
  type CellType,
  type KernelInfo,
  type NotebookDocument,
  type NotebookSettings,
  type Output,
  type RunRecord
} from '../../../../shared/notebook'
import { stoppedQueueLine } from '../../../../shared/format'
import { moreFuel } from '../../../../shared/limits'
import type { Mode } from '../actions'
import { clampIndex, selectionRange } from '../cell-ops'
import { anchorNamesHeading, markdownHeadings } from '../../../../shared/markdown'
import { cellsWhereMemoryChanged } from '../memory-changes'
import { clip, type ClipCell } from './cell-editing'
import { CellState } from './cell.svelte'
import { PackagesState } from './packages.svelte'
import { SaveTracker, type SaveState } from './save-tracker.svelte'

const EDIT_DEBOUNCE_MS = 300

export class NotebookState {
  path = $state('')
  title = $state('')
  untitled = $state(false)
  readOnly = $state(false)
  settings = $state.raw<NotebookSettings>({
    limits: { fuel: 0, memoryBytes: 0, timeoutMs: 0, outputBytes: 0, fsBytes: 0 },
    deterministic: false
  })
  kernel = $state.raw<KernelInfo>({
    headCellId: null,
    headExecutionCount: null,
    nextExecutionCount: 1,
    memoryBytes: 0,
    sessionFuel: 0,
    notice: null
  })
  cells = $state.raw<CellState[]>([])
  /** The cursor cell and the other end of a Shift+J/K selection. */
  cursor = $state(0)
  anchor = $state(0)
  mode = $state<Mode>('command')
  /** Bumped to ask the selected cell to take focus again (after mode changes). */
  focusTick = $state(0)
  /** Bumped to ask the selected cell's editor to show the inspector at its cursor. */
  inspectTick = $state(0)
  private readonly saves = new SaveTracker((message) => (this.message = message))
  message = $state<string | null>(null)
  /** The line saying why a queue stopped (runCancelled after a failed run), while it is the message shown. */
  private stoppedQueue: string | null = null
  notices = $state.raw<string[]>([])
  variables = $state.raw<Variable[]>([])
  variablesError = $state<string | null>(null)
  readonly packages: PackagesState

  readonly selection = $derived(selectionRange(this.anchor, this.cursor))
  readonly selectedCell = $derived(this.cells[this.cursor] ?? null)
  /** A cell runs or waits to, or a profile with a budget is being made (Interrupt stops either). */
  readonly busy = $derived(this.cells.some((c) => c.phase !== 'idle' || c.budgetProfiling))
  /** Cells whose stats line shows memory without hovering (it changed from the cell above's). */
  readonly memoryChanged = $derived(cellsWhereMemoryChanged(this.cells))

  get saveState(): SaveState {
    return this.saves.state
  }

  // Bookkeeping, not view state: plain collections on purpose.
  /* eslint-disable svelte/prefer-svelte-reactivity */
  /** Live outputs not yet on screen; `replace` when the cell cleared its output since the last frame. */
  private readonly pendingOutputs = new Map<CellId, { outputs: Output[]; replace: boolean }>()
  /* eslint-enable svelte/prefer-svelte-reactivity */
  private frame = 0
  /** Each D D (cut, merge) as one entry, as JupyterLab undoes a cell operation: its cells and where they were. */
  private readonly deleted: { cell: ClipCell; index: number }[][] = []
  /** Cells Z brought back, latest last: Shift+Z deletes them again. A new deletion forgets them. */
  private readonly undeleted: CellId[][] = []
  private readonly unsubscribe: () => void

  constructor(
    private readonly api: NotebookClient,
    doc: NotebookDocument
  ) {
    this.packages = new PackagesState(api, () => this.path, doc.packages)
    this.load(doc)
    this.unsubscribe = api.onEvent((e) => this.onEvent(e))
    if (doc.kernel.headCellId !== null) void this.refreshVariables()
  }

  dispose(): void {
    this.unsubscribe()
    if (this.resyncTimer !== null) clearTimeout(this.resyncTimer)
    cancelAnimationFrame(this.frame)
  }

  private load(doc: NotebookDocument): void {
    this.path = doc.path
    this.title = doc.title
    this.untitled = doc.untitled
    this.readOnly = doc.readOnly
    this.settings = doc.settings
    this.kernel = doc.kernel
    this.notices = doc.notices
    this.cells = doc.cells.map((c) => new CellState(c, doc.lastRuns[c.id] ?? null))
  }

  get fileName(): string {
    return this.path.split(/[\\/]/).pop() ?? this.path
  }

  indexOf(id: CellId): number {
    return this.cells.findIndex((c) => c.id === id)
  }

  cell(id: CellId): CellState | undefined {
    return this.cells.find((c) => c.id === id)
  }

  // ── selection and mode ────────────────────────────────────────────────────────────────────────

  select(index: number, extend = false): void {
    this.cursor = clampIndex(index, this.cells.length)
    if (!extend) this.anchor = this.cursor
    this.focusTick++
  }

  /** A `#heading` link in a markdown cell or output: selects the markdown cell with that heading. */
  goToHeading(anchor: string): boolean {
    const index = this.cells.findIndex(
      (c) =>
        c.type === 'markdown' && markdownHeadings(c.source).some((h) => anchorNamesHeading(anchor, h.text))
    )
    if (index < 0) return false
    this.setMode('command')
    this.select(index)
    return true
  }

  setMode(mode: Mode): void {
    const cell = this.selectedCell
    if (mode === 'edit' && cell) {
      cell.editorWanted = true
      if (cell.type === 'markdown') cell.editingMarkdown = true
    }
    this.mode = mode
    this.focusTick++
  }

  selectedCells(): CellState[] {
    const [from, to] = this.selection
    return this.cells.slice(from, to + 1)
  }

  // ── edits ─────────────────────────────────────────────────────────────────────────────────────

  /** The editor calls this on every change; the service hears about it after a pause. */
  edit(cell: CellState, source: string): void {
    cell.source = source
    this.saves.schedule(
      cell.id,
      () => this.api.updateCell(this.path, cell.id, { source: cell.source }),
      EDIT_DEBOUNCE_MS
    )
  }

  /** Sends every pending edit now; resolves when the service has them. */
  flush(): Promise<boolean> {
    return this.saves.flush()
  }

  private track<T>(call: Promise<Result<T>>): Promise<T | null> {
    return this.saves.track(call)
  }

  /** For calls whose success value is null: true when the service accepted the change. */
  private async trackOk(call: Promise<Result<unknown>>): Promise<boolean> {
    const r = await this.saves.track(call.then((x) => (x.ok ? { ok: true as const, value: true } : x)))
    return r === true
  }

  async patch(
    cell: CellState,
    patch: { type?: CellType; isolated?: boolean; metadata?: Record<string, unknown> }
  ): Promise<void> {
    const updated = await this.track(this.api.updateCell(this.path, cell.id, patch))
    if (updated) {
      cell.type = updated.type
      cell.isolated = updated.isolated
      cell.metadata = updated.metadata
    }
  }

  async setType(type: CellType): Promise<void> {
    for (const cell of this.selectedCells()) {
      if (cell.type === type) continue
      await this.patch(cell, { type })
      cell.editingMarkdown = false
    }
  }

  async insert(
    index: number,
    cell: ClipCell = { type: 'code', source: '', metadata: {} }
  ): Promise<CellState | null> {
    const created = await this.track(this.api.insertCell(this.path, { index, ...cell }))
    if (!created) return null
    const state = new CellState(created, null)
    const next = this.cells.slice()
    next.splice(index, 0, state)
    this.cells = next
    return state
  }

  async deleteSelected(): Promise<void> {
    this.undeleted.length = 0
    await this.deleteCells(this.selectedCells(), this.selection[0])
  }

  private async deleteCells(doomed: CellState[], from: number): Promise<void> {
    const batch: { cell: ClipCell; index: number }[] = []
    for (const cell of doomed.slice().reverse()) {
      // The local text is the latest (an edit may still be in its debounce): undo restores it.
      this.saves.cancel(cell.id)
      const gone = await this.track(this.api.deleteCell(this.path, cell.id))
      if (!gone) break
      batch.push({ cell: clip(cell), index: gone.index })
      this.cells = this.cells.filter((c) => c.id !== cell.id)
    }
    if (batch.length > 0) this.deleted.push(batch)
    if (this.cells.length === 0) await this.insert(0)
    this.select(Math.min(from, this.cells.length - 1))
  }

  /** Z: brings back every cell of the last deletion where it was, selected. */
  async undoDelete(): Promise<void> {
    const last = this.deleted.pop()
    if (!last) return
    const restored: CellState[] = []
    // Deleted bottom-up, so each index is the cell's place once the ones above it are back.
    for (const { cell, index } of last.slice().sort((a, b) => a.index - b.index)) {
      const state = await this.insert(Math.min(index, this.cells.length), cell)
      if (state) restored.push(state)
    }
    if (restored.length === 0) return
    this.undeleted.push(restored.map((c) => c.id))
    this.select(this.indexOf(restored[0]!.id))
    this.select(this.indexOf(restored[restored.length - 1]!.id), true)
  }

  /** JupyterLab's Shift+Z: deletes again the cells the last Z brought back (Z restores them once more). */
  async redoDelete(): Promise<void> {
    const ids = this.undeleted.pop() ?? []
    const cells = this.cells.filter((c) => ids.includes(c.id))
    if (cells.length > 0) await this.deleteCells(cells, this.indexOf(cells[0]!.id))
  }

  async move(delta: -1 | 1): Promise<void> {
    const [from, to] = this.selection
    const start = from + delta
    if (start < 0 || to + delta >= this.cells.length) return
    const block = this.cells.slice(from, to + 1)
    const order = delta < 0 ? block : block.slice().reverse()
    for (const cell of order) {
      const target = this.indexOf(cell.id) + delta
      if (!(await this.trackOk(this.api.moveCell(this.path, cell.id, target)))) return
      const next = this.cells.slice()
      next.splice(this.indexOf(cell.id), 1)
      next.splice(target, 0, cell)
      this.cells = next
    }
    this.anchor += delta
    this.cursor += delta
    this.focusTick++
  }

  /** Drag and drop: one cell to a new index. */
  async moveTo(id: CellId, toIndex: number): Promise<void> {
    const cell = this.cell(id)
    if (!cell) return
    const target = clampIndex(toIndex, this.cells.length)
    if (!(await this.trackOk(this.api.moveCell(this.path, id, target)))) return
    const next = this.cells.filter((c) => c.id !== id)
    next.splice(target, 0, cell)
    this.cells = next
    this.select(target)
  }

  async toggleFlag(flag: 'source_hidden' | 'outputs_hidden'): Promise<void> {
    for (const cell of this.selectedCells()) {
      const now = flag === 'source_hidden' ? cell.inputHidden : cell.outputHidden
      await this.patch(cell, { metadata: cell.withJupyterFlag(flag, !now) })
    }
  }

  async toggleIsolated(cell: CellState | null = this.selectedCell): Promise<void> {
    if (cell) await this.patch(cell, { isolated: !cell.isolated })
  }

  async setSettings(settings: NotebookSettings): Promise<boolean> {
    const saved = await this.track(this.api.setSettings(this.path, settings))
    if (saved) this.settings = saved
    return saved !== null
  }

  async rename(title: string): Promise<void> {
    const kept = await this.track(this.api.setTitle(this.path, title))
    if (kept !== null) this.title = kept
  }

  async saveAs(newPath: string): Promise<boolean> {
    await this.flush()
    const doc = await this.track(this.api.saveNotebookAs(this.path, newPath))
    if (!doc) return false
    this.path = doc.path
    this.title = doc.title
    this.untitled = doc.untitled
    return true
  }

  // ── running ───────────────────────────────────────────────────────────────────────────────────

  /**
   * Queues the code cells among `cells`; `profile` runs them under the fuel profiler (the "Profile
   * fuel" action), `limits` are for these runs only (the notebook's settings stay as they are).
   */
  async runCells(
    cells: CellState[],
    options: Pick<RunCellsOptions, 'profile' | 'limits'> = {}
  ): Promise<void> {
    for (const c of cells) if (c.type === 'markdown') c.editingMarkdown = false
    const code = cells.filter((c) => c.type === 'code')
    if (code.length === 0) return
    await this.flush()
    // Why the last queue stopped is old news once the user runs again.
    if (this.message !== null && this.message === this.stoppedQueue) this.message = null
    for (const c of code) if (c.phase === 'idle') c.phase = 'queued'
    // A run that fails cancels the runs queued after it, as Jupyter does ('Run all' stops there).
    const result = await this.api.runCells(
      this.path,
      code.map((c) => c.id),
      {
        stopOnError: true,
        ...(options.profile ? { profile: true } : {}),
        ...(options.limits ? { limits: options.limits } : {})
      }
    )
    if (!result.ok) {
      for (const c of code) if (c.phase === 'queued') c.phase = 'idle'
      this.message = result.error
    }
  }

  /**
   * "Run with 10× fuel" for a cell whose last run ran out of fuel: one normal run (queued, stored,
   * moving the head as any run) with ten times that run's budget; the notebook's settings stay.
   */
  async runWithMoreFuel(cell: CellState): Promise<void> {
    const run = cell.run
    if (!run || run.status !== 'out_of_fuel') return
    await this.runCells([cell], { limits: { fuel: moreFuel(run.fuelBudget) } })
  }

  /**
   * "Profile with a budget of N" for a cell whose last run ran out of fuel: the service re-runs it
   * profiled with that run's budget, leaving the kernel, the cell's runs and its outputs as they are.
   */
  async profileWithBudget(cell: CellState): Promise<void> {
    const run = cell.run
    if (!run || cell.budgetProfiling) return
    await this.flush()
    cell.budgetProfiling = true
    const r = await this.api
      .profileWithBudget(this.path, cell.id, run.fuelBudget)
      .catch((e: unknown) => ({ ok: false as const, error: String(e) }))
    cell.budgetProfiling = false
    if (!r.ok) this.message = r.error
    else if (cell.run?.id === run.id) cell.budgetProfile = { forRunId: run.id, result: r.value }
  }

  /** Focuses a cell's editor with the cursor on `line` (a profile table's link to where a function is defined). */
  revealLine(cellId: CellId, line: number): void {
    const index = this.indexOf(cellId)
    const cell = this.cells[index]
    if (!cell) return
    cell.enterAt = { line }
    this.select(index)
    this.setMode('edit')
  }

  async interrupt(): Promise<void> {
    const r = await this.api.interrupt(this.path)
    if (!r.ok) this.message = r.error
  }

  async restart(): Promise<boolean> {
    const r = await this.api.restartKernel(this.path)
    if (!r.ok) {
      this.message = r.error
      return false
    }
    this.kernel = r.value
    this.variables = []
    return true
  }

  async clearOutputs(cells: CellState[] | null): Promise<void> {
    const r = await this.api.clearOutputs(
      this.path,
      cells?.map((c) => c.id)
    )
    if (!r.ok) {
      this.message = r.error
      return
    }
    for (const c of cells ?? this.cells) c.clearOutputs()
  }

  async refreshVariables(): Promise<void> {
    const r = await this.api
      .variables(this.path)
      .catch((e: unknown) => ({ ok: false as const, error: String(e) }))
    if (r.ok) {
      this.variables = r.value
      this.variablesError = null
    } else this.variablesError = r.error
  }

  async listRuns(cellId: CellId): Promise<Result<RunSummary[]>> {
    return this.api
      .listRuns(this.path, cellId)
      .catch((e: unknown) => ({ ok: false as const, error: String(e) }))
  }

  async getRun(runId: number): Promise<Result<RunRecord>> {
    return this.api.getRun(this.path, runId).catch((e: unknown) => ({ ok: false as const, error: String(e) }))
  }

  /** Kernel completion for the editor; null when the kernel has nothing (or failed). */
  async complete(code: string, cursor: number): Promise<Completion | null> {
    const r = await this.api.complete(this.path, code, cursor).catch(() => null)
    return r && r.ok ? r.value : null
  }

  /** The kernel inspector's text for the editor (Shift+Tab); null when the call failed. */
  async inspect(code: string, cursor: number, full: boolean): Promise<Inspection | null> {
    const r = await this.api.inspect(this.path, code, cursor, full).catch(() => null)
    return r && r.ok ? r.value : null
  }

  // ── events from the service ───────────────────────────────────────────────────────────────────

  onEvent(e: NotebookEvent): void {
    if (e.path !== this.path) return
    switch (e.type) {
      case 'runQueued':
        for (const id of e.cellIds) {
          const c = this.cell(id)
          if (c && c.phase === 'idle') c.phase = 'queued'
        }
        break
      case 'runStarted':
        this.cell(e.cellId)?.started(e.startedAt, e.fuelBudget)
        break
      case 'runOutput': {
        const pending = this.pendingOutputs.get(e.cellId)
        if (pending && !e.replace) pending.outputs.push(...e.outputs)
        else this.pendingOutputs.set(e.cellId, { outputs: e.outputs.slice(), replace: e.replace })
        this.scheduleFlush()
        break
      }
      case 'runProgress': {
        const c = this.cell(e.cellId)
        if (c) {
          c.liveFuel = e.fuelConsumed
          c.liveElapsedMs = e.elapsedMs
        }
        break
      }
      case 'runFinished': {
        this.pendingOutputs.delete(e.run.cellId)
        const keptFrom = isKilledStatus(e.run.status) ? e.kernel.headExecutionCount : undefined
        this.cell(e.run.cellId)?.finished(e.run, keptFrom)
        this.kernel = e.kernel
        if (!this.busy) void this.refreshVariables()
        break
      }
      case 'runCancelled':
        for (const id of e.cellIds) {
          const c = this.cell(id)
          if (c) c.phase = 'idle'
        }
        if (e.after) this.message = this.stoppedQueue = stoppedQueueLine(e.after, e.cellIds.length)
        break
      case 'kernelChanged':
        this.kernel = e.kernel
        if (!this.busy) void this.refreshVariables()
        break
      case 'notebookChanged':
        this.scheduleResync()
        break
      case 'packagesChanged':
        this.packages.changed(e.packages)
        break
      case 'packagesProgress':
        this.packages.progressed(e.text)
        break
    }
  }

  private resyncTimer: ReturnType<typeof setTimeout> | null = null

  /**
   * Another client (or this one) changed the notebook: reload it from the service once this
   * client's own edits are all saved, so theirs never overwrite ours nor ours theirs.
   */
  private scheduleResync(delayMs = 50): void {
    if (this.resyncTimer !== null) clearTimeout(this.resyncTimer)
    this.resyncTimer = setTimeout(() => {
      this.resyncTimer = null
      if (this.saves.busy) this.scheduleResync(EDIT_DEBOUNCE_MS)
      else void this.resync()
    }, delayMs)
  }

  private async resync(): Promise<void> {
    const got = await this.api.openNotebook(this.path).catch(() => null)
    if (!got?.ok || this.saves.busy) return
    const doc = got.value
    const current = this.selectedCell?.id
    const anchorId = this.cells[this.anchor]?.id
    this.title = doc.title
    this.settings = doc.settings
    this.packages.changed(doc.packages)
    this.cells = doc.cells.map((cell) => {
      const state = this.cell(cell.id)
      if (!state) return new CellState(cell, doc.lastRuns[cell.id] ?? null)
      const sourceChanged = state.source !== cell.source
      state.assign(cell)
      if (sourceChanged) state.externalVersion++
      return state
    })
    // The cursor and the other end of a Shift+J/K selection stay on their cells, wherever they moved.
    const at = current === undefined ? -1 : this.indexOf(current)
    this.cursor = at >= 0 ? at : Math.max(0, Math.min(this.cursor, this.cells.length - 1))
    const anchorAt = anchorId === undefined ? -1 : this.indexOf(anchorId)
    this.anchor = at >= 0 && anchorAt >= 0 ? anchorAt : this.cursor
  }

  /** Output chunks are applied once per animation frame, however fast they arrive. */
  private scheduleFlush(): void {
    if (this.frame) return
    this.frame = requestAnimationFrame(() => {
      this.frame = 0
      for (const [id, { outputs, replace }] of this.pendingOutputs)
        this.cell(id)?.appendLive(outputs, replace)
      this.pendingOutputs.clear()
    })
  }
}
