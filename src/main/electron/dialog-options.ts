/**
 * Options of every native dialog the shell shows, as data (no 'electron' import), so filters, default
 * names and button orders are unit tested. The shapes match Electron's OpenDialogOptions,
 * SaveDialogOptions and MessageBoxOptions.
 */
import { basename, dirname, extname, join } from 'node:path'

export interface FileFilter {
  name: string
  extensions: string[]
}

export const FUELBOOK_FILTER: FileFilter = { name: 'Fuelbook Notebook', extensions: ['fuelbook'] }
export const IPYNB_FILTER: FileFilter = {
  name: 'Jupyter Notebook (imported as a copy)',
  extensions: ['ipynb']
}

/** File ▸ Open…: both kinds together first (the default filter), then each alone. */
export function openDialogOptions(defaultPath?: string) {
  return {
    title: 'Open Notebook',
    buttonLabel: 'Open',
    ...(defaultPath ? { defaultPath } : {}),
    properties: ['openFile', 'multiSelections'] as Array<'openFile' | 'multiSelections'>,
    filters: [{ name: 'Notebooks', extensions: ['fuelbook', 'ipynb'] }, FUELBOOK_FILTER, IPYNB_FILTER]
  }
}

/**
 * File ▸ Save As…: suggests the current file (or "<title>.fuelbook" in Documents for an untitled
 * notebook, which lives in the app's data folder where nobody would look for it).
 */
export function saveAsDialogOptions(
  current: { path: string; title: string; untitled: boolean },
  documentsDir: string
) {
  const name = `${safeFileName(current.title || basename(current.path, '.fuelbook'))}.fuelbook`
  return {
    title: 'Save Notebook As',
    buttonLabel: 'Save',
    defaultPath: current.untitled ? join(documentsDir, name) : current.path,
    filters: [FUELBOOK_FILTER],
    properties: ['createDirectory', 'showOverwriteConfirmation'] as Array<
      'createDirectory' | 'showOverwriteConfirmation'
    >
  }
}

/** File ▸ Print to PDF…: the notebook's name with .pdf, next to it (or in Documents when untitled). */
export function pdfDialogOptions(notebookPath: string | null, documentsDir: string) {
  const dir = notebookPath ? dirname(notebookPath) : documentsDir
  const base = notebookPath ? basename(notebookPath, extname(notebookPath)) : 'notebook'
  return {
    title: 'Print to PDF',
    buttonLabel: 'Save PDF',
    defaultPath: join(dir, `${base}.pdf`),
    filters: [{ name: 'PDF Document', extensions: ['pdf'] }],
    properties: ['createDirectory', 'showOverwriteConfirmation'] as Array<
      'createDirectory' | 'showOverwriteConfirmation'
    >
  }
}

/**
 * Exports (HTML report, .ipynb) reach the shell as downloads from the renderer; Electron then shows a
 * save dialog, which gets the filter of the file's kind.
 */
export function downloadDialogOptions(filename: string, documentsDir: string) {
  const ext = extname(filename).slice(1).toLowerCase()
  const filter = DOWNLOAD_FILTERS[ext] ?? { name: 'All Files', extensions: ['*'] }
  return { title: 'Export Notebook', defaultPath: join(documentsDir, filename), filters: [filter] }
}

const DOWNLOAD_FILTERS: Record<string, FileFilter> = {
  html: { name: 'HTML Report', extensions: ['html'] },
  ipynb: { name: 'Jupyter Notebook', extensions: ['ipynb'] },
  fuelbook: FUELBOOK_FILTER,
  pdf: { name: 'PDF Document', extensions: ['pdf'] }
}

/** Linux save dialogs do not add the filter's extension: "report" becomes "report.fuelbook". */
export function withExtension(file: string, ext: string): string {
  return extname(file).toLowerCase() === `.${ext}` ? file : `${file}.${ext}`
}

/** Characters no file system accepts in a name (Windows' set, the strictest), and control characters. */
function safeFileName(name: string): string {
  const cleaned = [...name].map((c) => (c.charCodeAt(0) < 32 || '\\/:*?"<>|'.includes(c) ? '-' : c)).join('')
  return cleaned.replace(/-{2,}/g, '-').trim().slice(0, 120) || 'notebook'
}

/**
 * Why a window asks before closing. The renderer refuses `beforeunload` while cells run or edits are
 * still being written; the shell then asks the user (Electron's `will-prevent-unload`).
 */
export function closeConfirmationOptions(title: string) {
  return {
    type: 'question' as const,
    title: 'Close notebook?',
    message: `“${title}” has cells running or changes still being saved.`,
    detail: 'Closing stops the running cells (their kernel state rolls back) and may lose the last edit.',
    buttons: ['Close Anyway', 'Cancel'],
    defaultId: 1,
    cancelId: 1,
    noLink: true
  }
}

/** The button index that confirms closing in closeConfirmationOptions. */
export const CLOSE_ANYWAY = 0
