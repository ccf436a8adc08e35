/**
 * The default per-run caps: the one home of these numbers. A new notebook's settings, the
 * library's runPython and `fuelbook exec` start from them; the kernel fills in any a caller left out.
 */
import type { Limits } from './notebook'

/** 400 M fuel; memory, time, output and file-system caps chosen so a runaway cell stays harmless. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  fuel: 400_000_000,
  memoryBytes: 512 * 1024 * 1024,
  timeoutMs: 30_000,
  outputBytes: 2 * 1024 * 1024,
  fsBytes: 256 * 1024 * 1024
})

/** "Run with 10× fuel" on a cell that ran out of fuel: the factor over that run's budget. */
export const MORE_FUEL_FACTOR = 10

/**
 * The budget of a "Run with 10× fuel" run: `factor` times the budget that ran out, kept a whole
 * number the API accepts (a limit is at most Number.MAX_SAFE_INTEGER; the kernel clamps it further
 * in kernel/run-request.ts).
 */
export function moreFuel(budget: number, factor = MORE_FUEL_FACTOR): number {
  return Math.min(Math.max(1, Math.floor(budget * factor)), Number.MAX_SAFE_INTEGER)
}
