/**
 * NotebookStore: one open .fuelbook file. Every method is synchronous (better-sqlite3) and every write is
 * one transaction, so what a method returned is what a crash leaves on disk. Writes on a read-only store
 * throw: the service checks `readOnly` first and shows the open-time notice instead.
 */
import fs from 'node:fs'
import path from 'node:path'
import type Database from 'better-sqlite3'
import BetterSqlite from 'better-sqlite3'
import type { Cell, CellId, NotebookSettings, NotebookSummary, RunRecord } from '../../shared/notebook'
import { CellTable } from './cell-table'
import { q } from './file-checks'
import { KernelHead } from './kernel-head'
import { PackageTable, type NewPackage, type PackageBytecode } from './package-table'
import type { PackageInfo } from '../../shared/packages'
import { sqliteOptions } from './native-binding'
import { isDiskFull, lackOfRoom } from './disk-space'
import { outputSize } from '../../shared/output-model'
import { encodeFuelProfile } from '../../shared/fuel-profile'
import { createDatabase, openDatabase, removeQuietly, tempSibling } from './open-database'
import { registerOpenNotebook, unregisterOpenNotebook } from './open-notebooks'
import { RunHistory } from './run-history'
import type { Result } from '../../shared/result'
import type { CellPatch, CreateOptions, HeadSnapshot, LoadedNotebook, RunSummary } from './types'

interface NotebookRow {
  title: string
  created_at: number
  modified_at: number
  fuel_limit: number
  memory_limit_bytes: number
  timeout_ms: number
  output_limit_bytes: number
  fs_quota_bytes: number
  deterministic: number
  next_execution_count: number
  session_fuel: number
}

/** Commits at least this large first empty the -wal (a checkpoint: one fsync), see shrinkWal. */
const LARGE_COMMIT_BYTES = 4 * 1024 * 1024

export class NotebookStore {
  readonly path: string
  readonly readOnly: boolean
  readonly notices: string[]
  private readonly db: Database.Database
  private readonly cells: CellTable
  private readonly runs: RunHistory
  private readonly head: KernelHead
  private readonly packageTable: PackageTable
  private readonly notebookRow: Database.Statement<[], NotebookRow>
  private readonly touch: Database.Statement<[number]>
  private readonly setTitleRow: Database.Statement<[string, number]>
  private readonly setSettingsRow: Database.Statement
  private readonly setNextExecutionCount: Database.Statement<[number]>
  private readonly addSessionFuel: Database.Statement<[number]>
  private readonly clearSession: Database.Statement<[]>
  private readonly summaryRow: Database.Statement<
    [],
    { title: string; modifiedAt: number; cellCount: number }
  >
  private closed = false

  private constructor(db: Database.Database, file: string, readOnly: boolean, notices: string[]) {
    this.db = db
    this.path = file
    this.readOnly = readOnly
    this.notices = notices
    this.cells = new CellTable(db)
    this.runs = new RunHistory(db)
    this.head = new KernelHead(db)
    this.packageTable = new PackageTable(db)
    this.notebookRow = db.prepare('SELECT * FROM notebook WHERE id = 1')
    this.touch = db.prepare('UPDATE notebook SET modified_at = ? WHERE id = 1')
    this.setTitleRow = db.prepare('UPDATE notebook SET title = ?, modified_at = ? WHERE id = 1')
    this.setSettingsRow =
      db.prepare(`UPDATE notebook SET fuel_limit = @fuel, memory_limit_bytes = @memoryBytes,
      timeout_ms = @timeoutMs, output_limit_bytes = @outputBytes, fs_quota_bytes = @fsBytes,
      deterministic = @deterministic,
      modified_at = @now WHERE id = 1`)
    this.setNextExecutionCount = db.prepare('UPDATE notebook SET next_execution_count = ? WHERE id = 1')
    this.addSessionFuel = db.prepare('UPDATE notebook SET session_fuel = session_fuel + ? WHERE id = 1')
    this.clearSession = db.prepare(
      'UPDATE notebook SET session_fuel = 0, next_execution_count = 1 WHERE id = 1'
    )
    this.summaryRow = db.prepare(
      'SELECT title, modified_at AS modifiedAt, (SELECT count(*) FROM cells) AS cellCount FROM notebook WHERE id = 1'
    )
    registerOpenNotebook(file, this)
  }

  /** Creates a new notebook file (never overwriting one) and opens it. */
  static create(file: string, init: CreateOptions): Result<NotebookStore> {
    const created = createDatabase(file, init)
    if (!created.ok) return created
    return NotebookStore.open(created.value)
  }

  /** Opens a notebook; every refusal is a message naming the file and what to do, with its bytes untouched. */
  static open(file: string): Result<NotebookStore> {
    const opened = openDatabase(file)
    if (!opened.ok) return opened
    const { db, path: abs, readOnly, notices } = opened.value
    return { ok: true, value: new NotebookStore(db, abs, readOnly, notices) }
  }

  load(): LoadedNotebook {
    return this.db.transaction(() => {
      const nb = this.notebookRow.get()!
      const head = this.head.info()
      return {
        title: nb.title,
        createdAt: nb.created_at,
        modifiedAt: nb.modified_at,
        settings: toSettings(nb),
        cells: this.cells.list(),
        lastRuns: this.runs.lastRuns(),
        head: {
          cellId: head?.cell_id ?? null,
          executionCount: head?.execution_count ?? null,
          nextExecutionCount: nb.next_execution_count,
          pageCount: head?.page_count ?? null
        }
      }
    })()
  }

  /** What the recents list shows. */
  summary(): NotebookSummary {
    return { path: this.path, ...this.summaryRow.get()! }
  }

  /** The settings alone: cheap, unlike load(), which reads every cell and last run. */
  getSettings(): NotebookSettings {
    return toSettings(this.notebookRow.get()!)
  }

  setTitle(title: string): void {
    this.write(() => this.setTitleRow.run(title, Date.now()))
  }

  setSettings(s: NotebookSettings): void {
    this.write(() =>
      this.setSettingsRow.run({
        ...s.limits,
        deterministic: s.deterministic ? 1 : 0,
        now: Date.now()
      })
    )
  }

  listCells(): Cell[] {
    return this.cells.list()
  }

  /** One cell, without reading the others (the run queue needs only the cell it runs). */
  getCell(id: CellId): Cell | null {
    return this.cells.get(id)?.cell ?? null
  }

  insertCell(cell: Cell, index: number): void {
    this.write(() => this.cells.insert(cell, index))
  }

  updateCell(id: CellId, patch: CellPatch): Cell {
    return this.write(() => this.cells.update(id, patch))
  }

  deleteCell(id: CellId): { cell: Cell; index: number } {
    return this.write(() => this.cells.delete(id))
  }

  moveCell(id: CellId, toIndex: number): void {
    this.write(() => this.cells.move(id, toIndex))
  }

  /**
   * Stores a finished run in one transaction: the run, its outputs (capped at the notebook's output limit),
   * pruning of the cell's old outputs, the new head when the run moved it, and the next execution count.
   */
  commitRun(
    run: Omit<RunRecord, 'id'>,
    head?: { snapshot: HeadSnapshot['snapshot']; cellId: CellId; executionCount: number | null } | null,
    /** False for runs that did not run in this kernel (imported from a file): no session fuel. */
    { ranInKernel = true }: { ranInKernel?: boolean } = {}
  ): RunRecord {
    const cap = this.notebookRow.get()!.output_limit_bytes
    const bytes =
      (head ? this.head.bytesToWrite(head.snapshot) : 0) +
      Math.min(
        cap,
        run.outputs.reduce((sum, output) => sum + outputSize(output), 0)
      ) +
      (run.profile === null ? 0 : encodeFuelProfile(run.profile).length)
    const noRoom = lackOfRoom(this.path, bytes)
    if (noRoom !== null) throw new Error(noRoom)
    // An empty -wal before a large commit: if the disk fills up anyway, what the failed commit appended
    // is all the -wal holds, and shrinkWal gives it back.
    if (bytes >= LARGE_COMMIT_BYTES) this.shrinkWal()
    return this.write((now) => {
      if (!this.cells.has(run.cellId)) {
        throw new Error(`cell ${run.cellId} is no longer in ${q(this.path)}: its run result was not saved`)
      }
      const stored = this.runs.insert(run, cap)
      if (head) this.head.save(head, now)
      // The service numbers runs; the file remembers what it will hand out next (isolated runs have no [n]).
      if (run.executionCount !== null) this.setNextExecutionCount.run(run.executionCount + 1)
      if (ranInKernel) this.addSessionFuel.run(run.fuelConsumed)
      return stored
    })
  }

  listRuns(cellId: CellId): RunSummary[] {
    return this.runs.list(cellId)
  }

  getRun(runId: number): RunRecord | null {
    return this.runs.get(runId)
  }

  /** See RunHistory.clearOutputs: outputs of all runs of those cells are deleted, stats kept. */
  clearOutputs(cellIds?: CellId[]): void {
    this.write(() => this.runs.clearOutputs(cellIds))
  }

  /** Fuel of every run committed since the kernel was last restarted (`restartKernel`). */
  sessionFuel(): number {
    return this.notebookRow.get()!.session_fuel
  }

  /**
   * A new kernel session: pristine head, `[n]` from 1 again and no session fuel, in one transaction
   * ("restart kernel", or a saved head that could not be restored).
   */
  restartKernel(): void {
    this.write((now) => {
      this.head.save(null, now)
      this.clearSession.run()
    })
  }

  /** Replaces the kernel head; null = pristine kernel. The `[n]` counter is not touched. */
  saveHead(head: HeadSnapshot | null): void {
    this.write((now) => {
      this.head.save(head, now)
    })
  }

  /** The wheels the notebook carries, without their bytes. */
  listPackages(): PackageInfo[] {
    return this.packageTable.list()
  }

  /** One stored wheel's bytes, exactly as installed. */
  packageWheel(name: string): Uint8Array | null {
    return this.packageTable.wheel(name)
  }

  /** Adds or replaces (same name) wheels and removes others, in one transaction. */
  changePackages(change: { put: NewPackage[]; remove: string[] }): void {
    this.write((now) => {
      this.packageTable.remove(change.remove)
      this.packageTable.put(change.put, now)
      this.packageTable.dropUnusedBytecode()
    })
  }

  /** A stored wheel's bytecode cache made by `runtime`, if the file holds one. */
  packageBytecode(wheelSha256: string, runtime: string): PackageBytecode | null {
    return this.packageTable.bytecode(wheelSha256, runtime)
  }

  /** Bytes of the bytecode caches the file holds, by wheel sha256. */
  packageBytecodeBytes(): Map<string, number> {
    return this.packageTable.bytecodeBytes()
  }

  /** Stores a wheel's bytecode cache for its runtime (replacing any other runtime's). */
  putPackageBytecode(bytecode: PackageBytecode): void {
    this.write((now) => {
      this.packageTable.putBytecode(bytecode, now)
      // The wheel may have been removed while it compiled.
      this.packageTable.dropUnusedBytecode()
    })
  }

  /** Hashes of the blobs (pages, file chunks) the stored head holds: an exported head need not carry them. */
  storedHeadHashes(): Set<string> {
    return this.db.transaction(() => this.head.storedHashes())()
  }

  loadHead(): HeadSnapshot | null {
    return this.db.transaction(() => this.head.load())()
  }

  /**
   * Copies the notebook to `newPath` through SQLite's online backup (consistent even while edits continue),
   * into a temporary file that is renamed into place, so `newPath` is never half-written. Replaces an
   * existing file there (the save dialog has asked), but never the notebook itself.
   */
  async saveAs(newPath: string): Promise<Result<void>> {
    const target = path.resolve(newPath)
    if (isSameFile(target, this.path)) {
      return { ok: false, error: `${q(target)} is this notebook itself. Choose another name to save a copy.` }
    }
    const dir = path.dirname(target)
    if (!fs.existsSync(dir))
      return { ok: false, error: `The folder ${q(dir)} does not exist. Choose another place.` }
    const tmp = tempSibling(target, 'saving')
    try {
      // 1024 pages (16 MiB) per event-loop turn instead of the default 100: 50 MB in a few turns, each short.
      await this.db.backup(tmp, { progress: () => 1024 })
      // The copy inherits the WAL flag from page 1; a notebook at rest is a single rollback-journal file.
      const copy = new BetterSqlite(tmp, sqliteOptions({}))
      try {
        copy.pragma('journal_mode = DELETE')
      } finally {
        copy.close()
      }
      fs.renameSync(tmp, target)
      return { ok: true, value: undefined }
    } catch (e) {
      const code = (e as { code?: string }).code
      const why =
        code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'SQLITE_CANTOPEN'
          ? 'the folder is not writable'
          : code === 'ENOSPC' || code === 'SQLITE_FULL'
            ? 'the disk is full'
            : (e as Error).message
      return {
        ok: false,
        error: `Could not save a copy as ${q(target)}: ${why}. Choose another place, or free some space.`
      }
    } finally {
      removeQuietly(tmp)
    }
  }

  /** Drops unreferenced kernel pages and rebuilds the file to give free pages back to the disk. */
  vacuum(): void {
    this.assertWritable()
    this.write(() => this.head.collectGarbage())
    this.db.exec('VACUUM')
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    unregisterOpenNotebook(this.path, this)
    if (!this.readOnly) {
      try {
        // Leaving WAL checkpoints everything and deletes the -wal. (An explicit wal_checkpoint first would
        // fail with SQLITE_LOCKED in exclusive mode when nothing has touched the WAL since the open.)
        this.db.pragma('journal_mode = DELETE')
        // A -shm left by a read-only viewer after a crash: nobody else can be using it while we hold the lock.
        fs.rmSync(`${this.path}-shm`, { force: true })
      } catch {
        // Still consistent: the next open replays the WAL. Nothing a user could do about it here.
      }
    }
    this.db.close()
  }

  /**
   * Runs several store calls as one transaction (an .ipynb import, a multi-cell paste): all or nothing,
   * and one commit instead of one per call. Calls inside become savepoints.
   */
  batch<T>(fn: () => T): T {
    return this.write(() => fn())
  }

  /** Runs `fn` in one write transaction; stamps modified_at. Cached state is dropped if it rolls back. */
  private write<T>(fn: (now: number) => T): T {
    this.assertWritable()
    try {
      return this.db.transaction(() => {
        const now = Date.now()
        const result = fn(now)
        this.touch.run(now)
        return result
      })()
    } catch (e) {
      this.head.invalidate()
      if (isDiskFull(e)) this.shrinkWal()
      throw e
    }
  }

  /**
   * Folds the -wal into the file and truncates it to nothing. After a commit failed on a full disk this
   * gives back the space its rolled-back frames still take; when the checkpoint itself finds no room
   * the -wal stays (consistent: the next open replays its committed frames).
   */
  private shrinkWal(): void {
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)')
    } catch {
      // SQLITE_LOCKED when nothing touched the -wal since the open (exclusive mode), or still no room.
    }
  }

  private assertWritable(): void {
    if (this.closed) throw new Error(`${q(this.path)} is closed`)
    if (this.readOnly)
      throw new Error(`${q(this.path)} is read-only: changes cannot be saved. Use Save As… first.`)
  }
}

function toSettings(nb: NotebookRow): NotebookSettings {
  return {
    limits: {
      fuel: nb.fuel_limit,
      memoryBytes: nb.memory_limit_bytes,
      timeoutMs: nb.timeout_ms,
      outputBytes: nb.output_limit_bytes,
      fsBytes: nb.fs_quota_bytes
    },
    deterministic: nb.deterministic === 1
  }
}

function isSameFile(a: string, b: string): boolean {
  if (a === b) return true
  try {
    const sa = fs.statSync(a)
    const sb = fs.statSync(b)
    return sa.dev === sb.dev && sa.ino === sb.ino
  } catch {
    return false
  }
}
