/**
 * Browser mode: the built renderer over HTTP plus the NotebookApi over a WebSocket, on 127.0.0.1 only.
 * The page URL carries a random token; a valid token sets an HttpOnly, SameSite=Strict cookie so the
 * page's own assets load without it. Every request is checked by `security.ts` before anything else.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { readFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import type { NotebookClient, NotebookEvent } from '../../shared/api'
import type { ClientMessage, ServerMessage } from '../../shared/transport'
import { dispatchCall, validateCall } from '../service/validate-call'
import type { FileRoot } from '../../shared/file-dialog'
import { FileAccess } from './file-access'
import { handleFileRoute, isFileRoute } from './file-routes'
import {
  contentTypeFor,
  hostAllowed,
  newToken,
  originAllowed,
  resolveStaticPath,
  securityHeaders,
  tokenMatches
} from './security'
import { errorMessage } from '../../shared/result'

export interface BrowserServerOptions {
  service: NotebookClient
  /** Folder of the built renderer (out/renderer). */
  rendererDir: string
  /** 0 = a free port chosen by the OS. */
  port?: number
  /** Fixed token for tests; random otherwise. */
  token?: string
  /** Origin of the output frame server (output-frame-server.ts), which the page may frame. */
  outputFrameOrigin?: string
  /** Largest WebSocket message accepted (an imported .ipynb travels in one). */
  maxMessageBytes?: number
  /** The folders the file dialog may browse (file-routes.ts); without any, its routes answer 404. */
  fileRoots?: FileRoot[]
}

export interface BrowserServer {
  url: string
  port: number
  token: string
  close(): Promise<void>
}

/** Client-side bookkeeping: which notebooks a connection shows, so events go only where they matter. */
interface Connection {
  socket: WebSocket
  viewing: Set<string>
}

const VIEW_METHODS = new Set(['createNotebook', 'openNotebook', 'saveNotebookAs', 'importIpynb'])

export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const token = options.token ?? newToken()
  const connections = new Set<Connection>()
  const headers = securityHeaders(options.outputFrameOrigin ?? null)
  const files = options.fileRoots?.length ? await FileAccess.create(options.fileRoots) : null
  let port = 0
  const cookieName = () => `fuelbook_${port}`

  function cookieToken(req: IncomingMessage): string | null {
    const header = req.headers.cookie ?? ''
    for (const part of header.split(';')) {
      const [name, ...value] = part.trim().split('=')
      if (name === cookieName()) return value.join('=')
    }
    return null
  }

  function refuse(res: ServerResponse, status: number, message: string): void {
    res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
    res.end(message + '\n')
  }

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req.headers.host, port)) return refuse(res, 403, 'Forbidden: unexpected Host header.')
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const fileRoute = isFileRoute(url.pathname)
    if (!fileRoute && req.method !== 'GET' && req.method !== 'HEAD')
      return refuse(res, 405, 'Method not allowed.')
    const queryToken = url.searchParams.get('token')
    const authorised = tokenMatches(token, queryToken) || tokenMatches(token, cookieToken(req))
    if (!authorised) {
      return refuse(
        res,
        403,
        'Forbidden: open the address printed by `fuelbook serve`, including its ?token=…'
      )
    }
    if (fileRoute) {
      if (!files) return refuse(res, 404, 'Not found.')
      const originOk = originAllowed(req.headers.origin, port)
      const reply = await handleFileRoute(req, url, files, options.service, originOk)
      res.writeHead(reply.status, { ...headers, 'Content-Type': 'application/json; charset=utf-8' })
      res.end(JSON.stringify(reply.body))
      return
    }
    const file = resolveStaticPath(options.rendererDir, url.pathname)
    if (!file) return refuse(res, 403, 'Forbidden: path outside the application.')
    let body: Buffer
    try {
      body = await readFile(file)
    } catch {
      return refuse(res, 404, 'Not found.')
    }
    const reply: Record<string, string> = { ...headers, 'Content-Type': contentTypeFor(file) }
    if (tokenMatches(token, queryToken)) {
      reply['Set-Cookie'] = `${cookieName()}=${token}; HttpOnly; SameSite=Strict; Path=/`
    }
    res.writeHead(200, reply)
    res.end(req.method === 'HEAD' ? undefined : body)
  }

  const http = createServer((req, res) => {
    handleHttp(req, res).catch(() => refuse(res, 500, 'Internal error.'))
  })
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes ?? 256 * 1024 * 1024
  })

  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const ok =
      url.pathname === '/ws' &&
      hostAllowed(req.headers.host, port) &&
      originAllowed(req.headers.origin, port) &&
      (tokenMatches(token, url.searchParams.get('token')) || tokenMatches(token, cookieToken(req)))
    if (!ok) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      socket.destroy()
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws))
  })

  function send(connection: Connection, message: ServerMessage): void {
    if (connection.socket.readyState === connection.socket.OPEN)
      connection.socket.send(JSON.stringify(message))
  }

  function accept(socket: WebSocket): void {
    const connection: Connection = { socket, viewing: new Set() }
    connections.add(connection)
    socket.on('close', () => connections.delete(connection))
    socket.on('message', (data) => {
      void handleMessage(connection, data.toString())
    })
  }

  async function handleMessage(connection: Connection, text: string): Promise<void> {
    let message: ClientMessage
    try {
      message = JSON.parse(text) as ClientMessage
    } catch {
      return // not JSON: nothing to reply to
    }
    if (message?.type !== 'call' || !Number.isSafeInteger(message.id)) return
    const check = validateCall(message.method, message.args)
    if (!check.ok) return send(connection, { type: 'reply', id: message.id, ok: false, error: check.error })
    try {
      const value = await dispatchCall(options.service, check.value)
      trackViewing(connection, check.value.method, check.value.args, value)
      send(connection, { type: 'reply', id: message.id, ok: true, value })
    } catch (error) {
      const text = errorMessage(error)
      send(connection, { type: 'reply', id: message.id, ok: false, error: text })
    }
  }

  function trackViewing(connection: Connection, method: string, args: unknown[], value: unknown): void {
    if (VIEW_METHODS.has(method)) {
      const result = value as { ok: boolean; value?: { path?: string } }
      if (result?.ok && typeof result.value?.path === 'string') connection.viewing.add(result.value.path)
    } else if (method === 'closeNotebook' && typeof args[0] === 'string') {
      connection.viewing.delete(args[0])
    }
  }

  const unsubscribe = options.service.onEvent((event: NotebookEvent) => {
    for (const connection of connections) {
      if (!connection.viewing.has(event.path)) continue
      // A slow client may miss progress ticks, never outputs or results.
      if (event.type === 'runProgress' && connection.socket.bufferedAmount > 4 * 1024 * 1024) continue
      send(connection, { type: 'event', event })
    }
  })

  await new Promise<void>((resolveListen, reject) => {
    http.once('error', reject)
    http.listen(options.port ?? 0, '127.0.0.1', () => resolveListen())
  })
  port = (http.address() as AddressInfo).port

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    async close() {
      unsubscribe()
      for (const connection of connections) connection.socket.terminate()
      wss.close()
      await new Promise<void>((done) => http.close(() => done()))
    }
  }
}
