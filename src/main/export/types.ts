/**
 * What the service needs from the converters (HTML, .ipynb). Pure functions
 * over the notebook document; the service hands them a document and gets text back.
 */
import type { ExportedFile, ExportFormat, ExportOptions, Result } from '../../shared/api'
import type { Cell, NotebookDocument, RunRecord } from '../../shared/notebook'

export interface ImportedNotebook {
  title: string
  cells: Cell[]
  runs: Omit<RunRecord, 'id'>[]
}

export interface NotebookExporter {
  export(doc: NotebookDocument, format: ExportFormat, options: ExportOptions): Promise<Result<ExportedFile>>
  importIpynb(content: string): Result<ImportedNotebook>
}
