/**
 * One cell's outputs as report HTML, in order: streams (merged as JupyterLab does, ANSI colours kept),
 * errors (styled traceback), rich bundles through the MIME registry, and the truncation marker.
 */
import type { ErrorOutput, Output, RunRecord } from '../../shared/notebook'
import { isKilledStatus } from '../../shared/notebook'
import { ansiToHtml, stripAnsi } from './ansi'
import { escapeHtml } from './escape'
import { formatBytes, statusLook } from '../../shared/format'
import { renderBundle } from './mime'
import { applyCarriageReturns } from '../../shared/stream-text'

/** Consecutive stream chunks of the same name become one block. */
export function mergeStreams(outputs: readonly Output[]): Output[] {
  const merged: Output[] = []
  for (const o of outputs) {
    const last = merged[merged.length - 1]
    if (o.type === 'stream' && last?.type === 'stream' && last.name === o.name) {
      merged[merged.length - 1] = { ...last, text: last.text + o.text }
    } else {
      merged.push(o)
    }
  }
  return merged
}

// Frames in the cell itself: our kernel's `File "<cell-3>", line 2` and IPython's `Cell In[4], line 3`.
const CELL_FRAME_RE = /^\s*(?:File "<cell[^>]*>", line|Cell In\[\d+\], line) (\d+)/

/** The line of the cell's source where the error was raised (1-based), when known. */
export function failingLine(error: ErrorOutput): number | null {
  if (typeof error.lineno === 'number' && error.lineno > 0) return error.lineno
  let line: number | null = null
  for (const text of error.traceback.flatMap((t) => stripAnsi(t).split('\n'))) {
    const m = CELL_FRAME_RE.exec(text)
    if (m) line = Number(m[1])
  }
  return line
}

/** A few lines of the source around the failing one, numbered as in the cell, that line marked. */
export function sourceExcerpt(source: string, line: number, context = 2): string {
  const lines = source.split('\n')
  if (line < 1 || line > lines.length) return ''
  const rows: string[] = []
  const width = String(Math.min(lines.length, line + context)).length
  for (let n = Math.max(1, line - context); n <= Math.min(lines.length, line + context); n++) {
    const text = `<span class="ln">${String(n).padStart(width)}</span> ${escapeHtml(lines[n - 1]!)}`
    rows.push(n === line ? `<mark class="hit">${text}</mark>` : text)
  }
  return `<pre class="excerpt" aria-label="Line ${line} of the cell">${rows.join('\n')}</pre>`
}

export function renderOutput(output: Output, source = ''): string {
  switch (output.type) {
    case 'stream':
      // The final newline of a print() would show as an empty last line.
      return `<pre class="stream stream-${output.name === 'stderr' ? 'stderr' : 'stdout'}">${ansiToHtml(applyCarriageReturns(output.text).replace(/\n$/, ''))}</pre>`
    case 'error': {
      const head = `<p class="ename">${escapeHtml(output.ename)}${output.evalue ? ': ' + escapeHtml(output.evalue) : ''}</p>`
      const trace = output.traceback.length
        ? `<pre class="traceback">${ansiToHtml(output.traceback.join('\n'))}</pre>`
        : ''
      const line = source ? failingLine(output) : null
      return `<div class="error-output">${trace || head}${line ? sourceExcerpt(source, line) : ''}</div>`
    }
    case 'display_data':
    case 'execute_result':
      return renderBundle(output.data)
    case 'truncated':
      return `<p class="note">… output truncated here: ${escapeHtml(formatBytes(output.droppedBytes))} more not kept</p>`
    default:
      return ''
  }
}

export function renderOutputs(run: RunRecord): string {
  const parts = mergeStreams(run.outputs)
    .map((o) => renderOutput(o, run.source))
    .filter(Boolean)
  if (isKilledStatus(run.status)) {
    const look = statusLook(run.status)
    parts.push(
      `<p class="killed">${look.icon} ${escapeHtml(run.message ?? look.word)} · kernel state rolled back to before this cell</p>`
    )
  }
  return parts.join('')
}
