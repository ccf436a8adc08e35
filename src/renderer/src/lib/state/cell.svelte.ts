/**
 * One cell as the view sees it: the editor's text (local truth, saved through a debounce), the last
 * finished run, the outputs being shown (live while running) and the live progress numbers.
 * Fields are fine-grained runes so a streaming cell re-renders alone.
 */
import type { BudgetProfile } from '../../../../shared/api'
import type { Cell, CellId, CellType, Output, RunRecord } from '../../../../shared/notebook'
import { appendOutputs, toViewOutputs, type ViewOutput } from '../outputs/merge'
import type { ShownProfile } from '../profile-view'

export type CellPhase = 'idle' | 'queued' | 'running'

interface JupyterMeta {
  source_hidden?: boolean
  outputs_hidden?: boolean
}

export class CellState {
  readonly id: CellId
  type = $state<CellType>('code')
  source = $state('')
  isolated = $state(false)
  metadata = $state.raw<Record<string, unknown>>({})
  run = $state.raw<RunRecord | null>(null)
  outputs = $state.raw<ViewOutput[]>([])
  phase = $state<CellPhase>('idle')
  liveFuel = $state(0)
  liveElapsedMs = $state(0)
  /** The running run's fuel budget, which a "Run with 10× fuel" run sets above the notebook's. */
  liveBudget = $state(0)
  /** For a killed run: the `[k]` the kernel state was kept from (null = fresh kernel), if known. */
  keptFrom = $state<number | null | undefined>(undefined)
  /** Markdown cells: editing the source instead of showing it rendered. */
  editingMarkdown = $state(false)
  /** The editor exists (created lazily on first selection). */
  editorWanted = $state(false)
  /** Cursor offset in the source, kept by the editor for split. */
  cursor = 0
  startedAt = 0
  /** Where the editor puts its cursor when it next takes focus (arrow keys; a profile table's link). */
  enterAt: 'start' | 'end' | { line: number } | { from: number; to: number } | null = null
  /** The find bar's current match in this cell's source, marked in its editor. */
  findMark = $state.raw<{ from: number; to: number } | null>(null)
  /**
   * "Profile with a budget of N" after the last run ran out of fuel: a re-run that is not one of the
   * cell's runs (so not kept in the file), for this run only.
   */
  budgetProfile = $state.raw<{ forRunId: number; result: BudgetProfile } | null>(null)
  budgetProfiling = $state(false)
  /** Source version counter: bumped on external changes so the editor re-syncs. */
  externalVersion = $state(0)

  constructor(cell: Cell, run: RunRecord | null) {
    this.id = cell.id
    this.assign(cell)
    this.run = run
    this.outputs = run ? toViewOutputs(run.outputs) : []
  }

  assign(cell: Cell): void {
    this.type = cell.type
    this.source = cell.source
    this.isolated = cell.isolated
    this.metadata = cell.metadata
  }

  get executionLabel(): string {
    if (this.phase === 'running') return '*'
    if (this.phase === 'queued') return ' '
    const n = this.run?.executionCount
    return n === null || n === undefined ? (this.run ? '–' : ' ') : String(n)
  }

  /** The profile the gutter and table show: the last run's own, else its budget re-run's. */
  get shownProfile(): ShownProfile | null {
    const run = this.run
    if (!run) return null
    if (run.profile) return { profile: run.profile, source: run.source, origin: { kind: 'run' } }
    const rerun = this.budgetProfile
    if (rerun?.forRunId !== run.id || !rerun.result.profile) return null
    return {
      profile: rerun.result.profile,
      source: rerun.result.source,
      origin: { kind: 'budget-rerun', budget: rerun.result.fuelBudget }
    }
  }

  private get jupyter(): JupyterMeta {
    const j = this.metadata['jupyter']
    return j && typeof j === 'object' ? (j as JupyterMeta) : {}
  }
  get inputHidden(): boolean {
    return this.jupyter.source_hidden === true
  }
  get outputHidden(): boolean {
    return this.jupyter.outputs_hidden === true
  }
  withJupyterFlag(flag: keyof JupyterMeta, value: boolean): Record<string, unknown> {
    return { ...this.metadata, jupyter: { ...this.jupyter, [flag]: value } }
  }

  started(at: number, fuelBudget: number): void {
    this.phase = 'running'
    this.startedAt = at
    this.liveBudget = fuelBudget
    this.liveFuel = 0
    this.liveElapsedMs = 0
    this.outputs = []
    this.keptFrom = undefined
    this.budgetProfile = null
  }

  appendLive(outputs: Output[], replace = false): void {
    this.outputs = appendOutputs(replace ? [] : this.outputs, outputs)
  }

  finished(run: RunRecord, keptFrom: number | null | undefined): void {
    this.phase = 'idle'
    this.run = run
    this.outputs = toViewOutputs(run.outputs)
    this.keptFrom = keptFrom
  }

  clearOutputs(): void {
    this.outputs = []
    this.run = null
  }
}
