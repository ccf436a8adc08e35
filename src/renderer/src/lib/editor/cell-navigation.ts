/**
 * Jupyter's arrow keys at a cell's edges: ↑ on the first line moves into the cell above, ↓ on the
 * last line into the cell below, staying in edit mode. Elsewhere the arrows move the cursor.
 */
import { completionStatus } from '@codemirror/autocomplete'
import type { Extension } from '@codemirror/state'
import { keymap, type EditorView } from '@codemirror/view'

export interface CellNavigationConfig {
  /** Returns false when there is no cell that way (the key then does its normal job). */
  onLeave: (direction: -1 | 1) => boolean
}

export function cellNavigation(config: CellNavigationConfig): Extension {
  const leave = (direction: -1 | 1) => (view: EditorView) => {
    const { state } = view
    const range = state.selection.main
    if (!range.empty || completionStatus(state) !== null) return false
    const line = state.doc.lineAt(range.head).number
    const atEdge = direction < 0 ? line === 1 : line === state.doc.lines
    return atEdge && config.onLeave(direction)
  }
  return keymap.of([
    { key: 'ArrowUp', run: leave(-1) },
    { key: 'ArrowDown', run: leave(1) }
  ])
}
