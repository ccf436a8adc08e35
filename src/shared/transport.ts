/**
 * Messages of the two transports (Electron IPC and the browser-mode WebSocket). Tagged unions, as
 * VS Code's IPC: a call carries an id, its reply carries the same id.
 */
import type { ApiMethod, NotebookEvent } from './api'

export interface CallMessage {
  type: 'call'
  id: number
  method: ApiMethod
  args: unknown[]
}

export type ReplyMessage =
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: string }

export interface EventMessage {
  type: 'event'
  event: NotebookEvent
}

export type ClientMessage = CallMessage
export type ServerMessage = ReplyMessage | EventMessage

/** IPC channel names used by the Electron shell and the preload. */
export const IPC_CALL_CHANNEL = 'fuelbook:call'
export const IPC_EVENT_CHANNEL = 'fuelbook:event'
