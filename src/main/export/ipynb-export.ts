/**
 * Notebook document → .ipynb (nbformat 4.5): cell ids, outputs as MIME bundles with execution counts,
 * and what only Fuelbook knows (status, fuel, memory, time of each cell's last run) under
 * `metadata.fuelbook`, so Jupyter ignores it and a re-import restores it. Pure.
 */
import type { FuelProfile } from '../../shared/fuel-profile'
import {
  runCostOf,
  type Cell,
  type MimeBundle,
  type NotebookDocument,
  type Output,
  type RunCost,
  type RunRecord
} from '../../shared/notebook'
import { truncationText } from '../../shared/output-model'
import type { IpynbCell, IpynbNotebook, IpynbOutput, MultilineString } from './ipynb-schema'
import { isJsonMime } from './ipynb-schema'

/** The MIME type that carries our `truncated` marker through Jupyter (which shows its text/plain). */
export const TRUNCATED_MIME = 'application/vnd.fuelbook.truncated+json'

/** Where markdown/raw cells keep their nbformat attachments inside our Cell.metadata. */
export const ATTACHMENTS_KEY = 'attachments'
/** Our per-cell and per-notebook metadata namespace. */
export const FUELBOOK_KEY = 'fuelbook'

const CELL_ID_RE = /^[a-zA-Z0-9_-]{1,64}$/

/** Splits text into lines that keep their '\n', as nbformat writes multi-line strings. */
export function toLines(text: string): MultilineString {
  if (text === '') return []
  const lines = text.split(/(?<=\n)/)
  return lines
}

/** Binary MIME values are base64 and stay one string; text MIME values become lists of lines. */
function isTextMime(mime: string): boolean {
  return mime.startsWith('text/') || mime === 'image/svg+xml' || mime === 'application/javascript'
}

export function bundleToIpynb(bundle: MimeBundle): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [mime, value] of Object.entries(bundle)) {
    if (value === undefined || value === null) continue
    if (isJsonMime(mime)) out[mime] = value
    else if (typeof value === 'string') out[mime] = isTextMime(mime) ? toLines(value) : value
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) out[mime] = value
    else out[mime] = JSON.stringify(value)
  }
  return out
}

export function outputToIpynb(output: Output, run: RunRecord): IpynbOutput {
  switch (output.type) {
    case 'stream':
      return { output_type: 'stream', name: output.name, text: toLines(output.text) }
    case 'display_data':
      return {
        output_type: 'display_data',
        data: bundleToIpynb(output.data),
        metadata: output.metadata ?? {}
      }
    case 'execute_result':
      return {
        output_type: 'execute_result',
        data: bundleToIpynb(output.data),
        metadata: output.metadata ?? {},
        execution_count: output.executionCount ?? run.executionCount
      }
    case 'error':
      return { output_type: 'error', ename: output.ename, evalue: output.evalue, traceback: output.traceback }
    case 'truncated':
      return {
        output_type: 'display_data',
        data: {
          'text/plain': [`[${truncationText(output)}]`],
          [TRUNCATED_MIME]: { droppedBytes: output.droppedBytes, droppedOutputs: output.droppedOutputs }
        },
        metadata: {}
      }
  }
}

/** Our cell ids are UUIDs (valid nbformat ids); anything else is made valid and unique. */
function exportIds(cells: readonly Cell[]): string[] {
  const used = new Set<string>()
  return cells.map((cell, i) => {
    let id = CELL_ID_RE.test(cell.id) ? cell.id : cell.id.replace(/[^a-zA-Z0-9_-]/g, '').slice(0, 64)
    if (!id || used.has(id)) {
      let n = i + 1
      while (used.has(`cell-${n}`)) n++
      id = `cell-${n}`
    }
    used.add(id)
    return id
  })
}

/** The run facts Jupyter has no field for. */
export interface FuelbookRunMeta extends RunCost {
  status: RunRecord['status']
  /** The sandbox file system's size at the end of the run, when recorded. */
  fsBytes?: number
  startedAt: number
  finishedAt: number
  exitCode: number | null
  message: string | null
  isolated: boolean
  /** Only when the cell was edited after this run. */
  source?: string
  /** Line of the cell where the error was raised, when known. */
  errorLine?: number
  /** Where the run's fuel went, when it was profiled (src/shared/fuel-profile.ts). */
  profile?: FuelProfile
}

function runMeta(run: RunRecord, cell: Cell): FuelbookRunMeta {
  const meta: FuelbookRunMeta = {
    status: run.status,
    ...runCostOf(run),
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    exitCode: run.exitCode,
    message: run.message,
    isolated: run.isolated
  }
  if (typeof run.fsBytes === 'number') meta.fsBytes = run.fsBytes
  if (run.profile !== null) meta.profile = run.profile
  if (run.source !== cell.source) meta.source = run.source
  const error = run.outputs.find((o) => o.type === 'error')
  if (error?.type === 'error' && typeof error.lineno === 'number') meta.errorLine = error.lineno
  return meta
}

/** Drops user metadata that nbformat's schema would reject (a bad `tags`, a non-boolean `collapsed`). */
function cleanMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...metadata }
  delete out[ATTACHMENTS_KEY]
  delete out[FUELBOOK_KEY]
  if (
    'name' in out &&
    !(typeof out['name'] === 'string' && out['name'] !== '' && !out['name'].includes('\n'))
  )
    delete out['name']
  if ('tags' in out) {
    const tags = out['tags']
    const ok =
      Array.isArray(tags) &&
      tags.every((t) => typeof t === 'string' && t !== '' && !t.includes(',')) &&
      new Set(tags).size === tags.length
    if (!ok) delete out['tags']
  }
  if ('collapsed' in out && typeof out['collapsed'] !== 'boolean') delete out['collapsed']
  if ('scrolled' in out && ![true, false, 'auto'].includes(out['scrolled'] as never)) delete out['scrolled']
  if (
    'jupyter' in out &&
    (typeof out['jupyter'] !== 'object' || out['jupyter'] === null || Array.isArray(out['jupyter']))
  )
    delete out['jupyter']
  if ('execution' in out) {
    const ex = out['execution']
    if (typeof ex !== 'object' || ex === null || Object.values(ex).some((v) => typeof v !== 'string'))
      delete out['execution']
  }
  if ('format' in out && typeof out['format'] !== 'string') delete out['format']
  return out
}

export function cellToIpynb(cell: Cell, id: string, run: RunRecord | undefined): IpynbCell {
  const metadata = cleanMetadata(cell.metadata)
  if (cell.type === 'code') {
    const fuelbook: Record<string, unknown> = {}
    if (cell.isolated) fuelbook['isolated'] = true
    if (run) fuelbook['run'] = runMeta(run, cell)
    if (Object.keys(fuelbook).length) metadata[FUELBOOK_KEY] = fuelbook
    return {
      id,
      cell_type: 'code',
      metadata,
      source: toLines(cell.source),
      outputs: run ? run.outputs.map((o) => outputToIpynb(o, run)) : [],
      execution_count: run?.executionCount ?? null
    }
  }
  const out: IpynbCell = { id, cell_type: cell.type, metadata, source: toLines(cell.source) }
  const attachments = cell.metadata[ATTACHMENTS_KEY]
  if (attachments && typeof attachments === 'object' && !Array.isArray(attachments)) {
    const converted: Record<string, Record<string, unknown>> = {}
    for (const [name, bundle] of Object.entries(attachments as Record<string, unknown>)) {
      if (bundle && typeof bundle === 'object' && !Array.isArray(bundle))
        converted[name] = bundleToIpynb(bundle as MimeBundle)
    }
    if (Object.keys(converted).length) out.attachments = converted
  }
  return out
}

export function notebookToIpynb(doc: NotebookDocument): IpynbNotebook {
  const ids = exportIds(doc.cells)
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' },
      language_info: { name: 'python', file_extension: '.py', mimetype: 'text/x-python' },
      title: doc.title,
      [FUELBOOK_KEY]: {
        format: 1,
        settings: doc.settings,
        createdAt: doc.createdAt,
        modifiedAt: doc.modifiedAt,
        // The wheels the notebook carries, pinned as pip reads them (`pip install -r`), with the
        // files and hashes that were stored; the wheels themselves live only in the .fuelbook file.
        requirements: doc.packages.map((p) => `${p.displayName}==${p.version}`),
        wheels: doc.packages.map((p) => ({ filename: p.filename, sha256: p.sha256 }))
      }
    },
    cells: doc.cells.map((cell, i) =>
      cellToIpynb(cell, ids[i]!, cell.type === 'code' ? doc.lastRuns[cell.id] : undefined)
    )
  }
}

/** The file text: one-space indentation and a final newline, as Jupyter writes it. */
export function ipynbText(doc: NotebookDocument): string {
  return JSON.stringify(notebookToIpynb(doc), null, 1) + '\n'
}
