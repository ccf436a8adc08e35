/**
 * What the shell's own menu items do: native open/save dialogs, .ipynb import, print to PDF, recents.
 * Renderer actions are forwarded to the focused window. Every path chosen in a dialog goes
 * through the validated service, as the renderer's calls do.
 */
import { app, dialog } from 'electron'
import fs from 'node:fs'
import { basename, dirname, join } from 'node:path'
import type { NotebookClient } from '../../shared/api'
import type { NotebookService } from '../service/notebook-service'
import { openDialogOptions, pdfDialogOptions, saveAsDialogOptions, withExtension } from './dialog-options'
import { sendMenuCommand } from './ipc'
import type { MenuHandlers } from './menu-template'
import type { NotebookWindows } from './notebook-windows'
import { openKindOf } from './open-requests'
import { printHtmlToPdf } from './window'

/** What the shell's commands use of the service: the client API plus the recents and untitled check. */
export type ShellService = NotebookClient & Pick<NotebookService, 'clearRecent' | 'isUntitled'>

export interface ShellCommandsOptions {
  service: ShellService
  windows: NotebookWindows
  refreshMenu(): void
}

export class ShellCommands implements MenuHandlers {
  constructor(private readonly o: ShellCommandsOptions) {}

  action(id: string): void {
    const window = this.o.windows.target()
    if (window) sendMenuCommand(window.webContents, { action: id })
  }

  /** Opens files from a dialog, the command line, a second launch or the OS: .ipynb is imported first. */
  async openPath(path: string): Promise<void> {
    if (openKindOf(path) === 'ipynb') {
      const imported = await this.importIpynb(path)
      if (imported) this.o.windows.open(imported)
      return
    }
    // The renderer opens it and shows any error ("not a Fuelbook notebook…") on its start screen.
    this.o.windows.open(path)
  }

  private async importIpynb(path: string): Promise<string | null> {
    let content: string
    try {
      content = await fs.promises.readFile(path, 'utf8')
    } catch (e) {
      this.showError(`Could not read ${basename(path)}`, (e as Error).message)
      return null
    }
    const result = await this.o.service.importIpynb(content, basename(path))
    if (!result.ok) {
      this.showError(`Could not import ${basename(path)}`, result.error)
      return null
    }
    return result.value.path
  }

  async newNotebook(): Promise<void> {
    const created = await this.o.service.createNotebook()
    if (created.ok) this.o.windows.open(created.value.path)
    else this.showError('Could not create a notebook', created.error)
  }

  async open(): Promise<void> {
    const parent = this.o.windows.target()
    const options = openDialogOptions(app.getPath('documents'))
    const result = parent
      ? await dialog.showOpenDialog(parent, options)
      : await dialog.showOpenDialog(options)
    if (result.canceled) return
    for (const file of result.filePaths) await this.openPath(file)
  }

  openRecent(path: string): void {
    void this.openPath(path)
  }

  clearRecent(): void {
    this.o.service.clearRecent()
    app.clearRecentDocuments()
    this.o.refreshMenu()
  }

  async saveAs(): Promise<void> {
    const window = this.o.windows.target()
    const path = window ? this.o.windows.pathOf(window) : null
    if (!window || !path) return
    const untitled = this.o.service.isUntitled(path)
    const options = saveAsDialogOptions(
      { path, title: untitled ? '' : basename(path, '.fuelbook'), untitled },
      app.getPath('documents')
    )
    const result = await dialog.showSaveDialog(window, options)
    if (result.canceled || !result.filePath) return
    // The renderer saves (it flushes pending edits first) and reports errors where the user looks.
    sendMenuCommand(window.webContents, {
      action: 'save-as',
      path: withExtension(result.filePath, 'fuelbook')
    })
  }

  async printToPdf(): Promise<void> {
    const window = this.o.windows.target()
    const path = window ? this.o.windows.pathOf(window) : null
    if (!window || !path) return
    const choice = await dialog.showSaveDialog(window, pdfDialogOptions(path, app.getPath('documents')))
    if (choice.canceled || !choice.filePath) return
    const target = withExtension(choice.filePath, 'pdf')
    // Edits are written 300 ms after typing stops: long done by the time a file was chosen.
    const report = await this.o.service.exportNotebook(path, 'html')
    if (!report.ok) {
      this.showError('Could not print to PDF', report.error)
      return
    }
    try {
      writeFileAtomic(target, await printHtmlToPdf(report.value.content))
    } catch (e) {
      this.showError('Could not print to PDF', (e as Error).message)
    }
  }

  about(): void {
    app.showAboutPanel()
  }

  private showError(title: string, message: string): void {
    const parent = this.o.windows.target()
    const options = { type: 'error' as const, title, message: title, detail: message }
    void (parent ? dialog.showMessageBox(parent, options) : dialog.showMessageBox(options))
  }
}

function writeFileAtomic(file: string, data: Buffer): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`)
  try {
    fs.writeFileSync(tmp, data)
    fs.renameSync(tmp, file)
  } finally {
    fs.rmSync(tmp, { force: true })
  }
}
