/**
 * The HTTP routes of browser mode's file dialog (shapes in src/shared/file-dialog.ts): list a folder,
 * read an .ipynb to import, write an export where the user chose. The browser server calls this only
 * for an authorised request (token or cookie, allowed Host); a write also needs the page's own Origin
 * and a JSON body, which a form on another site cannot send.
 */
import type { IncomingMessage } from 'node:http'
import type { NotebookApi } from '../../shared/api'
import { FILE_ROUTES, kindOfName, type ExportRequest } from '../../shared/file-dialog'
import { fail, type Result } from '../../shared/result'
import type { FileAccess } from './file-access'

export interface RouteReply {
  status: number
  /** Sent as JSON. */
  body: unknown
}

const MAX_BODY_BYTES = 64 * 1024

export function isFileRoute(pathname: string): boolean {
  return (Object.values(FILE_ROUTES) as string[]).includes(pathname)
}

export async function handleFileRoute(
  req: IncomingMessage,
  url: URL,
  files: FileAccess,
  service: Pick<NotebookApi, 'exportNotebook'>,
  originOk: boolean
): Promise<RouteReply> {
  const method = req.method ?? 'GET'
  if (url.pathname === FILE_ROUTES.export) {
    if (method !== 'POST') return { status: 405, body: fail('Use POST.') }
    if (!originOk) return { status: 403, body: fail('Forbidden: unexpected Origin.') }
    if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
      return { status: 415, body: fail('Send JSON.') }
    const request = parseExportRequest(await readBody(req))
    if (!request.ok) return { status: 400, body: request }
    return { status: 200, body: await exportTo(request.value, files, service) }
  }
  if (method !== 'GET') return { status: 405, body: fail('Use GET.') }
  if (url.pathname === FILE_ROUTES.list) {
    return { status: 200, body: await files.list(url.searchParams.get('folder')) }
  }
  const path = url.searchParams.get('path') ?? ''
  return { status: 200, body: await files.readIpynb(path) }
}

async function exportTo(
  request: ExportRequest,
  files: FileAccess,
  service: Pick<NotebookApi, 'exportNotebook'>
): Promise<Result<string, unknown>> {
  if (kindOfName(request.target) !== request.format)
    return fail({ reason: 'refused', message: `An ${request.format} export is a .${request.format} file.` })
  const exported = await service.exportNotebook(request.notebook, request.format)
  if (!exported.ok) return fail({ reason: 'refused', message: exported.error })
  return files.write(request.target, exported.value.content, request.overwrite)
}

function parseExportRequest(text: string | null): Result<ExportRequest> {
  let raw: unknown
  try {
    raw = text === null ? null : JSON.parse(text)
  } catch {
    raw = null
  }
  const r = (raw ?? {}) as Partial<Record<keyof ExportRequest, unknown>>
  if (
    typeof r.notebook !== 'string' ||
    typeof r.target !== 'string' ||
    (r.format !== 'html' && r.format !== 'ipynb') ||
    typeof r.overwrite !== 'boolean'
  )
    return fail('Expected {notebook, format: "html" | "ipynb", target, overwrite}.')
  return {
    ok: true,
    value: { notebook: r.notebook, format: r.format, target: r.target, overwrite: r.overwrite }
  }
}

/** The request body as text, or null when it is larger than any export request. */
async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY_BYTES) return null
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}
