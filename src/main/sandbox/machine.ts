/**
 * One run of the interpreter: restore state (new Instance, or the one that captured it) → fb_run/fb_call → new state.
 * Used by the worker (src/main/sandbox/worker.ts); pure of threads and messages, so tests and
 * benches can drive it directly.
 *
 * Restore order matters (docs/architecture.md, the snapshot chain): memory at *exactly* the state's page
 * count (the allocator treats the memory size as its heap end), then the instance, then the
 * mutable globals; `_initialize` is never called again on a restored state.
 */
import { formatBytes, formatFuel } from '../../shared/format'
import { GuestInstance, UNMETERED_FUEL, WiredInstance, type PostOutput } from './guest-instance'
import { classifyFuel } from './meter'
import { ProfileBudgetReached } from './output'
import { captureMemory, PAGE_BYTES, restoreMemory, type MemoryImage, type SpareMemory } from './memory-image'
import { PageArena } from './page-arena'
import type { MachineState, RunDone, RunRequest, RuntimeSpec, RunTimings, WorkerStatus } from './protocol'
import { initialFsImage, StaticTree } from './wasi/fs-image'
import { initialClockState } from './wasi/entropy'
import { ProcExit, type WasiState } from './wasi/host'
import { errorMessage } from '../../shared/result'

export type { PostOutput } from './guest-instance'

/**
 * A run that overflowed the thread's own stack (V8's limit, not the interpreter's stack in linear
 * memory): how deep the guest gets depends on the thread it runs on (in-thread-pool.ts).
 */
export const STACK_OVERFLOW_MESSAGE =
  "crashed: stack overflow (recursion too deep for the interpreter's C stack)"

/** Pages a trivial cell's capture copies (~30, kernel/README.md): the arena's first size. */
const EXPECTED_COPIES = 40
/** Slots made ready over the last capture's count: a next one may copy a few pages more. */
const ARENA_MARGIN = 1.1
/**
 * At most this many slots (16 MiB) are kept ready: after a run that changed hundreds of MiB, holding
 * as much again between runs would count against the host's memory budget (docs/reliability.md);
 * a capture larger than this takes the rest as fresh pages, as every capture did before the arena.
 */
const ARENA_MAX_READY = 256

/**
 * The memory a worker keeps after capturing a state, and the instance on it: the next run from
 * that state skips the copy and the instantiation (the instance holds exactly that state: its
 * memory, its globals, its unchanged table; guest-instance.ts, WiredInstance).
 */
interface Resident {
  stateId: string
  instance: WiredInstance
  maxPages: number
  image: MemoryImage
}

/** How the guest's part of a run ended, before the new state is taken. */
interface RunOutcome {
  status: WorkerStatus
  exitCode: number | null
  message: string | null
  /** The run ended in a wasm trap or a host exception: nothing of its state may be kept. */
  trapped: boolean
  fuelConsumed: number
  brokeInterpreter: boolean
}

type Ending = Pick<RunOutcome, 'status' | 'exitCode' | 'message'>

/**
 * The spare memory and the instance on it, if the memory is the one that instance was made on: a
 * run that restores a state into this memory overwrites every byte of it and sets every mutable
 * global, so it may reuse the instance as well (guest-instance.ts, WiredInstance).
 */
interface Spare extends SpareMemory {
  instance: WiredInstance | null
}

export class Machine {
  private readonly tree: StaticTree
  private resident: Resident | null = null
  /** The memory of the last run that left no state (isolated, inspect, killed), for reuse. */
  private spare: Spare | null = null
  /** Where captures copy changed pages to, made ready between runs (page-arena.ts). */
  private readonly arena = new PageArena()
  /** Pages the last capture found changed: about what the next one copies. */
  private lastCopied = EXPECTED_COPIES
  /** The state whose exact bytes the spare memory holds (prepareSpare), if any. */
  private spareHolds: string | null = null
  /** The state the last run without a new state started from: the likely start of the next one. */
  private lastStart: { state: MachineState; maxPages: number } | null = null

  constructor(private readonly spec: RuntimeSpec) {
    this.tree = new StaticTree(spec.stdlib)
  }

  initialWasiState(): WasiState {
    return { fs: initialFsImage(this.tree), clock: initialClockState() }
  }

  run(request: RunRequest, postOutput: PostOutput): RunDone {
    const laps = new Laps()
    // Memory first, at the state's exact size; then the instance on it and the state's globals;
    // then the guest's work; then, if the run completed, the new state.
    const { memory, instance: held, residentHit, spareHit } = this.acquireMemory(request)
    const restoreMs = laps.next()
    const instance = this.instantiate(request, held ?? memory, postOutput)
    const instantiateMs = laps.next()
    try {
      const outcome = runGuest(request, instance)
      const runMs = laps.next()
      instance.collector.finish()
      const kept = this.keepState(request, instance, outcome)
      const captureMs = laps.next()
      const timings: RunTimings = {
        restoreMs,
        instantiateMs,
        runMs,
        captureMs,
        residentHit,
        spareHit,
        instanceKept: held !== null,
        startedAt: laps.startedAt,
        finishedAt: performance.timeOrigin + performance.now()
      }
      return runDone(request, instance, outcome, kept, timings, preparing(this.lastStart))
    } finally {
      // Whatever happens, the instance lets go of this run's host: it may be kept as the spare or
      // resident instance.
      instance.release()
    }
  }

  /**
   * Between runs (the worker calls it once a run's answer is posted), so that the next run finds
   * its memory ready: copies the start state of the last run that kept no state (an isolated cell,
   * an inspect call) into the spare memory, for a next such run from that state; and makes the
   * page arena ready for the next capture, with a margin over what the last one copied.
   */
  betweenRuns(): void {
    this.prepareSpare()
    this.arena.prepare(Math.min(ARENA_MAX_READY, Math.ceil(this.lastCopied * ARENA_MARGIN)))
  }

  private prepareSpare(): void {
    const start = this.lastStart
    this.lastStart = null
    if (start === null || this.spare === null || this.spare.maximumPages !== start.maxPages) return
    try {
      const { spare } = this
      const memory = restoreMemory(start.state.memory, start.maxPages, spare)
      const instance = memory === spare.memory ? spare.instance : null
      this.spare = { memory, maximumPages: start.maxPages, instance }
      this.spareHolds = start.state.id
    } catch {
      // Nothing waits on this: the next run restores its memory itself.
      this.spare = null
    }
  }

  /**
   * The run's memory at exactly the state's page count (the allocator treats the memory size as
   * its heap end): the worker's resident memory when it still holds this very state, the spare
   * memory when prepareSpare filled it with this state, else a restored copy (into the spare
   * memory when it fits), or for boot the bare data segments. With the resident or the spare
   * memory comes the instance made on it, if the worker still has one.
   */
  private acquireMemory(request: RunRequest): {
    memory: WebAssembly.Memory
    instance: WiredInstance | null
    residentHit: boolean
    spareHit: boolean
  } {
    const { state } = request
    if (state === null) {
      if (request.guest.kind !== 'boot') throw new Error('only boot runs without a state')
      const memory = new WebAssembly.Memory({
        initial: this.spec.memoryImport.initialPages,
        maximum: request.maxPages
      })
      const bytes = new Uint8Array(memory.buffer)
      for (const segment of request.guest.segments) bytes.set(segment.bytes, segment.offset)
      return { memory, instance: null, residentHit: false, spareHit: false }
    }
    const resident = this.resident
    if (
      request.capture &&
      resident !== null &&
      resident.stateId === state.id &&
      resident.maxPages === request.maxPages
    ) {
      // From here on the run changes it: it is the resident again only if a new state is captured.
      this.resident = null
      const { instance } = resident
      return { memory: instance.memory, instance, residentHit: true, spareHit: false }
    }
    const spare = this.spare
    const prepared =
      spare !== null &&
      this.spareHolds === state.id &&
      spare.maximumPages === request.maxPages &&
      spare.memory.buffer.byteLength === state.memory.pageCount * PAGE_BYTES
    this.spareHolds = null
    if (prepared) {
      this.spare = null
      return { memory: spare.memory, instance: spare.instance, residentHit: false, spareHit: true }
    }
    const memory = restoreMemory(state.memory, request.maxPages, spare)
    const reused = spare !== null && spare.memory === memory
    if (reused) this.spare = null
    return { memory, instance: reused ? spare.instance : null, residentHit: false, spareHit: false }
  }

  /**
   * A new instance on that memory, or the instance kept with it, then the state's mutable globals
   * (a kept instance holds them already; setting them again costs nothing).
   */
  private instantiate(
    request: RunRequest,
    on: WebAssembly.Memory | WiredInstance,
    postOutput: PostOutput
  ): GuestInstance {
    const wasi = request.state?.wasi ?? this.initialWasiState()
    const wired = on instanceof WiredInstance ? on : new WiredInstance(this.spec, on)
    const instance = new GuestInstance(this.spec, this.tree, request, wired, wasi, postOutput)
    if (request.state !== null) instance.restoreGlobals(request.state)
    return instance
  }

  /**
   * A completed run that asked for it leaves a new state: pages byte-identical to the start
   * state's are shared, and its memory stays here as the resident. Any other run's memory becomes
   * the spare.
   */
  private keepState(request: RunRequest, instance: GuestInstance, outcome: RunOutcome): KeptState {
    const { memory } = instance
    if (outcome.trapped || !isCompleted(outcome.status) || !request.capture) {
      this.spare = { memory, maximumPages: request.maxPages, instance: instance.wired }
      this.spareHolds = null
      this.lastStart = request.state === null ? null : { state: request.state, maxPages: request.maxPages }
      return { state: null, changedPages: 0, copiedPages: [] }
    }
    const { image, copied, stats } = captureMemory(memory, request.state?.memory ?? null, (count) =>
      this.arena.take(count)
    )
    this.lastCopied = stats.changedPages
    const state: MachineState = {
      id: request.newStateId,
      memory: image,
      globals: instance.captureGlobals(),
      wasi: instance.host.capture(),
      packages: request.packages.map((w) => w.filename)
    }
    if (this.resident !== null && this.resident.instance.memory !== memory) {
      const { instance: kept, maxPages } = this.resident
      this.spare = { memory: kept.memory, maximumPages: maxPages, instance: kept }
      this.spareHolds = null
    }
    this.resident = { stateId: state.id, instance: instance.wired, maxPages: request.maxPages, image }
    return { state, changedPages: stats.changedPages, copiedPages: copied }
  }
}

/** The state a run left (null: none kept), and which of its pages are new. */
type KeptState = Pick<RunDone, 'state' | 'changedPages' | 'copiedPages'>

function preparing(start: { state: MachineState; maxPages: number } | null): RunDone['prepares'] {
  return start === null ? null : { stateId: start.state.id, maxPages: start.maxPages }
}

/** Milliseconds between successive steps of a run. */
class Laps {
  private last = performance.now()
  readonly startedAt = performance.timeOrigin + this.last

  next(): number {
    const now = performance.now()
    const lap = now - this.last
    this.last = now
    return lap
  }
}

/** The guest's part of a run: boot, or a cell / driver command between its setup and its checks. */
function runGuest(request: RunRequest, instance: GuestInstance): RunOutcome {
  if (request.guest.kind === 'boot') return boot(instance, request.maxPages)
  const budget = BigInt(request.fuel)
  let ending: Ending
  let trapped = false
  try {
    prepareRun(request, instance)
    instance.setFuel(budget)
    ending = callMetered(request, instance)
  } catch (error) {
    trapped = true
    ending = classifyThrow(
      error,
      instance.memory,
      request.maxPages,
      allocationNote(instance, request.maxPages)
    )
    if (error instanceof ProfileBudgetReached) ending = profiledOutOfFuel(request)
  }
  // The meter's verdict overrides the guest's: an overdraft's effects must be discarded.
  const fuel = classifyFuel(budget, instance.remainingFuel(), trapped, instance.outOfFuelFlag())
  if (fuel.status === 'out_of_fuel') {
    ending = {
      status: 'out_of_fuel',
      exitCode: null,
      message:
        request.guest.kind === 'cell' && request.guest.profile
          ? `out of fuel: the cell and the profiler's own fuel together needed more than ${formatFuel(request.fuel)}`
          : `out of fuel: the cell needed more than its budget of ${formatFuel(request.fuel)}`
    }
  }
  const outcome = { ...ending, trapped, fuelConsumed: fuel.consumed, brokeInterpreter: false }
  return request.guest.kind === 'cell' && request.capture ? checkDriver(instance, outcome) : outcome
}

/** The profiled code used its own budget (the profiler's fuel not counted): the driver said so. */
function profiledOutOfFuel(request: RunRequest): Ending {
  const budget =
    request.guest.kind === 'cell' ? (request.guest.profile?.budget ?? request.fuel) : request.fuel
  return {
    status: 'out_of_fuel',
    exitCode: null,
    message: `out of fuel: the cell needed more than its budget of ${formatFuel(budget)} (profiled)`
  }
}

/** Makes S0: `_initialize`, `fb_init`, then the imports every later run should find done. */
function boot(instance: GuestInstance, maxPages: number): RunOutcome {
  const outcome: RunOutcome = {
    status: 'ok',
    exitCode: null,
    message: null,
    trapped: false,
    fuelConsumed: 0,
    brokeInterpreter: false
  }
  try {
    instance.setFuel(UNMETERED_FUEL)
    instance.initialize()
    // Every non-deterministic run reseeds `random` first: import it into S0 now, or each
    // isolated run would import it again from the zip (~40 ms).
    instance.command(JSON.stringify({ op: 'seed_random', seed: 0 }))
    // S0 has the everyday modules imported (docs/architecture.md, the snapshot chain), so
    // `import json` (≈ 99 M fuel from the zip) and completion (re + rlcompleter, ≈ 180 M) are
    // free in every cell and inspect run.
    instance.command(JSON.stringify({ op: 'warm' }))
    instance.collector.reply = null
    outcome.fuelConsumed = Number(UNMETERED_FUEL - instance.remainingFuel())
  } catch (error) {
    return {
      ...outcome,
      ...classifyThrow(error, instance.memory, maxPages, allocationNote(instance, maxPages)),
      trapped: true
    }
  }
  return outcome
}

/** The driver commands before a cell, unmetered: reseed `random`, the wheels on sys.path, `[n]`. */
function prepareRun(request: RunRequest, instance: GuestInstance): void {
  if (request.randomSeed !== null) instance.unmeteredCommand({ op: 'seed_random', seed: request.randomSeed })
  const wheels = request.packages.map((w) => w.filename)
  if (!sameList(request.state?.packages, wheels)) syncPackages(instance, wheels)
  const count = request.guest.kind === 'cell' ? request.guest.executionCount : null
  // The cell's In[N] / Out[N] / _N are the count the user sees next to it.
  if (count !== null) instance.unmeteredCommand({ op: 'execution_count', count })
  // Arms the fuel profiler for the cell (runtime/README.md, "Fuel profile").
  if (request.guest.kind === 'cell' && request.guest.profile)
    instance.unmeteredCommand({ op: 'profile', ...request.guest.profile })
}

/** The cell (fb_run) or the driver command (fb_call) on the run's budget, and what its return code means. */
function callMetered(request: RunRequest, instance: GuestInstance): Ending {
  const { guest } = request
  const ok: Ending = { status: 'ok', exitCode: null, message: null }
  if (guest.kind === 'call') {
    if (instance.command(guest.request).rc === 0) return ok
    return { status: 'crashed', exitCode: null, message: 'the Python runtime could not answer the request' }
  }
  if (guest.kind !== 'cell') throw new Error('boot is not a metered run')
  instance.startProgressReports()
  const rc = instance.runCell(guest.code)
  if (rc === 0) return ok
  if (rc === 1) {
    if (instance.collector.lastError?.ename !== 'MemoryError') return { ...ok, status: 'error' }
    const tried = allocationNote(instance, request.maxPages)
    return { ...ok, status: 'out_of_memory', message: tried === null ? null : `MemoryError: ${tried}` }
  }
  if (rc === 2) return { ...ok, status: 'exit', exitCode: instance.exitCode() }
  return { status: 'crashed', exitCode: null, message: DRIVER_FAILED_MESSAGE }
}

/**
 * What the allocator asked for when memory ran out, when the meter saw a `memory.grow` fail: the
 * request beyond the memory already in use (the figure Python's MemoryError does not carry).
 */
function allocationNote(instance: GuestInstance, maxPages: number): string | null {
  const bytes = instance.failedGrowBytes()
  if (bytes === null) return null
  return `tried to allocate ${formatBytes(bytes)} (limit ${formatBytes(maxPages * PAGE_BYTES)})`
}

/**
 * A state is only worth keeping if the next cell can run from it: a cell that broke the driver
 * (say sys.modules.clear()) would otherwise break every later one. Asked unmetered, after the
 * run's fuel was counted.
 */
function checkDriver(instance: GuestInstance, outcome: RunOutcome): RunOutcome {
  if (outcome.trapped || !isCompleted(outcome.status)) return outcome
  const breakage = driverBreakage(instance)
  if (breakage === null) return outcome
  return {
    ...outcome,
    status: 'crashed',
    exitCode: null,
    message: `${BROKE_INTERPRETER_MESSAGE} (${breakage})`,
    brokeInterpreter: true
  }
}

/** The worker's answer: the one place a RunDone is made. */
function runDone(
  request: RunRequest,
  instance: GuestInstance,
  outcome: RunOutcome,
  kept: KeptState,
  timings: RunTimings,
  prepares: RunDone['prepares']
): RunDone {
  return {
    type: 'done',
    id: request.id,
    status: outcome.status,
    exitCode: outcome.exitCode,
    message: outcome.message,
    outputs: instance.collector.result(),
    tail: instance.collector.takeBatch(),
    // An fb_call command's reply; the commands around a cell leave none.
    reply: instance.collector.reply,
    profile: instance.collector.profile,
    fuelConsumed: outcome.fuelConsumed,
    memoryPages: instance.memory.buffer.byteLength / PAGE_BYTES,
    fsBytes: instance.host.fsQuota.usedBytes,
    ...kept,
    prepares,
    brokeInterpreter: outcome.brokeInterpreter,
    timings
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
const BROKE_INTERPRETER_MESSAGE = 'this cell broke the Python interpreter, so its effects were not kept'

/**
 * Asks the driver whether a cell can still run (its `alive` op): null if so, else what is broken.
 * The reply is checked, not just the return code: a driver that cannot even reply is broken too.
 */
function driverBreakage(instance: GuestInstance): string | null {
  let answer: { rc: number; reply: unknown }
  try {
    answer = instance.unmeteredCommand({ op: 'alive' })
  } catch (error) {
    return errorMessage(error)
  }
  const reply = answer.reply as { ok?: unknown; error?: unknown } | null
  if (answer.rc === 0 && reply !== null && typeof reply === 'object' && reply.ok === true) return null
  if (reply !== null && typeof reply === 'object' && typeof reply.error === 'string') return reply.error
  return 'the cell driver does not answer'
}

function sameList(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i])
}

/** The driver's `packages` op, unmetered: installing costs a cell no fuel, only importing does. */
function syncPackages(instance: GuestInstance, wheels: string[]): void {
  const reply = instance.unmeteredCommand({ op: 'packages', wheels }).reply as { error?: unknown } | null
  if (reply === null || typeof reply !== 'object' || 'error' in reply)
    throw new Error(`this Python runtime cannot load the notebook's packages (${String(reply?.error)})`)
}

/**
 * What a trap or a host exception during the run means for the user; `tried` is what a failed
 * `memory.grow` asked for, if one did (allocationNote).
 */
function classifyThrow(
  error: unknown,
  memory: WebAssembly.Memory,
  maxPages: number,
  tried: string | null
): Ending {
  if (error instanceof ProcExit)
    return {
      status: 'exit',
      exitCode: error.code,
      message: `the process exited with code ${error.code} (os._exit)`
    }
  const text = errorMessage(error)
  const atCap = memory.buffer.byteLength / PAGE_BYTES >= maxPages
  if (error instanceof RangeError && /call stack/i.test(text))
    return { status: 'crashed', exitCode: null, message: STACK_OVERFLOW_MESSAGE }
  if (error instanceof RangeError && /memory|allocat/i.test(text)) {
    return { status: 'out_of_memory', exitCode: null, message: `out of memory: ${text}` }
  }
  if (error instanceof WebAssembly.RuntimeError) {
    if (atCap)
      return {
        status: 'out_of_memory',
        exitCode: null,
        message: `out of memory: ${tried ?? 'the memory cap was reached'} (${text})`
      }
    const what = /unreachable/.test(text) ? 'the interpreter aborted' : 'the interpreter hit a fatal error'
    return { status: 'crashed', exitCode: null, message: `crashed: ${what} (wasm trap: ${text})` }
  }
  return { status: 'crashed', exitCode: null, message: `crashed: ${text}` }
}
