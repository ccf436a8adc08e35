/**
 * The pool's work on the calling thread, for a process that makes one run and exits (`fuelbook
 * exec`): no worker to start. A worker is a Node instance of its own (~100 ms of CPU), and the run
 * waited for it after the runtime had compiled (src/main/kernel/README.md, "Cold start").
 *
 * A run is one synchronous wasm call, so nothing on this thread can stop it by a message: it is
 * made inside `vm`'s `timeout` and `breakOnSigint`, whose watchdog threads end it the way
 * `Worker.terminate` ends a worker's run (V8's TerminateExecution, which wasm code obeys at its
 * function entries and loop headers). What a stopped run leaves is thrown away with its machine, as
 * a killed worker is replaced. The instance, its memory and the WASI host are the same as in a
 * worker; only the thread differs, and with it the native stack: V8 gives the main thread ~1 MB
 * against a worker's 4 MB, so deep C recursion in the interpreter (a repr of a list nested ~5,000
 * deep) overflows it where a worker's run gets on. A run that ends so is made again, from the same
 * request, in a worker (`fallback`) with the time it has left: the outcome is then a worker's, as
 * in the app. Its outputs so far are replaced (an empty batch with `replace`).
 */
import { createContext, Script, type Context } from 'node:vm'
import { Machine, STACK_OVERFLOW_MESSAGE } from './machine'
import type { KillReason, PoolResult, PoolRun, PoolRunOptions, RunPool } from './pool'
import type { RunDone, RunRequest, RuntimeSpec } from './protocol'

/** vm's `timeout` is a positive 32-bit number of milliseconds. */
const LONGEST_TIMEOUT_MS = 2 ** 32 - 1

const CALL = new Script('call()', { filename: 'fuelbook-in-thread-run' })

interface Queued {
  request: RunRequest
  options: PoolRunOptions
  resolve: (result: PoolResult) => void
  settled: boolean
  /** The same run made again in a worker (inWorker). */
  inWorker: PoolRun | null
}

export class InThreadPool implements RunPool {
  private machine: Machine | null = null
  private readonly queue: Queued[] = []
  private running = false
  private closed = false
  /** What the script calls: the run at hand. */
  private readonly context: { call: (() => RunDone) | null } = { call: null }
  private readonly vmContext: Context = createContext(this.context)
  private readonly runtime: Promise<RuntimeSpec>
  private fallbackPool: RunPool | null = null

  /** `fallback` makes the worker pool for the runs this thread's stack is too small for. */
  constructor(
    runtime: RuntimeSpec | Promise<RuntimeSpec>,
    private readonly fallback: () => RunPool
  ) {
    this.runtime = Promise.resolve(runtime)
    this.runtime.catch(() => undefined)
  }

  async ready(): Promise<void> {
    await this.runtime
  }

  /** No warm-up: a one-run process would only wait for it. */
  warm(): void {}

  whenWarm(): Promise<void> {
    return Promise.resolve()
  }

  run(request: RunRequest, options: PoolRunOptions): PoolRun {
    let resolve!: (result: PoolResult) => void
    const result = new Promise<PoolResult>((r) => (resolve = r))
    const queued: Queued = { request, options, resolve, settled: false, inWorker: null }
    if (this.closed) settle(queued, { type: 'lost', message: 'the kernel host is closed' })
    else {
      this.queue.push(queued)
      void this.next()
    }
    // While a run is made this thread does nothing else, so a kill can only come before it starts
    // (the watchdogs stop it while it runs) or after it ended.
    return {
      result,
      kill: (reason: KillReason) => {
        if (queued.inWorker !== null) return queued.inWorker.kill(reason)
        const index = this.queue.indexOf(queued)
        if (index < 0) return
        this.queue.splice(index, 1)
        settle(queued, { type: 'killed', reason, fuelConsumed: 0 })
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true
    for (const queued of this.queue.splice(0))
      settle(queued, { type: 'lost', message: 'the kernel host is closed' })
    this.machine = null
    await this.fallbackPool?.close()
  }

  private async next(): Promise<void> {
    if (this.running) return
    this.running = true
    try {
      const spec = await this.runtime.catch(() => null)
      // Let the caller's own work of this turn (its SIGINT listener, its other reads) go first.
      await new Promise<void>((resolve) => setImmediate(resolve))
      let queued: Queued | undefined
      while ((queued = this.queue.shift()) !== undefined) {
        if (spec === null) {
          settle(queued, { type: 'lost', message: 'the Python runtime did not load' })
          continue
        }
        const t0 = performance.now()
        const result = this.runNow(spec, queued)
        if (result.type === 'done' && result.message === STACK_OVERFLOW_MESSAGE && !this.closed)
          this.inWorker(queued, performance.now() - t0)
        else settle(queued, result)
      }
    } finally {
      this.running = false
    }
  }

  private runNow(spec: RuntimeSpec, { request, options }: Queued): PoolResult {
    const machine = (this.machine ??= new Machine(spec))
    let fuelConsumed = 0
    this.context.call = () =>
      machine.run(request, (batch) => {
        fuelConsumed = batch.fuelConsumed
        options.onOutput?.(batch.outputs, batch.replace, batch.fuelConsumed)
      })
    try {
      return CALL.runInContext(this.vmContext, {
        timeout: Math.min(Math.max(1, Math.ceil(options.timeoutMs)), LONGEST_TIMEOUT_MS),
        breakOnSigint: true
      }) as RunDone
    } catch (error) {
      // Whatever the run left half done is not used again.
      this.machine = null
      const code = (error as { code?: string }).code
      if (code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return { type: 'killed', reason: 'timeout', fuelConsumed }
      if (code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED')
        return { type: 'killed', reason: 'interrupted', fuelConsumed }
      return {
        type: 'lost',
        message: error instanceof Error ? (error.stack ?? error.message) : String(error)
      }
    } finally {
      this.context.call = null
    }
  }

  /** The run again, in a worker, with the time it has left. */
  private inWorker(queued: Queued, spentMs: number): void {
    queued.options.onOutput?.([], true, 0)
    const pool = (this.fallbackPool ??= this.fallback())
    const run = pool.run(queued.request, {
      ...queued.options,
      timeoutMs: Math.max(0, queued.options.timeoutMs - spentMs)
    })
    queued.inWorker = run
    void run.result.then((result) => settle(queued, result))
  }
}

function settle(queued: Queued, result: PoolResult): void {
  if (queued.settled) return
  queued.settled = true
  queued.resolve(result)
}
