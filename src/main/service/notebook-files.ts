/**
 * Notebook files without a kernel: a Jupyter .ipynb made into a new notebook (the app's Open and
 * Import, and `fuelbook import`), and a notebook file exported (`fuelbook export`). One path each,
 * so every front door gets the same cells, runs and messages.
 */
import { rmSync } from 'node:fs'
import type { ExportedFile, ExportFormat, ExportOptions } from '../../shared/api'
import { errorMessage, fail, ok, type Result } from '../../shared/result'
import { createExporter } from '../export'
import type { NotebookExporter } from '../export/types'
import { NotebookStore } from '../store'
import { DEFAULT_SETTINGS } from './defaults'
import { readNotebookDocument } from './notebook-document'

export interface ImportedIpynb {
  /** The new notebook, open; the caller closes it or hands it to a session. */
  store: NotebookStore
  cellCount: number
  cellsWithOutputs: number
}

/** Why an import failed: the input is not a notebook, or the new file could not be made. */
export type ImportFailure = { stage: 'read' | 'create' | 'write'; message: string }

/**
 * Creates `path` holding the .ipynb's cells and outputs, in one transaction. On failure nothing is
 * left at `path` (it was new), and the reason says which step failed.
 */
export function createNotebookFromIpynb(
  content: string,
  path: string,
  fallbackTitle: string,
  exporter: NotebookExporter = createExporter()
): Result<ImportedIpynb, ImportFailure> {
  const converted = exporter.importIpynb(content)
  if (!converted.ok) return fail({ stage: 'read', message: converted.error })
  const { title, cells, runs } = converted.value
  const created = NotebookStore.create(path, { title: title || fallbackTitle, settings: DEFAULT_SETTINGS })
  if (!created.ok) return fail({ stage: 'create', message: created.error })
  const store = created.value
  try {
    store.batch(() => {
      cells.forEach((cell, index) => store.insertCell(cell, index))
      for (const run of runs) store.commitRun(run, null, { ranInKernel: false })
    })
  } catch (error) {
    store.close()
    rmSync(path, { force: true })
    return fail({ stage: 'write', message: errorMessage(error) })
  }
  return ok({
    store,
    cellCount: cells.length,
    cellsWithOutputs: runs.filter((r) => r.outputs.length > 0).length
  })
}

/** A notebook file as HTML or .ipynb text, read without opening a session. */
export async function exportNotebookFile(
  path: string,
  format: ExportFormat,
  options: ExportOptions,
  exporter: NotebookExporter = createExporter()
): Promise<Result<ExportedFile>> {
  const doc = readNotebookDocument(path)
  if (!doc.ok) return doc
  return exporter.export(doc.value, format, options)
}
