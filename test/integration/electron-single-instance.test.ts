import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createElectronStub, loadShellWithStub } from '../helpers/electron-stub'

// A second Fuelbook started while one runs (double-clicking a .fuelbook) must not open anything itself:
// Electron forwards its argv to the first instance ('second-instance', tested in electron-shell) and it quits.
const bundle = resolve(__dirname, '../../out/main/index.js')
const stub = createElectronStub(mkdtempSync(join(tmpdir(), 'fuelbook-second-')), {
  singleInstanceLock: false
})
const savedArgv = process.argv
process.argv = [savedArgv[0]!, '.', join(tmpdir(), 'double-clicked.fuelbook')]
const restore = loadShellWithStub(bundle, stub)
stub.ready()

afterAll(() => {
  process.argv = savedArgv
  restore()
})

describe('single instance (stubbed electron)', () => {
  it('a second instance quits without a window, a service or IPC handlers', () => {
    expect(stub.calls.quit).toBe(1)
    // It never waits for the app to be ready, so nothing can start later either.
    expect(stub.calls.whenReady).toBe(0)
    expect(stub.windows).toEqual([])
    expect(stub.ipcHandlers.size).toBe(0)
    expect(stub.menus).toEqual([])
    expect(stub.appEvents.listenerCount('open-file')).toBe(0)
    expect(stub.calls.enableSandbox).toBe(0)
  })
})
