import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBrowserServer, type BrowserServer } from '../../src/main/server/browser-server'
import { FILE_ROUTES, type FolderListing } from '../../src/shared/file-dialog'
import { createFakeService } from '../helpers/fake-service'

// Browser mode's file dialog lets a page see folders and write exports: only under the roots (here a
// home and a data folder), only with the token, never through `..` or a symbolic link that leads out.

const TOKEN = 'file-dialog-token'
let server: BrowserServer
let home: string
let data: string
let outside: string

interface Reply {
  status: number
  json: { ok: boolean; value?: unknown; error?: unknown } | null
  text: string
}

function send(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; token?: boolean } = {}
): Promise<Reply> {
  const withToken = options.token === false ? path : `${path}${path.includes('?') ? '&' : '?'}token=${TOKEN}`
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path: withToken,
        method: options.method ?? 'GET',
        headers: { host: `127.0.0.1:${server.port}`, ...options.headers }
      },
      (res) => {
        let text = ''
        res.on('data', (c: Buffer) => (text += c.toString()))
        res.on('end', () => {
          let json: Reply['json']
          try {
            json = JSON.parse(text) as Reply['json']
          } catch {
            json = null // a refusal in plain text
          }
          resolve({ status: res.statusCode ?? 0, json, text })
        })
      }
    )
    req.on('error', reject)
    req.end(options.body)
  })
}

const list = (folder?: string) =>
  send(folder === undefined ? FILE_ROUTES.list : `${FILE_ROUTES.list}?folder=${encodeURIComponent(folder)}`)

const exportTo = (target: string, overwrite = false, headers: Record<string, string> = {}) =>
  send(FILE_ROUTES.export, {
    method: 'POST',
    headers: { origin: `http://127.0.0.1:${server.port}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ notebook: '/nb.fuelbook', format: 'html', target, overwrite })
  })

beforeAll(async () => {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'fuelbook-files-')))
  home = join(base, 'home')
  data = join(base, 'data')
  outside = join(base, 'outside')
  for (const dir of [home, data, outside, join(home, 'projects', 'q3')]) mkdirSync(dir, { recursive: true })
  writeFileSync(join(home, 'projects', 'sales.fuelbook'), 'x')
  writeFileSync(join(home, 'projects', 'old.ipynb'), '{"cells": []}')
  writeFileSync(join(home, 'projects', 'notes.txt'), 'not shown')
  writeFileSync(join(home, 'projects', '.hidden.fuelbook'), 'not shown')
  writeFileSync(join(outside, 'secret.ipynb'), '{"secret": true}')
  symlinkSync(outside, join(home, 'projects', 'escape'))
  symlinkSync(join(outside, 'secret.ipynb'), join(home, 'projects', 'linked.ipynb'))
  symlinkSync(join(home, 'projects', 'q3'), join(home, 'q3-link'))
  writeFileSync(join(outside, 'victim.html'), 'victim')
  symlinkSync(join(outside, 'victim.html'), join(home, 'projects', 'victim.html'))
  const service = createFakeService({
    exportNotebook: async () => ({
      ok: true,
      value: { filename: 'nb.html', mimeType: 'text/html', content: '<h1>report</h1>' }
    })
  })
  server = await startBrowserServer({
    service,
    rendererDir: base,
    port: 0,
    token: TOKEN,
    fileRoots: [
      { label: 'Home', path: home },
      { label: 'Data folder', path: data }
    ]
  })
})

afterAll(async () => {
  await server.close()
})

describe('the file dialog routes', () => {
  it('list the first root by default: folders first, only notebooks, no hidden files', async () => {
    const top = await list()
    expect(top.status).toBe(200)
    const listing = top.json!.value as FolderListing
    expect(listing.folder).toBe(home)
    expect(listing.parent).toBeNull()
    expect(listing.roots).toEqual([
      { label: 'Home', path: home },
      { label: 'Data folder', path: data }
    ])
    const projects = (await list(join(home, 'projects'))).json!.value as FolderListing
    expect(projects.parent).toBe(home)
    expect(projects.entries.map((e) => [e.name, e.kind])).toEqual([
      ['q3', 'folder'],
      ['old.ipynb', 'ipynb'],
      ['sales.fuelbook', 'fuelbook']
    ])
  })

  it('refuse `..` out of a root, and any folder outside the roots', async () => {
    for (const folder of [
      join(home, '..'),
      join(home, 'projects', '..', '..', 'outside'),
      outside,
      '/',
      'projects'
    ]) {
      const reply = await list(folder)
      expect(reply.json, folder).toMatchObject({ ok: false })
      expect(String(reply.json!.error)).toContain('is not a folder Fuelbook may list')
    }
  })

  it('follow a symbolic link only while it stays inside a root', async () => {
    // escape → outside and linked.ipynb → outside are not listed, nor can they be opened directly.
    const projects = (await list(join(home, 'projects'))).json!.value as FolderListing
    expect(projects.entries.map((e) => e.name)).not.toContain('escape')
    expect(projects.entries.map((e) => e.name)).not.toContain('linked.ipynb')
    expect((await list(join(home, 'projects', 'escape'))).json).toMatchObject({ ok: false })
    const secret = await send(
      `${FILE_ROUTES.readIpynb}?path=${encodeURIComponent(join(home, 'projects', 'linked.ipynb'))}`
    )
    expect(secret.json).toMatchObject({ ok: false })
    expect(secret.text).not.toContain('secret": true')
    // A link inside the home to a folder of the home is fine: it lists the real folder.
    const linked = (await list(join(home, 'q3-link'))).json!.value as FolderListing
    expect(linked.folder).toBe(join(home, 'projects', 'q3'))
  })

  it('read an .ipynb inside a root, and nothing else', async () => {
    const read = (path: string) => send(`${FILE_ROUTES.readIpynb}?path=${encodeURIComponent(path)}`)
    expect((await read(join(home, 'projects', 'old.ipynb'))).json).toEqual({
      ok: true,
      value: { name: 'old', content: '{"cells": []}' }
    })
    expect((await read(join(home, 'projects', 'notes.txt'))).json).toMatchObject({ ok: false })
    expect((await read(join(outside, 'secret.ipynb'))).json).toMatchObject({ ok: false })
    expect((await read(join(home, 'projects', '..', '..', 'outside', 'secret.ipynb'))).json).toMatchObject({
      ok: false
    })
  })

  it('answer nothing without the token', async () => {
    for (const path of [
      FILE_ROUTES.list,
      `${FILE_ROUTES.readIpynb}?path=${encodeURIComponent(join(home, 'projects', 'old.ipynb'))}`
    ]) {
      const reply = await send(path, { token: false })
      expect(reply.status).toBe(403)
      expect(reply.text).not.toContain('projects')
      expect(reply.text).not.toContain('cells')
    }
    const wrong = await send(`${FILE_ROUTES.list}?token=guess`, { token: false })
    expect(wrong.status).toBe(403)
    const write = await send(FILE_ROUTES.export, {
      token: false,
      method: 'POST',
      headers: { origin: `http://127.0.0.1:${server.port}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        notebook: '/nb.fuelbook',
        format: 'html',
        target: join(home, 'x.html'),
        overwrite: false
      })
    })
    expect(write.status).toBe(403)
    expect(existsSync(join(home, 'x.html'))).toBe(false)
  })

  it('write an export into a folder of a root, asking before replacing a file', async () => {
    const target = join(home, 'projects', 'q3', 'report.html')
    expect((await exportTo(target)).json).toEqual({ ok: true, value: target })
    expect(readFileSync(target, 'utf8')).toBe('<h1>report</h1>')
    writeFileSync(target, 'mine')
    expect((await exportTo(target)).json).toMatchObject({ ok: false, error: { reason: 'exists' } })
    expect(readFileSync(target, 'utf8')).toBe('mine')
    expect((await exportTo(target, true)).json).toEqual({ ok: true, value: target })
    expect(readFileSync(target, 'utf8')).toBe('<h1>report</h1>')
  })

  it('refuse to write outside the roots, through a link, over a link, with a wrong extension or origin', async () => {
    const refusals = [
      join(outside, 'report.html'),
      join(home, '..', 'outside', 'report.html'),
      join(home, 'projects', 'escape', 'report.html'),
      join(home, 'projects', 'victim.html'),
      join(home, 'projects', 'report.txt'),
      'report.html'
    ]
    for (const target of refusals) {
      const reply = await exportTo(target, true)
      expect(reply.json, target).toMatchObject({ ok: false })
    }
    expect(existsSync(join(outside, 'report.html'))).toBe(false)
    expect(readFileSync(join(outside, 'victim.html'), 'utf8')).toBe('victim')
    const foreign = await exportTo(join(home, 'evil.html'), false, { origin: 'http://evil.example' })
    expect(foreign.status).toBe(403)
    const form = await exportTo(join(home, 'evil.html'), false, { 'content-type': 'text/plain' })
    expect(form.status).toBe(415)
    expect(existsSync(join(home, 'evil.html'))).toBe(false)
  })
})
