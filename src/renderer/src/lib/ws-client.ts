/**
 * NotebookClient over a WebSocket (browser mode). Calls are queued until the socket opens; a lost
 * connection rejects pending calls with a message the UI can show and reconnects with back-off.
 */
import { API_METHODS, type EventListener, type NotebookApi, type NotebookClient } from '../../../shared/api'
import type { CallMessage, ServerMessage } from '../../../shared/transport'

interface Pending {
  resolve: (value: unknown) => void
  reject: (error: Error) => void
}

export function createWebSocketClient(url: string): NotebookClient {
  let socket: WebSocket | null = null
  let nextId = 1
  let retryMs = 250
  const pending = new Map<number, Pending>()
  const outbox: string[] = []
  const listeners = new Set<EventListener>()

  function connect(): void {
    const ws = new WebSocket(url)
    socket = ws
    ws.onopen = () => {
      retryMs = 250
      for (const message of outbox.splice(0)) ws.send(message)
    }
    ws.onmessage = (e: MessageEvent<string>) => {
      const message = JSON.parse(e.data) as ServerMessage
      if (message.type === 'event') {
        for (const listener of listeners) listener(message.event)
        return
      }
      const call = pending.get(message.id)
      if (!call) return
      pending.delete(message.id)
      if (message.ok) call.resolve(message.value)
      else call.reject(new Error(message.error))
    }
    ws.onclose = () => {
      socket = null
      for (const [id, call] of pending) {
        pending.delete(id)
        call.reject(new Error('Lost the connection to the Fuelbook server; reconnecting…'))
      }
      setTimeout(connect, retryMs)
      retryMs = Math.min(retryMs * 2, 5000)
    }
  }

  function call(method: CallMessage['method'], args: unknown[]): Promise<unknown> {
    const id = nextId++
    const text = JSON.stringify({ type: 'call', id, method, args } satisfies CallMessage)
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject })
      if (socket && socket.readyState === WebSocket.OPEN) socket.send(text)
      else outbox.push(text)
    })
  }

  connect()
  const api = Object.fromEntries(
    API_METHODS.map((method) => [method, (...args: unknown[]) => call(method, args)])
  ) as unknown as NotebookApi
  return {
    ...api,
    onEvent(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    }
  }
}
