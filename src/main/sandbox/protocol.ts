/**
 * Messages between the pool (main thread) and a sandbox worker: tagged unions, structured-cloned.
 * Memory pages and the file system's file bytes travel as views over SharedArrayBuffers (no copy);
 * everything else is small.
 */
import type { FuelProfile } from '../../shared/fuel-profile'
import type { Result } from '../../shared/result'
import type { Output } from '../../shared/notebook'
import type { DataSegment, MemoryImage } from './memory-image'
import type { MountedWheel, ReadOnlyMount } from './wasi/fs-image'
import type { WasiState } from './wasi/host'

/** The compiled, instrumented runtime as a worker needs it. */
export interface RuntimeSpec {
  /** Data-segment-free, fuel-metered, memory-importing module (compiled once, shared by workers). */
  module: WebAssembly.Module
  fuelExport: string
  outOfFuelExport: string
  /** The meter's slice-hook table (fuel reported while a run computes), or null without slices. */
  fuelSliceExport: string | null
  /** The meter's record of the largest failed `memory.grow` (in pages), or null without it. */
  failedGrowExport: string | null
  memoryImport: { module: string; name: string; initialPages: number }
  /** Export names of the module's mutable globals, all restored from a snapshot. */
  mutableGlobals: string[]
  /** The stdlib zip and friends, read-only in the guest. */
  stdlib: ReadOnlyMount
}

/** Everything needed to resume the interpreter in a new instance. */
export interface MachineState {
  /** Identifies the state; a worker keeps the memory of the state it last produced. */
  id: string
  memory: MemoryImage
  globals: Record<string, number | bigint>
  wasi: WasiState
  /**
   * File names of the wheels this state's sys.path lists (the driver's `packages` op), in order;
   * absent when unknown (a state restored from a file): the next run sets sys.path again.
   */
  packages?: string[]
}

export type GuestRequest =
  /** `_initialize` + `fb_init` on a memory holding only the data segments: makes S0. */
  | { kind: 'boot'; segments: DataSegment[] }
  /**
   * profile: run the cell under the driver's fuel profiler, stopped once the profiled code used
   * `budget` fuel (the request's own fuel is the meter's, larger: the profiler's cost is on top).
   */
  | { kind: 'cell'; code: string; executionCount: number | null; profile?: { budget: number } }
  /** One fb_call JSON command (variables, complete): its reply comes back in `reply`. */
  | { kind: 'call'; request: string }

export interface RunRequest {
  type: 'run'
  id: number
  /** null only for boot. */
  state: MachineState | null
  guest: GuestRequest
  fuel: number
  maxPages: number
  outputBytes: number
  /** The file system's quota (sandbox/wasi/fs-quota.ts). */
  fsQuotaBytes: number
  deterministic: boolean
  /** Reseed Python's `random` with this before the run (outside deterministic mode). */
  randomSeed: number | null
  /** Take the new state when the run completes (false: an inspect run, thrown away). */
  capture: boolean
  /** Id for the new state, when captured. */
  newStateId: string
  /** The notebook's wheels: mounted read-only and put on sys.path before the run, unmetered. */
  packages: MountedWheel[]
}

export type WorkerStatus = 'ok' | 'error' | 'exit' | 'out_of_fuel' | 'out_of_memory' | 'crashed'

export interface RunTimings {
  restoreMs: number
  instantiateMs: number
  runMs: number
  captureMs: number
  /** Restore skipped: the worker still held this state's memory from the run that made it. */
  residentHit: boolean
  /** Restore skipped: the worker had copied this state into its spare memory between runs. */
  spareHit: boolean
  /** No new instance: the one made on that memory before served this run too (guest-instance.ts, WiredInstance). */
  instanceKept: boolean
  /** Wall-clock (epoch ms) when the worker started and finished the run: message latency. */
  startedAt: number
  finishedAt: number
}

export interface RunDone {
  type: 'done'
  id: number
  status: WorkerStatus
  exitCode: number | null
  message: string | null
  /** The whole run's outputs (merged, capped, with the truncated marker). */
  outputs: Output[]
  /** Outputs not yet sent in an `output` message. */
  tail: { outputs: Output[]; replace: boolean } | null
  reply: unknown
  /** A profiled run's profile as the guest sent it, read (null: the run was not profiled or sent none). */
  profile: Result<FuelProfile> | null
  fuelConsumed: number
  memoryPages: number
  /** The file system's size (as the quota counts it) at the end of the run. */
  fsBytes: number
  /** Present when the run completed and `capture` was asked. */
  state: MachineState | null
  /** The cell completed but left the driver unable to run another (status crashed, no state). */
  brokeInterpreter: boolean
  timings: RunTimings
  /** Pages whose bytes the run changed. */
  changedPages: number
  /**
   * Indices of the new state's pages that are new objects (changed, or all of them when the
   * capture repacked the image); every other page is the start state's own page.
   */
  copiedPages: number[]
  /** The state the worker copies into its spare memory next, for a next run from it (Machine.betweenRuns). */
  prepares: { stateId: string; maxPages: number } | null
}

/**
 * A run request as it travels to a worker: the start state by id when the worker holds it
 * (`heldAfter`), which saves cloning its page list and file system both ways.
 */
export type WorkerRunRequest = Omit<RunRequest, 'state'> & { state: MachineState | HeldState | null }

/** The state the worker holds, named instead of sent. */
export interface HeldState {
  held: string
}

/**
 * A finished run as it travels back: of the new state's memory only the pages the worker copied
 * (`copiedPages`, in that order); every other page is the start state's, which the pool has
 * (memory-image.ts, `imageWithCopied`).
 */
export type WorkerRunDone = Omit<RunDone, 'state'> & { state: SentState | null }

export type SentState = Omit<MachineState, 'memory'> & { memory: { pageCount: number; copied: Uint8Array[] } }

/**
 * The state a worker holds after a run, which the next request may name instead of send: the one
 * the run left, else the one it started from. The worker keeps that object, the pool its id.
 */
export function heldAfter<S extends { id: string }, L extends { id: string }>(
  start: S | null,
  left: L | null
): S | L | null {
  return left ?? start
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'output'; id: number; outputs: Output[]; replace: boolean; fuelConsumed: number }
  | WorkerRunDone
  | { type: 'failed'; id: number | null; message: string }

export type ToWorker = { type: 'init'; runtime: RuntimeSpec } | WorkerRunRequest
