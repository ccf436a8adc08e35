/**
 * The link from an error's frame in another cell's code to that cell: found by the frame's text
 * (`cellOfFrame`, src/shared/output-text.ts), labelled as the gutter names the cell.
 */
import { cellOfFrame, type OtherCellFrame } from '../../../../shared/output-text'
import type { CellId } from '../../../../shared/notebook'

export interface FrameLink {
  /** "cell [3], line 4", or "cell 2, line 4" for a cell that has not run here. */
  label: string
  go: () => void
}

export function frameLink(
  frame: OtherCellFrame,
  cells: readonly { id: CellId; source: string; run: { executionCount: number | null } | null }[],
  reveal: (cellId: CellId, line: number) => void
): FrameLink | null {
  const cell = cellOfFrame(frame, cells)
  if (!cell) return null
  const count = cell.run?.executionCount
  const name = typeof count === 'number' ? `cell [${count}]` : `cell ${cells.indexOf(cell) + 1}`
  return { label: `${name}, line ${frame.line}`, go: () => reveal(cell.id, frame.line) }
}
