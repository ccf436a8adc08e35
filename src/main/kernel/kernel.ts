/**
 * The snapshot-chain kernel (docs/architecture.md): every run is a new instance restored from the head; a
 * run that completes (ok, a Python exception, sys.exit) moves the head to the state it left; a
 * run that is killed (fuel, memory, time, interrupt, crash) leaves the head where it was.
 */
import type { Completion, Inspection, Variable } from '../../shared/api'
import { DEFAULT_LIMITS } from '../../shared/limits'
import type { Limits, Output, RunStatus } from '../../shared/notebook'
import type { PersistedSnapshot } from '../../shared/snapshot'
import { imageBytes, PAGE_BYTES } from '../sandbox/memory-image'
import type { KillReason, PoolResult, PoolRun, WorkerPool } from '../sandbox/pool'
import type { GuestRequest, MachineState, RunRequest, RunTimings } from '../sandbox/protocol'
import type { MountedWheel } from '../sandbox/wasi/fs-image'
import { decodeSnapshot, encodeSnapshot } from './persist'
import { buildRunRequest } from './run-request'
import type { HeadImport, Kernel, KernelRunOptions, KernelRunResult } from './types'

/** Budget of the inspect runs behind the variables panel, completion and the inspector. */
const INSPECT_LIMITS: Limits = {
  fuel: 200_000_000,
  memoryBytes: DEFAULT_LIMITS.memoryBytes,
  timeoutMs: 5_000,
  outputBytes: 1 << 20,
  fsBytes: DEFAULT_LIMITS.fsBytes
}
const PROGRESS_INTERVAL_MS = 100

/** What every kernel of one host shares. */
export interface KernelContext {
  pool: WorkerPool
  s0: MachineState
  /** S0's identity (host.ts baseIdentity): what a saved head is tied to, stored in its runtimeHash field. */
  s0Identity: string
  /** Largest memory the runtime's memory import accepts, in pages. */
  maximumPages: number
}

let nextRequestId = 1
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

  async exportHead(): Promise<PersistedSnapshot | null> {
    if (this.head === this.ctx.s0) return null
    return await encodeSnapshot(this.head, this.ctx.s0, this.ctx.s0Identity)
  }

  async importHead(snapshot: PersistedSnapshot): Promise<HeadImport> {
    const decoded = await decodeSnapshot(snapshot, this.ctx.s0, this.ctx.s0Identity, this.newStateId())
    if (!decoded.ok) return decoded
    this.generation++
    this.head = decoded.state
    this.storedHead = decoded.state
    return { ok: true }
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

  private async runNow(code: string, options: KernelRunOptions): Promise<KernelRunResult> {
    const limits = { ...DEFAULT_LIMITS, ...options.limits }
    const isolated = options.isolated === true
    const start = isolated ? this.ctx.s0 : this.head
    const generation = this.generation
    const t0 = performance.now()
    const base = {
      fuelBudget: limits.fuel,
      memoryPages: start.memory.pageCount,
      memoryBytes: imageBytes(start.memory),
      peakMemoryBytes: imageBytes(start.memory),
      snapshotBytes: this.headMemoryBytes,
      headAdvanced: false,
      brokeInterpreter: false,
      exitCode: null,
      fsBytes: null
    }
    if (this.disposed) {
      return {
        ...base,
        status: 'crashed',
        outputs: [],
        message: 'the kernel was shut down',
        fuelConsumed: 0,
        wallMs: 0
      }
    }
    const maxPages = this.capPages(limits)
    if (start.memory.pageCount > maxPages) {
      const mb = (n: number): string => `${Math.round(n / 2 ** 20)} MB`
      return {
        ...base,
        status: 'out_of_memory',
        outputs: [],
        fuelConsumed: 0,
        wallMs: 0,
        message: `out of memory: the kernel state (${mb(imageBytes(start.memory))}) is larger than the memory limit (${mb(limits.memoryBytes)}); raise the limit or restart the kernel`
      }
    }
    const executionCount = isolated ? null : (options.executionCount ?? null)

    // Outputs as streamed, kept for runs that are killed before they report.
    const streamed: Output[] = []
    let lastFuel = 0
    const request = this.request(start, { kind: 'cell', code, executionCount }, limits, maxPages, {
      deterministic: options.deterministic === true,
      capture: !isolated
    })
    const run = this.ctx.pool.run(request, {
      timeoutMs: limits.timeoutMs,
      onOutput: (outputs, replace, fuel) => {
        lastFuel = fuel
        // An empty batch only reports fuel (a slice of a computing run ran out).
        if (outputs.length === 0 && !replace) return
        if (replace) streamed.length = 0
        streamed.push(...outputs)
        options.onOutput?.(outputs, replace)
      }
    })
    this.current = run
    const progress = options.onProgress
      ? setInterval(
          () => options.onProgress?.({ fuelConsumed: lastFuel, elapsedMs: performance.now() - t0 }),
          PROGRESS_INTERVAL_MS
        )
      : null
    let result: PoolResult
    try {
      result = await run.result
    } finally {
      if (progress !== null) clearInterval(progress)
      this.current = null
    }
    const wallMs = performance.now() - t0

    if (result.type === 'killed') {
      return {
        ...base,
        status: result.reason,
        outputs: streamed,
        fuelConsumed: result.fuelConsumed,
        wallMs,
        message: killMessage(result.reason, limits)
      }
    }
    if (result.type === 'lost') {
      return {
        ...base,
        status: 'crashed',
        outputs: streamed,
        fuelConsumed: lastFuel,
        wallMs,
        message: `crashed: ${result.message}`
      }
    }
    this.lastTimings = {
      ...result.timings,
      changedPages: result.changedPages,
      sentAt: performance.timeOrigin + t0,
      receivedAt: performance.timeOrigin + performance.now()
    }
    if (result.tail !== null) options.onOutput?.(result.tail.outputs, result.tail.replace)
    const status: RunStatus = result.status
    const advance = !isolated && result.state !== null && generation === this.generation && !this.disposed
    if (advance) this.head = result.state!
    const memoryBytes = result.memoryPages * PAGE_BYTES
    return {
      status,
      exitCode: result.exitCode,
      outputs: result.outputs,
      message: result.message,
      headAdvanced: advance,
      brokeInterpreter: result.brokeInterpreter,
      fuelConsumed: result.fuelConsumed,
      fuelBudget: limits.fuel,
      memoryPages: result.memoryPages,
      memoryBytes,
      peakMemoryBytes: Math.max(memoryBytes, base.peakMemoryBytes),
      wallMs,
      snapshotBytes: this.headMemoryBytes,
      fsBytes: result.fsBytes
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

function killMessage(reason: KillReason, limits: Limits): string {
  return reason === 'timeout'
    ? `timed out after ${+(limits.timeoutMs / 1000).toFixed(1)} s; the kernel state is as before this run`
    : 'interrupted; the kernel state is as before this run'
}
