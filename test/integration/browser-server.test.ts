import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startBrowserServer, type BrowserServer } from '../../src/main/server/browser-server'
import { startOutputFrameServer, type OutputFrameServer } from '../../src/main/server/output-frame-server'
import { outputFrameCsp } from '../../src/shared/csp'
import { createFakeService, type FakeService } from '../helpers/fake-service'

// Browser mode is reachable by any page the user visits (it can send requests to 127.0.0.1), so every
// refusal path is tested: token, Host (DNS rebinding), Origin, path traversal, malformed calls.

let server: BrowserServer
let service: FakeService
let rendererDir: string

interface Reply {
  status: number
  body: string
  headers: Record<string, unknown>
}

function httpRequest(
  port: number,
  path: string,
  headers: Record<string, string>,
  method = 'GET'
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }))
    })
    req.on('error', reject)
    req.end()
  })
}

function get(path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return httpRequest(server.port, path, { host: `127.0.0.1:${server.port}`, ...headers })
}

function connect(query: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws${query}`, { headers })
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
  })
}

const origin = () => `http://127.0.0.1:${server.port}`

function call(ws: WebSocket, id: number, method: string, args: unknown[]): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString()) as Record<string, unknown>
      if (message.type === 'reply' && message.id === id) {
        ws.off('message', onMessage)
        resolve(message)
      }
    }
    ws.on('message', onMessage)
    ws.send(JSON.stringify({ type: 'call', id, method, args }))
  })
}

beforeAll(async () => {
  rendererDir = mkdtempSync(join(tmpdir(), 'fuelbook-renderer-'))
  mkdirSync(join(rendererDir, 'assets'))
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Fuelbook</title>')
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)')
  writeFileSync(join(rendererDir, '..', 'secret.txt'), 'secret')
  service = createFakeService({
    openNotebook: async (path: string) => ({ ok: true, value: { path } }) as never
  })
  server = await startBrowserServer({ service, rendererDir, port: 0, token: 'test-token-123' })
})

afterAll(async () => {
  await server.close()
})

describe('browser mode HTTP', () => {
  it('binds 127.0.0.1 and prints a URL with the token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=test-token-123$/)
  })

  it('serves the page with the token, sets a strict cookie and security headers', async () => {
    const res = await get('/?token=test-token-123')
    expect(res.status).toBe(200)
    expect(res.body).toContain('<title>Fuelbook</title>')
    expect(String(res.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/)
    expect(res.headers['content-security-policy']).toContain("default-src 'self'")
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['referrer-policy']).toBe('no-referrer')
  })

  it('serves assets with the cookie instead of the token', async () => {
    const res = await get('/assets/app.js', { cookie: `fuelbook_${server.port}=test-token-123` })
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toContain('text/javascript')
  })

  it('serves nothing without the token, not even a script for the output frames (they have their own origin)', async () => {
    writeFileSync(join(rendererDir, 'frame-size.js'), '/* size */')
    expect((await get('/frame-size.js')).status).toBe(403)
    expect((await get('/index.html')).status).toBe(403)
  })

  it('refuses a missing or wrong token with 403', async () => {
    expect((await get('/')).status).toBe(403)
    expect((await get('/?token=wrong')).status).toBe(403)
    expect((await get('/assets/app.js', { cookie: `fuelbook_${server.port}=nope` })).status).toBe(403)
  })

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect((await get('/?token=test-token-123', { host: 'evil.example:80' })).status).toBe(403)
    expect((await get('/?token=test-token-123', { host: `evil.example:${server.port}` })).status).toBe(403)
  })

  it('refuses paths that leave the renderer folder', async () => {
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/%2e%2e%5csecret.txt',
      '/a%00b'
    ]) {
      const res = await get(`${path}?token=test-token-123`)
      expect(res.status, path).toBeGreaterThanOrEqual(400)
      expect(res.body).not.toContain('secret')
    }
  })
})

describe('browser mode WebSocket', () => {
  it('refuses a missing token, a foreign Origin or a foreign Host', async () => {
    await expect(connect('', { origin: origin() })).rejects.toThrow(/403/)
    await expect(connect('?token=wrong', { origin: origin() })).rejects.toThrow(/403/)
    await expect(connect('?token=test-token-123', { origin: 'http://evil.example' })).rejects.toThrow(/403/)
    await expect(connect('?token=test-token-123', {})).rejects.toThrow(/403/)
    await expect(
      connect('?token=test-token-123', { origin: origin(), host: 'evil.example' })
    ).rejects.toThrow(/403/)
  })

  it('forwards valid calls to the service and refuses malformed ones', async () => {
    const ws = await connect('?token=test-token-123', { origin: origin() })
    const reply = await call(ws, 1, 'openNotebook', ['/tmp/a.fuelbook'])
    expect(reply).toMatchObject({ ok: true, value: { ok: true, value: { path: '/tmp/a.fuelbook' } } })
    expect(service.calls.at(-1)).toEqual({ method: 'openNotebook', args: ['/tmp/a.fuelbook'] })
    const before = service.calls.length
    expect(await call(ws, 2, 'openNotebook', [42])).toMatchObject({
      ok: false,
      error: expect.stringContaining('Invalid call')
    })
    expect(await call(ws, 3, 'constructor', [])).toMatchObject({
      ok: false,
      error: expect.stringContaining('Unknown method')
    })
    expect(await call(ws, 4, 'moveCell', ['/a', 'c1', -1])).toMatchObject({ ok: false })
    expect(service.calls.length).toBe(before)
    ws.close()
  })

  it('pushes events only to clients viewing that notebook', async () => {
    const viewer = await connect('?token=test-token-123', { origin: origin() })
    const other = await connect('?token=test-token-123', { origin: origin() })
    await call(viewer, 1, 'openNotebook', ['/tmp/b.fuelbook'])
    const received: string[] = []
    other.on('message', (d) => received.push(`other:${d.toString()}`))
    const got = new Promise<Record<string, unknown>>((resolve) =>
      viewer.on('message', (d) => {
        const m = JSON.parse(d.toString()) as Record<string, unknown>
        if (m.type === 'event') resolve(m)
      })
    )
    service.fire({ type: 'runStarted', path: '/tmp/b.fuelbook', cellId: 'c1', startedAt: 1, fuelBudget: 1 })
    expect(await got).toMatchObject({ type: 'event', event: { type: 'runStarted', cellId: 'c1' } })
    // The server pushed the event before it reads the next call, and one socket keeps its order: an
    // event pushed to `other` by mistake would arrive before this reply.
    await call(other, 2, 'listRecent', [])
    expect(received.filter((m) => m.includes('"type":"event"'))).toEqual([])
    viewer.close()
    other.close()
  })
})

describe('the output frame server (second origin)', () => {
  let frames: OutputFrameServer
  let app: BrowserServer

  function fetchFrame(path: string, init: { method?: string; host?: string } = {}): Promise<Reply> {
    const url = new URL(frames.url)
    return httpRequest(Number(url.port), path, { host: init.host ?? url.host }, init.method)
  }

  beforeAll(async () => {
    frames = await startOutputFrameServer()
    app = await startBrowserServer({
      service,
      rendererDir,
      port: 0,
      token: 'test-token-123',
      outputFrameOrigin: frames.origin
    })
  })

  afterAll(async () => {
    await app.close()
    await frames.close()
  })

  it('listens on another port than the app and serves only the frame bootstrap, under the frame policy', async () => {
    expect(new URL(frames.url).port).not.toBe(String(app.port))
    const res = await fetchFrame('/')
    expect(res.status).toBe(200)
    expect(res.body).toContain('fuelbook:frame-ready')
    expect(res.headers['content-security-policy']).toBe(
      outputFrameCsp(['http://127.0.0.1:*', 'http://localhost:*'])
    )
    expect(res.headers['set-cookie']).toBeUndefined()
    expect((await fetchFrame('/index.html')).status).toBe(404)
    expect((await fetchFrame('/', { method: 'POST' })).status).toBe(403)
    expect((await fetchFrame('/', { host: 'evil.example' })).status).toBe(403)
  })

  it("lets the app's page frame that origin and no other", async () => {
    const res = await httpRequest(app.port, '/?token=test-token-123', { host: `127.0.0.1:${app.port}` })
    expect(String(res.headers['content-security-policy'])).toContain(
      `frame-src 'self' blob: data: ${frames.origin};`
    )
  })
})
