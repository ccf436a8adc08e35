/**
 * What each action does. The keyboard, the palette and the buttons all end here, so behaviour is
 * the same however an action is invoked.
 */
import type { ActionId } from '../actions'
import type { NotebookState } from './notebook.svelte'
import type { UiState } from './ui.svelte'
import { copyCells, cutCells, mergeCells, pasteCells, splitCell } from './cell-editing'

export interface Host {
  nb: NotebookState
  ui: UiState
  save(): Promise<void>
  exportAs(format: 'html' | 'ipynb'): Promise<void>
  close(): Promise<void>
  cycleTheme(): Promise<void>
}

export async function perform(host: Host, id: ActionId): Promise<void> {
  const { nb, ui } = host
  const [from, to] = nb.selection
  switch (id) {
    case 'run-advance': {
      const cells = nb.selectedCells()
      const atEnd = to + 1 >= nb.cells.length
      nb.setMode('command')
      if (atEnd) await nb.insert(nb.cells.length)
      nb.select(to + 1)
      if (atEnd) nb.setMode('edit')
      await nb.runCells(cells)
      return
    }
    case 'run':
      nb.setMode('command')
      return nb.runCells(nb.selectedCells())
    case 'run-insert': {
      const cells = nb.selectedCells()
      await nb.insert(to + 1)
      nb.select(to + 1)
      nb.setMode('edit')
      return nb.runCells(cells)
    }
    case 'run-all':
      return nb.runCells(nb.cells)
    case 'run-above':
      return nb.runCells(nb.cells.slice(0, from))
    case 'run-below':
      return nb.runCells(nb.cells.slice(from))
    case 'interrupt':
      return nb.interrupt()
    case 'restart':
      await nb.restart()
      return
    case 'restart-run-all':
      if (await nb.restart()) await nb.runCells(nb.cells)
      return
    case 'clear-outputs':
      return nb.clearOutputs(nb.selectedCells())
    case 'clear-all-outputs':
      return nb.clearOutputs(null)
    case 'edit-mode':
      return nb.setMode('edit')
    case 'command-mode':
      // As in Jupyter, a markdown cell stays unrendered until it is run.
      return nb.setMode('command')
    case 'insert-above':
      if (await nb.insert(from)) nb.select(from)
      return
    case 'insert-below':
      if (await nb.insert(to + 1)) nb.select(to + 1)
      return
    case 'delete':
      return nb.deleteSelected()
    case 'undo-delete':
      return nb.undoDelete()
    case 'to-markdown':
      return nb.setType('markdown')
    case 'to-code':
      return nb.setType('code')
    case 'to-raw':
      return nb.setType('raw')
    case 'select-up':
      return nb.select(nb.cursor - 1)
    case 'select-down':
      return nb.select(nb.cursor + 1)
    case 'extend-up':
      return nb.select(nb.cursor - 1, true)
    case 'extend-down':
      return nb.select(nb.cursor + 1, true)
    case 'select-all':
      nb.anchor = 0
      nb.cursor = nb.cells.length - 1
      return
    case 'move-up':
      return nb.move(-1)
    case 'move-down':
      return nb.move(1)
    case 'copy':
      return copyCells(nb)
    case 'cut':
      return cutCells(nb)
    case 'paste-below':
      return pasteCells(nb, 'below')
    case 'paste-above':
      return pasteCells(nb, 'above')
    case 'merge':
      return mergeCells(nb)
    case 'split':
      return splitCell(nb)
    case 'toggle-output':
      return nb.toggleFlag('outputs_hidden')
    case 'toggle-input':
      return nb.toggleFlag('source_hidden')
    case 'toggle-output-scroll':
      return ui.toggleAllOutputsExpanded()
    case 'toggle-isolated':
      return nb.toggleIsolated()
    case 'run-history':
      ui.historyCellId = nb.selectedCell?.id ?? null
      return
    case 'save':
      return host.save()
    case 'save-as':
      return ui.open('save-as')
    case 'export-html':
      return host.exportAs('html')
    case 'export-ipynb':
      return host.exportAs('ipynb')
    case 'settings':
      return ui.open('settings')
    case 'shortcuts':
      return ui.open('shortcuts')
    case 'palette':
      return ui.open('palette')
    case 'toggle-sidebar':
      ui.sidebarOpen = !ui.sidebarOpen
      return
    case 'close':
      return host.close()
    case 'cycle-theme':
      return host.cycleTheme()
  }
}
