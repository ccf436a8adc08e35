import Database from 'better-sqlite3'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { API_METHODS } from '../../src/shared/api'
import { IPC_MENU_CHANNEL } from '../../src/shared/menu'
import { IPC_CALL_CHANNEL } from '../../src/shared/transport'
import type { MenuItemSpec } from '../../src/main/electron/menu-template'
import { createElectronStub, loadShellWithStub, waitFor, type RecordedWindow } from '../helpers/electron-stub'

// Loads the *built* main bundle (out/main/index.js, made by `npm test`'s build step) with a stubbed
// 'electron' module: the shell cannot run on these machines, but what it asks of Electron can be checked.
const bundle = resolve(__dirname, '../../out/main/index.js')
const work = mkdtempSync(join(tmpdir(), 'fuelbook-shell-'))
const userData = join(work, 'userData')
mkdirSync(join(userData, 'Documents'), { recursive: true })
const stub = createElectronStub(userData)
let restore: () => void = () => {}

// Files named on the command line, as a double-click on Linux and Windows starts the app.
const cliNotebook = join(work, 'from-cli.fuelbook')
const cliIpynb = join(work, 'from-cli.ipynb')
const IPYNB = JSON.stringify({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { title: 'Imported' },
  cells: [{ cell_type: 'code', source: 'x = 1', metadata: {}, outputs: [], execution_count: null }]
})
writeFileSync(cliIpynb, IPYNB)
const savedArgv = process.argv
const trusted = (win?: RecordedWindow) => ({
  senderFrame: { url: 'file:///app/out/renderer/index.html' },
  sender: win ? stub.BrowserWindow.all.find((w) => w.id === win.id)!.webContents : undefined
})

function call(method: string, args: unknown[], win?: RecordedWindow) {
  return stub.ipcHandlers.get(IPC_CALL_CHANNEL)!(trusted(win), method, args) as Promise<
    { ok: true; value: { path: string } & Record<string, unknown> } | { ok: false; error: string }
  >
}
function menuItems(): MenuItemSpec[] {
  const flatten = (items: MenuItemSpec[]): MenuItemSpec[] =>
    items.flatMap((i) => [i, ...flatten(i.submenu ?? [])])
  return flatten(stub.menus.at(-1)!.template as MenuItemSpec[])
}
function clickMenu(id: string): void {
  const item = menuItems().find((i) => i.id === id)
  if (!item?.click) throw new Error(`no menu item ${id}`)
  item.click()
}
const hashPath = (w: RecordedWindow) => (w.hash ? decodeURIComponent(w.hash.replace(/^open=/, '')) : null)
const windowShowing = (path: string) => stub.windows.find((w) => !w.destroyed && hashPath(w) === path)
const win = (record: RecordedWindow) => stub.BrowserWindow.all.find((w) => w.id === record.id)!

beforeAll(async () => {
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run 'npm run build' first (npm test does).`)
  process.argv = [savedArgv[0]!, '.', '--some-chromium-switch', cliNotebook, cliIpynb]
  restore = loadShellWithStub(bundle, stub)
  stub.ready()
  await waitFor(() => stub.windows.length >= 2 || stub.calls.errors.length > 0, 'the first windows')
  expect(stub.calls.errors).toEqual([])
  await waitFor(() => stub.menus.length > 0, 'the application menu')
})

afterAll(() => {
  process.argv = savedArgv
  restore()
})

describe('Electron shell (stubbed electron)', () => {
  it('opens windows with locked-down web preferences', () => {
    expect(stub.calls.enableSandbox).toBe(1)
    const prefs = stub.windows[0]!.options.webPreferences as Record<string, unknown>
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true
    })
    expect(String(prefs.preload)).toMatch(/out[/\\]preload[/\\]index\.js$/)
    expect(stub.windows[0]!.loaded).toMatch(/out[/\\]renderer[/\\]index\.html$/)
    expect(stub.windows[0]!.options).toMatchObject({ minWidth: 640, minHeight: 400, show: false })
  })

  it('opens the files given on the command line: a .fuelbook in its window, an .ipynb imported into another', () => {
    expect(hashPath(stub.windows[0]!)).toBe(cliNotebook)
    const imported = hashPath(stub.windows[1]!)!
    expect(imported).toMatch(/from-cli.*\.fuelbook$/)
    expect(imported.startsWith(userData)).toBe(true)
    expect(existsSync(imported)).toBe(true)
  })

  it('denies new windows, navigation and every permission; sets a strict CSP', () => {
    const w = stub.windows[0]!
    expect(w.openHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' })
    expect(stub.calls.openExternal).toEqual(['https://example.com'])
    expect(w.openHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' })
    expect(stub.calls.openExternal).toHaveLength(1)
    let prevented = false
    w.handlers.get('will-navigate')!({ preventDefault: () => (prevented = true) }, 'https://evil.example')
    expect(prevented).toBe(true)
    let granted: boolean | null = null
    stub.calls.permissionRequest!(null, 'media', (ok) => (granted = ok))
    expect(granted).toBe(false)
    expect(stub.calls.permissionCheck!()).toBe(false)
    let headers: Record<string, string[]> = {}
    stub.calls.headers!(
      { url: 'file:///app/index.html', responseHeaders: {} },
      (r) => (headers = (r as { responseHeaders: Record<string, string[]> }).responseHeaders)
    )
    expect(headers['Content-Security-Policy']![0]).toContain("default-src 'self'")
    expect(headers['Content-Security-Policy']![0]).toContain('frame-src')
    expect(headers['Content-Security-Policy']![0]).toMatch(/frame-src [^;]*fuelbook-frame:/)
  })

  it("serves text/html outputs' frame from its own scheme, with the frame's policy, and nothing else there", async () => {
    expect(stub.calls.privilegedSchemes).toEqual([
      { scheme: 'fuelbook-frame', privileges: { standard: true } }
    ])
    const handler = stub.calls.protocols.get('fuelbook-frame')!
    const page = await handler(new Request('fuelbook-frame://output/'))
    expect(page.status).toBe(200)
    const csp = page.headers.get('content-security-policy')!
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain('sandbox allow-scripts')
    expect(await page.text()).toContain('fuelbook:frame-ready')
    expect((await handler(new Request('fuelbook-frame://output/x'))).status).toBe(404)
    let kept: unknown = 'unset'
    stub.calls.headers!({ url: 'fuelbook-frame://output/', responseHeaders: {} }, (r) => (kept = r))
    expect(kept).toEqual({})
  })

  it('registers exactly one IPC call channel and refuses every malformed call before the service', async () => {
    expect([...stub.ipcHandlers.keys()]).toEqual([IPC_CALL_CHANNEL])
    const handle = stub.ipcHandlers.get(IPC_CALL_CHANNEL)!
    const ok = trusted()
    await expect(handle(ok, 'openNotebook', [42])).rejects.toThrow(/Invalid call to openNotebook/)
    await expect(handle(ok, 'openNotebook', ['/a.fuelbook', 'extra'])).rejects.toThrow(/Invalid call/)
    await expect(handle(ok, 'openNotebook', '/a.fuelbook')).rejects.toThrow(/Invalid call|arguments/)
    await expect(handle(ok, 'openNotebook', [''])).rejects.toThrow(/Invalid call/)
    await expect(handle(ok, 'runCells', ['/a.fuelbook', 'cell-1'])).rejects.toThrow(
      /Invalid call to runCells/
    )
    await expect(handle(ok, 'setAppSettings', [{ theme: 'neon' }])).rejects.toThrow(/Invalid call/)
    await expect(handle(ok, 'moveCell', ['/a.fuelbook', 'c', -1])).rejects.toThrow(/Invalid call/)
    await expect(handle(ok, 'require', ['fs'])).rejects.toThrow(/Unknown method/)
    await expect(handle(ok, '__proto__', [])).rejects.toThrow(/Unknown method/)
    await expect(handle(ok, { toString: () => 'getAppInfo' }, [])).rejects.toThrow(/Unknown method/)
    await expect(handle({ senderFrame: { url: 'https://evil.example' } }, 'getAppInfo', [])).rejects.toThrow(
      /untrusted/
    )
    await expect(handle({ senderFrame: null }, 'getAppInfo', [])).rejects.toThrow(/untrusted/)
    await expect(handle({}, 'getAppInfo', [])).rejects.toThrow(/untrusted/)
    const info = (await handle(ok, 'getAppInfo', [])) as { shell: string; outputFrameUrl: string }
    expect(info.shell).toBe('electron')
    expect(info.outputFrameUrl).toBe('fuelbook-frame://output/')
    expect(API_METHODS.length).toBeGreaterThan(20)
  })

  it('installs the application menu, and tracks what each window shows from its calls (OS recents too)', async () => {
    const top = (stub.menus.at(-1)!.template as MenuItemSpec[]).map((m) => m.label ?? m.role)
    expect(top).toEqual(
      process.platform === 'darwin'
        ? ['Fuelbook', 'File', 'Edit', 'Cell', 'View', 'windowMenu', 'Help']
        : ['&File', '&Edit', '&Cell', '&View', '&Help']
    )
    const imported = hashPath(stub.windows[1]!)!
    const opened = await call('openNotebook', [imported], stub.windows[1])
    expect(opened.ok).toBe(true)
    expect(stub.calls.recentDocuments).toContain(imported)
    const menusBefore = stub.menus.length
    await waitFor(() => stub.menus.length > menusBefore, 'the menu to refresh')
    await waitFor(
      () => menuItems().some((i) => i.id === `recent:${imported}`),
      'the imported notebook in Open Recent'
    )
  })

  it('File ▸ New creates a notebook and opens it in a new window', async () => {
    const before = stub.windows.length
    clickMenu('file:new')
    await waitFor(() => stub.windows.length > before, 'a window for the new notebook')
    const created = hashPath(stub.windows.at(-1)!)!
    expect(created.startsWith(userData)).toBe(true)
    expect(existsSync(created)).toBe(true)
  })

  it('File ▸ Open… shows the .fuelbook/.ipynb filters; an open notebook is focused, not opened twice', async () => {
    const before = stub.windows.length
    stub.answers.open.push({ canceled: false, filePaths: [cliNotebook] })
    clickMenu('file:open')
    await waitFor(() => stub.dialogs.some((d) => d.kind === 'open'), 'the open dialog')
    const dialog = stub.dialogs.find((d) => d.kind === 'open')!
    expect(dialog.options.filters).toEqual([
      { name: 'Notebooks', extensions: ['fuelbook', 'ipynb'] },
      { name: 'Fuelbook Notebook', extensions: ['fuelbook'] },
      { name: 'Jupyter Notebook (imported as a copy)', extensions: ['ipynb'] }
    ])
    expect(dialog.options.properties).toEqual(['openFile', 'multiSelections'])
    await waitFor(() => stub.windows[0]!.focusCount > 0, 'the window showing it to be focused')
    expect(stub.windows.length).toBe(before)
  })

  it('File ▸ Open… with an .ipynb imports it as a new notebook; a broken one is reported, nothing opened', async () => {
    const before = stub.windows.length
    const second = join(work, 'second.ipynb')
    writeFileSync(second, IPYNB)
    stub.answers.open.push({ canceled: false, filePaths: [second] })
    clickMenu('file:open')
    await waitFor(() => stub.windows.length > before, 'a window for the import')
    expect(hashPath(stub.windows.at(-1)!)).toMatch(/second.*\.fuelbook$/)

    const broken = join(work, 'broken.ipynb')
    writeFileSync(broken, '{"cells": 12}')
    const boxes = stub.dialogs.filter((d) => d.kind === 'messageBox').length
    stub.answers.open.push({ canceled: false, filePaths: [broken] })
    clickMenu('file:open')
    await waitFor(
      () => stub.dialogs.filter((d) => d.kind === 'messageBox').length > boxes,
      'an error message'
    )
    expect(stub.dialogs.at(-1)!.options).toMatchObject({
      type: 'error',
      title: 'Could not import broken.ipynb'
    })
    expect(stub.windows.length).toBe(before + 1)
  })

  it('menu items that are renderer actions reach the focused window as a menu command', () => {
    const target = stub.windows[1]!
    win(target).focus()
    clickMenu('action:run-all')
    clickMenu('action:interrupt')
    clickMenu('action:export-html')
    const sent = target.sent.filter((s) => s.channel === IPC_MENU_CHANNEL).map((s) => s.payload)
    expect(sent).toEqual([{ action: 'run-all' }, { action: 'interrupt' }, { action: 'export-html' }])
  })

  it('File ▸ Save As… asks with the .fuelbook filter and hands the chosen file to the renderer', async () => {
    const target = stub.windows[1]!
    win(target).focus()
    stub.answers.save.push({ canceled: false, filePath: join(work, 'my copy') })
    clickMenu('file:save-as')
    await waitFor(
      () => target.sent.some((s) => (s.payload as { action: string }).action === 'save-as'),
      'save-as'
    )
    const dialog = stub.dialogs.filter((d) => d.kind === 'save').at(-1)!
    expect(dialog.parent).toBe(true)
    expect(dialog.options.filters).toEqual([{ name: 'Fuelbook Notebook', extensions: ['fuelbook'] }])
    // An imported notebook is untitled (it lives in the data folder): the suggestion is in Documents.
    expect(String(dialog.options.defaultPath)).toMatch(/Documents[/\\].*\.fuelbook$/)
    expect(target.sent.at(-1)!.payload).toEqual({ action: 'save-as', path: join(work, 'my copy.fuelbook') })
  })

  it('File ▸ Print to PDF… prints the HTML report in a hidden, script-less window to the chosen file', async () => {
    win(stub.windows[1]!).focus()
    const windowsBefore = stub.windows.length
    const pdf = join(work, 'printed')
    stub.answers.save.push({ canceled: false, filePath: pdf })
    clickMenu('file:print')
    await waitFor(() => existsSync(`${pdf}.pdf`), 'the PDF')
    expect(readFileSync(`${pdf}.pdf`, 'utf8')).toMatch(/^%PDF.*notebook\.html$/)
    expect(stub.dialogs.filter((d) => d.kind === 'save').at(-1)!.options.filters).toEqual([
      { name: 'PDF Document', extensions: ['pdf'] }
    ])
    const printer = stub.windows[windowsBefore]!
    expect(printer.options).toMatchObject({ show: false })
    expect(printer.options.webPreferences).toMatchObject({
      javascript: false,
      sandbox: true,
      contextIsolation: true
    })
    expect(printer.destroyed).toBe(true)
    expect(stub.calls.printToPDF.at(-1)!.options).toMatchObject({ printBackground: true })
    // The temporary report is gone; the only window added was the printer.
    expect(existsSync(printer.loaded!)).toBe(false)
    expect(stub.windows.length).toBe(windowsBefore + 1)
  })

  it('exports (renderer downloads) are saved through a dialog with the file kind’s filter', () => {
    let options: Record<string, unknown> | null = null
    stub.sessionEvents.emit(
      'will-download',
      {},
      {
        getFilename: () => 'Report.html',
        setSaveDialogOptions: (o: Record<string, unknown>) => (options = o)
      }
    )
    expect(options).toMatchObject({ filters: [{ name: 'HTML Report', extensions: ['html'] }] })
  })

  it('View ▸ Theme is the renderer’s action; a theme the renderer saves sets the native theme and the menu', async () => {
    const target = stub.windows[1]!
    win(target).focus()
    clickMenu('action:cycle-theme')
    expect(target.sent.at(-1)!.payload).toEqual({ action: 'cycle-theme' })
    // What the renderer's action then does: save the setting through the API.
    expect(await call('setAppSettings', [{ theme: 'dark' }], target)).toEqual({
      ok: true,
      value: expect.objectContaining({ theme: 'dark' })
    })
    expect(stub.calls.themeSource).toBe('dark')
    await waitFor(
      () =>
        menuItems()
          .find((i) => i.id === 'action:cycle-theme')
          ?.label?.startsWith('Theme: Dark') === true,
      'the menu to show Dark'
    )
  })

  it('asks before closing a window whose page refuses to unload (running cells, unsaved edits)', () => {
    const w = stub.windows[1]!
    const contents = win(w).webContents as unknown as { emit: (name: string, ...a: unknown[]) => void }
    let prevented = false
    stub.answers.messageBoxSync.push(1) // Cancel
    contents.emit('will-prevent-unload', { preventDefault: () => (prevented = true) })
    expect(prevented).toBe(false)
    const box = stub.dialogs.filter((d) => d.kind === 'messageBoxSync').at(-1)!
    expect(box.parent).toBe(true)
    expect(box.options).toMatchObject({ buttons: ['Close Anyway', 'Cancel'], defaultId: 1, cancelId: 1 })
    stub.answers.messageBoxSync.push(0) // Close Anyway
    contents.emit('will-prevent-unload', { preventDefault: () => (prevented = true) })
    expect(prevented).toBe(true)
  })

  it('closing a window remembers its bounds, releases its notebook, and the next window gets the bounds', async () => {
    const record = stub.windows[1]!
    const path = hashPath(record)!
    // Held open (exclusively locked) by the service while the window shows it.
    expect(() =>
      new Database(path, { readonly: true, timeout: 0 }).prepare('SELECT count(*) FROM cells').get()
    ).toThrow()
    win(record).setBounds({ x: 111, y: 122, width: 1001, height: 701 })
    win(record).close()
    const state = JSON.parse(readFileSync(join(userData, 'window-state.json'), 'utf8'))
    expect(state).toEqual({ bounds: { x: 111, y: 122, width: 1001, height: 701 }, maximized: false })
    await waitFor(() => {
      try {
        const db = new Database(path, { readonly: true, timeout: 0 })
        db.prepare('SELECT count(*) FROM cells').get()
        db.close()
        return true
      } catch {
        return false
      }
    }, 'the notebook to be released')

    stub.appEvents.emit('second-instance', {}, ['/opt/Fuelbook/fuelbook', 'later.fuelbook'], work)
    await waitFor(
      () => !!windowShowing(join(work, 'later.fuelbook')),
      'a window for the second launch’s file'
    )
    expect(windowShowing(join(work, 'later.fuelbook'))!.options).toMatchObject({
      x: 111,
      y: 122,
      width: 1001,
      height: 701
    })
  })

  it('a second launch forwards its files (resolved against its folder); without files it focuses a window', async () => {
    const before = stub.windows.length
    stub.appEvents.emit(
      'second-instance',
      {},
      ['/opt/Fuelbook/fuelbook', '--flag', 'sub/x.fuelbook', 'readme.txt'],
      work
    )
    await waitFor(() => stub.windows.length > before, 'the forwarded file')
    expect(hashPath(stub.windows.at(-1)!)).toBe(join(work, 'sub', 'x.fuelbook'))
    const focusBefore = stub.windows.reduce((n, w) => n + w.focusCount, 0)
    stub.appEvents.emit('second-instance', {}, ['/opt/Fuelbook/fuelbook'], '/')
    expect(stub.windows.reduce((n, w) => n + w.focusCount, 0)).toBe(focusBefore + 1)
    expect(stub.windows.length).toBe(before + 1)
  })

  it('macOS open-file opens the file (and takes the event from the OS)', async () => {
    let prevented = false
    const file = join(work, 'finder.fuelbook')
    stub.appEvents.emit('open-file', { preventDefault: () => (prevented = true) }, file)
    expect(prevented).toBe(true)
    await waitFor(() => !!windowShowing(file), 'a window for the Finder file')
  })

  it('a window back on its start screen is reused, with a real load (not a same-document hash change)', async () => {
    const first = stub.windows[0]!
    expect((await call('closeNotebook', [cliNotebook], first)).ok).toBe(true)
    const before = stub.windows.length
    const file = join(work, 'reuse.fuelbook')
    stub.appEvents.emit('open-file', { preventDefault: () => {} }, file)
    await waitFor(() => hashPath(first) === file, 'the start-screen window to load the file')
    expect(first.loads.at(-1)).toMatchObject({ hash: `open=${encodeURIComponent(file)}`, search: 'load=1' })
    expect(stub.windows.length).toBe(before)
    // Asked again, the same window is focused rather than loaded twice.
    const loads = first.loads.length
    const focused = first.focusCount
    stub.appEvents.emit('open-file', { preventDefault: () => {} }, file)
    await waitFor(() => first.focusCount === focused + 1, 'focus')
    expect(first.loads.length).toBe(loads)
  })

  it('File ▸ Open Recent ▸ Clear empties the app’s and the OS’s recents', async () => {
    clickMenu('recent:clear')
    expect(stub.calls.clearedRecentDocuments).toBe(1)
    expect(await stub.ipcHandlers.get(IPC_CALL_CHANNEL)!(trusted(), 'listRecent', [])).toEqual([])
    await waitFor(() => menuItems().some((i) => i.id === 'recent:none'), 'an empty Open Recent')
  })

  it('on quit, closes every notebook before exiting', async () => {
    let prevented = false
    stub.appEvents.emit('will-quit', { preventDefault: () => (prevented = true) })
    expect(prevented).toBe(true)
    await waitFor(() => stub.calls.quit > 0, 'app.quit after the notebooks closed')
    let again = false
    stub.appEvents.emit('will-quit', { preventDefault: () => (again = true) })
    expect(again).toBe(false)
  })
})
