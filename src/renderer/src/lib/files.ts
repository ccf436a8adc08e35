/**
 * Browser mode's file dialog, the page half: asks the server (src/main/server/file-routes.ts) to list
 * a folder, read an .ipynb, write an export. Same-origin requests, authorised by the session cookie the
 * token set; the desktop app never calls these (it has native dialogs).
 */
import type { ExportFormat } from '../../../shared/api'
import { FILE_ROUTES, type ExportRefusal, type FolderListing } from '../../../shared/file-dialog'
import { errorMessage, type Result } from '../../../shared/result'

async function json<T>(response: Promise<Response>): Promise<T> {
  try {
    const r = await response
    const body = (await r.json().catch(() => null)) as T | null
    if (body) return body
    return { ok: false, error: `The server answered ${r.status}.` } as T
  } catch (e) {
    return {
      ok: false,
      error: `The server did not answer (${errorMessage(e)}).`
    } as T
  }
}

export function listFolder(folder: string | null): Promise<Result<FolderListing>> {
  const query = folder ? `?folder=${encodeURIComponent(folder)}` : ''
  return json(fetch(`${FILE_ROUTES.list}${query}`))
}

export function readIpynb(path: string): Promise<Result<{ name: string; content: string }>> {
  return json(fetch(`${FILE_ROUTES.readIpynb}?path=${encodeURIComponent(path)}`))
}

export async function exportToFile(
  notebook: string,
  format: ExportFormat,
  target: string,
  overwrite: boolean
): Promise<Result<string, ExportRefusal>> {
  const r = await json<Result<string, ExportRefusal | string>>(
    fetch(FILE_ROUTES.export, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ notebook, format, target, overwrite })
    })
  )
  if (r.ok || typeof r.error !== 'string') return r as Result<string, ExportRefusal>
  return { ok: false, error: { reason: 'refused', message: r.error } }
}
