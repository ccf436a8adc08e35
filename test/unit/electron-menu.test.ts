import { describe, expect, it } from 'vitest'
import { ACTIONS } from '../../src/shared/actions'
import {
  acceleratorFor,
  buildMenuTemplate,
  MAX_RECENT_ITEMS,
  recentLabel,
  type MenuHandlers,
  type MenuItemSpec
} from '../../src/main/electron/menu-template'
import type { NotebookSummary } from '../../src/shared/notebook'

// The shell's menu as data: built without Electron, so its structure and keys are checked here.

function recordingHandlers() {
  const calls: string[] = []
  const handlers: MenuHandlers = {
    action: (id) => calls.push(`action:${id}`),
    newNotebook: () => calls.push('new'),
    open: () => calls.push('open'),
    openRecent: (p) => calls.push(`recent:${p}`),
    clearRecent: () => calls.push('clear-recent'),
    saveAs: () => calls.push('save-as'),
    printToPdf: () => calls.push('print'),
    about: () => calls.push('about')
  }
  return { calls, handlers }
}

function flatten(items: readonly MenuItemSpec[]): MenuItemSpec[] {
  return items.flatMap((i) => [i, ...flatten(i.submenu ?? [])])
}
function labels(items: readonly MenuItemSpec[]): (string | undefined)[] {
  return items.map((i) => i.label ?? i.role ?? i.type)
}
function submenu(items: readonly MenuItemSpec[], label: string): MenuItemSpec[] {
  const found = items.find((i) => i.label?.replace('&', '') === label)
  if (!found?.submenu) throw new Error(`no menu ${label}`)
  return found.submenu
}
const byId = (items: readonly MenuItemSpec[], id: string) => flatten(items).find((i) => i.id === id)

const recent: NotebookSummary[] = [
  { path: '/home/ada/analysis.fuelbook', title: 'Q3 analysis', modifiedAt: 2, cellCount: 4 },
  { path: '/home/ada/notes.fuelbook', title: 'notes', modifiedAt: 1, cellCount: 1 },
  { path: '/home/ada/R&D.fuelbook', title: '', modifiedAt: 0, cellCount: 0 }
]

describe('menu template', () => {
  it('has File, Edit, Cell, View, Help on Windows and Linux, with mnemonics and Quit in File', () => {
    for (const platform of ['linux', 'win32']) {
      const { handlers } = recordingHandlers()
      const menu = buildMenuTemplate(platform, recent, handlers)
      expect(labels(menu)).toEqual(['&File', '&Edit', '&Cell', '&View', '&Help'])
      const file = submenu(menu, 'File')
      expect(labels(file).filter((l) => l !== 'separator')).toEqual([
        'New Notebook',
        'Open…',
        'Open Recent',
        'Save',
        'Save As…',
        'Export',
        'Print to PDF…',
        'Close Window',
        'Quit'
      ])
      expect(labels(submenu(menu, 'Help'))).toContain('About Fuelbook')
    }
  })

  it('follows macOS conventions: app menu first (About, Services, Hide, Quit), Window menu, help role', () => {
    const { handlers } = recordingHandlers()
    const menu = buildMenuTemplate('darwin', recent, handlers)
    expect(labels(menu)).toEqual(['Fuelbook', 'File', 'Edit', 'Cell', 'View', 'windowMenu', 'Help'])
    const roles = menu[0]!.submenu!.map((i) => i.role).filter(Boolean)
    expect(roles).toEqual(['about', 'services', 'hide', 'hideOthers', 'unhide', 'quit'])
    expect(flatten(submenu(menu, 'File')).some((i) => i.role === 'quit')).toBe(false)
    expect(menu.at(-1)!.role).toBe('help')
    expect(labels(submenu(menu, 'Help'))).not.toContain('About Fuelbook')
    expect(submenu(menu, 'Edit').some((i) => i.role === 'pasteAndMatchStyle')).toBe(true)
  })

  it('Edit has the clipboard roles (macOS needs them for Cmd+C/V in text fields)', () => {
    const { handlers } = recordingHandlers()
    const edit = submenu(buildMenuTemplate('linux', [], handlers), 'Edit')
    const roles = edit.map((i) => i.role).filter(Boolean)
    expect(roles).toEqual(['undo', 'redo', 'cut', 'copy', 'paste', 'delete', 'selectAll'])
  })

  it('Cell has Run, Run All, Interrupt and Restart; View has themes, zoom and panels; Help has shortcuts', () => {
    const { handlers } = recordingHandlers()
    const menu = buildMenuTemplate('linux', [], handlers, { theme: 'dark' })
    const cell = labels(submenu(menu, 'Cell'))
    for (const label of [
      'Run Selected Cells',
      'Run All',
      'Interrupt Kernel',
      'Restart Kernel',
      'Restart Kernel and Run All'
    ])
      expect(cell).toContain(label)
    const view = submenu(menu, 'View')
    expect(view[0]).toMatchObject({ id: 'action:cycle-theme', label: 'Theme: Dark (System → Light → Dark)' })
    expect(view.map((i) => i.role).filter(Boolean)).toEqual([
      'resetZoom',
      'zoomIn',
      'zoomOut',
      'togglefullscreen'
    ])
    expect(labels(view)).toContain('Toggle Sidebar')
    expect(labels(submenu(menu, 'Help'))).toContain('Keyboard Shortcuts')
    expect(
      flatten(buildMenuTemplate('linux', [], handlers, { devTools: true })).some(
        (i) => i.role === 'toggleDevTools'
      )
    ).toBe(true)
    expect(flatten(menu).some((i) => i.role === 'toggleDevTools')).toBe(false)
  })

  it('every item runs its handler: renderer actions by id, shell items in main', () => {
    const { calls, handlers } = recordingHandlers()
    const menu = buildMenuTemplate('linux', recent, handlers)
    for (const id of ['file:new', 'file:open', 'file:save-as', 'file:print', 'help:about', 'recent:clear'])
      byId(menu, id)!.click!()
    byId(menu, 'recent:/home/ada/notes.fuelbook')!.click!()
    byId(menu, 'action:run-all')!.click!()
    byId(menu, 'action:interrupt')!.click!()
    byId(menu, 'action:export-ipynb')!.click!()
    expect(calls).toEqual([
      'new',
      'open',
      'save-as',
      'print',
      'about',
      'clear-recent',
      'recent:/home/ada/notes.fuelbook',
      'action:run-all',
      'action:interrupt',
      'action:export-ipynb'
    ])
  })

  it("shows each action's key from the renderer's keymap, display only (the renderer handles the key)", () => {
    const { handlers } = recordingHandlers()
    for (const platform of ['linux', 'darwin']) {
      for (const item of flatten(buildMenuTemplate(platform, [], handlers))) {
        if (!item.id?.startsWith('action:')) continue
        const spec = ACTIONS.find((a) => a.id === item.id!.slice('action:'.length))!
        // The first key of the action that an accelerator can express (edit-mode keys work everywhere).
        const keys = [...(spec.edit ?? []), ...(spec.command ?? [])]
          .map(acceleratorFor)
          // macOS shows Cmd chords only (its key equivalents fire for keys the page leaves unhandled).
          .filter((k) => k && (platform !== 'darwin' || k.startsWith('CmdOrCtrl+')))
        if (keys.length === 0) {
          expect(item.accelerator, item.id).toBeUndefined()
        } else {
          expect(item.accelerator, item.id).toBe(keys[0])
          expect(item.registerAccelerator, item.id).toBe(false)
        }
      }
    }
  })

  it('registers the shell’s own accelerators, matching the UI where the UI has the same command', () => {
    const { handlers } = recordingHandlers()
    const menu = buildMenuTemplate('linux', [], handlers)
    const accel = (id: string) => byId(menu, id)!.accelerator
    expect(accel('file:new')).toBe('CmdOrCtrl+N')
    expect(accel('file:open')).toBe('CmdOrCtrl+O')
    expect(accel('file:print')).toBe('CmdOrCtrl+P')
    const saveAs = ACTIONS.find((a) => a.id === 'save-as')!
    expect(accel('file:save-as')).toBe(acceleratorFor(saveAs.edit![0]!))
    expect(byId(menu, 'file:save-as')!.registerAccelerator).toBeUndefined()
    expect(accel('action:save')).toBe('CmdOrCtrl+S')
    expect(accel('action:run')).toBe('CmdOrCtrl+Enter')
    expect(accel('action:run-advance')).toBe('Shift+Enter')
    expect(accel('action:move-up')).toBe('CmdOrCtrl+Shift+Up')
    expect(accel('action:split')).toBe('CmdOrCtrl+Shift+-')
    expect(accel('action:palette')).toBe('CmdOrCtrl+Shift+P')
    // No two items claim the same accelerator.
    const all = flatten(menu)
      .map((i) => i.accelerator)
      .filter(Boolean)
    expect(new Set(all).size).toBe(all.length)
  })

  it('on macOS shows only Cmd chords for renderer actions', () => {
    const { handlers } = recordingHandlers()
    const mac = buildMenuTemplate('darwin', [], handlers)
    expect(byId(mac, 'action:run')!.accelerator).toBe('CmdOrCtrl+Enter')
    expect(byId(mac, 'action:run-advance')!.accelerator).toBeUndefined()
    expect(byId(mac, 'action:run-insert')!.accelerator).toBeUndefined()
  })

  it('converts the renderer key notation; refuses sequences and unmodified keys', () => {
    expect(acceleratorFor('Mod+Shift+ArrowDown')).toBe('CmdOrCtrl+Shift+Down')
    expect(acceleratorFor('Alt+Enter')).toBe('Alt+Enter')
    expect(acceleratorFor('Mod+B')).toBe('CmdOrCtrl+B')
    expect(acceleratorFor('Mod+b')).toBe('CmdOrCtrl+B')
    expect(acceleratorFor('I I')).toBeNull()
    expect(acceleratorFor('0 0')).toBeNull()
    expect(acceleratorFor('A')).toBeNull()
    expect(acceleratorFor('Shift+M')).toBeNull()
    expect(acceleratorFor('Enter')).toBeNull()
    expect(acceleratorFor('Hyper+X')).toBeNull()
    expect(acceleratorFor('')).toBeNull()
  })

  it('lists recent notebooks (at most 10), with a disabled placeholder and Clear when there are none', () => {
    const { handlers } = recordingHandlers()
    const many = Array.from({ length: 14 }, (_, i) => ({
      path: `/n/${i}.fuelbook`,
      title: `${i}`,
      modifiedAt: i,
      cellCount: 1
    }))
    const items = byId(buildMenuTemplate('linux', many, handlers), 'file:recent')!.submenu!
    expect(items.filter((i) => i.id?.startsWith('recent:/'))).toHaveLength(MAX_RECENT_ITEMS)
    expect(items.at(-1)).toMatchObject({ id: 'recent:clear', enabled: true })
    const none = byId(buildMenuTemplate('linux', [], handlers), 'file:recent')!.submenu!
    expect(none[0]).toMatchObject({ label: 'No Recent Notebooks', enabled: false })
    expect(none.at(-1)).toMatchObject({ id: 'recent:clear', enabled: false })
    const linux = byId(buildMenuTemplate('linux', recent, handlers), 'file:recent')!.submenu!
    expect(linux.slice(0, 3).map((i) => i.label)).toEqual([
      'Q3 analysis — analysis.fuelbook',
      'notes.fuelbook',
      'R&&D.fuelbook'
    ])
    const mac = byId(buildMenuTemplate('darwin', recent, handlers), 'file:recent')!.submenu!
    expect(mac[2]!.label).toBe('R&D.fuelbook')
    expect(recentLabel({ path: 'C:\\Users\\ada\\x.fuelbook', title: 'Budget' })).toBe('Budget — x.fuelbook')
  })
})
