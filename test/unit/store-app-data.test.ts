import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppData, MAX_RECENTS, NotebookStore, resolveDataDir } from '../../src/main/store'
import { SETTINGS, codeCell, tempDir } from '../helpers/store-fixtures'
import { DEFAULT_APP_SETTINGS, SIDEBAR_WIDTH } from '../../src/shared/app-settings'

let dir: string
beforeEach(() => {
  dir = tempDir('fuelbook-appdata-')
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('the data folder', () => {
  const home = '/home/ada'
  it('is Electron userData when the shell passes it', () => {
    expect(resolveDataDir({ userData: '/u/Fuelbook', env: { FUELBOOK_DATA_DIR: '/x' } })).toBe('/u/Fuelbook')
  })
  it('is $FUELBOOK_DATA_DIR when set', () => {
    expect(resolveDataDir({ env: { FUELBOOK_DATA_DIR: '/data/fb' }, platform: 'linux', home })).toBe(
      '/data/fb'
    )
  })
  it('follows each platform', () => {
    expect(resolveDataDir({ env: {}, platform: 'linux', home })).toBe('/home/ada/.local/share/fuelbook')
    expect(resolveDataDir({ env: { XDG_DATA_HOME: '/xdg' }, platform: 'linux', home })).toBe('/xdg/fuelbook')
    expect(resolveDataDir({ env: {}, platform: 'darwin', home })).toBe(
      '/home/ada/Library/Application Support/Fuelbook'
    )
    expect(resolveDataDir({ env: { APPDATA: '/appdata' }, platform: 'win32', home })).toBe(
      path.join('/appdata', 'Fuelbook')
    )
  })
})

describe('untitled notebooks', () => {
  it('are numbered in <data>/notebooks and count as untitled only there', () => {
    const app = new AppData(dir)
    const first = app.newUntitledPath()
    expect(first).toBe(path.join(dir, 'notebooks', 'Untitled.fuelbook'))
    fs.writeFileSync(first, '')
    expect(app.newUntitledPath()).toBe(path.join(dir, 'notebooks', 'Untitled 2.fuelbook'))
    expect(app.newUntitledPath('analysis/v2: final')).toBe(
      path.join(dir, 'notebooks', 'analysis v2 final.fuelbook')
    )
    expect(app.isUntitled(first)).toBe(true)
    expect(app.isUntitled(path.join(dir, 'elsewhere.fuelbook'))).toBe(false)
  })
})

describe('app settings', () => {
  it('default, persist atomically, and survive a damaged file', () => {
    const app = new AppData(dir)
    expect(app.getSettings()).toEqual(DEFAULT_APP_SETTINGS)
    expect(app.setSettings({ theme: 'dark' })).toEqual({ ...DEFAULT_APP_SETTINGS, theme: 'dark' })
    expect(new AppData(dir).getSettings().theme).toBe('dark')
    expect(fs.readdirSync(dir)).toEqual(['settings.json'])
    fs.writeFileSync(path.join(dir, 'settings.json'), '{"theme": "dark"') // cut short
    expect(app.getSettings()).toEqual(DEFAULT_APP_SETTINGS)
    fs.writeFileSync(path.join(dir, 'settings.json'), '{"theme": "neon"}')
    expect(app.getSettings()).toEqual(DEFAULT_APP_SETTINGS)
    expect(app.setSettings({ theme: 'neon' as never })).toEqual(DEFAULT_APP_SETTINGS)
  })

  it('a change keeps the other settings; out-of-range values are clamped or dropped', () => {
    const app = new AppData(dir)
    app.setSettings({ density: 'compact', sidebarWidth: 300 })
    expect(app.setSettings({ collapsedSections: ['outline'] })).toEqual({
      ...DEFAULT_APP_SETTINGS,
      density: 'compact',
      sidebarWidth: 300,
      collapsedSections: ['outline']
    })
    fs.writeFileSync(
      path.join(dir, 'settings.json'),
      '{"theme": "light", "sidebarWidth": 99999, "outputScrollLines": -3, "collapsedSections": [1, "fuel"]}'
    )
    expect(app.getSettings()).toEqual({
      ...DEFAULT_APP_SETTINGS,
      theme: 'light',
      sidebarWidth: SIDEBAR_WIDTH.max,
      outputScrollLines: 0,
      collapsedSections: ['fuel']
    })
  })
})

describe('recent notebooks', () => {
  function notebook(name: string, cells: number): NotebookStore {
    const r = NotebookStore.create(path.join(dir, `${name}.fuelbook`), {
      title: name.toUpperCase(),
      settings: SETTINGS
    })
    if (!r.ok) throw new Error(r.error)
    for (let i = 0; i < cells; i++) r.value.insertCell(codeCell(`c${i}`), i)
    return r.value
  }

  it('lists newest first with title, modified time and cell count, including open notebooks', () => {
    const app = new AppData(dir)
    const a = notebook('a', 2)
    const b = notebook('b', 1)
    app.addRecent(a.path)
    app.addRecent(b.path)
    a.insertCell(codeCell('late'), 0) // a is still open (locked): its live summary is used
    const list = app.listRecent()
    expect(list.map((e) => [e.title, e.cellCount])).toEqual([
      ['B', 1],
      ['A', 3]
    ])
    expect(list[1]!.modifiedAt).toBe(a.load().modifiedAt)
    a.close()
    b.close()
    expect(new AppData(dir).listRecent().map((e) => [e.path, e.cellCount])).toEqual([
      [b.path, 1],
      [a.path, 3]
    ])
    app.addRecent(a.path) // re-adding moves to the front without duplicating
    expect(app.listRecent().map((e) => e.title)).toEqual(['A', 'B'])
  })

  it('prunes missing files and caps the list', () => {
    const app = new AppData(dir)
    const files = []
    for (let i = 0; i < MAX_RECENTS + 3; i++) {
      const s = notebook(`n${i}`, 0)
      s.close()
      files.push(s.path)
      app.addRecent(s.path)
    }
    expect(app.listRecent()).toHaveLength(MAX_RECENTS)
    fs.rmSync(files[files.length - 1]!)
    const list = app.listRecent()
    expect(list).toHaveLength(MAX_RECENTS - 1)
    expect(list.map((e) => e.path)).not.toContain(files[files.length - 1])
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'recents.json'), 'utf8')) as unknown[]
    expect(saved).toHaveLength(MAX_RECENTS - 1)
  })

  it('a damaged recents file gives an empty list, then works again', () => {
    const app = new AppData(dir)
    fs.writeFileSync(path.join(dir, 'recents.json'), '[{"path": 3}, "x", null, {"path": "relative.fuelbook"}')
    expect(app.listRecent()).toEqual([])
    fs.writeFileSync(
      path.join(dir, 'recents.json'),
      '[{"path": 3}, "x", null, {"path": "relative.fuelbook"}]'
    )
    expect(app.listRecent()).toEqual([])
    const s = notebook('ok', 1)
    s.close()
    app.addRecent(s.path)
    expect(app.listRecent()).toEqual([
      { path: s.path, title: 'OK', modifiedAt: expect.any(Number), cellCount: 1 }
    ])
  })

  it('keeps a recent whose file is not a notebook any more, with what was remembered', () => {
    const app = new AppData(dir)
    const s = notebook('gone-bad', 2)
    s.close()
    app.addRecent(s.path)
    fs.writeFileSync(s.path, 'not sqlite')
    expect(app.listRecent()).toEqual([
      { path: s.path, title: 'GONE-BAD', modifiedAt: expect.any(Number), cellCount: 2 }
    ])
  })
})
