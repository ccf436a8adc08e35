/**
 * The registry of the notebook's user actions: each defined once, with its label, its Jupyter keys per
 * mode and its place in the desktop application menu. The renderer's keymap, editor keys, command
 * palette and shortcuts sheet (H) read it, and so does the Electron menu template; what an action does
 * lives in the renderer (src/renderer/src/lib/state/commands.ts), keyed by the same ids.
 *
 * Key notation: modifiers joined with '+', 'Mod' = Ctrl (Cmd on macOS); a space separates the keys of
 * a sequence ('D D').
 */
export type ActionId =
  | 'run-advance'
  | 'run'
  | 'run-insert'
  | 'run-all'
  | 'run-above'
  | 'run-below'
  | 'profile-fuel'
  | 'run-more-fuel'
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
  | 'redo-delete'
  | 'to-markdown'
  | 'to-code'
  | 'to-raw'
  | 'heading-1'
  | 'heading-2'
  | 'heading-3'
  | 'heading-4'
  | 'heading-5'
  | 'heading-6'
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
  | 'inspect'
  | 'toggle-output'
  | 'toggle-input'
  | 'toggle-output-scroll'
  | 'toggle-line-numbers'
  | 'toggle-isolated'
  | 'run-history'
  | 'save'
  | 'save-as'
  | 'export-html'
  | 'export-ipynb'
  | 'settings'
  | 'shortcuts'
  | 'palette'
  | 'find'
  | 'toggle-sidebar'
  | 'cycle-theme'
  | 'close'

export type Mode = 'command' | 'edit'

/**
 * A run of items in the application menu, between separators or in a submenu; the menu template
 * (src/main/electron/menu-template.ts) lays the sections out among the shell's own items, and the
 * items of one section come in registry order.
 */
export type MenuSection =
  | 'file.save'
  | 'file.export'
  | 'edit.cells'
  | 'edit.select'
  | 'cell.run'
  | 'cell.kernel'
  | 'cell.outputs'
  | 'cell.edit'
  | 'cell.type'
  | 'cell.more'
  | 'cell.settings'
  | 'view.theme'
  | 'view.panels'
  | 'help'

export interface MenuPlacement {
  section: MenuSection
  /** The label in the menu (title case, as menus are). `{theme}` stands for the current theme's name. */
  label: string
}

export interface ActionSpec {
  id: ActionId
  label: string
  group: 'Run' | 'Cells' | 'Selection' | 'Clipboard' | 'View' | 'Notebook'
  /** Keys in command mode (focus on a cell, not in an editor). */
  command?: string[]
  /** Keys in edit mode (focus in a cell's editor). */
  edit?: string[]
  /** Where the desktop menu shows it; absent = keys and palette only. */
  menu?: MenuPlacement
  /**
   * The cell editor binds the edit keys itself (the action needs the cursor, and the key falls
   * through to the editor when it does not apply), so the notebook's editor keymap leaves them alone.
   */
  editorBinds?: true
}

const menu = (section: MenuSection, label: string): { menu: MenuPlacement } => ({ menu: { section, label } })

export const ACTIONS: readonly ActionSpec[] = [
  {
    id: 'run-advance',
    label: 'Run cell and select below',
    group: 'Run',
    command: ['Shift+Enter'],
    edit: ['Shift+Enter'],
    ...menu('cell.run', 'Run and Select Below')
  },
  {
    id: 'run',
    label: 'Run selected cells',
    group: 'Run',
    command: ['Mod+Enter'],
    edit: ['Mod+Enter'],
    ...menu('cell.run', 'Run Selected Cells')
  },
  {
    id: 'run-insert',
    label: 'Run cell and insert below',
    group: 'Run',
    command: ['Alt+Enter'],
    edit: ['Alt+Enter'],
    ...menu('cell.run', 'Run and Insert Below')
  },
  { id: 'run-all', label: 'Run all cells', group: 'Run', ...menu('cell.run', 'Run All') },
  { id: 'run-above', label: 'Run all above', group: 'Run', ...menu('cell.run', 'Run All Above') },
  {
    id: 'run-below',
    label: 'Run selected and all below',
    group: 'Run',
    ...menu('cell.run', 'Run Selected and All Below')
  },
  {
    id: 'profile-fuel',
    // A double key like Jupyter's other re-running keys (I I, 0 0): F for fuel.
    label: 'Profile fuel: run selected cells and show where their fuel went',
    group: 'Run',
    command: ['F F'],
    ...menu('cell.run', 'Profile Fuel')
  },
  {
    id: 'run-more-fuel',
    // The stats line's offer on a cell that ran out of fuel, from the palette; no key of its own.
    label: "Run with 10× fuel: selected cells that ran out of fuel, once each (the notebook's budget stays)",
    group: 'Run'
  },
  {
    id: 'interrupt',
    label: 'Interrupt the kernel',
    group: 'Run',
    command: ['I I'],
    ...menu('cell.kernel', 'Interrupt Kernel')
  },
  {
    id: 'restart',
    label: 'Restart the kernel (keep outputs)',
    group: 'Run',
    command: ['0 0'],
    ...menu('cell.kernel', 'Restart Kernel')
  },
  {
    id: 'restart-run-all',
    label: 'Restart the kernel and run all',
    group: 'Run',
    ...menu('cell.kernel', 'Restart Kernel and Run All')
  },
  {
    id: 'clear-outputs',
    label: 'Clear outputs of selected cells',
    group: 'Run',
    ...menu('cell.outputs', 'Clear Outputs')
  },
  {
    id: 'clear-all-outputs',
    label: 'Clear all outputs',
    group: 'Run',
    ...menu('cell.outputs', 'Clear All Outputs')
  },
  { id: 'edit-mode', label: 'Edit the selected cell', group: 'Cells', command: ['Enter'] },
  { id: 'command-mode', label: 'Leave the editor (command mode)', group: 'Cells', edit: ['Escape'] },
  {
    id: 'insert-above',
    label: 'Insert cell above',
    group: 'Cells',
    command: ['A'],
    ...menu('cell.edit', 'Insert Cell Above')
  },
  {
    id: 'insert-below',
    label: 'Insert cell below',
    group: 'Cells',
    command: ['B'],
    ...menu('cell.edit', 'Insert Cell Below')
  },
  {
    id: 'delete',
    label: 'Delete selected cells',
    group: 'Cells',
    command: ['D D'],
    ...menu('edit.cells', 'Delete Cells')
  },
  {
    id: 'undo-delete',
    label: 'Undo cell deletion',
    group: 'Cells',
    command: ['Z'],
    ...menu('edit.cells', 'Undo Cell Deletion')
  },
  {
    id: 'redo-delete',
    label: 'Redo cell deletion',
    group: 'Cells',
    command: ['Shift+Z'],
    ...menu('edit.cells', 'Redo Cell Deletion')
  },
  {
    id: 'to-markdown',
    label: 'Change to markdown',
    group: 'Cells',
    command: ['M'],
    ...menu('cell.type', 'Markdown')
  },
  { id: 'to-code', label: 'Change to code', group: 'Cells', command: ['Y'], ...menu('cell.type', 'Code') },
  { id: 'to-raw', label: 'Change to raw', group: 'Cells', command: ['R'], ...menu('cell.type', 'Raw') },
  // JupyterLab's 1–6: the cell becomes markdown, its first line a heading of that level.
  ...([1, 2, 3, 4, 5, 6] as const).map((level): ActionSpec => ({
    id: `heading-${level}`,
    label: `Change to heading ${level}`,
    group: 'Cells',
    command: [String(level)]
  })),
  {
    id: 'merge',
    label: 'Merge selected cells (or with the cell below)',
    group: 'Cells',
    command: ['Shift+M'],
    ...menu('cell.edit', 'Merge Cells')
  },
  {
    id: 'split',
    label: 'Split cell at the cursor',
    group: 'Cells',
    edit: ['Mod+Shift+-'],
    ...menu('cell.edit', 'Split Cell at Cursor')
  },
  {
    id: 'inspect',
    label: 'Show the signature and docstring at the cursor (inspector)',
    group: 'Cells',
    edit: ['Shift+Tab'],
    editorBinds: true
  },
  {
    id: 'move-up',
    label: 'Move cell up',
    group: 'Cells',
    command: ['Mod+Shift+ArrowUp'],
    ...menu('cell.edit', 'Move Cell Up')
  },
  {
    id: 'move-down',
    label: 'Move cell down',
    group: 'Cells',
    command: ['Mod+Shift+ArrowDown'],
    ...menu('cell.edit', 'Move Cell Down')
  },
  {
    id: 'toggle-isolated',
    label: 'Toggle isolated run (from a fresh kernel)',
    group: 'Cells',
    ...menu('cell.more', 'Toggle Isolated Run')
  },
  {
    id: 'run-history',
    label: 'Show run history of the cell',
    group: 'Cells',
    ...menu('cell.more', 'Run History')
  },
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
  {
    id: 'select-all',
    label: 'Select all cells',
    group: 'Selection',
    command: ['Mod+A'],
    // 'Mod+A' is also the Edit menu's selectAll role key: the renderer takes it in command mode (all
    // cells) and the editor in edit mode (all text), so the menu item only displays it.
    ...menu('edit.select', 'Select All Cells')
  },
  {
    id: 'copy',
    label: 'Copy cells',
    group: 'Clipboard',
    command: ['C'],
    ...menu('edit.cells', 'Copy Cells')
  },
  { id: 'cut', label: 'Cut cells', group: 'Clipboard', command: ['X'], ...menu('edit.cells', 'Cut Cells') },
  {
    id: 'paste-below',
    label: 'Paste cells below',
    group: 'Clipboard',
    command: ['V'],
    ...menu('edit.cells', 'Paste Cells Below')
  },
  {
    id: 'paste-above',
    label: 'Paste cells above',
    group: 'Clipboard',
    command: ['Shift+V'],
    ...menu('edit.cells', 'Paste Cells Above')
  },
  {
    id: 'toggle-output',
    label: 'Collapse / expand output',
    group: 'View',
    command: ['O'],
    ...menu('view.panels', 'Collapse or Expand Output')
  },
  {
    id: 'toggle-input',
    label: 'Collapse / expand input',
    group: 'View',
    ...menu('view.panels', 'Collapse or Expand Input')
  },
  {
    id: 'toggle-output-scroll',
    label: 'Scroll / show in full every long output',
    group: 'View',
    command: ['Shift+O']
  },
  {
    id: 'toggle-line-numbers',
    label: 'Show / hide line numbers',
    group: 'View',
    command: ['Shift+L'],
    ...menu('view.panels', 'Show or Hide Line Numbers')
  },
  {
    id: 'toggle-sidebar',
    label: 'Show / hide the sidebar',
    group: 'View',
    command: ['Mod+B'],
    ...menu('view.panels', 'Toggle Sidebar')
  },
  {
    id: 'cycle-theme',
    label: 'Theme: system → light → dark',
    group: 'View',
    ...menu('view.theme', 'Theme: {theme} (System → Light → Dark)')
  },
  {
    id: 'shortcuts',
    label: 'Keyboard shortcuts',
    group: 'View',
    command: ['H'],
    ...menu('help', 'Keyboard Shortcuts')
  },
  {
    // JupyterLab's Ctrl+F in command mode: every cell's source. In a cell's editor Ctrl+F stays the
    // editor's own search, which can also replace.
    id: 'find',
    label: 'Find in the notebook',
    group: 'View',
    command: ['Mod+F'],
    ...menu('edit.select', 'Find in Notebook…')
  },
  {
    id: 'palette',
    label: 'Command palette',
    group: 'View',
    command: ['Mod+Shift+P'],
    edit: ['Mod+Shift+P'],
    ...menu('view.panels', 'Command Palette…')
  },
  {
    id: 'save',
    label: 'Save',
    group: 'Notebook',
    command: ['Mod+S'],
    edit: ['Mod+S'],
    ...menu('file.save', 'Save')
  },
  // Not a menu action: the desktop shell's File ▸ Save As… asks for the file in a native dialog first.
  { id: 'save-as', label: 'Save as…', group: 'Notebook', command: ['Mod+Shift+S'], edit: ['Mod+Shift+S'] },
  {
    id: 'settings',
    label: 'Notebook settings (limits, deterministic mode)',
    group: 'Notebook',
    ...menu('cell.settings', 'Notebook Settings…')
  },
  { id: 'export-html', label: 'Export as HTML', group: 'Notebook', ...menu('file.export', 'HTML Report…') },
  {
    id: 'export-ipynb',
    label: 'Export as .ipynb',
    group: 'Notebook',
    ...menu('file.export', 'Jupyter Notebook (.ipynb)…')
  },
  { id: 'close', label: 'Close notebook (back to the start screen)', group: 'Notebook' }
]

const BY_ID = new Map<string, ActionSpec>(ACTIONS.map((a) => [a.id, a]))

export function isActionId(value: string): value is ActionId {
  return BY_ID.has(value)
}

export function actionSpec(id: ActionId): ActionSpec {
  const spec = BY_ID.get(id)
  if (!spec) throw new Error(`unknown action ${id}`)
  return spec
}

/** Every key of an action, edit-mode keys first (they work with focus anywhere, editors included). */
export function keysOf(spec: ActionSpec): string[] {
  return [...(spec.edit ?? []), ...(spec.command ?? [])]
}

/** The actions of one menu section, in registry order. */
export function actionsInMenuSection(section: MenuSection): ActionSpec[] {
  return ACTIONS.filter((a) => a.menu?.section === section)
}
