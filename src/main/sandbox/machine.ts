/**
 * One run of the interpreter: new Instance → restore state → fb_run/fb_call → new state.
 * Used by the worker (src/main/sandbox/worker.ts); pure of threads and messages, so tests and
 * benches can drive it directly.
 *
 * Restore order matters (docs/architecture.md, the snapshot chain): memory at *exactly* the state's page
 * count (the allocator treats the memory size as its heap end), then the instance, then the
 * mutable globals; `_initialize` is never called again on a restored state.
 */
import { classifyFuel, DEFAULT_SLICE_FUEL, FuelSlices } from './meter'
import { captureMemory, PAGE_BYTES, restoreMemory, type MemoryImage, type SpareMemory } from './memory-image'
import { OutputCollector } from './output'
import type { MachineState, RunDone, RunRequest, RuntimeSpec, WorkerStatus } from './protocol'
import { initialFsImage, StaticTree } from './wasi/fs-image'
import { initialClockState } from './wasi/entropy'
import { ProcExit, WasiHost, type WasiState } from './wasi/host'

/** Fuel for boot and for reseeding `random` (not charged to the cell). */
const UNMETERED_FUEL = 1n << 62n
/** Output batches go to the main thread at most this often. */
const OUTPUT_THROTTLE_MS = 50

interface GuestExports {
  _initialize?: () => void
  fb_init: () => number
  fb_run: (ptr: number, len: number) => number
  fb_call: (ptr: number, len: number) => number
  fb_exit_code: () => number
  fb_alloc: (size: number) => number
  fb_free: (ptr: number) => void
}

/** The memory a worker keeps after capturing a state: the next run from that state skips the copy. */
interface Resident {
  stateId: string
  memory: WebAssembly.Memory
  maxPages: number
  image: MemoryImage
}

export type PostOutput = (message: {
  outputs: RunDone['outputs']
  replace: boolean
  fuelConsumed: number
}) => void

export class Machine {
  private readonly tree: StaticTree
  private resident: Resident | null = null
  /** The memory of the last run that left no state (isolated, inspect, killed), for reuse. */
  private spare: SpareMemory | null = null

  constructor(private readonly spec: RuntimeSpec) {
    this.tree = new StaticTree(spec.stdlib)
  }

  initialWasiState(): WasiState {
    return { fs: initialFsImage(this.tree), clock: initialClockState() }
  }

  run(request: RunRequest, postOutput: PostOutput): RunDone {
    const { spec } = this
    const t0 = performance.now()
    const timings = {
      restoreMs: 0,
      instantiateMs: 0,
      runMs: 0,
      captureMs: 0,
      residentHit: false,
      startedAt: performance.timeOrigin + t0,
      finishedAt: 0
    }

    // ---- memory
    let memory: WebAssembly.Memory
    const resident = this.resident
    const state = request.state
    if (state === null) {
      if (request.guest.kind !== 'boot') throw new Error('only boot runs without a state')
      memory = new WebAssembly.Memory({ initial: spec.memoryImport.initialPages, maximum: request.maxPages })
      const bytes = new Uint8Array(memory.buffer)
      for (const segment of request.guest.segments) bytes.set(segment.bytes, segment.offset)
    } else if (
      request.capture &&
      resident !== null &&
      resident.stateId === state.id &&
      resident.maxPages === request.maxPages
    ) {
      memory = resident.memory
      // From here on the run changes it: it is the resident again only if a new state is captured.
      this.resident = null
      timings.residentHit = true
    } else {
      memory = restoreMemory(state.memory, request.maxPages, this.spare)
      if (this.spare?.memory === memory) this.spare = null
    }
    const t1 = performance.now()
    timings.restoreMs = t1 - t0

    // ---- instance
    let fuelConsumed = 0
    let exports: Record<string, WebAssembly.ExportValue> = {}
    const fuelGlobal = (): WebAssembly.Global => exports[spec.fuelExport] as WebAssembly.Global
    // The first output goes out at once (a cell that prints and then computes without touching
    // the host would otherwise show nothing until it ends); then at most every 50 ms, and
    // always before a sleep.
    let lastFlush = Number.NEGATIVE_INFINITY
    const collector: OutputCollector = new OutputCollector(
      request.outputBytes,
      request.guest.kind === 'cell' ? request.guest.executionCount : null,
      (urgent) => {
        const now = performance.now()
        if (!urgent && now - lastFlush < OUTPUT_THROTTLE_MS) return
        lastFlush = now
        const batch = collector.takeBatch()
        if (batch !== null) postOutput({ ...batch, fuelConsumed: Number(fuelUsed()) })
      }
    )
    // A slice ran out: report the fuel so far if no output did lately (an empty batch), so a run
    // that never calls the host still shows its fuel climbing.
    let reportProgress = false
    const nextSlice = (consumed: bigint): bigint => {
      const now = performance.now()
      if (reportProgress && now - lastFlush >= OUTPUT_THROTTLE_MS) {
        lastFlush = now
        postOutput({ outputs: [], replace: false, fuelConsumed: Number(consumed) })
      }
      return DEFAULT_SLICE_FUEL
    }
    let slices: FuelSlices | null = null
    const remainingFuel = (): bigint => slices?.remaining() ?? (fuelGlobal().value as bigint)
    // The fuel used so far in this run: the meter keeps the balance in the global whenever the
    // guest calls the host, so this is exact at any import call (progress, `_fuelbook.fuel()`).
    const fuelUsed = (): bigint =>
      BigInt(request.fuel) - (exports[spec.fuelExport] ? remainingFuel() : BigInt(request.fuel))
    const setFuel = (fuel: bigint): void => {
      if (slices !== null) slices.start(fuel)
      else fuelGlobal().value = fuel
    }
    this.tree.mountPackages(request.packages)
    const host = new WasiHost({
      tree: this.tree,
      state: state?.wasi ?? this.initialWasiState(),
      deterministic: request.deterministic,
      sink: collector,
      fsQuotaBytes: request.fsQuotaBytes,
      fuelConsumed: fuelUsed
    })
    const instance = new WebAssembly.Instance(spec.module, {
      ...host.imports,
      [spec.memoryImport.module]: { [spec.memoryImport.name]: memory }
    })
    exports = instance.exports
    if (spec.fuelSliceExport !== null) {
      const names = { fuelExport: spec.fuelExport, fuelSliceExport: spec.fuelSliceExport }
      slices = new FuelSlices(exports, names, nextSlice)
    }
    host.bind(memory)
    if (state !== null) {
      for (const name of spec.mutableGlobals) {
        const value = state.globals[name]
        if (value === undefined) throw new Error(`state has no value for global ${name}`)
        ;(exports[name] as WebAssembly.Global).value = value
      }
    }
    const guest = exports as unknown as GuestExports
    const t2 = performance.now()
    timings.instantiateMs = t2 - t1

    // ---- run
    let status: WorkerStatus = 'ok'
    let exitCode: number | null = null
    let message: string | null = null
    let trapped = false
    const budget = BigInt(request.fuel)
    try {
      if (request.guest.kind === 'boot') {
        setFuel(UNMETERED_FUEL)
        guest._initialize?.()
        const rc = guest.fb_init()
        if (rc !== 0) throw new Error(`fb_init failed with code ${rc}`)
        // Every non-deterministic run reseeds `random` first: import it into S0 now, or each
        // isolated run would import it again from the zip (~40 ms).
        callGuest(guest, memory, 'fb_call', JSON.stringify({ op: 'seed_random', seed: 0 }))
        // Design §2: S0 has the everyday modules imported, so `import json` (≈ 99 M fuel from the
        // zip) and completion (re + rlcompleter, ≈ 180 M) are free in every cell and inspect run.
        callGuest(guest, memory, 'fb_call', JSON.stringify({ op: 'warm' }))
        collector.reply = null
        fuelConsumed = Number(UNMETERED_FUEL - remainingFuel())
      } else {
        if (request.randomSeed !== null) {
          setFuel(UNMETERED_FUEL)
          callGuest(guest, memory, 'fb_call', JSON.stringify({ op: 'seed_random', seed: request.randomSeed }))
          collector.reply = null
        }
        const wheels = request.packages.map((w) => w.filename)
        if (!sameList(state?.packages, wheels)) syncPackages(guest, memory, collector, setFuel, wheels)
        const count = request.guest.kind === 'cell' ? request.guest.executionCount : null
        if (count !== null) {
          // The cell's In[N] / Out[N] / _N are the count the user sees next to it.
          setFuel(UNMETERED_FUEL)
          callGuest(guest, memory, 'fb_call', JSON.stringify({ op: 'execution_count', count }))
          collector.reply = null
        }
        setFuel(budget)
        reportProgress = request.guest.kind === 'cell'
        const guestRequest = request.guest
        const rc =
          guestRequest.kind === 'cell'
            ? callGuest(guest, memory, 'fb_run', guestRequest.code)
            : callGuest(guest, memory, 'fb_call', guestRequest.request)
        if (guestRequest.kind === 'cell') {
          if (rc === 1) status = collector.lastError?.ename === 'MemoryError' ? 'out_of_memory' : 'error'
          else if (rc === 2) {
            status = 'exit'
            exitCode = guest.fb_exit_code()
          } else if (rc !== 0) {
            status = 'crashed'
            message = DRIVER_FAILED_MESSAGE
          }
        } else if (rc !== 0) {
          status = 'crashed'
          message = 'the Python runtime could not answer the request'
        }
      }
    } catch (error) {
      trapped = true
      ;({ status, exitCode, message } = classifyThrow(error, memory, request.maxPages))
    }
    if (request.guest.kind !== 'boot') {
      const remaining = remainingFuel()
      const flag = (exports[spec.outOfFuelExport] as WebAssembly.Global).value as number
      const fuel = classifyFuel(budget, remaining, trapped, flag)
      fuelConsumed = fuel.consumed
      if (fuel.status === 'out_of_fuel') {
        status = 'out_of_fuel'
        exitCode = null
        message = `out of fuel: the cell needed more than its budget of ${formatFuel(request.fuel)}`
      }
    }
    let brokeInterpreter = false
    if (request.guest.kind === 'cell' && request.capture && !trapped && isCompleted(status)) {
      // A state is only worth keeping if the next cell can run from it: a cell that broke the
      // driver (say sys.modules.clear()) would otherwise break every later one. Asked unmetered,
      // after the run's fuel was counted.
      setFuel(UNMETERED_FUEL)
      const breakage = driverBreakage(guest, memory, collector)
      if (breakage !== null) {
        status = 'crashed'
        exitCode = null
        message = `${BROKE_INTERPRETER_MESSAGE} (${breakage})`
        brokeInterpreter = true
      }
    }
    const t3 = performance.now()
    timings.runMs = t3 - t2

    // ---- new state
    collector.finish()
    const completed = !trapped && isCompleted(status)
    let newState: MachineState | null = null
    let changedPages = 0
    if (completed && request.capture) {
      const globals: Record<string, number | bigint> = {}
      for (const name of spec.mutableGlobals)
        globals[name] = (exports[name] as WebAssembly.Global).value as number | bigint
      const { image, stats } = captureMemory(memory, state?.memory ?? null)
      changedPages = stats.changedPages
      const packages = request.packages.map((w) => w.filename)
      newState = { id: request.newStateId, memory: image, globals, wasi: host.capture(), packages }
      if (this.resident !== null && this.resident.memory !== memory) {
        this.spare = { memory: this.resident.memory, maximumPages: this.resident.maxPages }
      }
      this.resident = { stateId: newState.id, memory, maxPages: request.maxPages, image }
    }
    if (newState === null) this.spare = { memory, maximumPages: request.maxPages }
    timings.captureMs = performance.now() - t3
    timings.finishedAt = performance.timeOrigin + performance.now()

    return {
      type: 'done',
      id: request.id,
      status,
      exitCode,
      message,
      outputs: collector.result(),
      tail: collector.takeBatch(),
      reply: collector.reply,
      fuelConsumed,
      memoryPages: memory.buffer.byteLength / PAGE_BYTES,
      fsBytes: host.fsQuota.usedBytes,
      state: newState,
      brokeInterpreter,
      timings,
      changedPages
    }
  }
}

/** The statuses of a run that ended in Python's own way, whose state the kernel keeps. */
function isCompleted(status: WorkerStatus): boolean {
  return status === 'ok' || status === 'error' || status === 'exit'
}

/** fb_run failed outside any cell code: the driver itself no longer works in this state. */
const DRIVER_FAILED_MESSAGE =
  'the Python interpreter is broken (its cell driver failed, see stderr); restart the kernel'
/** The run's message when its own cell broke the driver; the kernel does not keep that state. */
export const BROKE_INTERPRETER_MESSAGE =
  'this cell broke the Python interpreter, so its effects were not kept'

/**
 * Asks the driver whether a cell can still run (its `alive` op): null if so, else what is broken.
 * The reply is checked, not just the return code: a driver that cannot even reply is broken too.
 */
function driverBreakage(
  guest: GuestExports,
  memory: WebAssembly.Memory,
  collector: OutputCollector
): string | null {
  collector.reply = null
  let rc: number
  try {
    rc = callGuest(guest, memory, 'fb_call', JSON.stringify({ op: 'alive' }))
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
  const reply = collector.reply as { ok?: unknown; error?: unknown } | null
  collector.reply = null
  if (rc === 0 && reply !== null && typeof reply === 'object' && reply.ok === true) return null
  if (reply !== null && typeof reply === 'object' && typeof reply.error === 'string') return reply.error
  return 'the cell driver does not answer'
}

function sameList(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i])
}

/** The driver's `packages` op, unmetered: installing costs a cell no fuel, only importing does. */
function syncPackages(
  guest: GuestExports,
  memory: WebAssembly.Memory,
  collector: OutputCollector,
  setFuel: (fuel: bigint) => void,
  wheels: string[]
): void {
  setFuel(UNMETERED_FUEL)
  callGuest(guest, memory, 'fb_call', JSON.stringify({ op: 'packages', wheels }))
  const reply = collector.reply as { error?: unknown } | null
  collector.reply = null
  if (reply === null || typeof reply !== 'object' || 'error' in reply)
    throw new Error(`this Python runtime cannot load the notebook's packages (${String(reply?.error)})`)
}

/** Copies a string into guest memory (fb_alloc) and calls fb_run/fb_call with it. */
function callGuest(
  guest: GuestExports,
  memory: WebAssembly.Memory,
  entry: 'fb_run' | 'fb_call',
  text: string
): number {
  const bytes = new TextEncoder().encode(text)
  const ptr = guest.fb_alloc(bytes.byteLength)
  if (ptr === 0) throw new RangeError('out of memory: could not allocate the cell source')
  // A fresh view: fb_alloc may have grown (and so detached) the buffer.
  new Uint8Array(memory.buffer, ptr, bytes.byteLength).set(bytes)
  const rc = guest[entry](ptr, bytes.byteLength)
  guest.fb_free(ptr)
  return rc
}

function classifyThrow(
  error: unknown,
  memory: WebAssembly.Memory,
  maxPages: number
): { status: WorkerStatus; exitCode: number | null; message: string } {
  if (error instanceof ProcExit)
    return {
      status: 'exit',
      exitCode: error.code,
      message: `the process exited with code ${error.code} (os._exit)`
    }
  const text = error instanceof Error ? error.message : String(error)
  const atCap = memory.buffer.byteLength / PAGE_BYTES >= maxPages
  if (error instanceof RangeError && /call stack/i.test(text)) {
    return {
      status: 'crashed',
      exitCode: null,
      message: "crashed: stack overflow (recursion too deep for the interpreter's C stack)"
    }
  }
  if (error instanceof RangeError && /memory|allocat/i.test(text)) {
    return { status: 'out_of_memory', exitCode: null, message: `out of memory: ${text}` }
  }
  if (error instanceof WebAssembly.RuntimeError) {
    if (atCap)
      return {
        status: 'out_of_memory',
        exitCode: null,
        message: `out of memory: the memory cap was reached (${text})`
      }
    const what = /unreachable/.test(text) ? 'the interpreter aborted' : 'the interpreter hit a fatal error'
    return { status: 'crashed', exitCode: null, message: `crashed: ${what} (wasm trap: ${text})` }
  }
  return { status: 'crashed', exitCode: null, message: `crashed: ${text}` }
}

export function formatFuel(fuel: number): string {
  if (fuel >= 1e9) return `${+(fuel / 1e9).toFixed(2)} G`
  if (fuel >= 1e6) return `${+(fuel / 1e6).toFixed(2)} M`
  if (fuel >= 1e3) return `${+(fuel / 1e3).toFixed(2)} k`
  return String(fuel)
}
