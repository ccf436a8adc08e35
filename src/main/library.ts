/**
 * Fuelbook's kernel as a library: what `require('fuelbook')` / `import … from 'fuelbook'` give
 * (built as out/main/library.js, declarations in out/types; the README's "As a library" section
 * is the user's guide).
 *
 * `runPython` is one isolated run: a fresh, fuel-metered interpreter restored from the pristine
 * snapshot S0, nothing shared between calls. For state carried from run to run use
 * `createKernelHost()` and its kernels. Idle workers never keep the process alive, so a script
 * exits when its work is done; `closeSharedKernelHost()` frees them earlier.
 */
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import {
  createKernelHost as createHost,
  toRunPythonResult,
  type KernelHost,
  type KernelHostInternals,
  type KernelHostOptions,
  type RunPythonResult
} from './kernel'
import { runtimeDirOf } from './sandbox/runtime'
import { DEFAULT_LIMITS } from '../shared/limits'

export { DEFAULT_LIMITS } from '../shared/limits'
export { snapshotFromFile, snapshotToFile } from './kernel'
export type {
  Kernel,
  KernelHost,
  KernelHostOptions,
  KernelRunOptions,
  KernelRunResult,
  RunProgress,
  RunPythonResult
} from './kernel'
export type { Limits, Output, RunStatus } from '../shared/notebook'
export type { Completion, Inspection, Variable } from '../shared/api'
export type { PersistedSnapshot } from '../shared/snapshot'
export type { Result } from '../shared/result'
export type { FuelProfile, ProfileFunction, ProfileLine } from '../shared/fuel-profile'

export interface RunPythonOptions {
  /** Fuel budget (executed wasm operators). Default 400,000,000. */
  fuel?: number
  /** Linear memory cap in bytes. Default 512 MiB. */
  memoryLimitBytes?: number
  /** Wall-clock limit. Default 30 s. */
  timeoutMs?: number
  /** Output kept (bytes); the rest is dropped and a `truncated` output added. Default 2 MB. */
  outputBytes?: number
  /** Size of the sandbox's file system (logical size of all files). Default 256 MiB. */
  fsQuotaBytes?: number
  /** Fixed seeds and a virtual clock: identical output and fuel every time. */
  deterministic?: boolean
  /** Aborting it stops the run (status 'interrupted'), as Ctrl+C does in `fuelbook exec`. */
  signal?: AbortSignal
  /**
   * Profile the run's fuel per line and per function (`profile` in the result); `fuel` is then
   * the budget of the code itself, the profiler's own fuel not counted (runtime/README.md).
   */
  profile?: boolean
  /** Run on this host (from createKernelHost) instead of the shared one. */
  host?: KernelHost
}

// Both src/main/library.ts and out/main/library.js sit two levels below the package root.
const PACKAGE_ROOT = join(__dirname, '..', '..')

function defaultHostOptions(appRoot = PACKAGE_ROOT): KernelHostOptions {
  return {
    resourcesDir: runtimeDirOf(appRoot),
    cacheDir: process.env.FUELBOOK_CACHE_DIR ?? join(tmpdir(), 'fuelbook-cache')
  }
}

export interface CreateKernelHostOptions extends Partial<KernelHostOptions> {
  /** The application folder whose resources/python runs (default: this package's). */
  appRoot?: string
}

/**
 * A host of kernels (one compiled runtime, one worker pool, one S0). Without options it uses the
 * runtime shipped in the package and caches S0 in the system's temporary folder, as runPython does.
 */
export function createKernelHost(options: CreateKernelHostOptions = {}): Promise<KernelHost> {
  const { appRoot, ...host } = options
  return createHost({ ...defaultHostOptions(appRoot), ...host })
}

let sharedHost: Promise<KernelHostInternals> | null = null

/** The host behind runPython, made on first use (compiles the runtime, loads or makes S0). */
function sharedKernelHost(): Promise<KernelHostInternals> {
  sharedHost ??= createHost(defaultHostOptions()).catch((error: unknown) => {
    sharedHost = null
    throw error
  })
  return sharedHost
}

/** Stops the shared host's workers (runPython starts them again when called). */
export async function closeSharedKernelHost(): Promise<void> {
  const host = sharedHost
  sharedHost = null
  if (host) await (await host).close()
}

export async function runPython(code: string, options: RunPythonOptions = {}): Promise<RunPythonResult> {
  const host = options.host ?? (await sharedKernelHost())
  const kernel = host.createKernel()
  const interrupt = (): void => kernel.interrupt()
  options.signal?.addEventListener('abort', interrupt)
  try {
    const result = await kernel.run(code, {
      isolated: true,
      deterministic: options.deterministic,
      profile: options.profile === true,
      limits: {
        fuel: options.fuel ?? DEFAULT_LIMITS.fuel,
        memoryBytes: options.memoryLimitBytes ?? DEFAULT_LIMITS.memoryBytes,
        timeoutMs: options.timeoutMs ?? DEFAULT_LIMITS.timeoutMs,
        outputBytes: options.outputBytes ?? DEFAULT_LIMITS.outputBytes,
        fsBytes: options.fsQuotaBytes ?? DEFAULT_LIMITS.fsBytes
      }
    })
    return toRunPythonResult(result)
  } finally {
    options.signal?.removeEventListener('abort', interrupt)
    await kernel.dispose()
  }
}
