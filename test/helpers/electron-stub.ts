/**
 * A stand-in for the 'electron' module, recording what the shell asks of it. Electron cannot run on
 * the CI machines, so the built shell is loaded in Node with this stub and its behaviour asserted.
 */
import { EventEmitter } from 'node:events'

export interface RecordedWindow {
  options: Record<string, unknown>
  loaded: string | null
  handlers: Map<string, (...args: unknown[]) => unknown>
  openHandler: ((details: { url: string }) => { action: string }) | null
  menu: unknown
}

export function createElectronStub(userData: string) {
  const windows: RecordedWindow[] = []
  const ipcHandlers = new Map<string, (...args: unknown[]) => unknown>()
  const appEvents = new EventEmitter()
  const calls = {
    enableSandbox: 0,
    permissionRequest: null as null | ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void),
    permissionCheck: null as null | (() => boolean),
    headers: null as
      null | ((details: { responseHeaders: Record<string, string[]> }, cb: (r: unknown) => void) => void),
    openExternal: [] as string[],
    errors: [] as string[],
    recentDocuments: [] as string[]
  }
  let ready: () => void = () => {}
  const whenReady = new Promise<void>((resolve) => (ready = resolve))

  class BrowserWindow {
    static all: BrowserWindow[] = []
    static getAllWindows() {
      return BrowserWindow.all
    }
    static fromWebContents() {
      return BrowserWindow.all[0] ?? null
    }
    record: RecordedWindow
    webContents: Record<string, unknown>
    constructor(options: Record<string, unknown>) {
      const record: RecordedWindow = {
        options,
        loaded: null,
        handlers: new Map(),
        openHandler: null,
        menu: null
      }
      this.record = record
      windows.push(record)
      BrowserWindow.all.push(this)
      this.webContents = {
        setWindowOpenHandler: (fn: RecordedWindow['openHandler']) => (record.openHandler = fn),
        on: (name: string, fn: (...args: unknown[]) => unknown) => record.handlers.set(name, fn),
        send: () => {},
        isDestroyed: () => false
      }
    }
    once() {}
    on() {}
    show() {}
    loadFile(file: string) {
      this.record.loaded = file
      return Promise.resolve()
    }
    setMenu(menu: unknown) {
      this.record.menu = menu
    }
  }

  const electron = {
    app: {
      isPackaged: false,
      getPath: () => userData,
      getVersion: () => '0.0.0-test',
      enableSandbox: () => calls.enableSandbox++,
      on: (name: string, fn: (...args: unknown[]) => void) => appEvents.on(name, fn),
      whenReady: () => whenReady,
      quit: () => {},
      requestSingleInstanceLock: () => true,
      addRecentDocument: (p: string) => calls.recentDocuments.push(p)
    },
    BrowserWindow,
    ipcMain: {
      handle: (channel: string, fn: (...args: unknown[]) => unknown) => ipcHandlers.set(channel, fn),
      removeHandler: (channel: string) => ipcHandlers.delete(channel)
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: typeof calls.permissionRequest) => (calls.permissionRequest = fn),
        setPermissionCheckHandler: (fn: typeof calls.permissionCheck) => (calls.permissionCheck = fn),
        webRequest: { onHeadersReceived: (fn: typeof calls.headers) => (calls.headers = fn) }
      }
    },
    shell: { openExternal: async (url: string) => void calls.openExternal.push(url) },
    dialog: { showErrorBox: (_t: string, message: string) => void calls.errors.push(message) },
    Menu: { buildFromTemplate: (t: unknown) => ({ template: t }), setApplicationMenu: () => {} }
  }
  return { electron, windows, ipcHandlers, appEvents, calls, ready }
}
