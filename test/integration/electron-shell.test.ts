import { existsSync, mkdtempSync } from 'node:fs'
import Module, { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { API_METHODS } from '../../src/shared/api'
import { IPC_CALL_CHANNEL } from '../../src/shared/transport'
import { createElectronStub } from '../helpers/electron-stub'

// Loads the *built* main bundle (out/main/index.js, made by `npm test`'s build step) with a stubbed
// 'electron' module: the shell cannot run on these machines, but what it asks of Electron can be checked.
const bundle = resolve(__dirname, '../../out/main/index.js')
const stub = createElectronStub(mkdtempSync(join(tmpdir(), 'fuelbook-userdata-')))
type Loader = (request: string, parent: unknown, isMain: boolean) => unknown
const moduleWithLoad = Module as unknown as { _load: Loader }
const originalLoad = moduleWithLoad._load

beforeAll(async () => {
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run 'npm run build' first (npm test does).`)
  moduleWithLoad._load = function (request, parent, isMain) {
    if (request === 'electron') return stub.electron
    return originalLoad.call(this, request, parent, isMain)
  }
  createRequire(__filename)(bundle)
  stub.ready()
  for (let i = 0; i < 300 && stub.windows.length === 0 && stub.calls.errors.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 50))
  }
  expect(stub.calls.errors).toEqual([])
})

afterAll(() => {
  moduleWithLoad._load = originalLoad
  stub.appEvents.emit('will-quit', { preventDefault: () => {} })
})

describe('Electron shell (stubbed electron)', () => {
  it('opens a window with locked-down web preferences', () => {
    expect(stub.calls.enableSandbox).toBe(1)
    expect(stub.windows).toHaveLength(1)
    const prefs = stub.windows[0]!.options.webPreferences as Record<string, unknown>
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true
    })
    expect(String(prefs.preload)).toMatch(/out[/\\]preload[/\\]index\.js$/)
    expect(stub.windows[0]!.loaded).toMatch(/out[/\\]renderer[/\\]index\.html$/)
  })

  it('denies new windows, navigation and every permission; sets a strict CSP', () => {
    const win = stub.windows[0]!
    expect(win.openHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' })
    expect(stub.calls.openExternal).toEqual(['https://example.com'])
    expect(win.openHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' })
    expect(stub.calls.openExternal).toHaveLength(1)
    let prevented = false
    win.handlers.get('will-navigate')!({ preventDefault: () => (prevented = true) }, 'https://evil.example')
    expect(prevented).toBe(true)
    let granted: boolean | null = null
    stub.calls.permissionRequest!(null, 'media', (ok) => (granted = ok))
    expect(granted).toBe(false)
    expect(stub.calls.permissionCheck!()).toBe(false)
    let headers: Record<string, string[]> = {}
    stub.calls.headers!(
      { responseHeaders: {} },
      (r) => (headers = (r as { responseHeaders: Record<string, string[]> }).responseHeaders)
    )
    expect(headers['Content-Security-Policy']![0]).toContain("default-src 'self'")
  })

  it('registers exactly one IPC call channel and validates every payload', async () => {
    expect([...stub.ipcHandlers.keys()]).toEqual([IPC_CALL_CHANNEL])
    const handle = stub.ipcHandlers.get(IPC_CALL_CHANNEL)!
    const trusted = { senderFrame: { url: 'file:///app/out/renderer/index.html' } }
    await expect(handle(trusted, 'openNotebook', [42])).rejects.toThrow(/Invalid call to openNotebook/)
    await expect(handle(trusted, 'require', ['fs'])).rejects.toThrow(/Unknown method/)
    await expect(handle({ senderFrame: { url: 'https://evil.example' } }, 'getAppInfo', [])).rejects.toThrow(
      /untrusted/
    )
    const info = (await handle(trusted, 'getAppInfo', [])) as { shell: string }
    expect(info.shell).toBe('electron')
    expect(API_METHODS.length).toBeGreaterThan(20)
  })
})
