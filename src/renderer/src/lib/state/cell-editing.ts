/**
 * Jupyter's cell editing commands built on NotebookState's primitives (insert, delete, edit,
 * select): copy / cut / paste with a clipboard shared across notebooks, merge and split.
 */
import type { CellType } from '../../../../shared/notebook'
import { mergeSources, splitSource, withHeading } from '../cell-ops'
import type { NotebookState } from './notebook.svelte'

export interface ClipCell {
  type: CellType
  source: string
  metadata: Record<string, unknown>
}

/** Shared across notebooks, as in Jupyter. */
let clipboard: ClipCell[] = []

export function clip(c: ClipCell): ClipCell {
  return { type: c.type, source: c.source, metadata: c.metadata }
}

export function copyCells(nb: NotebookState): void {
  clipboard = nb.selectedCells().map(clip)
}

export async function cutCells(nb: NotebookState): Promise<void> {
  copyCells(nb)
  await nb.deleteSelected()
}

export async function pasteCells(nb: NotebookState, where: 'above' | 'below'): Promise<void> {
  let at = where === 'above' ? nb.selection[0] : nb.selection[1] + 1
  const first = at
  for (const c of clipboard) {
    if (await nb.insert(at, c)) at++
  }
  if (at > first) {
    nb.anchor = first
    nb.cursor = at - 1
    nb.focusTick++
  }
}

/** Merges the selection, or the cursor cell with the one below, into the first cell. */
export async function mergeCells(nb: NotebookState): Promise<void> {
  const from = nb.selection[0]
  let to = nb.selection[1]
  if (from === to) to = Math.min(from + 1, nb.cells.length - 1)
  if (from === to) return
  const group = nb.cells.slice(from, to + 1)
  const first = group[0]!
  await nb.flush()
  nb.edit(first, mergeSources(group.map((c) => c.source)))
  first.externalVersion++
  nb.anchor = from + 1
  nb.cursor = to
  await nb.deleteSelected()
  nb.select(from)
}

/** Splits the cursor cell at its editor's cursor; the second half becomes a new cell below. */
export async function splitCell(nb: NotebookState): Promise<void> {
  const cell = nb.selectedCell
  if (!cell) return
  const [before, after] = splitSource(cell.source, cell.cursor)
  nb.edit(cell, before)
  cell.externalVersion++
  const created = await nb.insert(nb.cursor + 1, { type: cell.type, source: after, metadata: {} })
  if (created) {
    nb.select(nb.cursor + 1)
    nb.setMode('edit')
  }
}

/** 1–6 in command mode: the selected cells become markdown headings of that level. */
export async function setHeading(nb: NotebookState, level: number): Promise<void> {
  for (const cell of nb.selectedCells()) {
    const source = withHeading(cell.source, level)
    if (source === cell.source) continue
    nb.edit(cell, source)
    cell.externalVersion++
  }
  await nb.setType('markdown')
}
