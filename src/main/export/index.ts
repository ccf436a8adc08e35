/**
 * The converters behind Export (HTML, .ipynb) and Import .ipynb, shared by the UI's menus, the CLI and
 * the library API. Pure: documents in, text out.
 */
import type { ExportedFile, ExportFormat, ExportOptions, Result } from '../../shared/api'
import { exportFilename } from '../../shared/file-dialog'
import type { NotebookDocument } from '../../shared/notebook'
import { ipynbText } from './ipynb-export'
import { importIpynb } from './ipynb-import'
import type { NotebookExporter } from './types'
import { errorMessage } from '../../shared/result'

export type { ImportedNotebook, NotebookExporter } from './types'
export { notebookToIpynb, ipynbText } from './ipynb-export'
export { importIpynb, parseIpynb } from './ipynb-import'
export { exportFilename }

/**
 * The HTML report's code (Markdown, KaTeX, the highlighter, the sanitizer's DOM: most of the main
 * bundle) is loaded on the first HTML export, not when the service starts: every start of the app,
 * `fuelbook serve` and `fuelbook run` paid for loading it before its first cell (src/main/kernel/README.md,
 * "Cold start"). Import `notebookToHtml` from ./html where a report is all a module makes.
 */
export function createExporter(): NotebookExporter {
  return {
    async export(
      doc: NotebookDocument,
      format: ExportFormat,
      options: ExportOptions
    ): Promise<Result<ExportedFile>> {
      try {
        if (format === 'html') {
          const { notebookToHtml } = await import('./html')
          return {
            ok: true,
            value: {
              filename: exportFilename(doc.title, 'html'),
              mimeType: 'text/html',
              content: notebookToHtml(doc, options)
            }
          }
        }
        if (format === 'ipynb') {
          return {
            ok: true,
            value: {
              filename: exportFilename(doc.title, 'ipynb'),
              mimeType: 'application/x-ipynb+json',
              content: ipynbText(doc)
            }
          }
        }
        return { ok: false, error: `Unknown export format '${String(format)}': use 'html' or 'ipynb'.` }
      } catch (error) {
        return {
          ok: false,
          error: `Export failed: ${errorMessage(error)}`
        }
      }
    },
    importIpynb(content: string) {
      try {
        return importIpynb(content)
      } catch (error) {
        return {
          ok: false,
          error: `Import failed: ${errorMessage(error)}`
        }
      }
    }
  }
}
