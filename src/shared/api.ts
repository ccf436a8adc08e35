/**
 * NotebookApi: every operation the UI needs, in one interface. Requests and responses are plain JSON so
 * the same interface travels over Electron IPC (preload bridge) and over the browser-mode WebSocket.
 * One definition: the service implements it, the transports forward it by method name, the renderer
 * calls it. Errors a user can act on come back as `{ ok: false, error }`, never as thrown exceptions.
 */
import type {
  Cell,
  CellId,
  CellType,
  KernelInfo,
  Limits,
  NotebookDocument,
  NotebookSettings,
  NotebookSummary,
  Output,
  RunRecord,
  RunStatus
} from './notebook'
import type { FuelProfile } from './fuel-profile'
import type { AppSettings } from './app-settings'
import type { PackageInfo } from './packages'
import type { Result } from './result'

export type { PackageInfo }

export type { Result } from './result'

export interface AppInfo {
  version: string
  /** 'electron' for the desktop shell, 'browser' for `fuelbook serve`. */
  shell: 'electron' | 'browser'
  platform: string
  /** Where untitled notebooks, recents and settings live. */
  dataDir: string
  /**
   * Where text/html outputs' frame document is served (src/shared/output-frame.ts): browser mode's
   * second port, the desktop shell's frame protocol; null where there is no UI.
   */
  outputFrameUrl: string | null
  runtime: { python: string; sha256: string } | null
}

export type { AppSettings } from './app-settings'

/** The fields of a cell an edit may change (the service's updateCell and the store's). */
export type CellPatch = Partial<Pick<Cell, 'source' | 'type' | 'metadata' | 'isolated'>>

export interface NewCell {
  /** Position in the notebook; omitted = append. */
  index?: number
  type: CellType
  source?: string
  metadata?: Record<string, unknown>
}

export interface Variable {
  name: string
  type: string
  /** len() or byte size where that means something. */
  size: number | null
  repr: string
}

export interface Completion {
  matches: string[]
  /** Code-unit offsets in the source of the text the matches replace. */
  from: number
  to: number
}

/** What the kernel knows about the name at the cursor (the Shift+Tab inspector). */
export interface Inspection {
  /** The name at the cursor, else of the call the cursor is in; '' when there is neither. */
  name: string
  /** IPython's `obj?` text (signature, docstring, file, type); null when the kernel has no such name. */
  text: string | null
  /** `text` holds only the first lines; ask again with `full` for all of it. */
  truncated: boolean
}

export type ExportFormat = 'html' | 'ipynb'

export interface ExportOptions {
  hideCode?: boolean
  hideStats?: boolean
  outputsOnly?: boolean
}

export interface ExportedFile {
  filename: string
  mimeType: string
  content: string
}

export interface RunSummary {
  id: number
  executionCount: number | null
  status: RunRecord['status']
  fuelConsumed: number
  fuelBudget: number
  wallMs: number
  startedAt: number
  isolated: boolean
}

/** Choices for one runCells call only: nothing here is saved with the notebook. */
export interface RunCellsOptions {
  /** Limits for these runs, over the notebook's saved ones (`fuelbook run --fuel N`). */
  limits?: Partial<Limits>
  /**
   * Run under the fuel profiler: each run's record carries its `profile` (kept in the file). The
   * fuel limit is then the profiled code's own budget (runtime/README.md, "Fuel profile").
   */
  profile?: boolean
  /** A run that does not end `ok` cancels the runs queued after it (`fuelbook run` without --allow-errors). */
  stopOnError?: boolean
}

/**
 * A cell profiled with a fuel budget of its own ("profile with a budget of N" after it ran out of
 * fuel): a re-run from the kernel's current head (from the pristine state for an isolated cell) that
 * never moves the head and is not stored as one of the cell's runs.
 */
export interface BudgetProfile {
  cellId: CellId
  /** The source that was profiled: the cell's at the time of the call. */
  source: string
  status: RunStatus
  /** One readable line for a run that was stopped, else null. */
  message: string | null
  /** The profiled code's fuel (the profiler's own left out). */
  fuelConsumed: number
  fuelBudget: number
  wallMs: number
  /**
   * Null when the run ended before the profiler could send it (timeout, interrupted, crashed, or the
   * budget spent inside one long C call); `budgetReached` says the budget stopped the code.
   */
  profile: FuelProfile | null
}

export interface NotebookApi {
  getAppInfo(): Promise<AppInfo>
  getAppSettings(): Promise<AppSettings>
  /** Changes the given preferences, keeps the others; returns all of them as stored. */
  setAppSettings(settings: Partial<AppSettings>): Promise<Result<AppSettings>>
  listRecent(): Promise<NotebookSummary[]>

  /** A new "Untitled" notebook in the app's data folder, with one empty code cell. */
  createNotebook(): Promise<Result<NotebookDocument>>
  openNotebook(path: string): Promise<Result<NotebookDocument>>
  /** Copies the notebook to `newPath` and continues there; the returned document has the new path. */
  saveNotebookAs(path: string, newPath: string): Promise<Result<NotebookDocument>>
  closeNotebook(path: string): Promise<Result<null>>
  /** Renames the notebook (not its file); an empty title is the file's name again. Returns the title kept. */
  setTitle(path: string, title: string): Promise<Result<string>>
  setSettings(path: string, settings: NotebookSettings): Promise<Result<NotebookSettings>>

  insertCell(path: string, cell: NewCell): Promise<Result<Cell>>
  updateCell(path: string, cellId: CellId, patch: CellPatch): Promise<Result<Cell>>
  deleteCell(path: string, cellId: CellId): Promise<Result<{ cell: Cell; index: number }>>
  moveCell(path: string, cellId: CellId, toIndex: number): Promise<Result<null>>

  /** Queues the cells in order; progress and results arrive as events. */
  runCells(path: string, cellIds: CellId[], options?: RunCellsOptions): Promise<Result<{ queued: CellId[] }>>
  /**
   * Profiles a code cell with a fuel budget of `fuel` (a BudgetProfile re-run: the head, the cell's
   * runs and outputs and "fuel this session" stay as they are). It runs once the cell running now
   * ends, before the rest of the queue; `interrupt` stops it.
   */
  profileWithBudget(path: string, cellId: CellId, fuel: number): Promise<Result<BudgetProfile>>
  /** Kills the running cell (its state is rolled back) and empties the queue. */
  interrupt(path: string): Promise<Result<null>>
  /** head := pristine interpreter; outputs are kept. */
  restartKernel(path: string): Promise<Result<KernelInfo>>
  clearOutputs(path: string, cellIds?: CellId[]): Promise<Result<null>>
  listRuns(path: string, cellId: CellId): Promise<Result<RunSummary[]>>
  getRun(path: string, runId: number): Promise<Result<RunRecord>>
  variables(path: string): Promise<Result<Variable[]>>
  complete(path: string, code: string, cursor: number): Promise<Result<Completion>>
  /** The signature and docstring of the name at the cursor, from the kernel's head (never moves it). */
  inspect(path: string, code: string, cursor: number, full: boolean): Promise<Result<Inspection>>

  exportNotebook(path: string, format: ExportFormat, options?: ExportOptions): Promise<Result<ExportedFile>>
  /** Creates a new .fuelbook from .ipynb JSON text; nothing is written if the input is invalid. */
  importIpynb(content: string, name: string): Promise<Result<NotebookDocument>>

  /** The wheels the notebook carries (src/main/packages/README.md). */
  listPackages(path: string): Promise<Result<PackageInfo[]>>
  /**
   * `%pip install` arguments (requirements, .whl paths, --find-links…): resolves, downloads, verifies and
   * stores the wheels; `summary` is the line a `%pip install` cell prints. Nothing is stored on failure.
   */
  installPackages(path: string, args: string[]): Promise<Result<{ summary: string; packages: PackageInfo[] }>>
  /** Removes stored wheels by name; modules already imported stay loaded until the kernel restarts. */
  removePackages(path: string, names: string[]): Promise<Result<PackageInfo[]>>
}

export type ApiMethod = keyof NotebookApi

/** Pushed to every client viewing the notebook. */
export type NotebookEvent =
  | { type: 'runQueued'; path: string; cellIds: CellId[] }
  /** `fuelBudget`: this run's, the notebook's unless the run was given its own (`RunCellsOptions.limits`). */
  | { type: 'runStarted'; path: string; cellId: CellId; startedAt: number; fuelBudget: number }
  /** `replace`: the cell called clear_output; these outputs replace everything shown so far. */
  | { type: 'runOutput'; path: string; cellId: CellId; outputs: Output[]; replace: boolean }
  | { type: 'runProgress'; path: string; cellId: CellId; fuelConsumed: number; elapsedMs: number }
  | { type: 'runFinished'; path: string; run: RunRecord; kernel: KernelInfo }
  | {
      type: 'runCancelled'
      path: string
      cellIds: CellId[]
      /** The failed run that stopped the queue, as Jupyter stops at an error; null when an interrupt, a restart or a failed save emptied it. */
      after: { executionCount: number | null; status: RunStatus } | null
    }
  | { type: 'kernelChanged'; path: string; kernel: KernelInfo }
  | { type: 'notebookChanged'; path: string }
  | { type: 'packagesChanged'; path: string; packages: PackageInfo[] }
  /**
   * What an install is doing now (resolving, downloading, compiling a wheel's bytecode; the last also
   * before a run, for wheels stored without it); `null` when it ended, either way.
   */
  | { type: 'packagesProgress'; path: string; text: string | null }

export type EventListener = (event: NotebookEvent) => void

/** The renderer's view of the API: the calls plus an event subscription returning an unsubscribe. */
export interface NotebookClient extends NotebookApi {
  onEvent(listener: EventListener): () => void
}

/**
 * Every method name, at run time: the preload exposes these, the transports accept only these.
 * The `Exhaustive` check below fails to compile if a method is added to NotebookApi and not here.
 */
export const API_METHODS = [
  'getAppInfo',
  'getAppSettings',
  'setAppSettings',
  'listRecent',
  'createNotebook',
  'openNotebook',
  'saveNotebookAs',
  'closeNotebook',
  'setTitle',
  'setSettings',
  'insertCell',
  'updateCell',
  'deleteCell',
  'moveCell',
  'runCells',
  'profileWithBudget',
  'interrupt',
  'restartKernel',
  'clearOutputs',
  'listRuns',
  'getRun',
  'variables',
  'complete',
  'inspect',
  'exportNotebook',
  'importIpynb',
  'listPackages',
  'installPackages',
  'removePackages'
] as const satisfies readonly ApiMethod[]

type Exhaustive<T extends true> = T
export type ApiMethodsAreComplete = Exhaustive<
  Exclude<ApiMethod, (typeof API_METHODS)[number]> extends never ? true : false
>

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && (API_METHODS as readonly string[]).includes(name)
}
