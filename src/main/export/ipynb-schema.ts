/**
 * nbformat 4 as plain types (JupyterLab's packages/nbformat) and the structural checks run on import
 * (zod, so a bad file gets a message that names the field). The official JSON schema is the test
 * oracle (test/fixtures/nbformat); these checks accept every 4.x minor and reject what we cannot read.
 */
import { z } from 'zod'

export type MultilineString = string | string[]

/** JSON MIME types (application/json, application/vnd.foo+json) hold any JSON value, not text. */
export function isJsonMime(mime: string): boolean {
  return /^application\/(.*\+)?json$/.test(mime)
}

export interface IpynbStream {
  output_type: 'stream'
  name: string
  text: MultilineString
}
export interface IpynbDisplayData {
  output_type: 'display_data'
  data: Record<string, unknown>
  metadata: Record<string, unknown>
}
export interface IpynbExecuteResult {
  output_type: 'execute_result'
  data: Record<string, unknown>
  metadata: Record<string, unknown>
  execution_count: number | null
}
export interface IpynbError {
  output_type: 'error'
  ename: string
  evalue: string
  traceback: string[]
}
export type IpynbOutput = IpynbStream | IpynbDisplayData | IpynbExecuteResult | IpynbError

export interface IpynbCodeCell {
  id?: string
  cell_type: 'code'
  metadata: Record<string, unknown>
  source: MultilineString
  outputs: IpynbOutput[]
  execution_count: number | null
}
export interface IpynbTextCell {
  id?: string
  cell_type: 'markdown' | 'raw'
  metadata: Record<string, unknown>
  source: MultilineString
  attachments?: Record<string, Record<string, unknown>>
}
export type IpynbCell = IpynbCodeCell | IpynbTextCell

export interface IpynbNotebook {
  nbformat: 4
  nbformat_minor: number
  metadata: Record<string, unknown>
  cells: IpynbCell[]
}

const multiline = z.union([z.string(), z.array(z.string())], {
  error: 'expected a string or a list of strings'
})
const dict = z.record(z.string(), z.unknown(), { error: 'expected an object' })
const count = z.union([z.number().int().min(0), z.null()], { error: 'expected a whole number ≥ 0 or null' })
const cellId = z.string().optional()

const outputSchema = z.discriminatedUnion(
  'output_type',
  [
    z.object({ output_type: z.literal('stream'), name: z.string(), text: multiline }).loose(),
    z.object({ output_type: z.literal('display_data'), data: dict, metadata: dict.optional() }).loose(),
    z
      .object({
        output_type: z.literal('execute_result'),
        data: dict,
        metadata: dict.optional(),
        execution_count: count.optional()
      })
      .loose(),
    z
      .object({
        output_type: z.literal('error'),
        ename: z.string(),
        evalue: z.string(),
        traceback: z.array(z.string())
      })
      .loose()
  ],
  { error: 'output_type must be "stream", "display_data", "execute_result" or "error"' }
)

const attachments = z.record(z.string(), dict, { error: 'expected an object of MIME bundles' }).optional()

const cellSchema = z.discriminatedUnion(
  'cell_type',
  [
    z
      .object({
        id: cellId,
        cell_type: z.literal('code'),
        metadata: dict,
        source: multiline,
        outputs: z.array(outputSchema),
        execution_count: count
      })
      .loose(),
    z
      .object({
        id: cellId,
        cell_type: z.literal('markdown'),
        metadata: dict,
        source: multiline,
        attachments
      })
      .loose(),
    z
      .object({ id: cellId, cell_type: z.literal('raw'), metadata: dict, source: multiline, attachments })
      .loose()
  ],
  { error: 'cell_type must be "code", "markdown" or "raw"' }
)

export const notebookSchema = z
  .object({
    nbformat: z.literal(4),
    nbformat_minor: z.number().int().min(0, { error: 'expected a whole number ≥ 0' }),
    metadata: dict,
    cells: z.array(cellSchema, { error: 'expected a list of cells' })
  })
  .loose()

/** "cells[3].outputs[0].text" from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key)
  return out || '(top level)'
}
