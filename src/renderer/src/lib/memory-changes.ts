/**
 * Which cells' stats lines show memory: a cell whose run left memory at the size of the cell
 * above's run has nothing new to say (it shows on hover instead). Pure and O(cells).
 */
import { wasMeasured, type CellId, type RunRecord } from '../../../shared/notebook'

export function cellsWhereMemoryChanged(
  cells: readonly { id: CellId; run: RunRecord | null }[]
): ReadonlySet<CellId> {
  const changed = new Set<CellId>()
  let previous: number | null = null
  for (const { id, run } of cells) {
    if (!run || !wasMeasured(run)) continue
    if (run.memoryBytes !== previous) changed.add(id)
    previous = run.memoryBytes
  }
  return changed
}
