/**
 * The output model of one run (JupyterLab's outputarea model, without DOM): the one home of the rules
 * every layer applies to a run's outputs. The sandbox worker feeds it live, the store re-applies it to
 * what it is given (a no-op on the worker's result), the UI and the exporters merge with it.
 *
 * - Consecutive stream outputs of the same name merge into one.
 * - clear_output(): everything so far goes; with wait=True, when the next output arrives.
 * - The cap: every kind of output counts its size (`outputSize`) against one budget, in order. The
 *   stream that crosses the budget is cut; from then on everything is dropped, except errors: the
 *   run's final exception is what the user needs most, so an error past the budget is still kept
 *   (bounded to `ERROR_MAX_BYTES`; a later one replaces it). One `truncated` marker at the end counts
 *   what was dropped (bytes and outputs).
 *
 * Pure (no I/O), so the worker, the main process and the renderer share it.
 */
import { formatBytes } from './format'
import type { ErrorOutput, Output, StreamOutput, TruncatedOutput } from './notebook'

/** An error output is cut to about this size (its traceback keeps its last lines: where it was raised). */
export const ERROR_MAX_BYTES = 64 * 1024

/** UTF-8 length of a string without encoding it. */
function utf8Length(text: string): number {
  let bytes = text.length
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) continue
    if (c < 0x800) bytes += 1
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1)
      // A surrogate pair is 2 UTF-16 units and 4 UTF-8 bytes.
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 2
        i++
      } else bytes += 2
    } else bytes += 2
  }
  return bytes
}

/** The longest prefix of `text` whose UTF-8 fits in `maxBytes`, never splitting a character. */
function cutToBytes(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return ''
  // Cheap exits: at most 3 UTF-8 bytes per UTF-16 unit, at least one.
  if (text.length * 3 <= maxBytes) return text
  let bytes = 0
  let i = 0
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i)
    let size = c < 0x80 ? 1 : c < 0x800 ? 2 : 3
    let units = 1
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        size = 4
        units = 2
      }
    }
    if (bytes + size > maxBytes) break
    bytes += size
    i += units - 1
  }
  return text.slice(0, i)
}

/**
 * Bytes an output counts against the cap: the UTF-8 text of a stream, the JSON of anything else
 * (a rich bundle's base64 image counts as its base64 text).
 */
export function outputSize(output: Output): number {
  return output.type === 'stream' ? utf8Length(output.text) : utf8Length(JSON.stringify(output))
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

/** True when `output` merges into `last` (JupyterLab's rule: consecutive streams of the same name). */
export function mergesInto(last: Output | undefined, output: Output): last is StreamOutput {
  return output.type === 'stream' && last?.type === 'stream' && last.name === output.name
}

/** Appends `output` to `list` in place, merging stream text into a preceding stream of the same name. */
export function appendOutput(list: Output[], output: Output): void {
  const last = list[list.length - 1]
  if (mergesInto(last, output))
    list[list.length - 1] = { ...last, text: last.text + (output as StreamOutput).text }
  else list.push(output)
}

/** A new list with consecutive streams of the same name merged. */
export function mergeStreams(outputs: readonly Output[]): Output[] {
  const merged: Output[] = []
  for (const output of outputs) appendOutput(merged, output)
  return merged
}

/**
 * An error output no larger than about `maxBytes`: a long evalue is cut, and the traceback keeps its
 * last entries (the frame that raised and the message) with one line saying how many went.
 */
export function boundError(error: ErrorOutput, maxBytes = ERROR_MAX_BYTES): ErrorOutput {
  if (outputSize(error) <= maxBytes) return error
  const part = Math.floor(maxBytes / 4)
  const ename = cutToBytes(error.ename, 256)
  const evalue = utf8Length(error.evalue) > part ? cutToBytes(error.evalue, part) + ' …' : error.evalue
  const kept: string[] = []
  let room = maxBytes - part * 2
  for (let i = error.traceback.length - 1; i >= 0; i--) {
    const entry = error.traceback[i]!
    const size = utf8Length(entry)
    if (size > room) {
      // One huge entry (the message line of a long evalue): keep its start.
      if (kept.length === 0) kept.unshift(cutToBytes(entry, room) + ' …')
      break
    }
    kept.unshift(entry)
    room -= size
  }
  const cut = error.traceback.length - kept.length
  const traceback = cut > 0 ? [`… ${cut} traceback entries not kept (too large)`, ...kept] : kept
  return { ...error, ename, evalue, traceback }
}

export interface OutputDrops {
  bytes: number
  outputs: number
}

/** The `truncated` marker for what was dropped, or null when nothing was. */
function truncatedMarker(dropped: OutputDrops): TruncatedOutput | null {
  if (dropped.bytes === 0 && dropped.outputs === 0) return null
  return { type: 'truncated', droppedBytes: dropped.bytes, droppedOutputs: dropped.outputs }
}

/** What a `truncated` marker says, in every front end: "output cap reached: 1.2 MiB and 3 outputs not kept". */
export function truncationText(marker: TruncatedOutput): string {
  const outputs = marker.droppedOutputs ?? 0
  const whole = outputs > 0 ? ` and ${outputs} output${outputs === 1 ? '' : 's'}` : ''
  return `output cap reached: ${formatBytes(marker.droppedBytes)}${whole} not kept`
}

/**
 * One run's outputs under one budget, built output by output. `add` answers what was kept, so a
 * live caller can forward exactly that; `result()` is the final list with the marker.
 */
export class OutputArea {
  private readonly list: Output[] = []
  private used = 0
  private full = false
  /** Index in `list` of an error kept past the budget (at most one). */
  private overflowError: number | null = null
  private clearPending = false
  /** Outputs kept with an IPython display id, by id, for update_display. */
  private readonly displayed = new Map<string, Output[]>()
  readonly dropped: OutputDrops = { bytes: 0, outputs: 0 }

  constructor(readonly capBytes: number) {}

  /** The outputs kept so far (merged), without the marker. */
  get outputs(): readonly Output[] {
    return this.list
  }

  /** Bytes left in the budget. */
  get room(): number {
    return this.full ? 0 : Math.max(0, this.capBytes - this.used)
  }

  /**
   * clear_output(wait). Returns true when the outputs were cleared now (wait=False); with wait=True
   * they are cleared by the next `add`, whose result then says `replaced`.
   */
  clear(wait: boolean): boolean {
    if (wait) {
      this.clearPending = true
      return false
    }
    this.reset()
    return true
  }

  /**
   * update_display: every output kept with this display id takes the new content in place.
   * Returns false when nothing changed: an id this area never kept (or cleared since, as Jupyter
   * front ends ignore it), or content that does not fit the budget (then counted as dropped).
   */
  update(displayId: string, output: Output): boolean {
    const shown = (this.displayed.get(displayId) ?? []).filter((o) => this.list.includes(o))
    if (shown.length === 0) return false
    const size = outputSize(output)
    const growth = shown.reduce((sum, old) => sum + size - outputSize(old), 0)
    if (this.used + growth > this.capBytes) {
      this.dropped.bytes += size
      this.dropped.outputs += 1
      return false
    }
    this.used += growth
    const replaced = shown.map((old) => {
      const copy = { ...output }
      this.list[this.list.indexOf(old)] = copy
      return copy
    })
    this.displayed.set(displayId, replaced)
    return true
  }

  /** Adds one output. `kept` is what was kept of it (cut or bounded), null when dropped. */
  add(output: Output, displayId?: string): { kept: Output | null; replaced: boolean } {
    let replaced = false
    if (this.clearPending) {
      this.reset()
      replaced = true
    }
    if (output.type === 'truncated') {
      // A marker in the input (re-applying the model to a stored run) carries earlier drops.
      this.dropped.bytes += output.droppedBytes
      this.dropped.outputs += output.droppedOutputs ?? 0
      return { kept: null, replaced }
    }
    const candidate = output.type === 'error' ? boundError(output) : output
    const size = outputSize(candidate)
    if (!this.full && this.used + size <= this.capBytes) {
      this.used += size
      appendOutput(this.list, candidate)
      if (displayId !== undefined)
        this.displayed.set(displayId, [...(this.displayed.get(displayId) ?? []), candidate])
      return { kept: candidate, replaced }
    }
    if (output.type === 'error') {
      this.keepOverflowError(candidate as ErrorOutput)
      return { kept: candidate, replaced }
    }
    const wasFull = this.full
    this.full = true
    if (output.type === 'stream' && !wasFull) {
      const text = cutToBytes(output.text, this.capBytes - this.used)
      if (text.length > 0) {
        const cut: StreamOutput = { ...output, text }
        const cutSize = utf8Length(text)
        this.used += cutSize
        this.dropped.bytes += size - cutSize
        appendOutput(this.list, cut)
        return { kept: cut, replaced }
      }
    }
    this.dropped.bytes += size
    this.dropped.outputs += 1
    return { kept: null, replaced }
  }

  /** The final outputs: everything kept, then one `truncated` marker if anything was dropped. */
  result(): Output[] {
    const marker = truncatedMarker(this.dropped)
    return marker ? [...this.list, marker] : [...this.list]
  }

  private keepOverflowError(error: ErrorOutput): void {
    if (this.overflowError !== null) {
      const previous = this.list[this.overflowError]!
      this.list.splice(this.overflowError, 1)
      this.dropped.bytes += outputSize(previous)
      this.dropped.outputs += 1
    }
    this.overflowError = this.list.length
    this.list.push(error)
  }

  private reset(): void {
    this.displayed.clear()
    this.list.length = 0
    this.used = 0
    this.full = false
    this.overflowError = null
    this.clearPending = false
  }
}

/**
 * Applies the model to a finished list (the store, imports): the same result the worker made
 * live, so re-applying it changes nothing. Returns the input itself when nothing changes.
 */
export function capOutputs(outputs: readonly Output[], capBytes: number): readonly Output[] {
  const area = new OutputArea(capBytes)
  for (const output of outputs) area.add(output)
  const result = area.result()
  const same =
    result.length === outputs.length && result.every((o, i) => o === outputs[i] || sameMarker(o, outputs[i]!))
  return same ? outputs : result
}

function sameMarker(a: Output, b: Output): boolean {
  return (
    a.type === 'truncated' &&
    b.type === 'truncated' &&
    a.droppedBytes === b.droppedBytes &&
    (a.droppedOutputs ?? 0) === (b.droppedOutputs ?? 0)
  )
}
