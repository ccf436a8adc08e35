/**
 * One window per notebook: which window shows which notebook, opening a path in the right window,
 * remembering the window's size and position, and asking before a window with running cells or unsaved
 * edits closes. The decisions are pure functions (open-requests.ts, window-state.ts, dialog-options.ts);
 * this class only applies them to Electron's windows.
 */
import { app, BrowserWindow, dialog, screen, type WebContents } from 'electron'
import { basename, join } from 'node:path'
import type { NotebookClient } from '../../shared/api'
import { CLOSE_ANYWAY, closeConfirmationOptions } from './dialog-options'
import { chooseWindow, openHash, samePath, type WindowView } from './open-requests'
import { createNotebookWindow } from './window'
import { WINDOW_STATE_FILE, loadWindowState, placeWindow, saveWindowState } from './window-state'

export interface NotebookWindowsOptions {
  outDir: string
  userData: string
  service: NotebookClient
  icon?: string
  /** A window started or stopped showing a notebook (the menu's recents and state follow). */
  onShownChanged(path: string | null): void
}

const SAVE_BOUNDS_DELAY_MS = 400

export class NotebookWindows {
  /** webContents id → the notebook that window shows (null: start screen). */
  private readonly shown = new Map<number, string | null>()
  private readonly stateFile: string
  private lastFocused: BrowserWindow | null = null
  private loads = 0

  constructor(private readonly options: NotebookWindowsOptions) {
    this.stateFile = join(options.userData, WINDOW_STATE_FILE)
  }

  /** Notebook windows only (not, say, the hidden window Print to PDF renders in). */
  all(): BrowserWindow[] {
    return BrowserWindow.getAllWindows().filter((w) => !w.isDestroyed() && this.shown.has(w.webContents.id))
  }

  /** The window menu commands apply to: the focused one, else the one focused last. */
  target(): BrowserWindow | null {
    const focused = BrowserWindow.getFocusedWindow()
    if (focused && !focused.isDestroyed() && this.shown.has(focused.webContents.id)) return focused
    if (this.lastFocused && !this.lastFocused.isDestroyed()) return this.lastFocused
    return this.all()[0] ?? null
  }

  pathOf(window: BrowserWindow): string | null {
    return this.shown.get(window.webContents.id) ?? null
  }

  /** Called by the IPC bridge after a call that changed what a window shows. */
  setShown(contents: WebContents, path: string | null): void {
    const window = BrowserWindow.fromWebContents(contents)
    if (!window) return
    this.shown.set(contents.id, path)
    if (process.platform === 'darwin') window.setRepresentedFilename(path ?? '')
    if (path) app.addRecentDocument(path)
    this.options.onShownChanged(path)
  }

  /** Shows `path` (null: a start screen) in the right window: focus, reuse an idle one, or a new one. */
  open(path: string | null): BrowserWindow {
    if (path === null) return this.create()
    const views: WindowView[] = this.all().map((w) => ({
      id: w.id,
      path: this.pathOf(w),
      focused: w === BrowserWindow.getFocusedWindow()
    }))
    const choice = chooseWindow(path, views)
    const existing = choice.kind === 'new' ? null : this.all().find((w) => w.id === choice.id)
    if (!existing) return this.create(path)
    if (choice.kind === 'load') {
      // Claimed now, so a second request for the same file focuses this window instead of opening another.
      this.shown.set(existing.webContents.id, path)
      // A new query string makes this a real load: a change of hash alone is a same-document navigation,
      // which would not restart the renderer (it reads #open= once, at start).
      void existing.loadFile(this.page(), { hash: openHash(path), search: `load=${++this.loads}` })
    }
    if (existing.isMinimized()) existing.restore()
    existing.show()
    existing.focus()
    return existing
  }

  /** Focuses some window (a second launch without files), or opens the start screen if there is none. */
  reveal(): void {
    const window = this.target()
    if (!window) {
      this.create()
      return
    }
    if (window.isMinimized()) window.restore()
    window.show()
    window.focus()
  }

  private page(): string {
    return join(this.options.outDir, 'renderer', 'index.html')
  }

  private create(path?: string): BrowserWindow {
    const workAreas = [screen.getPrimaryDisplay(), ...screen.getAllDisplays()].map((d) => d.workArea)
    const placement = placeWindow(
      loadWindowState(this.stateFile),
      workAreas,
      this.all().map((w) => w.getBounds())
    )
    const window = createNotebookWindow(this.options.outDir, {
      placement,
      ...(path ? { hash: openHash(path) } : {}),
      ...(this.options.icon ? { icon: this.options.icon } : {})
    })
    const id = window.webContents.id
    this.shown.set(id, path ?? null)
    this.track(window, id)
    return window
  }

  private track(window: BrowserWindow, contentsId: number): void {
    let timer: NodeJS.Timeout | null = null
    const saveBounds = () => {
      if (timer) clearTimeout(timer)
      timer = null
      if (window.isDestroyed() || window.isMinimized() || window.isFullScreen()) return
      saveWindowState(this.stateFile, { bounds: window.getNormalBounds(), maximized: window.isMaximized() })
    }
    const saveSoon = () => {
      if (timer) clearTimeout(timer)
      timer = setTimeout(saveBounds, SAVE_BOUNDS_DELAY_MS)
    }
    window.on('resize', saveSoon)
    window.on('move', saveSoon)
    window.on('focus', () => (this.lastFocused = window))
    window.on('close', saveBounds)
    // The renderer refuses beforeunload while cells run or edits are being written: ask the user.
    // preventDefault() here means "ignore the page's refusal and unload".
    window.webContents.on('will-prevent-unload', (event) => {
      const path = this.shown.get(contentsId) ?? null
      const title = path ? basename(path) : 'This notebook'
      const choice = dialog.showMessageBoxSync(window, closeConfirmationOptions(title))
      if (choice === CLOSE_ANYWAY) event.preventDefault()
    })
    window.on('closed', () => {
      if (timer) clearTimeout(timer)
      const path = this.shown.get(contentsId) ?? null
      this.shown.delete(contentsId)
      if (this.lastFocused === window) this.lastFocused = null
      // Release the notebook (its file lock, kernel and workers) unless another window still shows it.
      const stillShown = [...this.shown.values()].some(
        (p) => p !== null && path !== null && samePath(p, path)
      )
      if (path && !stillShown) void this.options.service.closeNotebook(path)
      this.options.onShownChanged(null)
    })
  }
}
