/**
 * The outputs of one cell as the UI keeps them: the shared output model's merging
 * (src/shared/output-model.ts), with each stream block carrying its line count so capping a
 * 100,000-line flood never rescans the whole text.
 */
import type { Output, StreamOutput } from '../../../../shared/notebook'
import { mergesInto, truncationText } from '../../../../shared/output-model'
export { applyCarriageReturns } from '../../../../shared/output-text'

export interface StreamBlock extends StreamOutput {
  /** Number of '\n' in text. */
  newlines: number
}

export type ViewOutput = Exclude<Output, StreamOutput> | StreamBlock

function countNewlines(text: string): number {
  let n = 0
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++
  return n
}

/**
 * Returns a new array (callers keep outputs in `$state.raw`). Only the last block is replaced when
 * a chunk merges into it; earlier blocks keep their identity so keyed rendering skips them.
 */
export function appendOutputs(current: readonly ViewOutput[], incoming: readonly Output[]): ViewOutput[] {
  const next = current.slice()
  for (const output of incoming) {
    const last = next[next.length - 1]
    if (output.type !== 'stream') next.push(output)
    else if (mergesInto(last, output)) {
      const block = last as StreamBlock
      next[next.length - 1] = {
        ...block,
        text: block.text + output.text,
        newlines: block.newlines + countNewlines(output.text)
      }
    } else next.push({ ...output, newlines: countNewlines(output.text) })
  }
  return next
}

export function toViewOutputs(outputs: readonly Output[]): ViewOutput[] {
  return appendOutputs([], outputs)
}

export interface CappedText {
  head: string
  tail: string
  /** Lines left out between head and tail; 0 = text shown whole (head holds it). */
  hiddenLines: number
}

/**
 * Keeps the first `headLines` and last `tailLines` lines of a long text, and caps the characters too
 * (one 10 MB line must not freeze the page either). Scans only the kept ends.
 */
export function capText(
  text: string,
  newlines: number,
  headLines = 500,
  tailLines = 200,
  maxChars = 200_000
): CappedText {
  const lines = newlines + (text.endsWith('\n') || text.length === 0 ? 0 : 1)
  if (lines <= headLines + tailLines && text.length <= maxChars)
    return { head: text, tail: '', hiddenLines: 0 }
  let headEnd = 0
  for (let i = 0; i < headLines && headEnd !== -1; i++) {
    const nl = text.indexOf('\n', headEnd)
    headEnd = nl === -1 ? -1 : nl + 1
  }
  if (headEnd === -1 || headEnd > maxChars / 2) headEnd = Math.min(text.length, Math.floor(maxChars / 2))
  let tailStart = text.endsWith('\n') ? text.length - 1 : text.length
  for (let i = 0; i < tailLines; i++) {
    const nl = text.lastIndexOf('\n', tailStart - 1)
    if (nl === -1 || nl < headEnd) {
      tailStart = headEnd
      break
    }
    tailStart = nl
  }
  if (text.length - tailStart > maxChars / 2) tailStart = text.length - Math.floor(maxChars / 2)
  if (tailStart <= headEnd) return { head: text.slice(0, maxChars), tail: '', hiddenLines: 0 }
  const head = text.slice(0, headEnd)
  const tail = text.slice(tailStart)
  // The middle starts at a line start and ends before the tail's '\n': its lines = its newlines + 1.
  const hiddenLines = Math.max(1, newlines - countNewlines(head) - countNewlines(tail) + 1)
  return { head, tail: tail.replace(/^\n/, ''), hiddenLines }
}

/** Plain text of all outputs, for "save to file". */
export function outputsAsText(outputs: readonly ViewOutput[]): string {
  return outputs
    .map((o) => {
      if (o.type === 'stream') return o.text
      if (o.type === 'error') return o.traceback.join('\n') + '\n'
      if (o.type === 'truncated') return `[${truncationText(o)}]\n`
      const plain = o.data['text/plain']
      return typeof plain === 'string' ? plain + '\n' : Array.isArray(plain) ? plain.join('') + '\n' : ''
    })
    .join('')
}
