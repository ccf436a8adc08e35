/**
 * The application menu as data. Pure (no 'electron' import) so its structure and accelerators are unit
 * tested; menu.ts hands the result to Menu.buildFromTemplate, whose option type this structurally matches.
 *
 * Two kinds of items:
 * - renderer actions (Run, Save, Toggle Sidebar…): the click sends the action id to the focused window,
 *   which runs it through the same registry as its keys and palette. Their labels, keys and sections
 *   come from that registry (src/shared/actions.ts); this file only lays the sections out. Their keys are
 *   *displayed only* (`registerAccelerator: false`): the renderer's keymap stays the one place that
 *   handles them, so a key can never fire twice or fire while a dialog or an editor should have it.
 * - shell items (New, Open…, Save As…, Print…, zoom, roles): handled in main; their accelerators
 *   are registered.
 */
import type { NotebookSummary } from '../../shared/notebook'
import type { AppSettings } from '../../shared/api'
import {
  actionSpec,
  actionsInMenuSection,
  keysOf,
  type ActionSpec,
  type MenuSection
} from '../../shared/actions'

export type Theme = AppSettings['theme']

/** The roles this menu uses: a subset of Electron's MenuItem roles. */
export type MenuRole =
  | 'about'
  | 'services'
  | 'hide'
  | 'hideOthers'
  | 'unhide'
  | 'quit'
  | 'close'
  | 'undo'
  | 'redo'
  | 'cut'
  | 'copy'
  | 'paste'
  | 'pasteAndMatchStyle'
  | 'delete'
  | 'selectAll'
  | 'resetZoom'
  | 'zoomIn'
  | 'zoomOut'
  | 'togglefullscreen'
  | 'toggleDevTools'
  | 'windowMenu'
  | 'help'
  | 'fileMenu'
  | 'editMenu'
  | 'viewMenu'
  | 'appMenu'

/** A subset of Electron's MenuItemConstructorOptions, structurally compatible with it. */
export interface MenuItemSpec {
  id?: string
  label?: string
  role?: MenuRole
  type?: 'normal' | 'separator' | 'submenu' | 'checkbox' | 'radio'
  accelerator?: string
  registerAccelerator?: boolean
  enabled?: boolean
  checked?: boolean
  submenu?: MenuItemSpec[]
  click?: () => void
}

export interface MenuHandlers {
  /** Runs a renderer action (an id of the renderer's action registry) in the focused notebook window. */
  action(id: string): void
  newNotebook(): void
  open(): void
  openRecent(path: string): void
  clearRecent(): void
  saveAs(): void
  printToPdf(): void
  about(): void
}

export interface MenuOptions {
  appName?: string
  theme?: Theme
  /** Adds Toggle Developer Tools (unpackaged builds only). */
  devTools?: boolean
}

const THEME_LABELS: Record<Theme, string> = { system: 'System', light: 'Light', dark: 'Dark' }

/** How many recent notebooks File ▸ Open Recent lists. */
export const MAX_RECENT_ITEMS = 10

const SEPARATOR: MenuItemSpec = { type: 'separator' }

/**
 * The renderer's key notation ('Mod+Shift+ArrowUp') as an Electron accelerator ('CmdOrCtrl+Shift+Up').
 * Null where no menu accelerator can express the key: sequences ('I I') and unmodified keys ('A', 'H'),
 * which only make sense in the notebook's command mode and would break typing anywhere else.
 */
export function acceleratorFor(keys: string): string | null {
  if (keys.includes(' ')) return null
  const parts = keys.split('+').filter((p, i, all) => p !== '' || i === all.length - 1)
  // 'Mod+Shift+-' splits cleanly; a literal '+' key would need its own notation, and none is used.
  const key = parts.pop()
  if (!key) return null
  const modifiers = parts.map((m) => MODIFIERS[m])
  if (modifiers.some((m) => m === undefined)) return null
  const named = NAMED_KEYS[key] ?? (key.length === 1 ? key.toUpperCase() : null)
  if (!named) return null
  const hasCommandModifier = parts.some((m) => m !== 'Shift')
  // Shift alone only makes an accelerator out of a non-typing key (Shift+Enter), never out of a letter.
  if (!hasCommandModifier && !(parts.includes('Shift') && key.length > 1)) return null
  return [...(modifiers as string[]), named].join('+')
}

const MODIFIERS: Record<string, string> = {
  Mod: 'CmdOrCtrl',
  Ctrl: 'Ctrl',
  Alt: 'Alt',
  Shift: 'Shift',
  Meta: 'Super'
}
const NAMED_KEYS: Record<string, string> = {
  Enter: 'Enter',
  Escape: 'Esc',
  ArrowUp: 'Up',
  ArrowDown: 'Down',
  ArrowLeft: 'Left',
  ArrowRight: 'Right',
  Space: 'Space',
  Tab: 'Tab',
  Backspace: 'Backspace',
  Delete: 'Delete'
}

/** The first of an action's keys that an accelerator can express (edit-mode keys work everywhere). */
function acceleratorOf(spec: ActionSpec, isMac: boolean): string | null {
  for (const keys of keysOf(spec)) {
    const accelerator = acceleratorFor(keys)
    // macOS ignores `registerAccelerator` and runs a menu's key equivalent for any key the page left
    // unhandled, so there only Cmd chords are shown: Shift+Enter typed in a text field must stay a newline.
    if (accelerator && (!isMac || accelerator.startsWith('CmdOrCtrl+'))) return accelerator
  }
  return null
}

/** The menu items of one registry section; each runs its action in the renderer, its keys shown not registered. */
function actionItems(
  section: MenuSection,
  handlers: MenuHandlers,
  isMac: boolean,
  theme: Theme
): MenuItemSpec[] {
  return actionsInMenuSection(section).map((spec) => {
    const accelerator = acceleratorOf(spec, isMac)
    return {
      id: `action:${spec.id}`,
      label: spec.menu!.label.replace('{theme}', THEME_LABELS[theme]),
      ...(accelerator ? { accelerator, registerAccelerator: false } : {}),
      click: () => handlers.action(spec.id)
    }
  })
}

function recentSubmenu(
  recent: readonly NotebookSummary[],
  handlers: MenuHandlers,
  isMac: boolean
): MenuItemSpec[] {
  const items: MenuItemSpec[] = recent.slice(0, MAX_RECENT_ITEMS).map((nb) => ({
    id: `recent:${nb.path}`,
    label: isMac ? recentLabel(nb) : escapeMnemonics(recentLabel(nb)),
    click: () => handlers.openRecent(nb.path)
  }))
  if (items.length === 0) items.push({ id: 'recent:none', label: 'No Recent Notebooks', enabled: false })
  items.push(SEPARATOR, {
    id: 'recent:clear',
    label: 'Clear Recently Opened',
    enabled: recent.length > 0,
    click: () => handlers.clearRecent()
  })
  return items
}

/** "Title — file.fuelbook", or the file name alone when the title says nothing more. */
export function recentLabel(nb: Pick<NotebookSummary, 'path' | 'title'>): string {
  const file = nb.path.split(/[\\/]/).pop() ?? nb.path
  const title = nb.title.trim()
  return title && title !== file.replace(/\.fuelbook$/, '') ? `${title} — ${file}` : file
}

/** Windows and Linux read '&' in a label as a mnemonic marker; '&&' is a literal ampersand. */
function escapeMnemonics(label: string): string {
  return label.replace(/&/g, '&&')
}

export function buildMenuTemplate(
  platform: string,
  recent: readonly NotebookSummary[],
  handlers: MenuHandlers,
  options: MenuOptions = {}
): MenuItemSpec[] {
  const isMac = platform === 'darwin'
  const appName = options.appName ?? 'Fuelbook'
  const theme = options.theme ?? 'system'
  const section = (name: MenuSection) => actionItems(name, handlers, isMac, theme)
  // Mnemonics (Alt+F opens File) exist on Windows and Linux only.
  const top = (label: string) => (isMac ? label : `&${label}`)

  const appMenu: MenuItemSpec = {
    label: appName,
    submenu: [
      { role: 'about', label: `About ${appName}` },
      SEPARATOR,
      { role: 'services' },
      SEPARATOR,
      { role: 'hide', label: `Hide ${appName}` },
      { role: 'hideOthers' },
      { role: 'unhide' },
      SEPARATOR,
      { role: 'quit', label: `Quit ${appName}` }
    ]
  }

  const fileMenu: MenuItemSpec = {
    label: top('File'),
    submenu: [
      {
        id: 'file:new',
        label: 'New Notebook',
        accelerator: 'CmdOrCtrl+N',
        click: () => handlers.newNotebook()
      },
      { id: 'file:open', label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => handlers.open() },
      { id: 'file:recent', label: 'Open Recent', submenu: recentSubmenu(recent, handlers, isMac) },
      SEPARATOR,
      ...section('file.save'),
      {
        // The shell's own item: it asks for the file in a native dialog, then sends 'save-as' with it.
        id: 'file:save-as',
        label: 'Save As…',
        accelerator: acceleratorOf(actionSpec('save-as'), false)!,
        click: () => handlers.saveAs()
      },
      SEPARATOR,
      {
        id: 'file:export',
        label: 'Export',
        submenu: section('file.export')
      },
      {
        id: 'file:print',
        label: 'Print to PDF…',
        accelerator: 'CmdOrCtrl+P',
        click: () => handlers.printToPdf()
      },
      SEPARATOR,
      { role: 'close', label: 'Close Window', accelerator: 'CmdOrCtrl+W' },
      ...(isMac ? [] : [SEPARATOR, { role: 'quit', label: 'Quit', accelerator: 'Ctrl+Q' } as MenuItemSpec])
    ]
  }

  const editMenu: MenuItemSpec = {
    label: top('Edit'),
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      SEPARATOR,
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      ...(isMac ? [{ role: 'pasteAndMatchStyle' } as MenuItemSpec] : []),
      { role: 'delete' },
      { role: 'selectAll' },
      SEPARATOR,
      ...section('edit.cells'),
      SEPARATOR,
      ...section('edit.select')
    ]
  }

  const cellMenu: MenuItemSpec = {
    label: top('Cell'),
    submenu: [
      ...section('cell.run'),
      SEPARATOR,
      ...section('cell.kernel'),
      SEPARATOR,
      ...section('cell.outputs'),
      SEPARATOR,
      ...section('cell.edit'),
      { id: 'cell:type', label: 'Cell Type', submenu: section('cell.type') },
      ...section('cell.more'),
      SEPARATOR,
      ...section('cell.settings')
    ]
  }

  const viewMenu: MenuItemSpec = {
    label: top('View'),
    submenu: [
      // The renderer's own theme action (it applies and saves the setting); the shell follows the saved
      // setting for native UI (nativeTheme) and shows it here.
      ...section('view.theme'),
      SEPARATOR,
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      SEPARATOR,
      ...section('view.panels'),
      SEPARATOR,
      { role: 'togglefullscreen' },
      ...(options.devTools ? [{ role: 'toggleDevTools' } as MenuItemSpec] : [])
    ]
  }

  const helpMenu: MenuItemSpec = {
    ...(isMac ? { role: 'help' as const } : {}),
    label: top('Help'),
    submenu: [
      ...section('help'),
      ...(isMac
        ? []
        : [SEPARATOR, { id: 'help:about', label: `About ${appName}`, click: () => handlers.about() }])
    ]
  }

  return [
    ...(isMac ? [appMenu] : []),
    fileMenu,
    editMenu,
    cellMenu,
    viewMenu,
    ...(isMac ? [{ role: 'windowMenu' } as MenuItemSpec] : []),
    helpMenu
  ]
}
