/**
 * The runtime as the kernel needs it (`KernelRuntime`; sandbox/runtime.ts's `LoadedRuntime` is the
 * metered module alone): the compiled, metered, data-segment-free module (from
 * sandbox/runtime.ts, which verifies python.wasm and caches the instrumentation), the stdlib zip
 * (verified here), the original data segments (to make S0 once) and the runtime hash.
 */
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { activeDataSegments, type DataSegment } from '../sandbox/memory-image'
import { METER_VERSION } from '../sandbox/meter'
import type { RuntimeSpec } from '../sandbox/protocol'
import { loadRuntime, readVerified } from '../sandbox/runtime'
import { readShared } from './read-shared'

export interface KernelRuntime {
  spec: RuntimeSpec
  /** The original module's active data segments (read only when S0 must be made). */
  loadSegments(): Promise<DataSegment[]>
  /** Maximum pages the memory import accepts (null: no declared maximum). */
  maximumPages: number | null
  /** sha256 over the runtime's artifacts: snapshots are only valid for the runtime that made them. */
  runtimeHash: string
  pythonVersion: string
  /** Keys caches derived from the runtime (S0): runtime + meter version + boot recipe. */
  cacheKey: string
}

/** Bump when what the boot does to make S0 changes (sandbox/machine.ts, boot). */
const BOOT_RECIPE = 3

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

export async function loadKernelRuntime(resourcesDir: string, cacheDir?: string): Promise<KernelRuntime> {
  const loaded = await loadRuntime({
    runtimeDir: resourcesDir,
    cacheDir: cacheDir ?? join(tmpdir(), 'fuelbook-cache'),
    meter: {
      importMemory: true,
      dropActiveDataSegments: true,
      exportMutableGlobals: true,
      fuelSlices: true,
      recordFailedGrow: true
    }
  })
  if (!loaded.ok) throw new Error(loaded.error.message)
  const { manifest, metered, module, dir } = loaded.value
  // Read straight into shared memory: the workers share it without a copy per worker.
  const sharedZip = await readShared(loaded.value.stdlibZipPath)
  const zipHash = sha256(sharedZip)
  const expected = manifest.artifacts[manifest.stdlibZip]?.sha256
  if (zipHash !== expected) {
    throw new Error(
      `${loaded.value.stdlibZipPath} does not match MANIFEST.json (expected sha256 ${expected}, found ${zipHash}): reinstall Fuelbook or rebuild the runtime`
    )
  }
  if (metered.memory === null) throw new Error('the metered runtime has no memory import')
  const mountPath = manifest.stdlibMountPath
  const mount = mountPath.slice(0, mountPath.lastIndexOf('/'))
  const runtimeHash = createHash('sha256').update(`${loaded.value.sha256}\n${zipHash}\n`).digest('hex')
  const python = (manifest as { python?: unknown }).python
  return {
    spec: {
      module,
      fuelExport: metered.fuelExport,
      outOfFuelExport: metered.outOfFuelExport,
      fuelSliceExport: metered.fuelSliceExport,
      failedGrowExport: metered.failedGrowExport,
      memoryImport: {
        module: metered.memory.module,
        name: metered.memory.name,
        initialPages: metered.memory.initialPages
      },
      mutableGlobals: metered.mutableGlobals.map((g) => g.exportName),
      stdlib: { mountPoint: mount, files: { [mountPath.slice(mount.length + 1)]: sharedZip } }
    },
    loadSegments: async () => {
      const wasm = await readVerified(join(dir, manifest.wasm), loaded.value.sha256)
      if (!wasm.ok) throw new Error(wasm.error.message)
      return activeDataSegments(wasm.value)
    },
    maximumPages: metered.memory.maximumPages,
    runtimeHash,
    pythonVersion: typeof python === 'string' ? python : '3.11',
    cacheKey: `${runtimeHash.slice(0, 16)}-m${METER_VERSION}-b${BOOT_RECIPE}`
  }
}
