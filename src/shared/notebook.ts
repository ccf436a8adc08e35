/**
 * The notebook model as plain JSON types, shared by the main process, the preload and the renderer.
 * Types only: this folder imports nothing and holds no behaviour beyond type guards.
 * Shapes follow nbformat 4 where a Jupyter user would expect them (outputs are MIME bundles).
 */
import type { FuelProfile } from './fuel-profile'
import type { PackageInfo } from './packages'

export type CellId = string
export type CellType = 'code' | 'markdown' | 'raw'

/** How a run ended. Every status is a normal result, never an exception escaping to the UI. */
export type RunStatus =
  'ok' | 'error' | 'exit' | 'out_of_fuel' | 'out_of_memory' | 'timeout' | 'interrupted' | 'crashed'

export const RUN_STATUSES: readonly RunStatus[] = [
  'ok',
  'error',
  'exit',
  'out_of_fuel',
  'out_of_memory',
  'timeout',
  'interrupted',
  'crashed'
]

/** Statuses whose run was killed: the kernel head stays where it was (docs/architecture.md, the snapshot chain). */
export function isKilledStatus(status: RunStatus): boolean {
  return status !== 'ok' && status !== 'error' && status !== 'exit'
}

/**
 * False for runs imported from a Jupyter notebook, which carry no measurements: a run here always
 * has a fuel budget. Such runs read "imported from Jupyter" until the cell runs in Fuelbook.
 */
export function wasMeasured(run: RunStats): boolean {
  return run.fuelBudget > 0 || run.fuelConsumed > 0 || run.memoryPages > 0 || run.wallMs > 0
}

/** Per-run caps. Fuel is a count of executed wasm operators (wasmtime's cost model). */
export interface Limits {
  fuel: number
  memoryBytes: number
  timeoutMs: number
  /** Bytes of output kept per run; the rest is dropped and a `truncated` marker output added. */
  outputBytes: number
  /** Size of the sandbox's file system (all files' logical sizes); writes past it fail with ENOSPC. */
  fsBytes: number
}

export interface NotebookSettings {
  limits: Limits
  /** Fixed seeds and a virtual clock: the same cell from the same head gives identical output and fuel. */
  deterministic: boolean
}

/** A MIME bundle as in nbformat: text values are strings, application/json is any JSON value. */
export type MimeBundle = Record<string, unknown>

export interface StreamOutput {
  type: 'stream'
  name: 'stdout' | 'stderr'
  text: string
}

export interface DisplayDataOutput {
  type: 'display_data'
  data: MimeBundle
  metadata: Record<string, unknown>
}

export interface ExecuteResultOutput {
  type: 'execute_result'
  data: MimeBundle
  metadata: Record<string, unknown>
  executionCount: number | null
}

export interface ErrorOutput {
  type: 'error'
  ename: string
  evalue: string
  traceback: string[]
  /** Line in the cell's own source where the error was raised, when known (1-based). */
  lineno?: number | null
}

/** Marks where a run's output hit the output cap. */
export interface TruncatedOutput {
  type: 'truncated'
  droppedBytes: number
  /** Outputs dropped whole (absent in files written before it was counted). */
  droppedOutputs?: number
}

export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput | TruncatedOutput

/** The measured cost of one run, as `fuelbook exec` reports it: fuel, memory, time. */
export interface RunCost {
  fuelConsumed: number
  fuelBudget: number
  /** Linear memory size at the end of the run in 64 KiB pages (`fuelbook exec`'s "mem size pages"). */
  memoryPages: number
  /** Linear memory size in bytes (`fuelbook exec`'s "data length"). */
  memoryBytes: number
  peakMemoryBytes: number
  wallMs: number
}

/**
 * The cost figures of any run result or record, copied field by field in one order (the kernel's
 * result, the stored row, the library's result and the .ipynb metadata all carry them so).
 */
export function runCostOf(run: RunCost): RunCost {
  return {
    fuelConsumed: run.fuelConsumed,
    fuelBudget: run.fuelBudget,
    memoryPages: run.memoryPages,
    memoryBytes: run.memoryBytes,
    peakMemoryBytes: run.peakMemoryBytes,
    wallMs: run.wallMs
  }
}

/** A run's cost and what it left in the file system. */
export interface RunStats extends RunCost {
  /** The sandbox file system's size at the end of the run (absent or null: not recorded, as in older files). */
  fsBytes?: number | null
}

export interface RunRecord extends RunStats {
  id: number
  cellId: CellId
  /** `[n]` as in Jupyter; null for isolated runs, which do not count. */
  executionCount: number | null
  source: string
  startedAt: number
  finishedAt: number
  status: RunStatus
  exitCode: number | null
  /** Short readable message for killed runs ("out of fuel after 400 M"). */
  message: string | null
  isolated: boolean
  outputs: Output[]
  /**
   * Where the run's fuel went, per line and per function: set for a run asked with a profile
   * (`runCells(…, { profile: true })`) or a `%%fuelprof` cell, else null. Kept with the run's
   * outputs (dropped when they are pruned or cleared).
   */
  profile: FuelProfile | null
}

export interface Cell {
  id: CellId
  type: CellType
  source: string
  /** Free-form metadata, kept through .ipynb round trips (collapsed flags live here). */
  metadata: Record<string, unknown>
  /** Runs from the pristine kernel and never moves the head. */
  isolated: boolean
}

/** Where the kernel state (the head snapshot) comes from. */
export interface KernelInfo {
  /** Cell whose successful run produced the head, or null for a fresh kernel. */
  headCellId: CellId | null
  headExecutionCount: number | null
  /** Next `[n]`. */
  nextExecutionCount: number
  /** Size of the head's linear memory in bytes. */
  memoryBytes: number
  /**
   * "Fuel this session": every run's fuel since the kernel was last restarted (killed and isolated
   * runs included), kept in the file, so Save As, a reload and a reopen show the same figure.
   */
  sessionFuel: number
  /** Set when a saved head could not be restored (e.g. another runtime version). */
  notice: string | null
}

export interface NotebookSummary {
  path: string
  title: string
  modifiedAt: number
  cellCount: number
}

export interface NotebookDocument {
  /** Absolute path of the .fuelbook file: the notebook's identity. */
  path: string
  title: string
  createdAt: number
  modifiedAt: number
  /** True while the file lives in the app's data folder and was never saved under a name. */
  untitled: boolean
  readOnly: boolean
  settings: NotebookSettings
  cells: Cell[]
  /** The latest run of each cell that has one. */
  lastRuns: Record<CellId, RunRecord>
  kernel: KernelInfo
  /** Messages to show once when the notebook opens (read-only, dropped kernel state…). */
  notices: string[]
  /** The wheels the notebook carries, in name order (src/main/packages/README.md). */
  packages: PackageInfo[]
}
