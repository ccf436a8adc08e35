/**
 * The kernel host: one compiled runtime, one worker pool and one S0 shared by every kernel.
 * S0 (the state right after fb_init) is made once per runtime and meter version and cached on
 * disk; starting a kernel is then free.
 */
import { createHash } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { InThreadPool } from '../sandbox/in-thread-pool'
import { WorkerPool, type RunPool, type WorkerScript } from '../sandbox/pool'
import { PAGE_BYTES } from '../sandbox/memory-image'
import { useLateTierUp } from '../sandbox/runtime'
import type { GuestRequest, MachineState, RunRequest } from '../sandbox/protocol'
import { DEFAULT_LIMITS } from '../../shared/limits'
import { SnapshotKernel } from './kernel'
import { readS0Cache, writeS0Cache } from './s0-cache'
import { buildRunRequest } from './run-request'
import { loadKernelRuntime, type KernelRuntime, type RuntimeIdentity } from './runtime-source'
import type { Kernel, KernelHost } from './types'

export interface KernelHostOptions {
  /** Folder holding MANIFEST.json, the runtime .wasm and the stdlib zip (resources/python). */
  resourcesDir: string
  /** Where S0 is cached; without it S0 is made at every start (~1 s). */
  cacheDir?: string
  /** Workers (default: one per core, 2 to 4: each holds a kernel memory; 2 so an inspect run need not wait for a cell). */
  poolSize?: number
  workerScript?: WorkerScript
  /**
   * Run the warm-up cells on every worker (default true). A process that runs one cell and exits
   * (`fuelbook exec`) turns it off: its run would otherwise wait for a warm-up run first.
   */
  warmUp?: boolean
  /**
   * Wait this long after the workers are ready before warming them up (default 0): a run asked for
   * meanwhile then neither waits for a warm-up run nor shares the cores with one, and the warm-up
   * is done when the pool is idle (the app: src/main/kernel/README.md, "Cold start").
   */
  warmUpDelayMs?: number
  /**
   * The process makes one run and exits (`fuelbook exec`): V8 tiers the runtime's functions up
   * late (sandbox/runtime.ts, `useLateTierUp`; process-wide from then on).
   */
  oneRun?: boolean
  /**
   * The process runs a notebook's cells and exits (`fuelbook run`): V8 tiers the runtime's
   * functions up late, as for `oneRun`. The TurboFan compiles the default budget starts cost more
   * CPU than they save in such a process, even for a cell of seconds (src/main/kernel/README.md,
   * "Cold start").
   */
  lateTierUp?: boolean
  /**
   * Make the runs on the calling thread instead of in workers (`fuelbook exec`: one run, then exit):
   * no worker to start, and the timeout and interrupts stop a run from watchdog threads
   * (sandbox/in-thread-pool.ts); a worker is started only for a run that overflows this thread's
   * smaller stack. `poolSize` and the warm-up do not apply.
   */
  inThread?: boolean
}

/**
 * Bump when the S0 cache file's layout or content changes (kernel/s0-cache.ts). 2: the state
 * carries its wheel list (none), as a booted S0 does; read from a 1 file, S0 lacked it and every run
 * from it set sys.path again first, which cost a cell other fuel than from a booted S0.
 */
const S0_CACHE_VERSION = 2

/** Memory cap for making S0 (the boot itself needs ~10 MB). */
const BOOT_MAX_PAGES = 4096
const BOOT_TIMEOUT_MS = 120_000

export interface KernelHostInternals extends KernelHost {
  readonly s0: MachineState
  readonly runtime: KernelRuntime
  /** Where S0 came from, for tests and the bench. */
  readonly s0Source: 'disk' | 'boot'
  /**
   * Resolves when every worker has run its warm-up (the first runs are slower before that); the
   * process stays alive while this is awaited.
   */
  whenWarmed(): Promise<void>
}

export async function createKernelHost(options: KernelHostOptions): Promise<KernelHostInternals> {
  if (options.oneRun || options.lateTierUp) useLateTierUp()
  const loading = loadKernelRuntime(options.resourcesDir, options.cacheDir)
  const s0Path = (identity: RuntimeIdentity): string | null =>
    options.cacheDir ? join(options.cacheDir, `s0-${identity.cacheKey}-raw${S0_CACHE_VERSION}.fbs0`) : null
  // S0 is read (libuv's threads, then a crc32 here) while the runtime is compiled, keyed by the
  // identity the manifest promises; it is used only if the runtime turns out to have it.
  const prefetch = Promise.all([loading.expected, loading.compileStarted]).then(async ([expected]) => {
    const path = expected && s0Path(expected)
    return path ? { path, ...expected, cached: await readS0Cache(path, expected.runtimeHash) } : null
  })
  // The workers start (each a Node instance of its own, ~100 ms of CPU) while the main thread reads
  // and compiles the runtime; they get it once it is compiled.
  const spec = loading.runtime.then((runtime) => runtime.spec)
  const workers = (size: number): WorkerPool =>
    new WorkerPool({ runtime: spec, size, workerScript: options.workerScript })
  const pool: RunPool = options.inThread
    ? new InThreadPool(spec, () => workers(1))
    : workers(options.poolSize ?? Math.min(4, Math.max(2, availableParallelism())))
  try {
    const runtime = await loading.runtime
    const cachePath = s0Path(runtime)
    const early = await prefetch
    // Reading S0 (main thread) overlaps the workers' start (their own threads).
    const [cached] = await Promise.all([
      early?.path === cachePath && early.runtimeHash === runtime.runtimeHash
        ? early.cached
        : cachePath
          ? readS0Cache(cachePath, runtime.runtimeHash)
          : null,
      pool.ready()
    ])
    const s0Source = cached ? 'disk' : 'boot'
    let s0: MachineState
    let s0Identity: string
    if (cached) {
      ;({ state: s0, identity: s0Identity } = cached)
    } else {
      s0 = await bootS0(pool, runtime)
      s0Identity = baseIdentity(runtime.runtimeHash, s0)
      if (cachePath) await writeS0Cache(cachePath, s0, s0Identity, runtime.runtimeHash).catch(() => undefined)
    }
    const maximumPages = Math.min(runtime.maximumPages ?? 65536, 65536)
    // Not awaited: the host is usable at once; a run asked for meanwhile waits at most for the
    // warm-up request in flight on one worker, then the warm-up yields to it.
    if (options.warmUp ?? true)
      pool.warm(
        warmupRequests(s0, Math.min(maximumPages, DEFAULT_LIMITS.memoryBytes / PAGE_BYTES)),
        options.warmUpDelayMs
      )
    // A saved head stores only the pages that differ from S0, so it may only be restored on the very
    // same S0: its identity covers the runtime, the meter, the boot recipe and S0's bytes.
    const context = { pool, s0, s0Identity, maximumPages }
    const kernels = new Set<SnapshotKernel>()
    return {
      s0,
      runtime,
      s0Source,
      whenWarmed: () => pool.whenWarm(),
      runtimeHash: runtime.runtimeHash,
      pythonVersion: runtime.pythonVersion,
      createKernel(): Kernel {
        const kernel = new SnapshotKernel(context, () => kernels.delete(kernel))
        kernels.add(kernel)
        return kernel
      },
      async close() {
        await Promise.all([...kernels].map((k) => k.dispose()))
        await pool.close()
      }
    }
  } catch (error) {
    await pool.close()
    throw error
  }
}

/** Cells that make V8 compile (and start optimising) the code every cell runs through. */
function warmupRequests(s0: MachineState, maxPages: number): RunRequest[] {
  const guests: GuestRequest[] = [
    ...[
      '1+1',
      'x = [i * i for i in range(2000)]\nprint(len(x))',
      'import json\njson.dumps({"a": [1, 2]})',
      '1+1',
      '1+1'
    ].map((code): GuestRequest => ({ kind: 'cell', code, executionCount: null })),
    { kind: 'call', request: JSON.stringify({ op: 'variables' }) },
    { kind: 'call', request: JSON.stringify({ op: 'complete', code: 'pri', cursor: 3 }) }
  ]
  // Like user runs (reseeded, same memory cap), so the same code paths and spare memories are ready.
  return guests.map((guest, i) =>
    buildRunRequest({
      id: -1 - i,
      state: s0,
      guest,
      limits: { fuel: 100_000_000, outputBytes: 1 << 16, fsBytes: DEFAULT_LIMITS.fsBytes },
      maxPages,
      deterministic: false,
      randomSeed: i + 1,
      capture: guest.kind === 'cell',
      newStateId: `warmup-${i}`,
      packages: []
    })
  )
}

/** sha256 over the runtime hash and S0's memory and globals. */
export function baseIdentity(runtimeHash: string, s0: MachineState): string {
  const hash = createHash('sha256').update(runtimeHash)
  const zero = new Uint8Array(PAGE_BYTES)
  for (let index = 0; index < s0.memory.pageCount; index++) hash.update(s0.memory.pages[index] ?? zero)
  hash.update(JSON.stringify(Object.entries(s0.globals).map(([k, v]) => [k, String(v)])))
  return hash.digest('hex')
}

async function bootS0(pool: RunPool, runtime: KernelRuntime): Promise<MachineState> {
  const request = buildRunRequest({
    id: 0,
    state: null,
    guest: { kind: 'boot', segments: await runtime.loadSegments() },
    // The boot runs on the machine's own fuel, not charged to anyone (sandbox/machine.ts).
    limits: { fuel: 0, outputBytes: 1 << 20, fsBytes: DEFAULT_LIMITS.fsBytes },
    maxPages: Math.min(BOOT_MAX_PAGES, runtime.maximumPages ?? BOOT_MAX_PAGES),
    deterministic: true,
    capture: true,
    newStateId: 's0',
    packages: []
  })
  const result = await pool.run(request, { timeoutMs: BOOT_TIMEOUT_MS }).result
  if (result.type !== 'done' || result.state === null) {
    const detail =
      result.type === 'done'
        ? `${result.message ?? result.status}; ${JSON.stringify(result.outputs).slice(0, 2000)}`
        : result.type === 'lost'
          ? result.message
          : result.reason
    throw new Error(`the Python runtime did not start: ${detail}`)
  }
  return result.state
}
