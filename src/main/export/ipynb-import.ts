/**
 * .ipynb text → cells and runs for a new .fuelbook. Any nbformat 4 minor; a bad file gives one message
 * naming the first problems, and nothing else (the service then writes nothing). Cell ids are kept when
 * valid and unique; stats exported by Fuelbook (metadata.fuelbook) come back, others start at 0. Pure
 * apart from `newId` (random UUIDs by default).
 */
import { randomUUID } from 'node:crypto'
import type { Result } from '../../shared/api'
import { readFuelProfile } from '../../shared/fuel-profile'
import type { Cell, MimeBundle, Output, RunRecord, RunStatus } from '../../shared/notebook'
import { RUN_STATUSES } from '../../shared/notebook'
import { isBinaryMime } from '../../shared/output-model'
import { ATTACHMENTS_KEY, FUELBOOK_KEY, TRUNCATED_MIME } from './ipynb-export'
import {
  formatPath,
  isJsonMime,
  notebookSchema,
  type IpynbCell,
  type IpynbNotebook,
  type IpynbOutput,
  type MultilineString
} from './ipynb-schema'
import type { ImportedNotebook } from './types'

export interface ImportOptions {
  newId?: () => string
  /** Time given to runs whose time the file does not say. */
  now?: number
}

const CELL_ID_RE = /^[a-zA-Z0-9_-]{1,64}$/

const joinText = (value: MultilineString): string => (typeof value === 'string' ? value : value.join(''))

function bundleFromIpynb(data: Record<string, unknown>): MimeBundle {
  const out: MimeBundle = {}
  for (const [mime, value] of Object.entries(data)) {
    if (isJsonMime(mime)) out[mime] = value
    else if (
      typeof value === 'string' ||
      (Array.isArray(value) && value.every((v) => typeof v === 'string'))
    ) {
      const text = joinText(value as MultilineString)
      // Canonical base64 (no line breaks) so the store can keep images as blobs.
      out[mime] = isBinaryMime(mime) ? text.replace(/\s+/g, '') : text
    }
  }
  return out
}

function outputFromIpynb(output: IpynbOutput): Output {
  switch (output.output_type) {
    case 'stream':
      return {
        type: 'stream',
        name: output.name === 'stderr' ? 'stderr' : 'stdout',
        text: joinText(output.text)
      }
    case 'display_data': {
      const marker = output.data[TRUNCATED_MIME] as
        { droppedBytes?: unknown; droppedOutputs?: unknown } | undefined
      if (marker && typeof marker.droppedBytes === 'number')
        return typeof marker.droppedOutputs === 'number'
          ? { type: 'truncated', droppedBytes: marker.droppedBytes, droppedOutputs: marker.droppedOutputs }
          : { type: 'truncated', droppedBytes: marker.droppedBytes }
      return { type: 'display_data', data: bundleFromIpynb(output.data), metadata: output.metadata ?? {} }
    }
    case 'execute_result':
      return {
        type: 'execute_result',
        data: bundleFromIpynb(output.data),
        metadata: output.metadata ?? {},
        executionCount: output.execution_count ?? null
      }
    case 'error':
      return { type: 'error', ename: output.ename, evalue: output.evalue, traceback: output.traceback }
  }
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0)

function isoTime(metadata: Record<string, unknown>, key: string): number | null {
  const ex = metadata['execution']
  if (!ex || typeof ex !== 'object') return null
  const t = Date.parse(String((ex as Record<string, unknown>)[key] ?? ''))
  return Number.isFinite(t) ? t : null
}

function runFor(
  cell: IpynbCell & { cell_type: 'code' },
  id: string,
  source: string,
  now: number
): Omit<RunRecord, 'id'> | null {
  if (cell.outputs.length === 0 && cell.execution_count === null) return null
  const fb = (cell.metadata[FUELBOOK_KEY] as { run?: Record<string, unknown> } | undefined)?.run ?? {}
  const outputs = cell.outputs.map(outputFromIpynb)
  const errorLine = fb['errorLine']
  if (typeof errorLine === 'number') {
    const error = outputs.find((o) => o.type === 'error')
    if (error?.type === 'error') error.lineno = errorLine
  }
  const savedStatus = RUN_STATUSES.includes(fb['status'] as RunStatus) ? (fb['status'] as RunStatus) : null
  const status: RunStatus = savedStatus ?? (outputs.some((o) => o.type === 'error') ? 'error' : 'ok')
  const startedAt = num(fb['startedAt']) || isoTime(cell.metadata, 'iopub.execute_input') || now
  const finishedAt = num(fb['finishedAt']) || isoTime(cell.metadata, 'shell.execute_reply') || startedAt
  const isolated = fb['isolated'] === true
  return {
    cellId: id,
    executionCount: isolated ? null : cell.execution_count,
    source: typeof fb['source'] === 'string' ? fb['source'] : source,
    startedAt,
    finishedAt,
    status,
    exitCode: typeof fb['exitCode'] === 'number' ? fb['exitCode'] : null,
    message: typeof fb['message'] === 'string' ? fb['message'] : null,
    isolated,
    outputs,
    fuelConsumed: num(fb['fuelConsumed']),
    fuelBudget: num(fb['fuelBudget']),
    memoryPages: num(fb['memoryPages']),
    memoryBytes: num(fb['memoryBytes']),
    peakMemoryBytes: num(fb['peakMemoryBytes']),
    wallMs: num(fb['wallMs']),
    ...(typeof fb['fsBytes'] === 'number' ? { fsBytes: num(fb['fsBytes']) } : {}),
    profile: importedProfile(fb['profile'])
  }
}

/** A profile in Fuelbook's run metadata, validated and bounded like a stored one; anything else is none. */
function importedProfile(value: unknown): RunRecord['profile'] {
  if (value === undefined) return null
  const read = readFuelProfile(value)
  return read.ok ? read.value : null
}

/** Parses and checks the file; the message says what is wrong and where. */
export function parseIpynb(content: string): Result<IpynbNotebook> {
  let json: unknown
  try {
    json = JSON.parse(content.replace(/^\uFEFF/, ''))
  } catch (error) {
    return {
      ok: false,
      error: `Not a Jupyter notebook: the file is not valid JSON (${(error as Error).message}).`
    }
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    return { ok: false, error: 'Not a Jupyter notebook: expected a JSON object with "cells" and "nbformat".' }
  }
  const major = (json as Record<string, unknown>)['nbformat']
  if (typeof major === 'number' && major < 4) {
    return {
      ok: false,
      error: `This notebook uses nbformat ${major}; Fuelbook imports nbformat 4. Open and save it in Jupyter (or run 'jupyter nbconvert --to notebook') to upgrade it first.`
    }
  }
  if (major === undefined)
    return { ok: false, error: 'Not a Jupyter notebook: the "nbformat" field is missing.' }
  if (major !== 4)
    return { ok: false, error: `Unsupported nbformat ${JSON.stringify(major)}: Fuelbook imports nbformat 4.` }
  const parsed = notebookSchema.safeParse(json)
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${formatPath(i.path)}: ${i.message}`)
    const more = parsed.error.issues.length > 3 ? ` (and ${parsed.error.issues.length - 3} more)` : ''
    return { ok: false, error: `Not a valid Jupyter notebook (nbformat 4): ${issues.join('; ')}${more}.` }
  }
  return { ok: true, value: parsed.data as unknown as IpynbNotebook }
}

export function importIpynb(content: string, options: ImportOptions = {}): Result<ImportedNotebook> {
  const parsed = parseIpynb(content)
  if (!parsed.ok) return parsed
  const nb = parsed.value
  const newId = options.newId ?? randomUUID
  const now = options.now ?? Date.now()
  const used = new Set<string>()
  const cells: Cell[] = []
  const runs: Omit<RunRecord, 'id'>[] = []
  for (const raw of nb.cells) {
    let id = typeof raw.id === 'string' && CELL_ID_RE.test(raw.id) && !used.has(raw.id) ? raw.id : newId()
    while (used.has(id)) id = newId()
    used.add(id)
    const metadata: Record<string, unknown> = { ...raw.metadata }
    const fb = metadata[FUELBOOK_KEY] as { isolated?: unknown } | undefined
    delete metadata[FUELBOOK_KEY]
    delete metadata[ATTACHMENTS_KEY]
    const source = joinText(raw.source)
    if (raw.cell_type !== 'code' && raw.attachments && Object.keys(raw.attachments).length) {
      const attachments: Record<string, MimeBundle> = {}
      for (const [name, bundle] of Object.entries(raw.attachments))
        attachments[name] = bundleFromIpynb(bundle)
      metadata[ATTACHMENTS_KEY] = attachments
    }
    cells.push({
      id,
      type: raw.cell_type,
      source,
      metadata,
      isolated: raw.cell_type === 'code' && fb?.isolated === true
    })
    if (raw.cell_type === 'code') {
      const run = runFor(raw, id, source, now)
      if (run) runs.push(run)
    }
  }
  const meta = nb.metadata
  const title = typeof meta['title'] === 'string' ? meta['title'] : ''
  return { ok: true, value: { title, cells, runs } }
}
