/**
 * The snapshot-chain kernel (docs/architecture.md): every run is a new instance restored from the head; a
 * run that completes (ok, a Python exception, sys.exit) moves the head to the state it left; a
 * run that is killed (fuel, memory, time, interrupt, crash) leaves the head where it was.
 */
import type { Completion, Inspection, Variable } from '../../shared/api'
import type { FuelProfile } from '../../shared/fuel-profile'
import { DEFAULT_LIMITS } from '../../shared/limits'
import type { Limits, Output } from '../../shared/notebook'
import { ok, type Result } from '../../shared/result'
import type { PersistedSnapshot } from '../../shared/snapshot'
import { imageBytes, PAGE_BYTES } from '../sandbox/memory-image'
import type { KillReason, PoolResult, PoolRun, RunPool } from '../sandbox/pool'
import type { GuestRequest, MachineState, RunRequest, RunTimings } from '../sandbox/protocol'
import { keepUnchangedFiles, type MountedWheel } from '../sandbox/wasi/fs-image'
import { decodeSnapshot, encodeSnapshot } from './persist'
import { buildRunRequest } from './run-request'
import type { CompiledWheel, Kernel, KernelRunOptions, KernelRunResult } from './types'

/** Budget of the inspect runs behind the variables panel, completion and the inspector. */
const INSPECT_LIMITS: Limits = {
  fuel: 200_000_000,
  memoryBytes: DEFAULT_LIMITS.memoryBytes,
  timeoutMs: 5_000,
  outputBytes: 1 << 20,
  fsBytes: DEFAULT_LIMITS.fsBytes
}
const PROGRESS_INTERVAL_MS = 100
/**
 * Each part of a wheel's compile (compileWheel): a budget of its own, never a cell's, that no
 * real package's modules come near (sympy's largest part of BYTECODE_PART_BYTES: ~10 G).
 */
const COMPILE_LIMITS: Limits = {
  fuel: 2_000_000_000_000,
  memoryBytes: DEFAULT_LIMITS.memoryBytes,
  timeoutMs: 600_000,
  outputBytes: 1 << 20,
  fsBytes: DEFAULT_LIMITS.fsBytes
}
/** .pyc bytes per reply: base64 keeps the record well under the 8 MiB a reply may have (sandbox/output.ts). */
const BYTECODE_PART_BYTES = 4_000_000

/** What every kernel of one host shares. */
export interface KernelContext {
  pool: RunPool
  s0: MachineState
  /** S0's identity (host.ts baseIdentity): what a saved head is tied to, stored in its runtimeHash field. */
  s0Identity: string
  /** Largest memory the runtime's memory import accepts, in pages. */
  maximumPages: number
}

/** What a run starts from, fixed before it is handed to a worker. */
interface RunStart {
  limits: Limits
  isolated: boolean
  /** The state the run leaves is thrown away: isolated, or a trial from the head. */
  keepHead: boolean
  /** Run under the fuel profiler. */
  profiled: boolean
  start: MachineState
  /** The memory cap in pages. */
  maxPages: number
  /** The kernel's generation when the run started: a restart meanwhile keeps the head where it is. */
  generation: number
  t0: number
}

/** How a run ended; what is left out is as at its start (memory) or none (exit code, fs size). */
type RunEnd = Pick<KernelRunResult, 'status' | 'outputs' | 'message' | 'fuelConsumed' | 'wallMs'> &
  Partial<
    Pick<
      KernelRunResult,
      'exitCode' | 'headAdvanced' | 'brokeInterpreter' | 'memoryPages' | 'fsBytes' | 'profile'
    >
  >

/** The pool's answer, with what was streamed before it. */
interface PoolAnswer {
  result: PoolResult
  streamed: Output[]
  /** Fuel of the last output or progress batch. */
  lastFuel: number
  wallMs: number
}

let nextRequestId = 1

/** The driver's `bytecode` reply (runtime/site/fuelbook_wheels.py, compile_wheel). */
interface BytecodeReply {
  entries?: [string, number, number, string][]
  skipped?: string[]
  next?: number | null
  error?: string
}
let nextKernelId = 1

export class SnapshotKernel implements Kernel {
  private head: MachineState
  /** The head the caller last stored (acceptHead); revertToStoredHead goes back to it. */
  private storedHead: MachineState
  /** Bumped by restart/import/dispose: a run that started before must not move the head. */
  private generation = 0
  private queue: Promise<unknown> = Promise.resolve()
  private current: PoolRun | null = null
  private stateCounter = 0
  private disposed = false
  private packages: MountedWheel[] = []
  private readonly id = nextKernelId++
  /** Where the time of the last completed run went (worker side), for the bench. */
  lastTimings: (RunTimings & { changedPages: number; sentAt: number; receivedAt: number }) | null = null

  constructor(
    private readonly ctx: KernelContext,
    private readonly onDispose: () => void = () => undefined
  ) {
    this.head = ctx.s0
    this.storedHead = ctx.s0
  }

  get headMemoryBytes(): number {
    return imageBytes(this.head.memory)
  }

  run(code: string, options: KernelRunOptions): Promise<KernelRunResult> {
    const result = this.queue.then(() => this.runNow(code, options))
    this.queue = result.catch(() => undefined)
    return result
  }

  interrupt(): void {
    this.current?.kill('interrupted')
  }

  restart(): void {
    this.generation++
    this.current?.kill('interrupted')
    this.head = this.ctx.s0
    this.storedHead = this.ctx.s0
  }

  async variables(): Promise<Variable[]> {
    const reply = await this.call({ op: 'variables' })
    return Array.isArray(reply?.variables) ? (reply.variables as Variable[]) : []
  }

  async complete(code: string, cursor: number): Promise<Completion> {
    const reply = await this.call({ op: 'complete', code, cursor })
    if (reply === null || !Array.isArray(reply.matches)) return { matches: [], from: cursor, to: cursor }
    return { matches: reply.matches as string[], from: Number(reply.from), to: Number(reply.to) }
  }

  async inspect(code: string, cursor: number, full: boolean): Promise<Inspection> {
    const reply = await this.call({ op: 'inspect', code, cursor, full })
    const name = typeof reply?.name === 'string' ? reply.name : ''
    if (reply?.found !== true || typeof reply.text !== 'string') return { name, text: null, truncated: false }
    return { name, text: reply.text, truncated: reply.truncated === true }
  }

  setPackages(wheels: MountedWheel[]): void {
    this.packages = [...wheels]
  }

  async compileWheel(wheel: MountedWheel): Promise<CompiledWheel> {
    const compiled: CompiledWheel = { entries: [], skipped: [] }
    // Mounted alone and without a cache, at its own file name: the name is in every co_filename.
    const mounted: MountedWheel = { filename: wheel.filename, sha256: wheel.sha256, bytes: wheel.bytes }
    for (let start: number | null = 0; start !== null;) {
      if (this.disposed) throw new Error('the kernel was closed')
      const command = { op: 'bytecode', wheel: wheel.filename, start, maxBytes: BYTECODE_PART_BYTES }
      const request = buildRunRequest({
        id: nextRequestId++,
        state: this.ctx.s0,
        guest: { kind: 'call', request: JSON.stringify(command) },
        limits: COMPILE_LIMITS,
        maxPages: this.capPages(COMPILE_LIMITS),
        // Fixed hash seed: the order of a frozenset constant in the .pyc depends on it.
        deterministic: true,
        capture: false,
        newStateId: this.newStateId(),
        packages: [mounted]
      })
      const result = await this.ctx.pool.run(request, { timeoutMs: COMPILE_LIMITS.timeoutMs }).result
      const reply = (result.type === 'done' ? result.reply : null) as BytecodeReply | null
      if (result.type !== 'done' || result.status !== 'ok' || !Array.isArray(reply?.entries)) {
        const why = result.type === 'done' ? (reply?.error ?? result.message ?? result.status) : result.type
        throw new Error(`could not compile ${wheel.filename}: ${String(why)}`)
      }
      for (const [path, sourceCrc, pycCrc, pyc] of reply.entries)
        compiled.entries.push({ path, sourceCrc, pycCrc, pyc: Buffer.from(pyc, 'base64') })
      compiled.skipped.push(...(reply.skipped ?? []))
      start = reply.next ?? null
    }
    return compiled
  }

  async exportHead(stored?: ReadonlySet<string>): Promise<PersistedSnapshot | null> {
    if (this.head === this.ctx.s0) return null
    return await encodeSnapshot(this.head, this.ctx.s0, this.ctx.s0Identity, stored)
  }

  async importHead(snapshot: PersistedSnapshot): Promise<Result<null>> {
    const decoded = await decodeSnapshot(snapshot, this.ctx.s0, this.ctx.s0Identity, this.newStateId())
    if (!decoded.ok) return decoded
    this.generation++
    this.head = decoded.value
    this.storedHead = decoded.value
    return ok(null)
  }

  acceptHead(): void {
    this.storedHead = this.head
  }

  revertToStoredHead(): void {
    this.generation++
    this.head = this.storedHead
  }

  async dispose(): Promise<void> {
    this.disposed = true
    this.onDispose()
    this.generation++
    this.current?.kill('interrupted')
    await this.queue
  }

  // ---- runs -------------------------------------------------------------------------------

  private newStateId(): string {
    return `k${this.id}.${++this.stateCounter}`
  }

  /** One run: its start, a refusal before it reaches a worker, or the worker's answer settled. */
  private async runNow(code: string, options: KernelRunOptions): Promise<KernelRunResult> {
    const run = this.startRun(options)
    const refusal = this.refusal(run)
    if (refusal !== null) return this.result(run, refusal)
    const answer = await this.dispatch(run, code, options)
    return this.settle(run, answer, options)
  }

  private startRun(options: KernelRunOptions): RunStart {
    const limits = { ...DEFAULT_LIMITS, ...options.limits }
    const isolated = options.isolated === true
    return {
      limits,
      isolated,
      keepHead: isolated || options.keepHead === true,
      profiled: options.profile === true,
      start: isolated ? this.ctx.s0 : this.head,
      maxPages: this.capPages(limits),
      generation: this.generation,
      t0: performance.now()
    }
  }

  /** A run that cannot start: the kernel is shut down, or its state is over the memory limit. */
  private refusal(run: RunStart): RunEnd | null {
    const never = { outputs: [], fuelConsumed: 0, wallMs: 0 }
    if (this.disposed) return { ...never, status: 'crashed', message: 'the kernel was shut down' }
    if (run.start.memory.pageCount <= run.maxPages) return null
    const mb = (n: number): string => `${Math.round(n / 2 ** 20)} MB`
    return {
      ...never,
      status: 'out_of_memory',
      message: `out of memory: the kernel state (${mb(imageBytes(run.start.memory))}) is larger than the memory limit (${mb(run.limits.memoryBytes)}); raise the limit or restart the kernel`
    }
  }

  /** Hands the run to the pool and waits for its answer, passing outputs and progress on meanwhile. */
  private async dispatch(run: RunStart, code: string, options: KernelRunOptions): Promise<PoolAnswer> {
    const executionCount = run.isolated ? null : (options.executionCount ?? null)
    // Outputs as streamed, kept for runs that are killed before they report.
    const answer = { streamed: [] as Output[], lastFuel: 0 }
    const guest: GuestRequest = run.profiled
      ? { kind: 'cell', code, executionCount, profile: { budget: run.limits.fuel } }
      : { kind: 'cell', code, executionCount }
    // A profiled run's budget is the profiled code's own fuel (the driver stops it there); the
    // meter's is larger by what the profiler may spend on top.
    const meterLimits = run.profiled
      ? { ...run.limits, fuel: profiledMeterBudget(run.limits.fuel) }
      : run.limits
    const request = this.request(run.start, guest, meterLimits, run.maxPages, {
      deterministic: options.deterministic === true,
      capture: !run.keepHead
    })
    const poolRun = this.ctx.pool.run(request, {
      timeoutMs: run.limits.timeoutMs,
      onOutput: (outputs, replace, fuel) => {
        answer.lastFuel = fuel
        // An empty batch only reports fuel (a slice of a computing run ran out).
        if (outputs.length === 0 && !replace) return
        if (replace) answer.streamed.length = 0
        answer.streamed.push(...outputs)
        options.onOutput?.(outputs, replace)
      }
    })
    this.current = poolRun
    const progress = options.onProgress
      ? setInterval(
          () =>
            options.onProgress?.({ fuelConsumed: answer.lastFuel, elapsedMs: performance.now() - run.t0 }),
          PROGRESS_INTERVAL_MS
        )
      : null
    try {
      const result = await poolRun.result
      return { ...answer, result, wallMs: performance.now() - run.t0 }
    } finally {
      if (progress !== null) clearInterval(progress)
      this.current = null
    }
  }

  /**
   * The worker's answer as the kernel's result: a killed or lost run keeps the outputs streamed so
   * far and leaves the head; a completed one moves the head, unless the run was isolated or the
   * kernel was restarted, given another head or shut down meanwhile.
   */
  private settle(run: RunStart, answer: PoolAnswer, options: KernelRunOptions): KernelRunResult {
    const { result, streamed, wallMs } = answer
    if (result.type === 'killed') {
      const message = killMessage(result.reason, run.limits)
      return this.result(run, {
        status: result.reason,
        outputs: streamed,
        fuelConsumed: result.fuelConsumed,
        wallMs,
        message
      })
    }
    if (result.type === 'lost') {
      const message = `crashed: ${result.message}`
      return this.result(run, {
        status: 'crashed',
        outputs: streamed,
        fuelConsumed: answer.lastFuel,
        wallMs,
        message
      })
    }
    this.lastTimings = {
      ...result.timings,
      changedPages: result.changedPages,
      sentAt: performance.timeOrigin + run.t0,
      receivedAt: performance.timeOrigin + performance.now()
    }
    if (result.tail !== null) options.onOutput?.(result.tail.outputs, result.tail.replace)
    const advance =
      !run.keepHead && result.state !== null && run.generation === this.generation && !this.disposed
    if (advance) this.head = withStartFiles(result.state!, run.start)
    // A profiled run's, or a %%fuelprof cell's; a record that is not a profile is dropped.
    const profile = result.profile?.ok === true ? result.profile.value : null
    return this.result(run, {
      status: result.status,
      exitCode: result.exitCode,
      outputs: result.outputs,
      message: result.message,
      headAdvanced: advance,
      brokeInterpreter: result.brokeInterpreter,
      fuelConsumed: profile === null ? result.fuelConsumed : profiledCodeFuel(result.fuelConsumed, profile),
      profile,
      memoryPages: result.memoryPages,
      wallMs,
      fsBytes: result.fsBytes
    })
  }

  /** The one place a KernelRunResult is made: what the run's end leaves out comes from its start. */
  private result(run: RunStart, end: RunEnd): KernelRunResult {
    const memoryPages = end.memoryPages ?? run.start.memory.pageCount
    const memoryBytes = memoryPages * PAGE_BYTES
    return {
      status: end.status,
      exitCode: end.exitCode ?? null,
      outputs: end.outputs,
      message: end.message,
      headAdvanced: end.headAdvanced ?? false,
      brokeInterpreter: end.brokeInterpreter ?? false,
      fuelConsumed: end.fuelConsumed,
      fuelBudget: run.limits.fuel,
      memoryPages,
      memoryBytes,
      peakMemoryBytes: Math.max(memoryBytes, imageBytes(run.start.memory)),
      wallMs: end.wallMs,
      snapshotBytes: this.headMemoryBytes,
      fsBytes: end.fsBytes ?? null,
      profile: end.profile ?? null
    }
  }

  /** A driver command from the head, in parallel with runs, never moving the head. */
  private async call(command: Record<string, unknown>): Promise<Record<string, unknown> | null> {
    if (this.disposed) return null
    const limits = INSPECT_LIMITS
    const request = this.request(
      this.head,
      { kind: 'call', request: JSON.stringify(command) },
      limits,
      this.capPages(limits),
      {
        deterministic: true,
        capture: false
      }
    )
    const result = await this.ctx.pool.run(request, { timeoutMs: limits.timeoutMs }).result
    if (result.type !== 'done' || typeof result.reply !== 'object' || result.reply === null) return null
    return result.reply as Record<string, unknown>
  }

  private capPages(limits: Limits): number {
    return Math.max(1, Math.min(Math.floor(limits.memoryBytes / PAGE_BYTES), this.ctx.maximumPages))
  }

  private request(
    state: MachineState,
    guest: GuestRequest,
    limits: Limits,
    maxPages: number,
    flags: { deterministic: boolean; capture: boolean }
  ): RunRequest {
    return buildRunRequest({
      id: nextRequestId++,
      state,
      guest,
      limits,
      maxPages,
      ...flags,
      newStateId: this.newStateId(),
      packages: this.packages
    })
  }
}

/**
 * The meter's budget for a profiled run whose code may use `budget`: tracing costs a multiple of
 * the code's own fuel (runtime/README.md, "Fuel profile", measured up to PROFILE_OVERHEAD_FACTOR
 * for a loop of `pass` lines), plus room for the profile's record.
 */
export const PROFILE_OVERHEAD_FACTOR = 100
const PROFILE_RECORD_FUEL = 100_000_000

export function profiledMeterBudget(budget: number): number {
  return budget * (1 + PROFILE_OVERHEAD_FACTOR) + PROFILE_RECORD_FUEL
}

/** A new head keeps the start state's file objects where the run left a file unchanged (fs-image.ts). */
function withStartFiles(state: MachineState, start: MachineState): MachineState {
  return { ...state, wasi: { ...state.wasi, fs: keepUnchangedFiles(state.wasi.fs, start.wasi.fs) } }
}

/**
 * A profiled run's fuel, the code's own: what it would have cost unprofiled, the meter's count less
 * the profiler's. When the profiler stopped the code at its budget that difference undercounts
 * (measured for `while True: x += 1`: 0.24 M for a 5 M budget, 3.4 M for 30 M), so the run reports
 * the profile's total, the figure the budget was checked against: out of fuel reads as its budget.
 */
function profiledCodeFuel(meterFuel: number, profile: FuelProfile): number {
  if (profile.budgetReached) return profile.totalFuel
  return Math.max(0, meterFuel - profile.overheadFuel)
}

function killMessage(reason: KillReason, limits: Limits): string {
  return reason === 'timeout'
    ? `timed out after ${+(limits.timeoutMs / 1000).toFixed(1)} s; the kernel state is as before this run`
    : 'interrupted; the kernel state is as before this run'
}
