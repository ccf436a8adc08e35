/**
 * The IPC bridge: one invoke channel for calls, one send channel for events. Every payload is
 * validated before it reaches the service; calls from frames other than our own pages are refused.
 */
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron'
import type { NotebookClient } from '../../shared/api'
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../../shared/transport'
import { dispatchCall, validateCall } from '../service/validate-call'

export function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? ''
  return url.startsWith('file://')
}

export async function handleCall(
  service: NotebookClient,
  event: IpcMainInvokeEvent,
  method: unknown,
  args: unknown
) {
  if (!isTrustedSender(event)) throw new Error('Refused: call from an untrusted frame.')
  const check = validateCall(method, args)
  if (!check.ok) throw new Error(check.error)
  return dispatchCall(service, check.call)
}

export function registerIpc(service: NotebookClient, windows: () => WebContents[]): () => void {
  ipcMain.handle(IPC_CALL_CHANNEL, (event, method: unknown, args: unknown) =>
    handleCall(service, event, method, args)
  )
  const unsubscribe = service.onEvent((event) => {
    for (const contents of windows()) if (!contents.isDestroyed()) contents.send(IPC_EVENT_CHANNEL, event)
  })
  return () => {
    unsubscribe()
    ipcMain.removeHandler(IPC_CALL_CHANNEL)
  }
}
