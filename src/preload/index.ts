/**
 * The preload exposes exactly the NotebookApi (plus an event subscription) to the renderer, as
 * `window.fuelbook`. Nothing else of Electron or Node reaches the page; main validates every call.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { API_METHODS, type EventListener, type NotebookEvent } from '../shared/api'
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../shared/transport'

const api: Record<string, unknown> = Object.fromEntries(
  API_METHODS.map((method) => [
    method,
    (...args: unknown[]) => ipcRenderer.invoke(IPC_CALL_CHANNEL, method, args)
  ])
)

api.onEvent = (listener: EventListener) => {
  const handler = (_event: IpcRendererEvent, payload: NotebookEvent) => listener(payload)
  ipcRenderer.on(IPC_EVENT_CHANNEL, handler)
  return () => {
    ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler)
  }
}

contextBridge.exposeInMainWorld('fuelbook', api)
