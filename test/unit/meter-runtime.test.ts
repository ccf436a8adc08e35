/**
 * runtime.ts: manifest checks, the instrumented-module cache (miss, hit, corrupt → rebuilt,
 * options in the key) on a tiny wasm in a temp directory.
 */
import { createHash } from 'node:crypto'
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadRuntime } from '../../src/main/sandbox/runtime'
import { wat } from '../helpers/meter-wat'

let root: string
let runtimeDir: string
let cacheDir: string

async function makeRuntime(options: { corruptSha?: boolean } = {}): Promise<Uint8Array> {
  const wasm = await wat(`(module (memory (export "memory") 1) (global $sp (mut i32) (i32.const 1024))
    (func (export "fb_add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))`)
  writeFileSync(join(runtimeDir, 'python.wasm'), wasm)
  writeFileSync(join(runtimeDir, 'python311.zip'), 'zip')
  const sha256 = createHash('sha256').update(wasm).digest('hex')
  const manifest = {
    wasm: 'python.wasm',
    stdlibZip: 'python311.zip',
    stdlibMountPath: '/usr/local/lib/python311.zip',
    artifacts: { 'python.wasm': { sha256: options.corruptSha ? '0'.repeat(64) : sha256, size: wasm.length } }
  }
  writeFileSync(join(runtimeDir, 'MANIFEST.json'), JSON.stringify(manifest))
  return wasm
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'fuelbook-meter-'))
  runtimeDir = join(root, 'resources', 'python')
  cacheDir = join(root, 'cache')
  mkdirSync(runtimeDir, { recursive: true })
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

describe('runtime.ts', () => {
  it('verifies, instruments, caches and compiles (miss, then hit)', async () => {
    await makeRuntime()
    const first = await loadRuntime({ appRoot: root, cacheDir, meter: { exportMutableGlobals: true } })
    if (!first.ok) throw new Error(first.error.message)
    expect(first.value.cache).toBe('miss')
    expect(first.value.metered.mutableGlobals).toEqual([{ exportName: 'fb_global_0', type: 'i32' }])
    expect(first.value.stdlibZipPath).toBe(join(runtimeDir, 'python311.zip'))
    const inst = new WebAssembly.Instance(first.value.module)
    ;(inst.exports[first.value.metered.fuelExport] as WebAssembly.Global).value = 10n
    expect((inst.exports.fb_add as (a: number, b: number) => number)(2, 3)).toBe(5)
    expect((inst.exports.fb_fuel as WebAssembly.Global).value).toBe(10n - 4n)

    const second = await loadRuntime({ runtimeDir, cacheDir, meter: { exportMutableGlobals: true } })
    if (!second.ok) throw new Error(second.error.message)
    expect(second.value.cache).toBe('hit')
    expect(second.value.metered).toEqual(first.value.metered)
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('a cache hit needs no python.wasm; a miss refuses a damaged one', async () => {
    const wasm = await makeRuntime()
    expect((await loadRuntime({ runtimeDir, cacheDir })).ok && 'first').toBe('first')
    // The entry was made from bytes of the manifest's hash; the original is not read again.
    rmSync(join(runtimeDir, 'python.wasm'))
    const hit = await loadRuntime({ runtimeDir, cacheDir })
    expect(hit.ok && hit.value.cache).toBe('hit')
    // Without the entry the original is read and checked: a flipped byte is refused.
    rmSync(cacheDir, { recursive: true, force: true })
    const damaged = new Uint8Array(wasm)
    damaged[damaged.length - 1] = damaged[damaged.length - 1]! ^ 0xff
    writeFileSync(join(runtimeDir, 'python.wasm'), damaged)
    expect(await loadRuntime({ runtimeDir, cacheDir })).toMatchObject({
      ok: false,
      error: { code: 'checksum_mismatch' }
    })
  })

  it('keys the cache by options', async () => {
    await makeRuntime()
    await loadRuntime({ runtimeDir, cacheDir })
    const other = await loadRuntime({ runtimeDir, cacheDir, meter: { importMemory: true } })
    expect(other.ok && other.value.cache).toBe('miss')
    expect(other.ok && other.value.metered.memory).toEqual({
      module: 'env',
      name: 'memory',
      initialPages: 1,
      maximumPages: null
    })
    expect(readdirSync(cacheDir)).toHaveLength(2)
    const again = await loadRuntime({
      runtimeDir,
      cacheDir,
      meter: { importMemory: true, functionEntryCost: 1 }
    })
    expect(again.ok && again.value.cache).toBe('hit')
  })

  it('rebuilds a truncated or garbled cache entry', async () => {
    await makeRuntime()
    await loadRuntime({ runtimeDir, cacheDir })
    const entry = join(cacheDir, readdirSync(cacheDir)[0]!)
    truncateSync(entry, readFileSync(entry).length - 5)
    const truncated = await loadRuntime({ runtimeDir, cacheDir })
    expect(truncated.ok && truncated.value.cache).toBe('rebuilt')
    writeFileSync(entry, 'garbage')
    const garbled = await loadRuntime({ runtimeDir, cacheDir })
    expect(garbled.ok && garbled.value.cache).toBe('rebuilt')
    const bytes = readFileSync(entry)
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff
    writeFileSync(entry, bytes)
    const flipped = await loadRuntime({ runtimeDir, cacheDir })
    expect(flipped.ok && flipped.value.cache).toBe('rebuilt')
    expect((await loadRuntime({ runtimeDir, cacheDir })).ok && 'hit').toBe('hit')
  })

  it('refuses a python.wasm that does not match MANIFEST.json', async () => {
    await makeRuntime({ corruptSha: true })
    const r = await loadRuntime({ runtimeDir, cacheDir })
    expect(r).toMatchObject({ ok: false, error: { code: 'checksum_mismatch' } })
    expect(!r.ok && r.error.message).toMatch(
      /does not match MANIFEST\.json \(expected sha256 0+, found [0-9a-f]{64}\)/
    )
  })

  it('reports a missing runtime, wasm or manifest clearly', async () => {
    expect(await loadRuntime({ runtimeDir, cacheDir })).toMatchObject({
      ok: false,
      error: { code: 'not_found', message: expect.stringContaining('MANIFEST.json is missing') }
    })
    await makeRuntime()
    rmSync(join(runtimeDir, 'python.wasm'))
    expect(await loadRuntime({ runtimeDir, cacheDir })).toMatchObject({
      ok: false,
      error: { code: 'not_found', message: expect.stringContaining('python.wasm is missing') }
    })
    writeFileSync(join(runtimeDir, 'MANIFEST.json'), '{nope')
    expect(await loadRuntime({ runtimeDir, cacheDir })).toMatchObject({
      ok: false,
      error: { code: 'manifest_invalid' }
    })
  })

  it('reports a module the meter cannot handle as meter_failed', async () => {
    const wasm = await wat(`(module (func (export "f") v128.const i32x4 0 0 0 0 drop))`, true, { simd: true })
    writeFileSync(join(runtimeDir, 'python.wasm'), wasm)
    const sha256 = createHash('sha256').update(wasm).digest('hex')
    writeFileSync(
      join(runtimeDir, 'MANIFEST.json'),
      JSON.stringify({
        wasm: 'python.wasm',
        stdlibZip: 'z',
        artifacts: { 'python.wasm': { sha256, size: 1 } }
      })
    )
    expect(await loadRuntime({ runtimeDir, cacheDir })).toMatchObject({
      ok: false,
      error: { code: 'meter_failed', message: expect.stringContaining('SIMD') }
    })
  })
})
