import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  CLOSE_ANYWAY,
  closeConfirmationOptions,
  downloadDialogOptions,
  openDialogOptions,
  pdfDialogOptions,
  saveAsDialogOptions,
  withExtension
} from '../../src/main/electron/dialog-options'
import { electronSqliteBinding, type BindingContext } from '../../src/main/electron/native-sqlite'
import {
  chooseWindow,
  notebookPathsFromArgv,
  openHash,
  openKindOf,
  pathFromUrl,
  samePath,
  shownPathAfterCall
} from '../../src/main/electron/open-requests'
import {
  DEFAULT_SIZE,
  loadWindowState,
  parseWindowState,
  placeWindow,
  saveWindowState
} from '../../src/main/electron/window-state'
import { isMenuCommand } from '../../src/shared/menu'

// The shell's decisions, as pure functions: what each dialog offers, which window opens a file, where a
// window goes, which SQLite build loads. The stubbed-Electron test (electron-shell) checks the wiring.

describe('dialog options', () => {
  it('Open offers .fuelbook and .ipynb together first, then each alone; several files at once', () => {
    const o = openDialogOptions('/home/ada/Documents')
    expect(o.filters).toEqual([
      { name: 'Notebooks', extensions: ['fuelbook', 'ipynb'] },
      { name: 'Fuelbook Notebook', extensions: ['fuelbook'] },
      { name: 'Jupyter Notebook (imported as a copy)', extensions: ['ipynb'] }
    ])
    expect(o.properties).toEqual(['openFile', 'multiSelections'])
    expect(o.defaultPath).toBe('/home/ada/Documents')
  })

  it('Save As filters .fuelbook; suggests Documents/<title> for an untitled notebook, the file itself otherwise', () => {
    const untitled = saveAsDialogOptions(
      { path: '/data/Untitled 3.fuelbook', title: 'Sales: Q3/Q4', untitled: true },
      '/home/ada/Documents'
    )
    expect(untitled.filters).toEqual([{ name: 'Fuelbook Notebook', extensions: ['fuelbook'] }])
    expect(untitled.defaultPath).toBe('/home/ada/Documents/Sales- Q3-Q4.fuelbook')
    expect(untitled.properties).toContain('showOverwriteConfirmation')
    const saved = saveAsDialogOptions({ path: '/p/a.fuelbook', title: 'a', untitled: false }, '/docs')
    expect(saved.defaultPath).toBe('/p/a.fuelbook')
    expect(
      saveAsDialogOptions({ path: '/d/x.fuelbook', title: '', untitled: true }, '/docs').defaultPath
    ).toBe('/docs/x.fuelbook')
  })

  it('Print to PDF filters .pdf next to the notebook; exports get the filter of their kind', () => {
    expect(pdfDialogOptions('/p/report.fuelbook', '/docs')).toMatchObject({
      defaultPath: '/p/report.pdf',
      filters: [{ name: 'PDF Document', extensions: ['pdf'] }]
    })
    expect(pdfDialogOptions(null, '/docs').defaultPath).toBe('/docs/notebook.pdf')
    expect(downloadDialogOptions('report.html', '/docs')).toEqual({
      title: 'Export Notebook',
      defaultPath: '/docs/report.html',
      filters: [{ name: 'HTML Report', extensions: ['html'] }]
    })
    expect(downloadDialogOptions('a.ipynb', '/docs').filters).toEqual([
      { name: 'Jupyter Notebook', extensions: ['ipynb'] }
    ])
    expect(downloadDialogOptions('blob', '/docs').filters).toEqual([{ name: 'All Files', extensions: ['*'] }])
  })

  it('adds a missing extension (Linux dialogs do not)', () => {
    expect(withExtension('/p/report', 'fuelbook')).toBe('/p/report.fuelbook')
    expect(withExtension('/p/report.FUELBOOK', 'fuelbook')).toBe('/p/report.FUELBOOK')
    expect(withExtension('/p/report.v2', 'pdf')).toBe('/p/report.v2.pdf')
  })

  it('close confirmation defaults to Cancel', () => {
    const o = closeConfirmationOptions('a.fuelbook')
    expect(o.buttons[CLOSE_ANYWAY]).toBe('Close Anyway')
    expect(o.defaultId).not.toBe(CLOSE_ANYWAY)
    expect(o.cancelId).not.toBe(CLOSE_ANYWAY)
    expect(o.message).toContain('a.fuelbook')
  })
})

describe('open requests', () => {
  it('takes .fuelbook and .ipynb files from argv, resolved against the launch folder; skips switches and the app folder', () => {
    expect(
      notebookPathsFromArgv(
        [
          '/opt/Fuelbook/fuelbook',
          '.',
          '--allow-file-access-from-files',
          'a.fuelbook',
          '/abs/B.FUELBOOK',
          'nb.ipynb',
          'notes.txt',
          'a.fuelbook',
          'file:///tmp/c%20d.fuelbook',
          '--',
          '-dash.fuelbook'
        ],
        '/home/ada'
      )
    ).toEqual([
      '/home/ada/a.fuelbook',
      '/abs/B.FUELBOOK',
      '/home/ada/nb.ipynb',
      '/tmp/c d.fuelbook',
      '/home/ada/-dash.fuelbook'
    ])
    expect(notebookPathsFromArgv(['/usr/bin/electron', '/work/app'], '/')).toEqual([])
    expect(openKindOf('x.IPYNB')).toBe('ipynb')
    expect(openKindOf('x.sqlite')).toBeNull()
  })

  it('one window per notebook: focus the one showing it, else reuse a start screen, else a new window', () => {
    const windows = [
      { id: 1, path: '/n/a.fuelbook', focused: false },
      { id: 2, path: null, focused: false },
      { id: 3, path: null, focused: true }
    ]
    expect(chooseWindow('/n/a.fuelbook', windows, 'linux')).toEqual({ kind: 'focus', id: 1 })
    expect(chooseWindow('/n/b.fuelbook', windows, 'linux')).toEqual({ kind: 'load', id: 3 })
    expect(chooseWindow('/n/b.fuelbook', windows.slice(0, 2), 'linux')).toEqual({ kind: 'load', id: 2 })
    expect(chooseWindow('/n/b.fuelbook', windows.slice(0, 1), 'linux')).toEqual({ kind: 'new' })
    expect(chooseWindow('/n/A.fuelbook', windows.slice(0, 1), 'linux')).toEqual({ kind: 'new' })
    expect(chooseWindow('/n/A.fuelbook', windows.slice(0, 1), 'darwin')).toEqual({ kind: 'focus', id: 1 })
    expect(samePath('/n/./a.fuelbook', '/n/a.fuelbook', 'linux')).toBe(true)
  })

  it('the #open= hash round-trips any path', () => {
    const path = '/home/ada/Q3 & Q4 #1 ünïcode?.fuelbook'
    expect(pathFromUrl(`file:///app/index.html#${openHash(path)}`)).toBe(path)
    expect(pathFromUrl('file:///app/index.html')).toBeNull()
    expect(pathFromUrl('file:///app/index.html#other=1')).toBeNull()
  })

  it('tracks what a window shows from its successful calls', () => {
    const doc = { ok: true, value: { path: '/n/a.fuelbook' } }
    expect(shownPathAfterCall('openNotebook', doc)).toBe('/n/a.fuelbook')
    expect(shownPathAfterCall('createNotebook', doc)).toBe('/n/a.fuelbook')
    expect(shownPathAfterCall('saveNotebookAs', doc)).toBe('/n/a.fuelbook')
    expect(shownPathAfterCall('importIpynb', doc)).toBe('/n/a.fuelbook')
    expect(shownPathAfterCall('closeNotebook', { ok: true, value: null })).toBeNull()
    expect(shownPathAfterCall('openNotebook', { ok: false, error: 'x' })).toBeNull()
    expect(shownPathAfterCall('saveNotebookAs', { ok: false, error: 'x' })).toBeUndefined()
    expect(shownPathAfterCall('runCells', { ok: true, value: { queued: [] } })).toBeUndefined()
    expect(shownPathAfterCall('openNotebook', null)).toBeUndefined()
  })

  it('menu commands crossing the bridge are validated', () => {
    expect(isMenuCommand({ action: 'run-all' })).toBe(true)
    expect(isMenuCommand({ action: 'save-as', path: '/p/a.fuelbook' })).toBe(true)
    expect(isMenuCommand({ action: 'save-as', path: '' })).toBe(false)
    expect(isMenuCommand({ action: 'Run All' })).toBe(false)
    expect(isMenuCommand({ action: 42 })).toBe(false)
    expect(isMenuCommand('run-all')).toBe(false)
    expect(isMenuCommand(null)).toBe(false)
  })
})

describe('window state', () => {
  const screen = [{ x: 0, y: 0, width: 1920, height: 1050 }]

  it('restores saved bounds on a display, maximized too', () => {
    const saved = { bounds: { x: 200, y: 100, width: 1000, height: 700 }, maximized: true }
    expect(placeWindow(saved, screen, [])).toEqual(saved)
  })

  it('drops a position on a display that is gone; shrinks to fit a smaller display', () => {
    const offscreen = { bounds: { x: 3000, y: 100, width: 1000, height: 700 }, maximized: false }
    expect(placeWindow(offscreen, screen, [])).toEqual({ bounds: DEFAULT_SIZE, maximized: false })
    const huge = { bounds: { x: 0, y: 0, width: 4000, height: 3000 }, maximized: false }
    expect(placeWindow(huge, [{ x: 0, y: 0, width: 1366, height: 740 }], []).bounds).toEqual({
      x: 0,
      y: 0,
      width: 1366,
      height: 740
    })
    expect(placeWindow(null, [{ x: 0, y: 0, width: 1024, height: 700 }], []).bounds).toEqual({
      width: 1024,
      height: 700
    })
  })

  it('cascades a second window instead of covering the first; never maximizes it', () => {
    const saved = { bounds: { x: 200, y: 100, width: 1000, height: 700 }, maximized: true }
    const second = placeWindow(saved, screen, [saved.bounds])
    expect(second).toEqual({ bounds: { x: 228, y: 128, width: 1000, height: 700 }, maximized: false })
    const third = placeWindow(saved, screen, [saved.bounds, { x: 228, y: 128, width: 1000, height: 700 }])
    expect(third.bounds).toMatchObject({ x: 256, y: 156 })
    const fresh = placeWindow(null, screen, [{ x: 320, y: 75, width: 1280, height: 900 }])
    expect(fresh.bounds).toEqual({ x: 348, y: 103, width: 1280, height: 900 })
  })

  it('reads only well-formed state; writes atomically (no temp file left)', () => {
    expect(parseWindowState('{')).toBeNull()
    expect(parseWindowState('null')).toBeNull()
    expect(parseWindowState('{"bounds":{"x":1,"y":2,"width":"w","height":4}}')).toBeNull()
    expect(parseWindowState('{"bounds":{"x":1,"y":2,"width":0,"height":4}}')).toBeNull()
    expect(parseWindowState('{"bounds":{"x":1.4,"y":2,"width":900,"height":700}}')).toEqual({
      bounds: { x: 1, y: 2, width: 900, height: 700 },
      maximized: false
    })
    const dir = mkdtempSync(join(tmpdir(), 'fuelbook-winstate-'))
    const file = join(dir, 'window-state.json')
    expect(loadWindowState(file)).toBeNull()
    const state = { bounds: { x: 10, y: 20, width: 800, height: 600 }, maximized: true }
    saveWindowState(file, state)
    expect(loadWindowState(file)).toEqual(state)
    expect(readdirSync(dir)).toEqual(['window-state.json'])
    writeFileSync(file, '{"bounds":')
    expect(loadWindowState(file)).toBeNull()
    saveWindowState(join(dir, 'missing', 'deeper', 'w.json'), state)
    expect(JSON.parse(readFileSync(join(dir, 'missing', 'deeper', 'w.json'), 'utf8'))).toEqual(state)
  })
})

describe('Electron-ABI SQLite binding', () => {
  const files = new Map<string, string>()
  const ctx = (over: Partial<BindingContext>): BindingContext => ({
    electronVersion: '45.5.0',
    isPackaged: false,
    appRoot: '/app',
    resourcesPath: '/opt/Fuelbook/resources',
    exists: (f) => files.has(f),
    readFile: (f) => files.get(f) ?? null,
    ...over
  })

  it('plain Node keeps better-sqlite3’s own build', () => {
    expect(electronSqliteBinding(ctx({ electronVersion: undefined }))).toEqual({ ok: true, value: null })
  })

  it('Electron loads .electron-native/ in development, resources/electron-native/ when packaged', () => {
    files.set('/app/.electron-native/better_sqlite3.node', 'bin')
    files.set('/app/.electron-native/build-info.json', '{"electron":"45.5.0"}')
    files.set('/opt/Fuelbook/resources/electron-native/better_sqlite3.node', 'bin')
    files.set('/opt/Fuelbook/resources/electron-native/build-info.json', '{"electron":"45.5.0"}')
    expect(electronSqliteBinding(ctx({}))).toEqual({
      ok: true,
      value: '/app/.electron-native/better_sqlite3.node'
    })
    expect(electronSqliteBinding(ctx({ isPackaged: true }))).toEqual({
      ok: true,
      value: '/opt/Fuelbook/resources/electron-native/better_sqlite3.node'
    })
  })

  it('missing or built for another Electron: one clear message naming the fix', () => {
    const missing = electronSqliteBinding(ctx({ appRoot: '/elsewhere' }))
    expect(missing).toEqual({
      ok: false,
      error: expect.stringMatching(
        /not built for Electron 45\.5\.0\. Run `node scripts\/electron-native\.mjs`/
      )
    })
    const other = electronSqliteBinding(ctx({ electronVersion: '46.0.0' }))
    expect(other).toMatchObject({
      ok: false,
      error: expect.stringMatching(/built for Electron 45\.5\.0, but this is Electron 46\.0\.0/)
    })
    files.set('/app/.electron-native/build-info.json', 'not json')
    expect(electronSqliteBinding(ctx({}))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/built for Electron unknown/)
    })
    const packaged = electronSqliteBinding(ctx({ isPackaged: true, resourcesPath: '/broken' }))
    expect(packaged).toMatchObject({ ok: false, error: expect.stringMatching(/reinstall Fuelbook/) })
  })
})
