/**
 * A browser-mode client as the renderer's WebSocket transport speaks it: calls with ids, replies,
 * pushed events. Used by the load test to drive the real server the way several tabs would.
 */
import WebSocket from 'ws'
import type { NotebookEvent } from '../../src/shared/api'
import type { ServerMessage } from '../../src/shared/transport'

export class WsClient {
  private nextId = 1
  private readonly pending = new Map<number, (m: ServerMessage) => void>()
  private readonly listeners = new Set<(e: NotebookEvent) => void>()

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as ServerMessage
      if (message.type === 'reply') {
        this.pending.get(message.id)?.(message)
        this.pending.delete(message.id)
      } else {
        for (const listener of this.listeners) listener(message.event)
      }
    })
  }

  static connect(port: number, token: string, origin = `http://127.0.0.1:${port}`): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`, { headers: { origin } })
      socket.once('open', () => resolve(new WsClient(socket)))
      socket.once('error', reject)
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    })
  }

  /** Calls a NotebookApi method; resolves with its Result (`{ ok, value | error }`). */
  call<T = unknown>(method: string, ...args: unknown[]): Promise<T> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, (m) => {
        if (m.type === 'reply' && m.ok) resolve(m.value as T)
        else reject(new Error(m.type === 'reply' && !m.ok ? m.error : 'bad reply'))
      })
      this.socket.send(JSON.stringify({ type: 'call', id, method, args }))
    })
  }

  /** Calls a method whose value is a Result and unwraps it. */
  async value<T>(method: string, ...args: unknown[]): Promise<T> {
    const result = await this.call<{ ok: boolean; value?: T; error?: string }>(method, ...args)
    if (!result.ok) throw new Error(`${method}: ${result.error}`)
    return result.value as T
  }

  onEvent(listener: (e: NotebookEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve()
      this.socket.once('close', () => resolve())
      this.socket.close()
    })
  }
}
