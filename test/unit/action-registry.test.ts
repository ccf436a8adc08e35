import { describe, expect, it } from 'vitest'
import { ACTIONS, isActionId, keysOf, type ActionId } from '../../src/shared/actions'
import { shortcutSections } from '../../src/renderer/src/lib/actions'
import { filterActions } from '../../src/renderer/src/lib/palette'
import {
  buildMenuTemplate,
  type MenuHandlers,
  type MenuItemSpec
} from '../../src/main/electron/menu-template'

// One registry (src/shared/actions.ts) feeds the keys, the shortcuts sheet, the palette and the desktop
// menu: these checks fail when one of them lists an action the registry does not, or misses one.

const noop = () => {}
const handlers: MenuHandlers = {
  action: noop,
  newNotebook: noop,
  open: noop,
  openRecent: noop,
  clearRecent: noop,
  saveAs: noop,
  printToPdf: noop,
  about: noop
}

function flatten(items: readonly MenuItemSpec[]): MenuItemSpec[] {
  return items.flatMap((i) => [i, ...flatten(i.submenu ?? [])])
}

function menuActionItems(platform: string): { id: ActionId; label: string | undefined }[] {
  return flatten(buildMenuTemplate(platform, [], handlers, { theme: 'light' }))
    .filter((i) => i.id?.startsWith('action:'))
    .map((i) => ({ id: i.id!.slice('action:'.length) as ActionId, label: i.label }))
}

const ids = ACTIONS.map((a) => a.id)

describe('action registry', () => {
  it('gives every action a unique id, and every key to one action only', () => {
    expect(new Set(ids).size).toBe(ids.length)
    const owner = new Map<string, ActionId>()
    for (const action of ACTIONS) {
      for (const mode of ['command', 'edit'] as const) {
        const keys = action[mode] ?? []
        expect(new Set(keys).size, `${action.id} repeats a ${mode} key`).toBe(keys.length)
      }
      for (const key of new Set(keysOf(action))) {
        expect(owner.get(key) ?? action.id, `${key} is bound to two actions`).toBe(action.id)
        owner.set(key, action.id)
      }
    }
    expect(ids.every(isActionId)).toBe(true)
    expect(isActionId('format-disk')).toBe(false)
  })

  it('the shortcuts sheet lists exactly the actions with a key, per mode, with those keys', () => {
    const sections = shortcutSections()
    expect(sections.map((s) => s.mode)).toEqual(['command', 'edit'])
    for (const section of sections) {
      expect(section.actions.map((a) => a.id)).toEqual(
        ACTIONS.filter((a) => (a[section.mode] ?? []).length > 0).map((a) => a.id)
      )
    }
    const listed = new Set(sections.flatMap((s) => s.actions.map((a) => a.id)))
    expect([...listed].sort()).toEqual(
      ACTIONS.filter((a) => keysOf(a).length > 0)
        .map((a) => a.id)
        .sort()
    )
  })

  it("the sheet and the palette list the editor's own keys too (Shift+Tab, the inspector)", () => {
    const edit = shortcutSections().find((s) => s.mode === 'edit')!
    expect(edit.actions.find((a) => a.id === 'inspect')?.edit).toEqual(['Shift+Tab'])
    expect(filterActions(ACTIONS, 'inspector').map((a) => a.id)).toContain('inspect')
  })

  it('the command palette lists every action once, in registry order', () => {
    expect(filterActions(ACTIONS, '').map((a) => a.id)).toEqual(ids)
  })

  it('the desktop menu lists exactly the actions placed in a menu, once each, with their menu label', () => {
    for (const platform of ['linux', 'win32', 'darwin']) {
      const items = menuActionItems(platform)
      const placed = ACTIONS.filter((a) => a.menu)
      expect(items.map((i) => i.id).sort(), platform).toEqual(placed.map((a) => a.id).sort())
      for (const item of items) {
        const spec = placed.find((a) => a.id === item.id)!
        expect(item.label).toBe(spec.menu!.label.replace('{theme}', 'Light'))
      }
    }
    expect(ACTIONS.filter((a) => a.menu).length).toBeGreaterThan(30)
  })
})
