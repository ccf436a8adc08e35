/**
 * Pure conversions between `Output` values and their rows: the output cap (truncation with the marker) and
 * moving large binary MIME values out of the JSON into blobs. No database here, so it is unit-tested on data.
 */
import type { Output, StreamOutput, TruncatedOutput } from '../../shared/notebook'

/** Base64 MIME values at least this long are stored decoded as blobs (smaller file, no JSON parsing on load). */
export const BLOB_MIN_BASE64_CHARS = 4096

export interface EncodedOutput {
  type: Output['type']
  /** The output as JSON, with blob-stored MIME values replaced by null. */
  body: string
  blobs: { mime: string; data: Buffer }[]
}

/** MIME types whose nbformat value is base64 of binary data (not text, not SVG, not JSON). */
export function isBinaryMime(mime: string): boolean {
  if (mime === 'image/svg+xml') return false
  return (
    mime.startsWith('image/') ||
    mime.startsWith('audio/') ||
    mime.startsWith('video/') ||
    mime === 'application/pdf' ||
    mime === 'application/octet-stream'
  )
}

export function encodeOutput(output: Output): EncodedOutput {
  if (output.type !== 'display_data' && output.type !== 'execute_result') {
    return { type: output.type, body: JSON.stringify(output), blobs: [] }
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
  const body = JSON.stringify(data ? { ...output, data } : output)
  return { type: output.type, body, blobs }
}

export function decodeOutput(body: string, blobs: readonly { mime: string; data: Buffer }[]): Output {
  const output = JSON.parse(body) as Output
  if (blobs.length > 0 && (output.type === 'display_data' || output.type === 'execute_result')) {
    for (const b of blobs) output.data[b.mime] = b.data.toString('base64')
  }
  return output
}

/** Bytes an output counts against the cap: its JSON size, the same measure whatever its type. */
export function outputBytes(output: Output): number {
  return Buffer.byteLength(JSON.stringify(output))
}

/** Cuts `text` to at most `maxBytes` of UTF-8 without splitting a character. */
function cutUtf8(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return ''
  const buf = Buffer.from(text)
  if (buf.length <= maxBytes) return text
  let end = maxBytes
  // Step back over continuation bytes (10xxxxxx) so the cut lands on a character boundary.
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--
  return buf.subarray(0, end).toString()
}

/** The longest prefix of a stream output whose JSON fits in `room` bytes, or null if not even one char. */
function cutStream(o: StreamOutput, room: number): StreamOutput | null {
  const overhead = outputBytes({ ...o, text: '' })
  let budget = room - overhead
  // JSON escapes (\n, \") make the encoded text longer than its UTF-8: shrink until it fits.
  for (let attempt = 0; attempt < 8 && budget > 0; attempt++) {
    const text = cutUtf8(o.text, budget)
    if (text.length === 0) return null
    const cut: StreamOutput = { ...o, text }
    const excess = outputBytes(cut) - room
    if (excess <= 0) return cut
    budget -= excess
  }
  return null
}

/**
 * Applies the run's output cap: outputs are kept in order until `capBytes`; a stream output that crosses
 * the cap is cut, everything after is dropped, and one `truncated` marker at the end says how many bytes
 * went (including any the kernel already dropped and marked). Returns the input array when nothing changes.
 */
export function capOutputs(outputs: readonly Output[], capBytes: number): readonly Output[] {
  const markers = outputs.filter((o): o is TruncatedOutput => o.type === 'truncated')
  let dropped = markers.reduce((sum, m) => sum + m.droppedBytes, 0)
  let used = 0
  let full = false
  const kept: Output[] = []
  let changed = false
  for (const o of outputs) {
    if (o.type === 'truncated') continue
    const size = outputBytes(o)
    if (!full && used + size <= capBytes) {
      kept.push(o)
      used += size
      continue
    }
    changed = true
    full = true
    if (o.type === 'stream' && used < capBytes) {
      const cut = cutStream(o, capBytes - used)
      if (cut) {
        const cutSize = outputBytes(cut)
        kept.push(cut)
        used += cutSize
        dropped += size - cutSize
        continue
      }
    }
    dropped += size
  }
  if (
    !changed &&
    (markers.length === 0 || (markers.length === 1 && outputs[outputs.length - 1] === markers[0]))
  ) {
    return outputs
  }
  if (dropped > 0) kept.push({ type: 'truncated', droppedBytes: dropped })
  return kept
}
