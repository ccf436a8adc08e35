/**
 * The kernel as the service sees it: a chain of snapshots behind a small interface (docs/architecture.md).
 * Every method returns normally; a killed run is a status, not an exception.
 */
import type { Completion, Inspection, Variable } from '../../shared/api'
import type { FuelProfile } from '../../shared/fuel-profile'
import type { Limits, Output, RunStats, RunStatus } from '../../shared/notebook'
import type { Result } from '../../shared/result'
import type { PersistedSnapshot } from '../../shared/snapshot'
import type { MountedWheel } from '../sandbox/wasi/fs-image'

export interface RunProgress {
  fuelConsumed: number
  elapsedMs: number
}

export interface KernelRunOptions {
  limits: Limits
  /** Run from the pristine state S0 and never move the head. */
  isolated?: boolean
  /**
   * Run from the head (S0 when `isolated`) but never move it: a trial whose state is thrown away
   * (the service's profile with a budget).
   */
  keepHead?: boolean
  /** Fixed seeds and virtual clock for this run. */
  deterministic?: boolean
  /** `[n]` of the run's execute_result outputs (the notebook session counts); default none. */
  executionCount?: number | null
  /**
   * Output chunks as they are produced (already merged and capped). `replace`: the cell called
   * clear_output, so these outputs replace everything shown for this run so far.
   */
  onOutput?: (outputs: Output[], replace: boolean) => void
  /** About ten times a second while the cell runs. */
  onProgress?: (progress: RunProgress) => void
  /**
   * Run under the fuel profiler: `profile` in the result. `limits.fuel` is then the profiled
   * code's budget (the profiler's own fuel is not counted against it).
   */
  profile?: boolean
}

export interface KernelRunResult extends RunStats {
  status: RunStatus
  exitCode: number | null
  /** All outputs of the run, in order, capped at limits.outputBytes (then a `truncated` marker). */
  outputs: Output[]
  /** One readable line for killed runs ("out of fuel after 400 M"), null otherwise. */
  message: string | null
  /** True when this run moved the head (a normal, non-isolated run). */
  headAdvanced: boolean
  /**
   * The cell completed but left the interpreter unable to run another cell (status `crashed`):
   * the head stays where it was before the cell.
   */
  brokeInterpreter: boolean
  /** Size of the head snapshot after the run, in bytes of linear memory. */
  snapshotBytes: number
  /**
   * Where the fuel went, for a run asked with `profile` (null otherwise, or when the run ended
   * before the driver could send it: killed, or out of fuel inside one long call).
   */
  profile: FuelProfile | null
}

export interface Kernel {
  /** Runs one cell. Calls are serialised: a second call waits for the first. */
  run(code: string, options: KernelRunOptions): Promise<KernelRunResult>
  /** Kills the running cell (status `interrupted`, head unchanged). No-op when idle. */
  interrupt(): void
  /** head := S0. */
  restart(): void
  /** The head's user globals, from an inspect run that never moves the head. */
  variables(): Promise<Variable[]>
  complete(code: string, cursor: number): Promise<Completion>
  /** The signature and docstring of the name at `cursor` (an inspect run: the head stays). */
  inspect(code: string, cursor: number, full: boolean): Promise<Inspection>
  /**
   * The head as pages that differ from S0, for the store; null when the head is S0. File chunks
   * whose hash is in `stored` (what the store's file already holds) come without their bytes.
   */
  exportHead(stored?: ReadonlySet<string>): Promise<PersistedSnapshot | null>
  /** The head as it is now has been stored: revertToStoredHead() comes back to it. */
  acceptHead(): void
  /** Saving the last run failed: the head goes back to the one last accepted (or imported, or S0). */
  revertToStoredHead(): void
  /** Restores a saved head; refuses one from another runtime or format with a reason. */
  importHead(snapshot: PersistedSnapshot): Promise<Result<null>>
  /**
   * The notebook's stored wheels, mounted read-only and on sys.path in every later run (isolated
   * ones too) and inspect call; they are not part of the snapshot (src/main/packages/README.md).
   */
  setPackages(wheels: MountedWheel[]): void
  /**
   * Compiles every module of `wheel` with the sandbox's own compiler, for its bytecode cache
   * (src/main/packages/README.md, "Bytecode cache"): isolated runs from S0 on a budget of their
   * own, never a cell's. Throws if the runtime cannot.
   */
  compileWheel(wheel: MountedWheel): Promise<CompiledWheel>
  /** Linear memory of the head, in bytes. */
  readonly headMemoryBytes: number
  dispose(): Promise<void>
}

/** Creates kernels sharing one worker pool and one compiled runtime. */
export interface KernelHost {
  createKernel(): Kernel
  /** sha256 of the runtime: snapshots are only valid for the runtime they were taken with. */
  readonly runtimeHash: string
  readonly pythonVersion: string
  close(): Promise<void>
}

/** The modules of a wheel as the sandbox compiled them (src/main/packages/bytecode.ts lays them out). */
export interface CompiledWheel {
  /** In the wheel's name order: path in the wheel, CRC-32 of the source and of the .pyc, the .pyc. */
  entries: { path: string; sourceCrc: number; pycCrc: number; pyc: Uint8Array }[]
  /** Modules that do not compile (SyntaxError: py2-only files): left to fail on import as they would. */
  skipped: string[]
}
