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
