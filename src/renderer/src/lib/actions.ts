/**
 * Every user action of the notebook, with its Jupyter keys per mode. One list feeds the keyboard
 * handler, the editor keymap, the shortcuts dialog (H) and the command palette (Ctrl+Shift+P).
 * Key notation: modifiers joined with '+', 'Mod' = Ctrl (Cmd on macOS); a space separates the keys
 * of a sequence ('D D').
 */
export type ActionId =
  | 'run-advance'
  | 'run'
  | 'run-insert'
  | 'run-all'
  | 'run-above'
  | 'run-below'
  | 'interrupt'
  | 'restart'
  | 'restart-run-all'
  | 'clear-outputs'
  | 'clear-all-outputs'
  | 'edit-mode'
  | 'command-mode'
  | 'insert-above'
  | 'insert-below'
  | 'delete'
  | 'undo-delete'
  | 'to-markdown'
  | 'to-code'
  | 'to-raw'
  | 'select-up'
  | 'select-down'
  | 'extend-up'
  | 'extend-down'
  | 'select-all'
  | 'move-up'
  | 'move-down'
  | 'copy'
  | 'cut'
  | 'paste-below'
  | 'paste-above'
  | 'merge'
  | 'split'
  | 'toggle-output'
  | 'toggle-input'
  | 'toggle-output-scroll'
  | 'toggle-isolated'
  | 'run-history'
  | 'save'
  | 'save-as'
  | 'export-html'
  | 'export-ipynb'
  | 'settings'
  | 'shortcuts'
  | 'palette'
  | 'toggle-sidebar'
  | 'cycle-theme'
  | 'close'

export type Mode = 'command' | 'edit'

export interface ActionSpec {
  id: ActionId
  label: string
  group: 'Run' | 'Cells' | 'Selection' | 'Clipboard' | 'View' | 'Notebook'
  /** Keys in command mode (focus on a cell, not in an editor). */
  command?: string[]
  /** Keys in edit mode (focus in a cell's editor). */
  edit?: string[]
}

export const ACTIONS: readonly ActionSpec[] = [
  {
    id: 'run-advance',
    label: 'Run cell and select below',
    group: 'Run',
    command: ['Shift+Enter'],
    edit: ['Shift+Enter']
  },
  { id: 'run', label: 'Run selected cells', group: 'Run', command: ['Mod+Enter'], edit: ['Mod+Enter'] },
  {
    id: 'run-insert',
    label: 'Run cell and insert below',
    group: 'Run',
    command: ['Alt+Enter'],
    edit: ['Alt+Enter']
  },
  { id: 'run-all', label: 'Run all cells', group: 'Run' },
  { id: 'run-above', label: 'Run all above', group: 'Run' },
  { id: 'run-below', label: 'Run selected and all below', group: 'Run' },
  { id: 'interrupt', label: 'Interrupt the kernel', group: 'Run', command: ['I I'] },
  { id: 'restart', label: 'Restart the kernel (keep outputs)', group: 'Run', command: ['0 0'] },
  { id: 'restart-run-all', label: 'Restart the kernel and run all', group: 'Run' },
  { id: 'clear-outputs', label: 'Clear outputs of selected cells', group: 'Run' },
  { id: 'clear-all-outputs', label: 'Clear all outputs', group: 'Run' },
  { id: 'edit-mode', label: 'Edit the selected cell', group: 'Cells', command: ['Enter'] },
  { id: 'command-mode', label: 'Leave the editor (command mode)', group: 'Cells', edit: ['Escape'] },
  { id: 'insert-above', label: 'Insert cell above', group: 'Cells', command: ['A'] },
  { id: 'insert-below', label: 'Insert cell below', group: 'Cells', command: ['B'] },
  { id: 'delete', label: 'Delete selected cells', group: 'Cells', command: ['D D'] },
  { id: 'undo-delete', label: 'Undo cell deletion', group: 'Cells', command: ['Z'] },
  { id: 'to-markdown', label: 'Change to markdown', group: 'Cells', command: ['M'] },
  { id: 'to-code', label: 'Change to code', group: 'Cells', command: ['Y'] },
  { id: 'to-raw', label: 'Change to raw', group: 'Cells', command: ['R'] },
  {
    id: 'merge',
    label: 'Merge selected cells (or with the cell below)',
    group: 'Cells',
    command: ['Shift+M']
  },
  { id: 'split', label: 'Split cell at the cursor', group: 'Cells', edit: ['Mod+Shift+-'] },
  { id: 'move-up', label: 'Move cell up', group: 'Cells', command: ['Mod+Shift+ArrowUp'] },
  { id: 'move-down', label: 'Move cell down', group: 'Cells', command: ['Mod+Shift+ArrowDown'] },
  { id: 'toggle-isolated', label: 'Toggle isolated run (from a fresh kernel)', group: 'Cells' },
  { id: 'run-history', label: 'Show run history of the cell', group: 'Cells' },
  { id: 'select-up', label: 'Select cell above', group: 'Selection', command: ['K', 'ArrowUp'] },
  { id: 'select-down', label: 'Select cell below', group: 'Selection', command: ['J', 'ArrowDown'] },
  {
    id: 'extend-up',
    label: 'Extend selection above',
    group: 'Selection',
    command: ['Shift+K', 'Shift+ArrowUp']
  },
  {
    id: 'extend-down',
    label: 'Extend selection below',
    group: 'Selection',
    command: ['Shift+J', 'Shift+ArrowDown']
  },
  { id: 'select-all', label: 'Select all cells', group: 'Selection', command: ['Mod+A'] },
  { id: 'copy', label: 'Copy cells', group: 'Clipboard', command: ['C'] },
  { id: 'cut', label: 'Cut cells', group: 'Clipboard', command: ['X'] },
  { id: 'paste-below', label: 'Paste cells below', group: 'Clipboard', command: ['V'] },
  { id: 'paste-above', label: 'Paste cells above', group: 'Clipboard', command: ['Shift+V'] },
  { id: 'toggle-output', label: 'Collapse / expand output', group: 'View', command: ['O'] },
  { id: 'toggle-input', label: 'Collapse / expand input', group: 'View' },
  {
    id: 'toggle-output-scroll',
    label: 'Scroll / show in full every long output',
    group: 'View',
    command: ['Shift+O']
  },
  { id: 'toggle-sidebar', label: 'Show / hide the sidebar', group: 'View', command: ['Mod+B'] },
  { id: 'cycle-theme', label: 'Theme: system → light → dark', group: 'View' },
  { id: 'shortcuts', label: 'Keyboard shortcuts', group: 'View', command: ['H'] },
  { id: 'palette', label: 'Command palette', group: 'View', command: ['Mod+Shift+P'], edit: ['Mod+Shift+P'] },
  { id: 'save', label: 'Save', group: 'Notebook', command: ['Mod+S'], edit: ['Mod+S'] },
  { id: 'save-as', label: 'Save as…', group: 'Notebook', command: ['Mod+Shift+S'], edit: ['Mod+Shift+S'] },
  { id: 'settings', label: 'Notebook settings (limits, deterministic mode)', group: 'Notebook' },
  { id: 'export-html', label: 'Export as HTML', group: 'Notebook' },
  { id: 'export-ipynb', label: 'Export as .ipynb', group: 'Notebook' },
  { id: 'close', label: 'Close notebook (back to the start screen)', group: 'Notebook' }
]

export function actionSpec(id: ActionId): ActionSpec {
  const spec = ACTIONS.find((a) => a.id === id)
  if (!spec) throw new Error(`unknown action ${id}`)
  return spec
}

/** Keys as shown to the user: Mod → Ctrl or ⌘, arrows as glyphs. */
export function displayKeys(keys: string, isMac: boolean): string {
  return keys
    .split(' ')
    .map((chord) =>
      chord
        .split('+')
        .map((k) => (k === 'Mod' ? (isMac ? '⌘' : 'Ctrl') : k === 'Alt' && isMac ? '⌥' : (ARROWS[k] ?? k)))
        .join(isMac ? '' : '+')
    )
    .join(' ')
}

const ARROWS: Record<string, string> = {
  ArrowUp: '↑',
  ArrowDown: '↓',
  ArrowLeft: '←',
  ArrowRight: '→',
  Escape: 'Esc'
}

/**
 * "Mod+Shift+Enter" → CodeMirror's "Mod-Shift-Enter". CodeMirror matches letters by their
 * unshifted name ("Mod-Shift-p"), so letters are lower-cased.
 */
export function toCodeMirrorKey(keys: string): string {
  return keys
    .replace(/\+(?=.)/g, '-')
    .replace(/(^|-)([A-Z])$/, (_, sep: string, letter: string) => sep + letter.toLowerCase())
}
