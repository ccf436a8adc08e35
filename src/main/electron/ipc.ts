/**
 * The IPC bridge: one invoke channel for calls, one send channel for events, one for menu commands.
 * Every payload is validated before it reaches the service; calls from frames other than our own pages
 * are refused.
 */
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron'
import type { AppSettings, NotebookClient } from '../../shared/api'
import { IPC_MENU_CHANNEL, type MenuCommand } from '../../shared/menu'
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../../shared/transport'
import { dispatchCall, validateCall } from '../service/validate-call'
import { shownPathAfterCall } from './open-requests'

export interface CallObserver {
  /** Which notebook a window shows after each call that changes it (null: the start screen). */
  shown(sender: WebContents, path: string | null): void
  /** The app settings a window saved (the theme: native UI and the menu follow it). */
  settings(settings: AppSettings): void
}

export function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? ''
  return url.startsWith('file://')
}

export async function handleCall(
  service: NotebookClient,
  event: IpcMainInvokeEvent,
  method: unknown,
  args: unknown,
  observe?: CallObserver
) {
  if (!isTrustedSender(event)) throw new Error('Refused: call from an untrusted frame.')
  const check = validateCall(method, args)
  if (!check.ok) throw new Error(check.error)
  const call = check.value
  const result = await dispatchCall(service, call)
  if (observe) {
    const shown = shownPathAfterCall(call.method, result)
    if (shown !== undefined && event.sender) observe.shown(event.sender, shown)
    const saved = result as { ok?: boolean; value?: AppSettings }
    if (call.method === 'setAppSettings' && saved.ok && saved.value) observe.settings(saved.value)
  }
  return result
}

export function registerIpc(
  service: NotebookClient,
  windows: () => WebContents[],
  observe?: CallObserver
): () => void {
  ipcMain.handle(IPC_CALL_CHANNEL, (event, method: unknown, args: unknown) =>
    handleCall(service, event, method, args, observe)
  )
  const unsubscribe = service.onEvent((event) => {
    for (const contents of windows()) if (!contents.isDestroyed()) contents.send(IPC_EVENT_CHANNEL, event)
  })
  return () => {
    unsubscribe()
    ipcMain.removeHandler(IPC_CALL_CHANNEL)
  }
}

/** Main → renderer: run this menu item's action in that window. */
export function sendMenuCommand(contents: WebContents, command: MenuCommand): void {
  if (!contents.isDestroyed()) contents.send(IPC_MENU_CHANNEL, command)
}
