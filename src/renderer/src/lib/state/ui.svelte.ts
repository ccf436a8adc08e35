/** View-only state of the notebook screen: which dialog is open, sidebar, popovers, long outputs. */
import type { CellId } from '../../../../shared/notebook'
import type { AppSettings } from '../../../../shared/app-settings'

export type Dialog =
  'shortcuts' | 'palette' | 'settings' | 'save-as' | 'export-html' | 'export-ipynb' | 'close-running' | null

export class UiState {
  dialog = $state<Dialog>(null)
  sidebarOpen = $state(true)
  historyCellId = $state<CellId | null>(null)
  /** Shift+O: long outputs shown in full everywhere instead of in their scroll boxes. */
  expandAllOutputs = $state(false)
  /** Shift+L: line numbers beside every code cell's text, in this window (not a saved setting). */
  lineNumbers = $state(false)
  /** Ctrl+F's find bar: open, its query, and a counter that asks it to take the focus. */
  findOpen = $state(false)
  findQuery = $state('')
  findFocusTick = $state(0)
  /** The focus is in the find box: moving the cursor to a match must not take it away. */
  findFocused = $state(false)
  /** Per-cell choice of the output's toggle; cleared by Shift+O. */
  expandedOutputs = $state.raw<Readonly<Record<CellId, boolean>>>({})
  readonly isMac: boolean

  constructor(
    isMac: boolean,
    private readonly settings: () => AppSettings
  ) {
    this.isMac = isMac
  }

  /** Outputs taller than this many lines scroll in a box (0 = never). */
  get outputScrollLines(): number {
    return this.settings().outputScrollLines
  }

  outputExpanded(id: CellId): boolean {
    return this.expandedOutputs[id] ?? this.expandAllOutputs
  }

  toggleOutputExpanded(id: CellId): void {
    this.expandedOutputs = { ...this.expandedOutputs, [id]: !this.outputExpanded(id) }
  }

  toggleAllOutputsExpanded(): void {
    this.expandAllOutputs = !this.expandAllOutputs
    this.expandedOutputs = {}
  }

  openFind(): void {
    this.findOpen = true
    this.findFocusTick++
  }

  open(dialog: Dialog): void {
    this.dialog = dialog
  }

  close(): void {
    this.dialog = null
  }
}
