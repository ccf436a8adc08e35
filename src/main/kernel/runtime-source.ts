/**
 * The runtime as the kernel needs it (`KernelRuntime`; sandbox/runtime.ts's `LoadedRuntime` is the
 * metered module alone): the compiled, metered, data-segment-free module (from
 * sandbox/runtime.ts, which verifies python.wasm and caches the instrumentation), the stdlib zip
 * (verified here), the original data segments (to make S0 once) and the runtime hash.
 */
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { activeDataSegments, type DataSegment } from '../sandbox/memory-image'
import { METER_VERSION } from '../sandbox/meter'
import type { RuntimeSpec } from '../sandbox/protocol'
import { loadRuntime, readManifest, readVerified } from '../sandbox/runtime'
import { readShared } from '../sandbox/read-whole'

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

/** What snapshots and the caches derived from the runtime are keyed by. */
export interface RuntimeIdentity {
  runtimeHash: string
  cacheKey: string
}

/** The identity of the runtime made of a python.wasm and a stdlib zip of these sha256s. */
function runtimeIdentity(wasmSha256: string, zipSha256: string): RuntimeIdentity {
  const runtimeHash = createHash('sha256').update(`${wasmSha256}\n${zipSha256}\n`).digest('hex')
  return { runtimeHash, cacheKey: `${runtimeHash.slice(0, 16)}-m${METER_VERSION}-b${BOOT_RECIPE}` }
}

export interface KernelRuntimeLoading {
  /**
   * The identity MANIFEST.json promises (null: no readable manifest), known at once: what is
   * keyed by it (S0's cache) can be read while the runtime is checked and compiled. `runtime`
   * has the same identity once it has checked the artifacts against that manifest.
   */
  expected: Promise<RuntimeIdentity | null>
  /**
   * Resolves once the instrumented module is being compiled (V8 compiles on its own threads), or
   * loading failed before: reading and checking other files waits for it, so that it does not
   * delay reading the module, the one file on the way to the first run.
   */
  compileStarted: Promise<void>
  runtime: Promise<KernelRuntime>
}

/**
 * Starts loading the runtime. The stdlib zip is read and hashed while the instrumented module is
 * compiled (src/main/kernel/README.md, "Cold start").
 */
export function loadKernelRuntime(resourcesDir: string, cacheDir?: string): KernelRuntimeLoading {
  const dir = resolve(resourcesDir)
  const manifest = readManifest(dir).then((m) => (m.ok ? m.value : null))
  const expected = manifest.then((m) => {
    const wasm = m?.artifacts[m.wasm]?.sha256
    const zip = m?.artifacts[m.stdlibZip]?.sha256
    return wasm && zip ? runtimeIdentity(wasm, zip) : null
  })
  let compileStarted = (): void => undefined
  const started = new Promise<void>((resolve) => (compileStarted = resolve))
  const zip = Promise.all([manifest, started]).then(async ([m]) => {
    if (m === null) return null
    const bytes = await readShared(join(dir, m.stdlibZip))
    return { path: join(dir, m.stdlibZip), bytes, sha256: sha256(bytes) }
  })
  // Read again below if this read failed: its error is the one to report.
  zip.catch(() => undefined)
  return {
    expected,
    compileStarted: started,
    runtime: compileKernelRuntime(dir, cacheDir, zip, compileStarted)
  }
}

async function compileKernelRuntime(
  resourcesDir: string,
  cacheDir: string | undefined,
  zipRead: Promise<{ path: string; bytes: Uint8Array; sha256: string } | null>,
  onCompileStarted: () => void
): Promise<KernelRuntime> {
  const loaded = await loadRuntime({
    onCompileStarted,
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
  const zipPath = loaded.value.stdlibZipPath
  const early = await zipRead.catch(() => null)
  // Read straight into shared memory: the workers share it without a copy per worker.
  const sharedZip = early?.path === zipPath ? early.bytes : await readShared(zipPath)
  const zipHash = early?.path === zipPath ? early.sha256 : sha256(sharedZip)
  const expected = manifest.artifacts[manifest.stdlibZip]?.sha256
  if (zipHash !== expected) {
    throw new Error(
      `${zipPath} does not match MANIFEST.json (expected sha256 ${expected}, found ${zipHash}): reinstall Fuelbook or rebuild the runtime`
    )
  }
  if (metered.memory === null) throw new Error('the metered runtime has no memory import')
  const mountPath = manifest.stdlibMountPath
  const mount = mountPath.slice(0, mountPath.lastIndexOf('/'))
  const { runtimeHash, cacheKey } = runtimeIdentity(loaded.value.sha256, zipHash)
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
    cacheKey
  }
}
