/**
 * The renderer's one door to the service. In the desktop app the preload exposes the API as
 * `window.fuelbook`; in browser mode we talk to the local server over a WebSocket. Components never
 * know which.
 */
import type { NotebookClient } from '../../../shared/api'
import type { MenuBridge, MenuCommand } from '../../../shared/menu'
import { createWebSocketClient } from './ws-client'

declare global {
  interface Window {
    fuelbook?: NotebookClient & Partial<MenuBridge>
  }
}

let client: NotebookClient | null = null

export function getClient(): NotebookClient {
  if (client) return client
  if (window.fuelbook) {
    client = window.fuelbook
  } else {
    const token = new URLSearchParams(window.location.search).get('token') ?? ''
    const protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:'
    client = createWebSocketClient(
      `${protocol}//${window.location.host}/ws?token=${encodeURIComponent(token)}`
    )
  }
  return client
}

/** A dropped file's path in the desktop app; null in browser mode, where pages never see paths. */
export function pathForFile(file: File): string | null {
  return window.fuelbook?.pathForFile?.(file) ?? null
}

/** Items of the desktop app's menu that run an action; never called in browser mode. */
export function onMenuAction(listener: (command: MenuCommand) => void): () => void {
  return window.fuelbook?.onMenuAction?.(listener) ?? (() => {})
}
