/**
 * Fuelbook's kernel as a library (built as out/main/library.js).
 *
 *   import { runPython } from 'fuelbook/out/main/library.js'
 *   const r = await runPython("print('hello world')", { fuel: 400_000_000 })
 *   r.status     // 'ok' | 'error' | 'exit' | 'out_of_fuel' | 'out_of_memory' | 'timeout' | 'interrupted' | 'crashed'
 *   r.stdout     // 'hello world\n'
 *   r.fuelConsumed, r.memoryPages, r.memoryBytes
 *
 * `runPython` is the seed's `run_python_code` as one call: a fresh, isolated, fuel-metered
 * interpreter (restored from the pristine snapshot S0), nothing shared between calls.
 * For notebook semantics (state carried from run to run) use `createKernelHost().createKernel()`.
 */
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import {
  createKernelHost,
  DEFAULT_LIMITS,
  toRunPythonResult,
  type KernelHostInternals,
  type KernelHostOptions,
  type RunPythonResult
} from './kernel'

export { createKernelHost, DEFAULT_LIMITS } from './kernel'
export type {
  HeadImport,
  Kernel,
  KernelHost,
  KernelHostOptions,
  KernelRunOptions,
  KernelRunResult,
  RunPythonResult
} from './kernel'

export interface RunPythonOptions {
  /** Fuel budget (executed wasm operators). Default 400,000,000. */
  fuel?: number
  /** Linear memory cap in bytes. Default 512 MiB. */
  memoryLimitBytes?: number
  /** Wall-clock limit. Default 30 s. */
  timeoutMs?: number
  /** Output kept (bytes); the rest is dropped and a `truncated` output added. Default 2 MB. */
  outputBytes?: number
  /** Fixed seeds and a virtual clock: identical output and fuel every time. */
  deterministic?: boolean
}

let defaultHost: Promise<KernelHostInternals> | null = null

function defaultHostOptions(): KernelHostOptions {
  // Both src/main/library.ts and out/main/library.js sit two levels below the package root.
  const root = join(__dirname, '..', '..')
  return {
    resourcesDir: process.env.FUELBOOK_RUNTIME_DIR ?? join(root, 'resources', 'python'),
    cacheDir: process.env.FUELBOOK_CACHE_DIR ?? join(tmpdir(), 'fuelbook-cache')
  }
}

/** The host behind runPython, made on first use (compiles the runtime, loads or makes S0). */
export function sharedKernelHost(): Promise<KernelHostInternals> {
  defaultHost ??= createKernelHost(defaultHostOptions()).catch((error: unknown) => {
    defaultHost = null
    throw error
  })
  return defaultHost
}

/** Stops the shared host's workers (runPython starts them again when called). */
export async function closeSharedKernelHost(): Promise<void> {
  const host = defaultHost
  defaultHost = null
  if (host) await (await host).close()
}

export async function runPython(code: string, options: RunPythonOptions = {}): Promise<RunPythonResult> {
  const host = await sharedKernelHost()
  const kernel = host.createKernel()
  try {
    const result = await kernel.run(code, {
      isolated: true,
      deterministic: options.deterministic,
      limits: {
        fuel: options.fuel ?? DEFAULT_LIMITS.fuel,
        memoryBytes: options.memoryLimitBytes ?? DEFAULT_LIMITS.memoryBytes,
        timeoutMs: options.timeoutMs ?? DEFAULT_LIMITS.timeoutMs,
        outputBytes: options.outputBytes ?? DEFAULT_LIMITS.outputBytes
      }
    })
    return toRunPythonResult(result)
  } finally {
    await kernel.dispose()
  }
}
