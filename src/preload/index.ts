/**
 * The preload exposes exactly the NotebookApi, its event subscription, the menu-command subscription
 * and the path of a dropped file to the renderer, as `window.fuelbook`. Nothing else of Electron or Node reaches the page; main
 * validates every call.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import { API_METHODS, type EventListener, type NotebookEvent } from '../shared/api'
import { IPC_MENU_CHANNEL, isMenuCommand, type MenuCommand } from '../shared/menu'
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

/** Application-menu items that run a renderer action (MenuBridge in src/shared/menu.ts). */
api.onMenuAction = (listener: (command: MenuCommand) => void) => {
  const handler = (_event: IpcRendererEvent, payload: unknown) => {
    // Only plain { action, path? } reaches the page, copied so no Electron object leaks with it.
    if (isMenuCommand(payload))
      listener(payload.path ? { action: payload.action, path: payload.path } : { action: payload.action })
  }
  ipcRenderer.on(IPC_MENU_CHANNEL, handler)
  return () => {
    ipcRenderer.removeListener(IPC_MENU_CHANNEL, handler)
  }
}

/** Dropping a .fuelbook on the window opens it: only its path crosses to the page. */
api.pathForFile = (file: File) => webUtils.getPathForFile(file)

contextBridge.exposeInMainWorld('fuelbook', api)
