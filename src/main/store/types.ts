/** Types of the store's own API (main process only; the UI sees the shared NotebookDocument). */
import type { Cell, CellId, NotebookSettings, RunRecord } from '../../shared/notebook'
import type { CellPatch, RunSummary } from '../../shared/api'
import type { PersistedSnapshot } from '../../shared/snapshot'

export type { CellPatch, RunSummary }

export interface HeadPointer {
  /** Cell whose run produced the head; null for a fresh kernel or when that cell was deleted. */
  cellId: CellId | null
  executionCount: number | null
  nextExecutionCount: number
  /** Linear memory size of the saved head in 64 KiB pages; null when there is no saved head. */
  pageCount: number | null
}

export interface LoadedNotebook {
  title: string
  createdAt: number
  modifiedAt: number
  settings: NotebookSettings
  cells: Cell[]
  /** The newest run of each cell, with outputs, unless its outputs were cleared. */
  lastRuns: Record<CellId, RunRecord>
  head: HeadPointer
}

export interface HeadSnapshot {
  snapshot: PersistedSnapshot
  cellId: CellId | null
  executionCount: number | null
}

export interface CreateOptions {
  title: string
  settings: NotebookSettings
}
