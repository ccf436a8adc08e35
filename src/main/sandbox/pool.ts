/**
 * Ready workers holding the compiled runtime. A run goes to an idle worker (preferably the one
 * that still holds the memory of the state it starts from); a timeout or an interrupt terminates
 * that worker and a replacement is started at once, so the next run never waits for a boot.
 */
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Worker } from 'node:worker_threads'
import type { Output } from '../../shared/notebook'
import { imageWithCopied } from './memory-image'
import {
  heldAfter,
  type FromWorker,
  type MachineState,
  type RunDone,
  type RunRequest,
  type RuntimeSpec,
  type ToWorker,
  type WorkerRunDone
} from './protocol'
import { findWorkerScript, startWorker, type WorkerScript } from './worker-script'

export type { WorkerScript } from './worker-script'

/** out/main/worker.js next to the bundle; from sources (vitest, tsx), worker.ts through tsx. */
function defaultWorkerScript(): WorkerScript {
  const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url))
  return findWorkerScript(here, 'worker')
}

export type KillReason = 'timeout' | 'interrupted'

export type PoolResult =
  RunDone | { type: 'killed'; reason: KillReason; fuelConsumed: number } | { type: 'lost'; message: string }

export interface PoolRunOptions {
  timeoutMs: number
  onOutput?: (outputs: Output[], replace: boolean, fuelConsumed: number) => void
}

export interface PoolRun {
  readonly result: Promise<PoolResult>
  /** Terminates the worker running it (no-op once finished). */
  kill(reason: KillReason): void
}

interface Slot {
  worker: Worker
  ready: Promise<void>
  busy: boolean
  /** The worker has compiled the runtime and said 'ready'. */
  started: boolean
  /** Id of the state whose memory the worker still holds. */
  residentStateId: string | null
  /** Id of the state the worker holds (protocol.ts, `heldAfter`): a request from it names it only. */
  heldStateId: string | null
  /** The state (and memory cap) the worker copies, or copied, into its spare memory after its last run. */
  prepared: RunDone['prepares']
  /** When the worker last finished a run (performance.now()): the longer ago, the likelier its copy is done. */
  idleSince: number
  current: ActiveRun | null
  /** Set while the worker runs its warm-up requests. */
  onWarmupDone: (() => void) | null
}

interface ActiveRun {
  request: RunRequest
  options: PoolRunOptions
  resolve: (result: PoolResult) => void
  timer: NodeJS.Timeout | null
  fuelConsumed: number
  slot: Slot | null
  settled: boolean
}

/**
 * Where the kernel's runs are made: a pool of workers (`WorkerPool`), or the calling thread for a
 * process that makes one run (in-thread-pool.ts).
 */
export interface RunPool {
  /** Resolves when runs can start without waiting for the runtime or a worker's start. */
  ready(): Promise<void>
  run(request: RunRequest, options: PoolRunOptions): PoolRun
  warm(requests: RunRequest[], afterMs?: number): void
  whenWarm(): Promise<void>
  close(): Promise<void>
}

export interface PoolOptions {
  /** The runtime, or its promise: workers start at once and get it when it is there. */
  runtime: RuntimeSpec | Promise<RuntimeSpec>
  size: number
  workerScript?: WorkerScript
}

export class WorkerPool implements RunPool {
  private readonly slots: Slot[] = []
  private readonly queue: ActiveRun[] = []
  private readonly script: WorkerScript
  private closed = false
  /** Run on every worker before it takes work: compiles the hot code (V8 compiles wasm lazily). */
  private warmup: RunRequest[] = []
  private warming = new Map<Slot, { done: Promise<void>; finish: () => void }>()
  private warmDone: Promise<void> = Promise.resolve()
  /** Someone waits in whenWarm(). */
  private warmAwaited = false
  /** The wait before the warm-up starts (warm's `afterMs`), while it runs. */
  private warmupTimer: { timer: NodeJS.Timeout; end: () => void } | null = null

  constructor(private readonly options: PoolOptions) {
    this.script = options.workerScript ?? defaultWorkerScript()
    for (let i = 0; i < Math.max(1, options.size); i++) this.slots.push(this.spawn())
  }

  /** Resolves when every worker has compiled-module and is ready. */
  async ready(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.ready))
  }

  /**
   * Makes every worker (and every replacement) run `requests` before its first real run, from
   * `afterMs` after the workers are ready (a run asked for meanwhile goes first, and the warm-up
   * then only runs on a worker idle at that time). Not awaited by itself: whenWarm() waits for it.
   */
  warm(requests: RunRequest[], afterMs = 0): void {
    this.warmup = requests
    this.warmDone = (async () => {
      await this.ready()
      if (afterMs > 0) await this.warmupDelay(afterMs)
      if (this.closed) return
      // A busy worker is already running real work (runs may be asked for before this point).
      for (const slot of this.slots) if (!slot.busy && !this.warming.has(slot)) this.startWarmup(slot)
      this.updateKeepAlive()
      await Promise.all([...this.warming.values()].map((w) => w.done))
    })()
    this.warmDone.catch(() => undefined)
  }

  /** Waits `ms`; the timer keeps the process alive only while someone waits in whenWarm(). */
  private warmupDelay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const end = (): void => {
        this.warmupTimer = null
        resolve()
      }
      this.warmupTimer = { timer: setTimeout(end, ms), end }
      this.updateKeepAlive()
    })
  }

  /**
   * Resolves when the current workers are done with their warm-up. While someone waits here, the
   * warming workers keep the process alive; a script that never asks exits without waiting for it.
   */
  whenWarm(): Promise<void> {
    this.warmAwaited = true
    this.updateKeepAlive()
    return this.warmDone.finally(() => {
      this.warmAwaited = false
      this.updateKeepAlive()
    })
  }

  private startWarmup(slot: Slot): void {
    slot.busy = true
    const runs = this.warmup.map((request) => ({ ...request, id: -1 - this.warmup.indexOf(request) }))
    let finish!: () => void
    const done = new Promise<void>((r) => (finish = r))
    this.warming.set(slot, { done, finish })
    const next = (): void => {
      // Real work waiting or running: the warm-up ends here (the rest is only worth its time when
      // idle). Not only on the worker the work goes to: another worker warming up meanwhile takes
      // the cores from it, which delayed a fresh app's first result (src/main/kernel/README.md,
      // "Cold start").
      const working = this.queue.length > 0 || this.slots.some((s) => s.current !== null)
      const request = working ? undefined : runs.shift()
      if (request === undefined) {
        slot.busy = false
        slot.residentStateId = null
        slot.onWarmupDone = null
        finish()
        this.dispatch()
        return
      }
      slot.worker.postMessage(request)
    }
    slot.onWarmupDone = next
    next()
  }

  run(request: RunRequest, options: PoolRunOptions): PoolRun {
    let resolve!: (result: PoolResult) => void
    const result = new Promise<PoolResult>((r) => (resolve = r))
    const run: ActiveRun = {
      request,
      options,
      resolve,
      timer: null,
      fuelConsumed: 0,
      slot: null,
      settled: false
    }
    if (this.closed) {
      this.settle(run, { type: 'lost', message: 'the kernel host is closed' })
    } else {
      this.queue.push(run)
      this.dispatch()
    }
    return { result, kill: (reason) => this.kill(run, reason) }
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.warmupTimer !== null) {
      clearTimeout(this.warmupTimer.timer)
      this.warmupTimer.end()
    }
    for (const run of this.queue.splice(0))
      this.settle(run, { type: 'lost', message: 'the kernel host is closed' })
    for (const slot of this.slots) {
      if (slot.current !== null)
        this.settle(slot.current, { type: 'lost', message: 'the kernel host is closed' })
      this.stopWarmup(slot)
    }
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()))
  }

  private spawn(): Slot {
    const worker: Worker = startWorker(this.script)
    let markReady!: () => void
    let failReady!: (error: Error) => void
    const ready = new Promise<void>((res, rej) => {
      markReady = res
      failReady = rej
    })
    ready.catch(() => undefined)
    const slot: Slot = {
      worker,
      ready,
      busy: true,
      started: false,
      residentStateId: null,
      heldStateId: null,
      prepared: null,
      idleSince: 0,
      current: null,
      onWarmupDone: null
    }
    worker.on('message', (message: FromWorker) => this.onMessage(slot, message, markReady))
    worker.on('error', (error) => {
      failReady(error)
      this.onWorkerLost(slot, `the sandbox worker failed: ${error.message}`)
    })
    worker.on('exit', (code) => {
      if (!this.closed) this.onWorkerLost(slot, `the sandbox worker exited (code ${code})`)
    })
    Promise.resolve(this.options.runtime).then(
      (runtime) => worker.postMessage({ type: 'init', runtime } satisfies ToWorker),
      (error: unknown) => failReady(error instanceof Error ? error : new Error(String(error)))
    )
    return slot
  }

  /**
   * A worker keeps the process alive only while someone may be waiting on it: while it starts
   * (ready() may be awaited), while it warms up and someone waits in whenWarm(), while it runs a
   * caller's request, and while runs are queued. Idle workers, and warming ones nobody waits for,
   * are unref'd, so a script whose work is done exits on its own. Node re-refs a worker when a
   * 'message' listener is added, so this runs after spawn() has attached its listeners, never before.
   */
  private updateKeepAlive(): void {
    if (this.warmupTimer !== null) {
      if (this.warmAwaited) this.warmupTimer.timer.ref()
      else this.warmupTimer.timer.unref()
    }
    const queued = this.queue.length > 0
    for (const slot of this.slots) {
      const warmingForSomeone = this.warmAwaited && slot.onWarmupDone !== null
      if (!slot.started || warmingForSomeone || slot.current !== null || queued) slot.worker.ref()
      else slot.worker.unref()
    }
  }

  private onMessage(slot: Slot, message: FromWorker, markReady: () => void): void {
    if (message.type === 'ready') {
      slot.started = true
      markReady()
      if (this.warmup.length > 0) {
        this.startWarmup(slot)
      } else {
        slot.busy = false
        this.dispatch()
      }
      this.updateKeepAlive()
      return
    }
    if (slot.onWarmupDone !== null && 'id' in message && message.id !== null && message.id < 0) {
      if (message.type !== 'output') {
        this.noteFinished(slot, message, null)
        slot.onWarmupDone()
      }
      return
    }
    const run = slot.current
    if (run === null || message.id !== run.request.id) return
    if (message.type === 'output') {
      run.fuelConsumed = message.fuelConsumed
      run.options.onOutput?.(message.outputs, message.replace, message.fuelConsumed)
      return
    }
    slot.current = null
    slot.busy = false
    this.noteFinished(slot, message, run.request.state)
    if (message.type === 'failed') {
      slot.residentStateId = null
      this.settle(run, { type: 'lost', message: message.message })
    } else {
      if (message.state !== null) slot.residentStateId = message.state.id
      else if (message.timings.residentHit) slot.residentStateId = null
      this.settle(run, received(message, run.request.state))
    }
    this.dispatch()
  }

  /** `start`: the state the run started from, when known (warm-up runs leave it out: none is held then). */
  private noteFinished(slot: Slot, message: FromWorker, start: MachineState | null): void {
    slot.prepared = message.type === 'done' ? message.prepares : null
    slot.heldStateId = message.type === 'done' ? (heldAfter(start, message.state)?.id ?? null) : null
    slot.idleSince = performance.now()
  }

  /** A worker that dies while warming up must not leave warm() waiting for it. */
  private stopWarmup(slot: Slot): void {
    this.warming.get(slot)?.finish()
    this.warming.delete(slot)
  }

  private onWorkerLost(slot: Slot, message: string): void {
    const index = this.slots.indexOf(slot)
    this.stopWarmup(slot)
    if (index < 0) return
    this.slots.splice(index, 1)
    const run = slot.current
    slot.current = null
    if (run !== null) this.settle(run, { type: 'lost', message })
    if (!this.closed) {
      this.slots.push(this.spawn())
      this.dispatch()
    }
  }

  private kill(run: ActiveRun, reason: KillReason): void {
    if (run.settled) return
    const slot = run.slot
    if (slot === null) {
      this.queue.splice(this.queue.indexOf(run), 1)
      this.settle(run, { type: 'killed', reason, fuelConsumed: 0 })
      this.updateKeepAlive()
      return
    }
    // Replace first, so that the next run finds a worker warming up already.
    const index = this.slots.indexOf(slot)
    this.stopWarmup(slot)
    if (index >= 0) this.slots.splice(index, 1, this.spawn())
    slot.current = null
    void slot.worker.terminate()
    this.settle(run, { type: 'killed', reason, fuelConsumed: run.fuelConsumed })
    this.updateKeepAlive()
  }

  private settle(run: ActiveRun, result: PoolResult): void {
    if (run.settled) return
    run.settled = true
    if (run.timer !== null) clearTimeout(run.timer)
    run.resolve(result)
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const idle = this.slots.filter((s) => !s.busy)
      if (idle.length === 0) break
      const run = this.queue[0]!
      const stateId = run.request.state?.id ?? null
      // A worker holding the start state's memory skips the restore copy (capture runs only); a
      // run that keeps no state goes to the worker that copied its start state into its spare
      // memory longest ago (the one that just answered may still be copying).
      const prepared = idle
        .filter(
          (s) =>
            !run.request.capture &&
            s.prepared?.stateId === stateId &&
            s.prepared.maxPages === run.request.maxPages
        )
        .sort((a, b) => a.idleSince - b.idleSince)[0]
      const slot =
        (run.request.capture && idle.find((s) => s.residentStateId === stateId)) ||
        prepared ||
        idle.find((s) => s.residentStateId === null) ||
        idle[0]!
      this.queue.shift()
      slot.busy = true
      slot.current = run
      run.slot = slot
      // setTimeout fires at once for delays over 2^31-1 ms (~24.8 days): clamp "no limit" to that.
      run.timer = setTimeout(
        () => this.kill(run, 'timeout'),
        Math.min(Math.max(0, run.options.timeoutMs), 2 ** 31 - 1)
      )
      const held = stateId !== null && slot.heldStateId === stateId
      slot.worker.postMessage(held ? { ...run.request, state: { held: stateId } } : run.request)
    }
    this.updateKeepAlive()
  }
}

/**
 * The worker's answer with the new state whole: its memory is the start state's page objects but
 * for the pages the worker copied (memory-image.ts, `imageWithCopied`).
 */
function received(message: WorkerRunDone, start: MachineState | null): RunDone {
  if (message.state === null) return { ...message, state: null }
  const { memory, ...rest } = message.state
  const image = imageWithCopied(memory.pageCount, start?.memory ?? null, message.copiedPages, memory.copied)
  return { ...message, state: { ...rest, memory: image } }
}
