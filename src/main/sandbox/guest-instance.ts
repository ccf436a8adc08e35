/**
 * The runtime for one run (sandbox/machine.ts): an instance on the run's memory (a new one, or the
 * one kept with the state it starts from: WiredInstance below) with the run's WASI host, output
 * collector and fuel meter wired together, and the state's mutable globals set. It knows how to
 * talk to the driver (fb_run, fb_call and its reply) and how much fuel the run has used; what the
 * run means is Machine.run's business.
 */
import type { Output } from '../../shared/notebook'
import { PAGE_BYTES } from './memory-image'
import { DEFAULT_SLICE_FUEL, FuelSlices } from './meter'
import { OutputCollector } from './output'
import type { MachineState, RunRequest, RuntimeSpec } from './protocol'
import type { StaticTree } from './wasi/fs-image'
import { WasiHost, type WasiState } from './wasi/host'

/** Fuel for boot and for the driver commands around a cell (not charged to the cell). */
export const UNMETERED_FUEL = 1n << 62n
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

export type PostOutput = (message: { outputs: Output[]; replace: boolean; fuelConsumed: number }) => void

/** A driver command's return code and its reply (null when it sent none). */
export interface CommandReply {
  rc: number
  reply: unknown
}

export class GuestInstance {
  readonly memory: WebAssembly.Memory
  readonly collector: OutputCollector
  readonly host: WasiHost
  private readonly exports: WebAssembly.Exports
  private readonly guest: GuestExports
  private readonly slices: FuelSlices | null
  private readonly budget: bigint
  /** False while the module is instantiated (the host may already ask for the fuel used). */
  private instantiated = false
  private lastFlush = Number.NEGATIVE_INFINITY
  /** Set once the cell's own code runs: only then do fuel-only progress batches go out. */
  private reportingProgress = false

  constructor(
    private readonly spec: RuntimeSpec,
    tree: StaticTree,
    request: RunRequest,
    readonly wired: WiredInstance,
    wasiState: WasiState,
    private readonly postOutput: PostOutput
  ) {
    this.memory = wired.memory
    this.budget = BigInt(request.fuel)
    // The first output goes out at once (a cell that prints and then computes without touching
    // the host would otherwise show nothing until it ends); then at most every 50 ms, and
    // always before a sleep.
    this.collector = new OutputCollector(
      request.outputBytes,
      request.guest.kind === 'cell' ? request.guest.executionCount : null,
      (urgent) => this.flush(urgent)
    )
    tree.mountPackages(request.packages)
    this.host = new WasiHost({
      tree,
      state: wasiState,
      deterministic: request.deterministic,
      sink: this.collector,
      fsQuotaBytes: request.fsQuotaBytes,
      fuelConsumed: () => this.fuelUsed()
    })
    wired.serve(this.host.imports)
    this.exports = wired.exports
    this.guest = wired.exports as unknown as GuestExports
    this.resetMeter()
    this.slices =
      spec.fuelSliceExport === null
        ? null
        : new FuelSlices(
            this.exports,
            { fuelExport: spec.fuelExport, fuelSliceExport: spec.fuelSliceExport },
            (consumed) => this.nextSlice(consumed)
          )
    this.host.bind(this.memory)
    this.instantiated = true
  }

  /**
   * Lets go of this run's host and meter hook, so that the instance kept for the next run holds
   * nothing of this one but its memory and globals. Call once the run's answer is made.
   */
  release(): void {
    this.wired.release()
    if (this.spec.fuelSliceExport !== null)
      (this.exports[this.spec.fuelSliceExport] as WebAssembly.Table).set(0, null)
  }

  /**
   * The meter's records of an earlier run on a kept instance back to what a new instance has:
   * no out-of-fuel flag, no failed grow (the fuel itself is set by every run).
   */
  private resetMeter(): void {
    ;(this.exports[this.spec.outOfFuelExport] as WebAssembly.Global).value = 0
    const failedGrow = this.spec.failedGrowExport
    if (failedGrow !== null) (this.exports[failedGrow] as WebAssembly.Global).value = 0
  }

  /** Sets the state's mutable globals; `_initialize` is never called again on a restored state. */
  restoreGlobals(state: MachineState): void {
    for (const name of this.spec.mutableGlobals) {
      const value = state.globals[name]
      if (value === undefined) throw new Error(`state has no value for global ${name}`)
      ;(this.exports[name] as WebAssembly.Global).value = value
    }
  }

  captureGlobals(): Record<string, number | bigint> {
    const globals: Record<string, number | bigint> = {}
    for (const name of this.spec.mutableGlobals)
      globals[name] = (this.exports[name] as WebAssembly.Global).value as number | bigint
    return globals
  }

  // ---- fuel

  /**
   * A new budget: the cell's, or the unmetered one of the driver commands after it. Either ends
   * the fuel-only progress reports: the first slice of the commands after a cell reported 0 fuel
   * in a message of its own, one more hop between threads for every cell that printed nothing in
   * its last 50 ms (src/main/kernel/README.md, "A run").
   */
  setFuel(fuel: bigint): void {
    this.reportingProgress = false
    if (this.slices !== null) this.slices.start(fuel)
    else this.fuelGlobal().value = fuel
  }

  remainingFuel(): bigint {
    return this.slices?.remaining() ?? (this.fuelGlobal().value as bigint)
  }

  /** The meter's out-of-fuel flag (1: a check found the balance spent). */
  outOfFuelFlag(): number {
    return (this.exports[this.spec.outOfFuelExport] as WebAssembly.Global).value as number
  }

  /**
   * Bytes the largest failed `memory.grow` of this instance asked for (what the allocator
   * requested beyond the memory it had), or null if none failed or the meter keeps no record.
   */
  failedGrowBytes(): number | null {
    const name = this.spec.failedGrowExport
    if (name === null) return null
    const pages = ((this.exports[name] as WebAssembly.Global).value as number) >>> 0
    return pages === 0 ? null : pages * PAGE_BYTES
  }

  /** From here on a slice running out reports the fuel so far (the cell's own code is running). */
  startProgressReports(): void {
    this.reportingProgress = true
  }

  /**
   * The fuel used so far in this run: the meter keeps the balance in the global whenever the
   * guest calls the host, so this is exact at any import call (progress, `_fuelbook.fuel()`).
   */
  private fuelUsed(): bigint {
    return this.instantiated ? this.budget - this.remainingFuel() : 0n
  }

  private fuelGlobal(): WebAssembly.Global {
    return this.exports[this.spec.fuelExport] as WebAssembly.Global
  }

  // ---- output

  private flush(urgent: boolean): void {
    const now = performance.now()
    if (!urgent && now - this.lastFlush < OUTPUT_THROTTLE_MS) return
    this.lastFlush = now
    const batch = this.collector.takeBatch()
    if (batch !== null) this.postOutput({ ...batch, fuelConsumed: Number(this.fuelUsed()) })
  }

  /**
   * A slice ran out: report the fuel so far if no output did lately (an empty batch), so a run
   * that never calls the host still shows its fuel climbing.
   */
  private nextSlice(consumed: bigint): bigint {
    const now = performance.now()
    if (this.reportingProgress && now - this.lastFlush >= OUTPUT_THROTTLE_MS) {
      this.lastFlush = now
      this.postOutput({ outputs: [], replace: false, fuelConsumed: Number(consumed) })
    }
    return DEFAULT_SLICE_FUEL
  }

  // ---- the driver

  /** `_initialize` + `fb_init`: only on a memory holding nothing but the data segments. */
  initialize(): void {
    this.guest._initialize?.()
    const rc = this.guest.fb_init()
    if (rc !== 0) throw new Error(`fb_init failed with code ${rc}`)
  }

  /** Runs a cell's source (fb_run): 0 ok, 1 a Python exception, 2 sys.exit, else the driver failed. */
  runCell(code: string): number {
    return this.callGuest('fb_run', code)
  }

  exitCode(): number {
    return this.guest.fb_exit_code()
  }

  /**
   * One fb_call command (JSON) on the fuel already set, and its reply; the reply also stays on the
   * collector, where the run's answer picks it up.
   */
  command(request: string): CommandReply {
    this.collector.reply = null
    const rc = this.callGuest('fb_call', request)
    return { rc, reply: this.collector.reply }
  }

  /** A driver command around the cell, on fuel not charged to it; its reply is not the run's. */
  unmeteredCommand(command: Record<string, unknown>): CommandReply {
    this.setFuel(UNMETERED_FUEL)
    try {
      return this.command(JSON.stringify(command))
    } finally {
      this.collector.reply = null
    }
  }

  /** Copies a string into guest memory (fb_alloc) and calls fb_run/fb_call with it. */
  private callGuest(entry: 'fb_run' | 'fb_call', text: string): number {
    const bytes = new TextEncoder().encode(text)
    const ptr = this.guest.fb_alloc(bytes.byteLength)
    if (ptr === 0) throw new RangeError('out of memory: could not allocate the cell source')
    // A fresh view: fb_alloc may have grown (and so detached) the buffer.
    new Uint8Array(this.memory.buffer, ptr, bytes.byteLength).set(bytes)
    const rc = this.guest[entry](ptr, bytes.byteLength)
    this.guest.fb_free(ptr)
    return rc
  }
}

/**
 * The runtime instantiated on one memory, kept across runs: the instance the worker's resident
 * state was captured from serves the next run from that state (sandbox/machine.ts). Its imports
 * are fixed at instantiation, so every import goes through here to the host of the run it serves
 * now (`serve`).
 *
 * Nothing of a run but the memory and the mutable globals stays in the instance: the runtime never
 * writes its function table (no table.set, table.grow, table.fill, table.copy or table.init, which
 * test/unit/guest-instance.test.ts checks on the packaged runtime), the meter's own globals are
 * reset by every run (GuestInstance.resetMeter) and its slice table entry is set by every run
 * (FuelSlices).
 */
export class WiredInstance {
  readonly exports: WebAssembly.Exports
  /** Per import function of the module, in order: what the current run's host provides. */
  private readonly targets: ((...args: unknown[]) => unknown)[] = []
  private readonly functionImports: { module: string; name: string }[]

  constructor(
    spec: Pick<RuntimeSpec, 'module' | 'memoryImport'>,
    readonly memory: WebAssembly.Memory
  ) {
    this.functionImports = functionImportsOf(spec.module)
    const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {}
    this.functionImports.forEach(({ module, name }, index) => {
      ;(imports[module] ??= {})[name] = (...args: unknown[]): unknown => this.targets[index]!(...args)
    })
    const { module, name } = spec.memoryImport
    ;(imports[module] ??= {})[name] = memory
    this.exports = new WebAssembly.Instance(spec.module, imports).exports
  }

  /** Routes the module's imports to `imports` (a run's WASI host) from now on. */
  serve(imports: WebAssembly.Imports): void {
    this.functionImports.forEach(({ module, name }, index) => {
      const target = imports[module]?.[name]
      if (typeof target !== 'function') throw new Error(`the host provides no function ${module}.${name}`)
      this.targets[index] = target as (...args: unknown[]) => unknown
    })
  }

  /**
   * Serves no run until the next `serve`: a kept instance must not hold on to the last run's host
   * (its outputs, its file system) while the worker waits.
   */
  release(): void {
    this.targets.fill(servingNoRun)
  }
}

function servingNoRun(): never {
  throw new Error('the instance serves no run')
}

const functionImports = new WeakMap<WebAssembly.Module, { module: string; name: string }[]>()

function functionImportsOf(module: WebAssembly.Module): { module: string; name: string }[] {
  let list = functionImports.get(module)
  if (list === undefined) {
    list = WebAssembly.Module.imports(module)
      .filter((i) => i.kind === 'function')
      .map(({ module: m, name }) => ({ module: m, name }))
    functionImports.set(module, list)
  }
  return list
}
