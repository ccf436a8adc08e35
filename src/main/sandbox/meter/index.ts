/**
 * Fuel meter: rewrites a WebAssembly module so it counts executed operators exactly as wasmtime's
 * `consume_fuel` does, and traps through a dedicated, recognisable path when the budget runs out.
 * Pure: bytes in, bytes out, no I/O. See README.md for the ABI, the trap rule and the overdraft rule.
 */
import { MeterError } from './bytes'
import { rewriteModule } from './rewrite'
import { parseModule } from './sections'
import type { MeteredModule, MeterOptions } from './types'

export { MeterError } from './bytes'
export {
  FAILED_GROW_EXPORT,
  FUEL_EXPORT,
  FUEL_SLICE_EXPORT,
  MEMORY_IMPORT,
  MUTABLE_GLOBAL_PREFIX,
  OUT_OF_FUEL_EXPORT
} from './rewrite'
export { DEFAULT_SLICE_FUEL, FuelSlices } from './slices'
export type { MeteredModule, MeterOptions } from './types'

/** Bump whenever the output for the same input and options may change (it keys the disk cache). */
export const METER_VERSION = 3

export function instrument(wasm: Uint8Array, options: MeterOptions = {}): MeteredModule {
  const t0 = performance.now()
  const entry = options.functionEntryCost ?? 1
  if (entry !== 0 && entry !== 1) throw new MeterError('functionEntryCost must be 0 or 1')
  const bounded = options.boundedEntryChecks ?? 0
  if (!Number.isSafeInteger(bounded) || bounded < 0)
    throw new MeterError('boundedEntryChecks must be a non-negative integer')
  // A plain view: Node Buffers make every subarray() allocate a Buffer object.
  const bytes = new Uint8Array(wasm.buffer, wasm.byteOffset, wasm.byteLength)
  const result = rewriteModule(parseModule(bytes), {
    importMemory: options.importMemory ?? false,
    dropActiveDataSegments: options.dropActiveDataSegments ?? false,
    exportMutableGlobals: options.exportMutableGlobals ?? false,
    functionEntryCost: entry,
    fuelSlices: options.fuelSlices ?? false,
    recordFailedGrow: options.recordFailedGrow ?? false,
    boundedEntryChecks: bounded,
    backEdgeChecks: options.backEdgeChecks ?? false
  })
  result.stats.ms = performance.now() - t0
  return result
}

export type FuelOutcome =
  | { status: 'ok'; consumed: number; remaining: number }
  | { status: 'out_of_fuel'; consumed: number; remaining: number }
  | { status: 'trap'; consumed: number; remaining: number }

/**
 * Classifies a finished call from what the host can read afterwards, with the documented rule:
 * - trapped and the out-of-fuel flag is 1 → `out_of_fuel` (a check found remaining ≤ 0);
 * - completed with remaining < 0 → `out_of_fuel` too (an overdraft: the run needed more than the
 *   budget, and only the lack of a later check let it finish — its effects must be discarded);
 * - trapped with the flag 0 → `trap` (a genuine trap; `remaining` is as of the last point the
 *   balance was published, so `consumed` is a lower bound);
 * - otherwise `ok`, with `consumed` exact.
 */
export function classifyFuel(
  budget: bigint,
  remaining: bigint,
  trapped: boolean,
  outOfFuelFlag: number
): FuelOutcome {
  const consumed = Number(budget - remaining)
  const r = Number(remaining)
  if (trapped) return { status: outOfFuelFlag === 1 ? 'out_of_fuel' : 'trap', consumed, remaining: r }
  return { status: remaining < 0n ? 'out_of_fuel' : 'ok', consumed, remaining: r }
}
