/**
 * The runtime as the kernel needs it: the compiled, metered, data-segment-free module, the
 * original module's data segments (to make S0 once), the stdlib zip and the runtime hash.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { activeDataSegments, type DataSegment } from '../sandbox/memory-image'
import { instrument, METER_VERSION } from '../sandbox/meter'
import type { RuntimeSpec } from '../sandbox/protocol'

export interface LoadedRuntime {
  spec: RuntimeSpec
  segments: DataSegment[]
  /** Maximum pages the memory import accepts (null: no declared maximum). */
  maximumPages: number | null
  /** sha256 over the runtime's artifacts: snapshots are only valid for the runtime that made them. */
  runtimeHash: string
  pythonVersion: string
  /** Keys caches derived from the runtime (S0): runtime + meter version. */
  cacheKey: string
}

interface Manifest {
  python?: string
  wasm: string
  stdlibZip: string
  stdlibMountPath: string
  artifacts: Record<string, { sha256: string; size: number }>
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

export async function loadRuntime(resourcesDir: string): Promise<LoadedRuntime> {
  const manifestPath = join(resourcesDir, 'MANIFEST.json')
  let manifest: Manifest
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest
  } catch (error) {
    throw new Error(`Python runtime not found: cannot read ${manifestPath} (${(error as Error).message})`, {
      cause: error
    })
  }
  const [wasm, zip] = await Promise.all([
    readFile(join(resourcesDir, manifest.wasm)),
    readFile(join(resourcesDir, manifest.stdlibZip))
  ])
  for (const [name, bytes] of [
    [manifest.wasm, wasm],
    [manifest.stdlibZip, zip]
  ] as const) {
    const expected = manifest.artifacts[name]?.sha256
    const actual = sha256(bytes)
    if (expected !== actual) {
      throw new Error(
        `Python runtime is damaged: ${name} has sha256 ${actual}, MANIFEST.json says ${expected}`
      )
    }
  }
  const metered = instrument(new Uint8Array(wasm), {
    importMemory: true,
    dropActiveDataSegments: true,
    exportMutableGlobals: true
  })
  if (metered.memory === null) throw new Error('metered runtime has no memory import')
  const module = await WebAssembly.compile(metered.bytes as Uint8Array<ArrayBuffer>)
  // Shared between workers without a copy per worker.
  const sharedZip = new Uint8Array(new SharedArrayBuffer(zip.byteLength))
  sharedZip.set(zip)
  const mount = manifest.stdlibMountPath.slice(0, manifest.stdlibMountPath.lastIndexOf('/'))
  const zipName = manifest.stdlibMountPath.slice(mount.length + 1)
  const runtimeHash = createHash('sha256')
    .update(
      `${manifest.artifacts[manifest.wasm]!.sha256}\n${manifest.artifacts[manifest.stdlibZip]!.sha256}\n`
    )
    .digest('hex')
  return {
    spec: {
      module,
      fuelExport: metered.fuelExport,
      outOfFuelExport: metered.outOfFuelExport,
      memoryImport: {
        module: metered.memory.module,
        name: metered.memory.name,
        initialPages: metered.memory.initialPages
      },
      mutableGlobals: metered.mutableGlobals.map((g) => g.exportName),
      stdlib: { mountPoint: mount, files: { [zipName]: sharedZip } }
    },
    segments: activeDataSegments(new Uint8Array(wasm)),
    maximumPages: metered.memory.maximumPages,
    runtimeHash,
    pythonVersion: manifest.python ?? '3.11',
    cacheKey: `${runtimeHash.slice(0, 16)}-m${METER_VERSION}`
  }
}
