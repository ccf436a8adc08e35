/**
 * A stand-in for the 'electron' module, recording what the shell asks of it. Electron cannot run on
 * the CI machines, so the built shell is loaded in Node with this stub and its behaviour asserted.
 * Dialogs answer from queues the test fills (`answers`); every dialog shown is recorded with its options.
 */
import { EventEmitter } from 'node:events'
import Module from 'node:module'

export interface RecordedWindow {
  id: number
  options: Record<string, unknown>
  loaded: string | null
  /** The hash loadFile was given (`open=<encoded path>`), null for none. */
  hash: string | null
  loads: { file: string; hash: string | null; search: string | null }[]
  /** webContents listeners by event name (the last one registered). */
  handlers: Map<string, (...args: unknown[]) => unknown>
  openHandler: ((details: { url: string }) => { action: string }) | null
  menu: unknown
  sent: { channel: string; payload: unknown }[]
  focusCount: number
  maximized: boolean
  destroyed: boolean
}

export interface RecordedDialog {
  kind: 'open' | 'save' | 'messageBox' | 'messageBoxSync' | 'errorBox'
  options: Record<string, unknown>
  parent: boolean
}

export interface Display {
  workArea: { x: number; y: number; width: number; height: number }
}

export function createElectronStub(userData: string, settings: { singleInstanceLock?: boolean } = {}) {
  const windows: RecordedWindow[] = []
  const ipcHandlers = new Map<string, (...args: unknown[]) => unknown>()
  const appEvents = new EventEmitter()
  const sessionEvents = new EventEmitter()
  const dialogs: RecordedDialog[] = []
  const answers = {
    open: [] as { canceled: boolean; filePaths: string[] }[],
    save: [] as { canceled: boolean; filePath?: string }[],
    messageBoxSync: [] as number[]
  }
  const menus: { template: unknown[] }[] = []
  const calls = {
    enableSandbox: 0,
    /** How often the shell asked to be told when the app is ready: a shell that never asks never starts. */
    whenReady: 0,
    quit: 0,
    privilegedSchemes: [] as unknown[],
    protocols: new Map<string, (request: Request) => Response | Promise<Response>>(),
    permissionRequest: null as null | ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void),
    permissionCheck: null as null | (() => boolean),
    headers: null as
      | null
      | ((
          details: { url: string; responseHeaders: Record<string, string[]> },
          cb: (r: unknown) => void
        ) => void),
    openExternal: [] as string[],
    errors: [] as string[],
    recentDocuments: [] as string[],
    clearedRecentDocuments: 0,
    aboutPanel: 0,
    printToPDF: [] as { loaded: string | null; options: Record<string, unknown> }[],
    themeSource: 'system'
  }
  const displays: Display[] = [{ workArea: { x: 0, y: 0, width: 1920, height: 1050 } }]
  let ready: () => void = () => {}
  const whenReady = new Promise<void>((resolve) => (ready = resolve))
  let nextId = 1
  let focused: BrowserWindow | null = null

  class BrowserWindow {
    static all: BrowserWindow[] = []
    static getAllWindows() {
      return BrowserWindow.all.filter((w) => !w.record.destroyed)
    }
    static getFocusedWindow() {
      return focused && !focused.record.destroyed ? focused : null
    }
    static fromWebContents(contents: { id: number }) {
      return BrowserWindow.all.find((w) => w.webContents.id === contents.id && !w.record.destroyed) ?? null
    }
    readonly id: number
    record: RecordedWindow
    webContents: Record<string, unknown> & { id: number }
    private readonly events = new EventEmitter()
    private bounds: { x: number; y: number; width: number; height: number }
    constructor(options: Record<string, unknown>) {
      this.id = nextId++
      const record: RecordedWindow = {
        id: this.id,
        options,
        loaded: null,
        hash: null,
        loads: [],
        handlers: new Map(),
        openHandler: null,
        menu: null,
        sent: [],
        focusCount: 0,
        maximized: false,
        destroyed: false
      }
      this.record = record
      this.bounds = {
        x: (options.x as number) ?? 100,
        y: (options.y as number) ?? 100,
        width: (options.width as number) ?? 800,
        height: (options.height as number) ?? 600
      }
      windows.push(record)
      BrowserWindow.all.push(this)
      const contentsEvents = new EventEmitter()
      this.webContents = {
        id: 1000 + this.id,
        setWindowOpenHandler: (fn: RecordedWindow['openHandler']) => (record.openHandler = fn),
        on: (name: string, fn: (...args: unknown[]) => unknown) => {
          record.handlers.set(name, fn)
          contentsEvents.on(name, fn)
        },
        emit: (name: string, ...args: unknown[]) => contentsEvents.emit(name, ...args),
        send: (channel: string, payload: unknown) => record.sent.push({ channel, payload }),
        isDestroyed: () => record.destroyed,
        printToPDF: async (options: Record<string, unknown>) => {
          calls.printToPDF.push({ loaded: record.loaded, options })
          return Buffer.from(`%PDF-1.7 stub of ${record.loaded}`)
        }
      }
    }
    once(name: string, fn: (...args: unknown[]) => void) {
      this.events.once(name, fn)
    }
    on(name: string, fn: (...args: unknown[]) => void) {
      this.events.on(name, fn)
    }
    emit(name: string, ...args: unknown[]) {
      this.events.emit(name, ...args)
    }
    show() {}
    focus() {
      this.record.focusCount++
      focused = BrowserWindow.all.find((w) => w.id === this.id) ?? null
      this.events.emit('focus')
    }
    restore() {}
    maximize() {
      this.record.maximized = true
    }
    isMaximized() {
      return this.record.maximized
    }
    isMinimized() {
      return false
    }
    isFullScreen() {
      return false
    }
    isDestroyed() {
      return this.record.destroyed
    }
    getBounds() {
      return { ...this.bounds }
    }
    getNormalBounds() {
      return { ...this.bounds }
    }
    setBounds(b: Partial<{ x: number; y: number; width: number; height: number }>) {
      this.bounds = { ...this.bounds, ...b }
      this.events.emit('resize')
    }
    setRepresentedFilename() {}
    destroy() {
      this.record.destroyed = true
      if (focused === this) focused = null
    }
    loadFile(file: string, options?: { hash?: string; search?: string }) {
      this.record.loaded = file
      this.record.hash = options?.hash ?? null
      this.record.loads.push({ file, hash: this.record.hash, search: options?.search ?? null })
      return Promise.resolve()
    }
    setMenu(menu: unknown) {
      this.record.menu = menu
    }
    /** What Electron does on close: 'close' (cancellable), then destroyed and 'closed'. */
    close() {
      let prevented = false
      this.events.emit('close', { preventDefault: () => (prevented = true) })
      if (prevented) return
      this.record.destroyed = true
      if (focused === this) focused = null
      this.events.emit('closed')
    }
  }

  function record(kind: RecordedDialog['kind'], args: unknown[]): Record<string, unknown> {
    const parent = args.length > 1
    const options = (parent ? args[1] : args[0]) as Record<string, unknown>
    dialogs.push({ kind, options, parent })
    return options
  }

  const electron = {
    app: {
      isPackaged: false,
      getPath: (name: string) => (name === 'documents' ? `${userData}/Documents` : userData),
      getVersion: () => '0.0.0-test',
      enableSandbox: () => calls.enableSandbox++,
      on: (name: string, fn: (...args: unknown[]) => void) => appEvents.on(name, fn),
      whenReady: () => {
        calls.whenReady++
        return whenReady
      },
      quit: () => calls.quit++,
      requestSingleInstanceLock: () => settings.singleInstanceLock ?? true,
      addRecentDocument: (p: string) => calls.recentDocuments.push(p),
      clearRecentDocuments: () => calls.clearedRecentDocuments++,
      setAboutPanelOptions: () => {},
      setAppUserModelId: () => {},
      showAboutPanel: () => calls.aboutPanel++
    },
    BrowserWindow,
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => calls.privilegedSchemes.push(...schemes),
      handle: (scheme: string, fn: (request: Request) => Response | Promise<Response>) =>
        calls.protocols.set(scheme, fn)
    },
    ipcMain: {
      handle: (channel: string, fn: (...args: unknown[]) => unknown) => ipcHandlers.set(channel, fn),
      removeHandler: (channel: string) => ipcHandlers.delete(channel)
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: typeof calls.permissionRequest) => (calls.permissionRequest = fn),
        setPermissionCheckHandler: (fn: typeof calls.permissionCheck) => (calls.permissionCheck = fn),
        webRequest: { onHeadersReceived: (fn: typeof calls.headers) => (calls.headers = fn) },
        on: (name: string, fn: (...args: unknown[]) => void) => sessionEvents.on(name, fn)
      }
    },
    screen: {
      getPrimaryDisplay: () => displays[0],
      getAllDisplays: () => displays
    },
    nativeTheme: {
      get themeSource() {
        return calls.themeSource
      },
      set themeSource(value: string) {
        calls.themeSource = value
      }
    },
    shell: { openExternal: async (url: string) => void calls.openExternal.push(url) },
    dialog: {
      showErrorBox: (title: string, message: string) => {
        dialogs.push({ kind: 'errorBox', options: { title, message }, parent: false })
        calls.errors.push(message)
      },
      showOpenDialog: async (...args: unknown[]) => {
        record('open', args)
        return answers.open.shift() ?? { canceled: true, filePaths: [] }
      },
      showSaveDialog: async (...args: unknown[]) => {
        record('save', args)
        return answers.save.shift() ?? { canceled: true }
      },
      showMessageBox: async (...args: unknown[]) => {
        record('messageBox', args)
        return { response: 0 }
      },
      showMessageBoxSync: (...args: unknown[]) => {
        record('messageBoxSync', args)
        return answers.messageBoxSync.shift() ?? 1
      }
    },
    Menu: {
      buildFromTemplate: (template: unknown[]) => ({ template }),
      setApplicationMenu: (menu: { template: unknown[] }) => menus.push(menu)
    }
  }
  return {
    electron,
    windows,
    ipcHandlers,
    appEvents,
    sessionEvents,
    calls,
    dialogs,
    answers,
    menus,
    displays,
    ready,
    BrowserWindow
  }
}

export type ElectronStub = ReturnType<typeof createElectronStub>

type Loader = (request: string, parent: unknown, isMain: boolean) => unknown
const moduleWithLoad = Module as unknown as { _load: Loader }

/**
 * Loads the built shell (out/main/index.js) with `require('electron')` answered by the stub; returns the
 * function that undoes the hook. The bundle's own module state lives for the test file (vitest forks).
 */
export function loadShellWithStub(bundle: string, stub: ElectronStub): () => void {
  const originalLoad = moduleWithLoad._load
  moduleWithLoad._load = function (request, parent, isMain) {
    if (request === 'electron') return stub.electron
    return originalLoad.call(this, request, parent, isMain)
  }
  Module.createRequire(__filename)(bundle)
  return () => {
    moduleWithLoad._load = originalLoad
  }
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const start = Date.now()
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
