/**
 * Pure conversions between `Output` values and their rows: moving large binary MIME values out of the
 * JSON into blobs. The JSON itself and the output cap are the shared output model's
 * (src/shared/output-json.ts, output-model.ts). No database here, so it is unit-tested on data.
 */
import type { Output } from '../../shared/notebook'
import { outputFromJson, outputToJson } from '../../shared/output-json'
import { isBinaryMime } from '../../shared/output-model'
export { capOutputs } from '../../shared/output-model'

/** Base64 MIME values at least this long are stored decoded as blobs (smaller file, no JSON parsing on load). */
export const BLOB_MIN_BASE64_CHARS = 4096

export interface EncodedOutput {
  type: Output['type']
  /** The output as JSON, with blob-stored MIME values replaced by null. */
  body: string
  blobs: { mime: string; data: Buffer }[]
}

export function encodeOutput(output: Output): EncodedOutput {
  if (output.type !== 'display_data' && output.type !== 'execute_result') {
    return { type: output.type, body: outputToJson(output), blobs: [] }
  }
  let data: Record<string, unknown> | null = null
  const blobs: EncodedOutput['blobs'] = []
  for (const [mime, value] of Object.entries(output.data)) {
    if (typeof value !== 'string' || value.length < BLOB_MIN_BASE64_CHARS || !isBinaryMime(mime)) continue
    const bytes = Buffer.from(value, 'base64')
    // Only canonical base64 round-trips exactly (nbformat allows line breaks): keep anything else as text.
    if (bytes.toString('base64') !== value) continue
    data ??= { ...output.data }
    data[mime] = null
    blobs.push({ mime, data: bytes })
  }
  const body = outputToJson(data ? { ...output, data } : output)
  return { type: output.type, body, blobs }
}

/** An output row back as an Output; a damaged row reads as an error output saying so (see outputFromJson). */
export function decodeOutput(body: string, blobs: readonly { mime: string; data: Buffer }[]): Output {
  const output = outputFromJson(body)
  if (blobs.length > 0 && (output.type === 'display_data' || output.type === 'execute_result')) {
    for (const b of blobs) output.data[b.mime] = b.data.toString('base64')
  }
  return output
}
