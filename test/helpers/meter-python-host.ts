/**
 * A minimal host for running the Python runtime (resources/python), plain or fuel-metered, in
 * tests and benches of the meter: the WASI set-up of test/helpers/runtime-host.ts plus control of
 * the meter's fuel global before `_initialize`, so every call, boot included, runs on a budget.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { WASI } from '@bjorn3/browser_wasi_shim'

import { PYTHON_DIR, WITHOUT_PERMISSION_BITS, runtimeFds } from './runtime-host'
import { DEFAULT_SLICE_FUEL, FuelSlices } from '../../src/main/sandbox/meter'

export { PYTHON_DIR }

export function pythonWasm(): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(join(PYTHON_DIR, 'python.wasm')))
}

interface Exports {
  memory: WebAssembly.Memory
  _initialize(): void
  fb_alloc(size: number): number
  fb_free(ptr: number): void
  fb_init(): number
  fb_run(ptr: number, len: number): number
  fb_fuel?: WebAssembly.Global
  fb_out_of_fuel?: WebAssembly.Global
  fb_fuel_slice?: WebAssembly.Table
}

export interface PyRun {
  rc: number | null
  stdout: string
  stderr: string
  /** Fuel consumed by this call (metered modules only). */
  fuel: number | null
  trapped: boolean
  outOfFuel: boolean
  ms: number
}

export class PythonHost {
  readonly exports: Exports
  /** The budget handed out in slices, when the module was metered with `fuelSlices`. */
  private readonly slices: FuelSlices | null = null
  /** Slices handed out so far (the hook really runs). */
  refills = 0
  private out: Uint8Array[] = []
  private err: Uint8Array[] = []

  constructor(module: WebAssembly.Module, bootBudget = 1n << 50n, sliceFuel = DEFAULT_SLICE_FUEL) {
    const fds = runtimeFds(
      (c) => this.out.push(c.slice()),
      (c) => this.err.push(c.slice())
    )
    const wasi = new WASI([], [], fds, { debug: false })
    const instance = new WebAssembly.Instance(module, {
      wasi_snapshot_preview1: wasi.wasiImport,
      fuelbook: { emit: () => undefined, fuel_consumed: () => 0n, ...WITHOUT_PERMISSION_BITS }
    })
    this.exports = instance.exports as unknown as Exports
    if (this.exports.fb_fuel_slice) {
      this.slices = new FuelSlices(
        instance.exports,
        { fuelExport: 'fb_fuel', fuelSliceExport: 'fb_fuel_slice' },
        () => {
          this.refills++
          return sliceFuel
        }
      )
    }
    this.setFuel(bootBudget)
    wasi.initialize(instance as unknown as { exports: { memory: WebAssembly.Memory; _initialize(): void } })
  }

  get metered(): boolean {
    return this.exports.fb_fuel !== undefined
  }

  boot(budget = 1n << 50n): PyRun {
    return this.measure(budget, () => this.exports.fb_init())
  }

  run(code: string, budget = 1n << 50n): PyRun {
    const bytes = new TextEncoder().encode(code)
    this.setFuel(1n << 50n)
    const ptr = this.exports.fb_alloc(bytes.length)
    new Uint8Array(this.exports.memory.buffer, ptr, bytes.length).set(bytes)
    try {
      return this.measure(budget, () => this.exports.fb_run(ptr, bytes.length))
    } finally {
      this.setFuel(1n << 50n)
      this.exports.fb_free(ptr)
    }
  }

  private setFuel(fuel: bigint): void {
    if (this.slices) this.slices.start(fuel)
    else if (this.exports.fb_fuel) this.exports.fb_fuel.value = fuel
  }

  private remaining(): bigint {
    return this.slices ? this.slices.remaining() : (this.exports.fb_fuel!.value as bigint)
  }

  private measure(budget: bigint, fn: () => number): PyRun {
    const fuel = this.exports.fb_fuel
    this.setFuel(budget)
    let rc: number | null = null
    let trapped = false
    const t0 = performance.now()
    try {
      rc = fn()
    } catch {
      trapped = true
    }
    const ms = performance.now() - t0
    const dec = new TextDecoder()
    const result: PyRun = {
      rc,
      stdout: dec.decode(Buffer.concat(this.out)),
      stderr: dec.decode(Buffer.concat(this.err)),
      fuel: fuel ? Number(budget - this.remaining()) : null,
      trapped,
      outOfFuel: this.exports.fb_out_of_fuel?.value === 1,
      ms
    }
    this.out = []
    this.err = []
    return result
  }
}
