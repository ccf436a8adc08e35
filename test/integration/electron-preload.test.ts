import { EventEmitter } from 'node:events'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { API_METHODS } from '../../src/shared/api'
import { IPC_MENU_CHANNEL } from '../../src/shared/menu'
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../../src/shared/transport'

// The built preload (out/preload/index.js) runs in a sandboxed renderer, where `require` offers only
// 'electron' (and a few Node built-ins). It is run here in a fresh context with a require that knows only
// a stubbed 'electron', as the sandbox would.
const source = readFileSync(resolve(__dirname, '../../out/preload/index.js'), 'utf8')

function loadPreload() {
  const exposed: Record<string, Record<string, (...args: unknown[]) => unknown>> = {}
  const invoked: unknown[][] = []
  const ipc = new EventEmitter()
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: Record<string, never>) => (exposed[key] = api) },
    webUtils: { getPathForFile: (file: { name: string }) => `/dropped/${file.name}` },
    ipcRenderer: {
      invoke: async (...args: unknown[]) => invoked.push(args),
      on: (channel: string, fn: (...a: unknown[]) => void) => ipc.on(channel, fn),
      removeListener: (channel: string, fn: (...a: unknown[]) => void) => ipc.removeListener(channel, fn)
    }
  }
  const required: string[] = []
  const require = (name: string) => {
    required.push(name)
    if (name === 'electron') return electron
    throw new Error(`module not found in the sandbox: ${name}`)
  }
  runInNewContext(source, { require, module: { exports: {} }, exports: {}, console })
  return { exposed, invoked, ipc, required }
}

describe('preload (sandboxed)', () => {
  it('requires nothing but electron, and exposes exactly the API, onEvent, onMenuAction and pathForFile', () => {
    const { exposed, required } = loadPreload()
    expect(required).toEqual(['electron'])
    expect(Object.keys(exposed)).toEqual(['fuelbook'])
    expect(Object.keys(exposed.fuelbook!).sort()).toEqual(
      [...API_METHODS, 'onEvent', 'onMenuAction', 'pathForFile'].sort()
    )
    expect(exposed.fuelbook!.pathForFile!({ name: 'a.fuelbook' })).toBe('/dropped/a.fuelbook')
  })

  it('forwards calls by method name over the one call channel', async () => {
    const { exposed, invoked } = loadPreload()
    await exposed.fuelbook!.openNotebook!('/n/a.fuelbook')
    await exposed.fuelbook!.runCells!('/n/a.fuelbook', ['c1'])
    expect(invoked).toEqual([
      [IPC_CALL_CHANNEL, 'openNotebook', ['/n/a.fuelbook']],
      [IPC_CALL_CHANNEL, 'runCells', ['/n/a.fuelbook', ['c1']]]
    ])
  })

  it('delivers events and menu commands without the IPC event object; unsubscribes', () => {
    const { exposed, ipc } = loadPreload()
    const events: unknown[] = []
    const commands: unknown[] = []
    const offEvents = exposed.fuelbook!.onEvent!((e: unknown) => events.push(e)) as () => void
    const offMenu = exposed.fuelbook!.onMenuAction!((c: unknown) => commands.push(c)) as () => void
    const sender = { sender: 'ipc-event-object' }
    ipc.emit(IPC_EVENT_CHANNEL, sender, { type: 'notebookChanged', path: '/n/a.fuelbook' })
    ipc.emit(IPC_MENU_CHANNEL, sender, { action: 'run-all' })
    ipc.emit(IPC_MENU_CHANNEL, sender, { action: 'save-as', path: '/n/b.fuelbook', extra: 'dropped' })
    // Malformed commands never reach the page.
    ipc.emit(IPC_MENU_CHANNEL, sender, { action: 'x'.repeat(100) })
    ipc.emit(IPC_MENU_CHANNEL, sender, 'run-all')
    ipc.emit(IPC_MENU_CHANNEL, sender, { action: 'save-as', path: 42 })
    expect(events).toEqual([{ type: 'notebookChanged', path: '/n/a.fuelbook' }])
    expect(commands).toEqual([{ action: 'run-all' }, { action: 'save-as', path: '/n/b.fuelbook' }])
    offEvents()
    offMenu()
    expect(ipc.listenerCount(IPC_EVENT_CHANNEL) + ipc.listenerCount(IPC_MENU_CHANNEL)).toBe(0)
  })
})
