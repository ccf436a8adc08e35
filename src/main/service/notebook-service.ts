/**
 * NotebookService implements NotebookApi for all three front doors (Electron IPC, browser mode, CLI).
 * It wires the store (files), the kernel host (Python) and the exporters; it owns no I/O details.
 */
import { randomUUID } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { basename, dirname, resolve } from 'node:path'
import type {
  AppInfo,
  AppSettings,
  BudgetProfile,
  CellPatch,
  Completion,
  Inspection,
  EventListener,
  ExportedFile,
  ExportFormat,
  ExportOptions,
  NewCell,
  NotebookClient,
  NotebookEvent,
  PackageInfo,
  Result,
  RunCellsOptions,
  RunSummary,
  Variable
} from '../../shared/api'
import type {
  Cell,
  CellId,
  KernelInfo,
  NotebookDocument,
  NotebookSettings,
  NotebookSummary,
  RunRecord
} from '../../shared/notebook'
import { errorMessage, fail, ok } from '../../shared/result'
import type { Kernel, KernelHost } from '../kernel/types'
import { damagedMessage, NotebookStore, type AppData, type HeadSnapshot } from '../store'
import { DEFAULT_SETTINGS } from './defaults'
import { Emitter } from './emitter'
import { createNotebookFromIpynb } from './notebook-files'
import { NotebookPackages } from './notebook-packages'
import { NotebookSession } from './notebook-session'
import type { NotebookExporter } from '../export/types'

export interface NotebookServiceOptions {
  appData: AppData
  kernelHost: KernelHost
  exporter: NotebookExporter
  shell: AppInfo['shell']
  version: string
  outputFrameUrl: string | null
}

/**
 * The title a notebook has until the user renames it: its file's name ("sales" for sales.fuelbook).
 * A stored title equal to it follows the file through Save As; any other is the user's and stays.
 */
function titleOfFile(path: string): string {
  return basename(path).replace(/\.fuelbook$/i, '')
}

/** The file's saved kernel head, or why it cannot be read back whole (a damaged file). */
function readHead(store: NotebookStore): Result<HeadSnapshot> | null {
  try {
    const head = store.loadHead()
    return head === null ? null : ok(head)
  } catch (error) {
    return fail(errorMessage(error))
  }
}

export class NotebookService implements NotebookClient {
  private readonly sessions = new Map<string, NotebookSession>()
  private readonly events = new Emitter<NotebookEvent>()

  constructor(private readonly options: NotebookServiceOptions) {}

  onEvent(listener: EventListener): () => void {
    return this.events.on(listener)
  }

  async getAppInfo(): Promise<AppInfo> {
    const host = this.options.kernelHost
    return {
      version: this.options.version,
      shell: this.options.shell,
      platform: process.platform,
      dataDir: this.options.appData.dir,
      outputFrameUrl: this.options.outputFrameUrl,
      runtime: { python: host.pythonVersion, sha256: host.runtimeHash }
    }
  }

  async getAppSettings(): Promise<AppSettings> {
    return this.options.appData.getSettings()
  }

  async setAppSettings(settings: Partial<AppSettings>): Promise<Result<AppSettings>> {
    return ok(this.options.appData.setSettings(settings))
  }

  async listRecent(): Promise<NotebookSummary[]> {
    return this.options.appData.listRecent()
  }

  /** Forgets every recent notebook (the shell's Open Recent › Clear Menu); the files stay. */
  clearRecent(): void {
    for (const notebook of this.options.appData.listRecent()) this.options.appData.removeRecent(notebook.path)
  }

  /** Whether the notebook lives in the app's data folder, never saved by the user under a name. */
  isUntitled(path: string): boolean {
    return this.options.appData.isUntitled(path)
  }

  async createNotebook(): Promise<Result<NotebookDocument>> {
    const path = this.options.appData.newUntitledPath()
    const created = NotebookStore.create(path, { title: titleOfFile(path), settings: DEFAULT_SETTINGS })
    if (!created.ok) return fail(created.error)
    created.value.insertCell({ id: randomUUID(), type: 'code', source: '', metadata: {}, isolated: false }, 0)
    return ok(await this.attach(created.value))
  }

  /**
   * `freshKernel`: open a writable notebook as Restart would leave it (pristine kernel, `[n]` from 1),
   * without reading its saved kernel state: `fuelbook run` restarts anyway, and restoring a head only
   * to drop it cost its start 0.2-0.5 s (64 pages of a notebook of trivial cells, decompressed and
   * checked). A notebook open already is left as it is.
   */
  async openNotebook(
    path: string,
    { freshKernel = false }: { freshKernel?: boolean } = {}
  ): Promise<Result<NotebookDocument>> {
    const absolute = resolve(path)
    const open = this.sessions.get(absolute)
    if (open) return ok(this.describe(open))
    const opened = NotebookStore.open(absolute)
    if (!opened.ok) return fail(opened.error)
    try {
      return ok(await this.attach(opened.value, freshKernel))
    } catch (error) {
      // Opening checks the file's structure, not every value: damage can still surface on the first read.
      opened.value.close()
      return fail(damagedMessage(absolute, errorMessage(error)))
    }
  }

  async saveNotebookAs(path: string, newPath: string): Promise<Result<NotebookDocument>> {
    const session = this.sessions.get(resolve(path))
    if (!session) return fail(`Notebook is not open: ${path}`)
    const target = resolve(newPath)
    if (session.busy)
      return fail('Wait for the running cells to finish (or interrupt them) before saving a copy.')
    const wasUntitled = this.options.appData.isUntitled(session.path)
    const title = session.store.summary().title
    // Older versions titled every new notebook "Untitled", whatever its file was called.
    const titleFollowsFile = title === titleOfFile(session.path) || (wasUntitled && title === 'Untitled')
    const saved = await session.store.saveAs(target)
    if (!saved.ok) return fail(saved.error)
    await this.closeNotebook(session.path)
    if (wasUntitled) await rm(session.path, { force: true })
    const opened = await this.openNotebook(target)
    if (!opened.ok || !titleFollowsFile || opened.value.readOnly) return opened
    // A title the user never changed is the file's name: "Untitled" becomes "sales" for sales.fuelbook.
    const renamed = await this.setTitle(target, titleOfFile(target))
    return renamed.ok ? ok({ ...opened.value, title: titleOfFile(target) }) : opened
  }

  async closeNotebook(path: string): Promise<Result<null>> {
    const session = this.sessions.get(resolve(path))
    if (!session) return ok(null)
    session.interrupt()
    await session.idle()
    this.sessions.delete(session.path)
    await session.kernel.dispose()
    session.store.close()
    return ok(null)
  }

  async setTitle(path: string, title: string): Promise<Result<string>> {
    return this.write(path, (s) => {
      const kept = title.trim() || titleOfFile(s.path)
      s.store.setTitle(kept)
      return kept
    })
  }

  async setSettings(path: string, settings: NotebookSettings): Promise<Result<NotebookSettings>> {
    return this.write(path, (s) => {
      s.store.setSettings(settings)
      return s.store.load().settings
    })
  }

  async insertCell(path: string, cell: NewCell): Promise<Result<Cell>> {
    return this.write(path, (s) => {
      const count = s.store.listCells().length
      const index = Math.min(cell.index ?? count, count)
      const created: Cell = {
        id: randomUUID(),
        type: cell.type,
        source: cell.source ?? '',
        metadata: cell.metadata ?? {},
        isolated: false
      }
      s.store.insertCell(created, index)
      return created
    })
  }

  async updateCell(path: string, cellId: CellId, patch: CellPatch): Promise<Result<Cell>> {
    return this.write(path, (s) => s.store.updateCell(cellId, patch))
  }

  async deleteCell(path: string, cellId: CellId): Promise<Result<{ cell: Cell; index: number }>> {
    return this.write(path, (s) => s.store.deleteCell(cellId))
  }

  async moveCell(path: string, cellId: CellId, toIndex: number): Promise<Result<null>> {
    return this.write(path, (s) => {
      s.store.moveCell(cellId, toIndex)
      return null
    })
  }

  async runCells(
    path: string,
    cellIds: CellId[],
    options: RunCellsOptions = {}
  ): Promise<Result<{ queued: CellId[] }>> {
    const session = this.sessions.get(resolve(path))
    if (!session) return fail(`Notebook is not open: ${path}`)
    return ok({
      queued: session.enqueue(cellIds, {
        limits: options.limits ?? {},
        profile: options.profile === true,
        stopOnError: options.stopOnError === true
      })
    })
  }

  async profileWithBudget(path: string, cellId: CellId, fuel: number): Promise<Result<BudgetProfile>> {
    const session = this.sessions.get(resolve(path))
    if (!session) return fail(`Notebook is not open: ${path}`)
    const cell = session.store.getCell(cellId)
    if (!cell) return fail('That cell is no longer in the notebook.')
    if (cell.type !== 'code') return fail('Only code cells can be profiled.')
    return ok(await session.profileWithBudget(cell, fuel))
  }

  async interrupt(path: string): Promise<Result<null>> {
    const session = this.sessions.get(resolve(path))
    if (!session) return fail(`Notebook is not open: ${path}`)
    session.interrupt()
    return ok(null)
  }

  async restartKernel(path: string): Promise<Result<KernelInfo>> {
    const session = this.sessions.get(resolve(path))
    if (!session) return fail(`Notebook is not open: ${path}`)
    return ok(session.restart())
  }

  async clearOutputs(path: string, cellIds?: CellId[]): Promise<Result<null>> {
    return this.write(path, (s) => {
      s.store.clearOutputs(cellIds)
      return null
    })
  }

  async listRuns(path: string, cellId: CellId): Promise<Result<RunSummary[]>> {
    return this.read(path, (s) => s.store.listRuns(cellId))
  }

  async getRun(path: string, runId: number): Promise<Result<RunRecord>> {
    const got = this.read(path, (s) => s.store.getRun(runId))
    if (!got.ok) return got
    return got.value ? ok(got.value) : fail(`No run ${runId} in this notebook.`)
  }

  async variables(path: string): Promise<Result<Variable[]>> {
    const session = this.sessions.get(resolve(path))
    if (!session) return fail(`Notebook is not open: ${path}`)
    return ok(await session.kernel.variables())
  }

  async complete(path: string, code: string, cursor: number): Promise<Result<Completion>> {
    const session = this.sessions.get(resolve(path))
    if (!session) return fail(`Notebook is not open: ${path}`)
    return ok(await session.kernel.complete(code, cursor))
  }

  async inspect(path: string, code: string, cursor: number, full: boolean): Promise<Result<Inspection>> {
    const session = this.sessions.get(resolve(path))
    if (!session) return fail(`Notebook is not open: ${path}`)
    return ok(await session.kernel.inspect(code, cursor, full))
  }

  async exportNotebook(
    path: string,
    format: ExportFormat,
    options?: ExportOptions
  ): Promise<Result<ExportedFile>> {
    const session = this.sessions.get(resolve(path))
    if (!session) return fail(`Notebook is not open: ${path}`)
    return this.options.exporter.export(session.document(), format, options ?? {})
  }

  async importIpynb(content: string, name: string): Promise<Result<NotebookDocument>> {
    const path = this.options.appData.newUntitledPath(name.replace(/\.ipynb$/i, ''))
    const imported = createNotebookFromIpynb(content, path, titleOfFile(path), this.options.exporter)
    if (!imported.ok) return fail(imported.error.message)
    return ok(await this.attach(imported.value.store))
  }

  async listPackages(path: string): Promise<Result<PackageInfo[]>> {
    return this.read(path, (s) => s.packages.list())
  }

  async installPackages(
    path: string,
    args: string[]
  ): Promise<Result<{ summary: string; packages: PackageInfo[] }>> {
    const session = this.sessions.get(resolve(path))
    if (!session) return fail(`Notebook is not open: ${path}`)
    const result = await session.exclusive(() => session.packages.installWords(args))
    if (!result.ok) return fail(result.error)
    return ok({ summary: result.value, packages: session.packages.list() })
  }

  async removePackages(path: string, names: string[]): Promise<Result<PackageInfo[]>> {
    const session = this.sessions.get(resolve(path))
    if (!session) return fail(`Notebook is not open: ${path}`)
    if (session.store.readOnly)
      return fail('This notebook is read-only. Use Save As… to keep a writable copy.')
    const result = await session.exclusive(async () => session.packages.remove(names))
    if (!result.ok) return fail(result.error)
    return ok(session.packages.list())
  }

  /** Closes every notebook (app quit). */
  async dispose(): Promise<void> {
    for (const path of [...this.sessions.keys()]) await this.closeNotebook(path)
  }

  private async attach(store: NotebookStore, freshKernel = false): Promise<NotebookDocument> {
    const kernel = this.options.kernelHost.createKernel()
    try {
      return await this.attachWith(store, kernel, freshKernel)
    } catch (error) {
      await kernel.dispose()
      throw error
    }
  }

  private async attachWith(
    store: NotebookStore,
    kernel: Kernel,
    freshKernel: boolean
  ): Promise<NotebookDocument> {
    let dropped: string | null = null
    // A read-only file cannot be restarted: it opens with its saved head as usual.
    const fresh = freshKernel && !store.readOnly
    if (fresh) store.restartKernel()
    const head = fresh ? null : readHead(store)
    if (head) {
      const imported = head.ok ? await kernel.importHead(head.value.snapshot) : head
      if (!imported.ok) {
        // A head from another runtime, or one the file no longer holds whole, cannot be restored:
        // start fresh, say so, and keep the file consistent with the kernel (its cells and
        // outputs are untouched).
        dropped = `Variables from the last session were not restored (${imported.error}). Run the cells again.`
        if (!store.readOnly) store.restartKernel()
      }
    }
    const packages = new NotebookPackages(
      store,
      kernel,
      () => this.options.appData.getSettings(),
      (list) => this.events.fire({ type: 'packagesChanged', path: store.path, packages: list }),
      (text) => this.events.fire({ type: 'packagesProgress', path: store.path, text }),
      dirname(store.path),
      this.options.kernelHost.runtimeHash
    )
    const session = new NotebookSession(store, kernel, packages, (e) => this.events.fire(e), dropped)
    this.sessions.set(store.path, session)
    this.options.appData.addRecent(store.path)
    return this.describe(session)
  }

  private describe(session: NotebookSession): NotebookDocument {
    const doc = session.document()
    return { ...doc, untitled: this.options.appData.isUntitled(session.path) }
  }

  private read<T>(path: string, fn: (s: NotebookSession) => T): Result<T> {
    const session = this.sessions.get(resolve(path))
    if (!session) return fail(`Notebook is not open: ${path}`)
    try {
      return ok(fn(session))
    } catch (error) {
      return fail(errorMessage(error))
    }
  }

  /**
   * A change to the notebook's cells, title or settings. Every client viewing it hears
   * `notebookChanged` (the writer too) and reloads what changed, so two windows or tabs on one
   * notebook stay in sync instead of overwriting each other silently.
   */
  private write<T>(path: string, fn: (s: NotebookSession) => T): Result<T> {
    const session = this.sessions.get(resolve(path))
    if (session?.store.readOnly)
      return fail('This notebook is read-only. Use Save As… to keep a writable copy.')
    const result = this.read(path, fn)
    if (result.ok && session) this.events.fire({ type: 'notebookChanged', path: session.path })
    return result
  }
}
