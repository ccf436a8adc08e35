/**
 * The one place a RunRequest for the worker pool is made: user runs and inspect calls
 * (kernel.ts), the warm-up runs and the boot that makes S0 (host.ts) all go through here, so the
 * clamping of the budget and the reseeding rule are written once.
 */
import { randomInt } from 'node:crypto'
import type { Limits } from '../../shared/notebook'
import type { GuestRequest, MachineState, RunRequest } from '../sandbox/protocol'
import type { MountedWheel } from '../sandbox/wasi/fs-image'

export interface RunRequestSpec {
  id: number
  /** The state to restore; null only for the boot that makes S0. */
  state: MachineState | null
  guest: GuestRequest
  limits: Pick<Limits, 'fuel' | 'outputBytes' | 'fsBytes'>
  /** Memory cap in pages (raised to the start state's size: a state is restored whole). */
  maxPages: number
  /** Fixed seeds and virtual clock; otherwise Python's `random` is reseeded before the run. */
  deterministic: boolean
  /** The seed when not deterministic; default a fresh one from crypto. */
  randomSeed?: number
  /** Take the new state when the run completes (false: an inspect run, thrown away). */
  capture: boolean
  newStateId: string
  packages: MountedWheel[]
}

export function buildRunRequest(spec: RunRequestSpec): RunRequest {
  return {
    type: 'run',
    id: spec.id,
    state: spec.state,
    guest: spec.guest,
    // BigInt() in the worker refuses fractions and Infinity; a negative budget is an empty one.
    fuel: Math.min(Math.max(0, Math.floor(spec.limits.fuel)), 2 ** 62),
    maxPages: Math.max(spec.maxPages, spec.state?.memory.pageCount ?? 0),
    outputBytes: spec.limits.outputBytes,
    fsQuotaBytes: spec.limits.fsBytes,
    deterministic: spec.deterministic,
    // The same head restored twice would replay the same random numbers: reseed from crypto.
    randomSeed: spec.deterministic ? null : (spec.randomSeed ?? randomInt(0, 2 ** 48 - 1)),
    capture: spec.capture,
    newStateId: spec.newStateId,
    packages: spec.packages
  }
}
