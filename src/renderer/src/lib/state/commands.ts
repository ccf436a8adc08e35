/**
 * What each action of the registry (src/shared/actions.ts) does, one entry per id: the compiler
 * refuses an action without one. The keyboard, the palette, the buttons and the desktop menu all end
 * here, so behaviour is the same however an action is invoked.
 */
import type { ActionId } from '../actions'
import type { NotebookState } from './notebook.svelte'
import type { UiState } from './ui.svelte'
import { copyCells, cutCells, mergeCells, pasteCells, setHeading, splitCell } from './cell-editing'

export interface Host {
  nb: NotebookState
  ui: UiState
  save(): Promise<void>
  exportAs(format: 'html' | 'ipynb'): Promise<void>
  close(): Promise<void>
  cycleTheme(): Promise<void>
}

type Run = (host: Host) => unknown

const first = ({ nb }: Host): number => nb.selection[0]
const last = ({ nb }: Host): number => nb.selection[1]

const RUN: Record<ActionId, Run> = {
  'run-advance': async (host) => {
    const { nb } = host
    const cells = nb.selectedCells()
    const next = last(host) + 1
    const atEnd = next >= nb.cells.length
    nb.setMode('command')
    if (atEnd) await nb.insert(nb.cells.length)
    nb.select(next)
    if (atEnd) nb.setMode('edit')
    await nb.runCells(cells)
  },
  run: ({ nb }) => {
    nb.setMode('command')
    return nb.runCells(nb.selectedCells())
  },
  'run-insert': async (host) => {
    const { nb } = host
    const cells = nb.selectedCells()
    const next = last(host) + 1
    await nb.insert(next)
    nb.select(next)
    nb.setMode('edit')
    await nb.runCells(cells)
  },
  'run-all': ({ nb }) => nb.runCells(nb.cells),
  'run-above': (host) => host.nb.runCells(host.nb.cells.slice(0, first(host))),
  'run-below': (host) => host.nb.runCells(host.nb.cells.slice(first(host))),
  'profile-fuel': ({ nb }) => {
    nb.setMode('command')
    return nb.runCells(nb.selectedCells(), { profile: true })
  },
  'run-more-fuel': async ({ nb }) => {
    const spent = nb.selectedCells().filter((c) => c.run?.status === 'out_of_fuel' && c.phase === 'idle')
    if (spent.length === 0) nb.message = 'No selected cell ran out of fuel in its last run.'
    for (const cell of spent) await nb.runWithMoreFuel(cell)
  },
  interrupt: ({ nb }) => nb.interrupt(),
  restart: ({ nb }) => nb.restart(),
  'restart-run-all': async ({ nb }) => {
    if (await nb.restart()) await nb.runCells(nb.cells)
  },
  'clear-outputs': ({ nb }) => nb.clearOutputs(nb.selectedCells()),
  'clear-all-outputs': ({ nb }) => nb.clearOutputs(null),
  'edit-mode': ({ nb }) => nb.setMode('edit'),
  // As in Jupyter, a markdown cell stays unrendered until it is run.
  'command-mode': ({ nb }) => nb.setMode('command'),
  'insert-above': async (host) => {
    const at = first(host)
    if (await host.nb.insert(at)) host.nb.select(at)
  },
  'insert-below': async (host) => {
    const at = last(host) + 1
    if (await host.nb.insert(at)) host.nb.select(at)
  },
  delete: ({ nb }) => nb.deleteSelected(),
  'undo-delete': ({ nb }) => nb.undoDelete(),
  'redo-delete': ({ nb }) => nb.redoDelete(),
  'to-markdown': ({ nb }) => nb.setType('markdown'),
  'to-code': ({ nb }) => nb.setType('code'),
  'to-raw': ({ nb }) => nb.setType('raw'),
  'heading-1': ({ nb }) => setHeading(nb, 1),
  'heading-2': ({ nb }) => setHeading(nb, 2),
  'heading-3': ({ nb }) => setHeading(nb, 3),
  'heading-4': ({ nb }) => setHeading(nb, 4),
  'heading-5': ({ nb }) => setHeading(nb, 5),
  'heading-6': ({ nb }) => setHeading(nb, 6),
  'select-up': ({ nb }) => nb.select(nb.cursor - 1),
  'select-down': ({ nb }) => nb.select(nb.cursor + 1),
  'extend-up': ({ nb }) => nb.select(nb.cursor - 1, true),
  'extend-down': ({ nb }) => nb.select(nb.cursor + 1, true),
  'select-all': ({ nb }) => {
    nb.anchor = 0
    nb.cursor = nb.cells.length - 1
  },
  'move-up': ({ nb }) => nb.move(-1),
  'move-down': ({ nb }) => nb.move(1),
  copy: ({ nb }) => copyCells(nb),
  cut: ({ nb }) => cutCells(nb),
  'paste-below': ({ nb }) => pasteCells(nb, 'below'),
  'paste-above': ({ nb }) => pasteCells(nb, 'above'),
  merge: ({ nb }) => mergeCells(nb),
  split: ({ nb }) => splitCell(nb),
  // From the palette: back into the selected cell's editor, which inspects at its cursor.
  inspect: ({ nb }) => {
    nb.setMode('edit')
    nb.inspectTick++
  },
  'toggle-output': ({ nb }) => nb.toggleFlag('outputs_hidden'),
  'toggle-input': ({ nb }) => nb.toggleFlag('source_hidden'),
  'toggle-output-scroll': ({ ui }) => ui.toggleAllOutputsExpanded(),
  'toggle-line-numbers': ({ ui }) => {
    ui.lineNumbers = !ui.lineNumbers
  },
  'toggle-isolated': ({ nb }) => nb.toggleIsolated(),
  'run-history': ({ nb, ui }) => {
    ui.historyCellId = nb.selectedCell?.id ?? null
  },
  save: (host) => host.save(),
  'save-as': ({ ui }) => ui.open('save-as'),
  'export-html': (host) => host.exportAs('html'),
  'export-ipynb': (host) => host.exportAs('ipynb'),
  settings: ({ ui }) => ui.open('settings'),
  shortcuts: ({ ui }) => ui.open('shortcuts'),
  palette: ({ ui }) => ui.open('palette'),
  // The find box takes the focus; the notebook waits in command mode (no editor keeps the focus).
  find: ({ nb, ui }) => {
    nb.mode = 'command'
    ui.openFind()
  },
  'toggle-sidebar': ({ ui }) => {
    ui.sidebarOpen = !ui.sidebarOpen
  },
  close: (host) => host.close(),
  'cycle-theme': (host) => host.cycleTheme()
}

export async function perform(host: Host, id: ActionId): Promise<void> {
  await RUN[id](host)
}
