/**
 * One cell's outputs as report HTML, in order: streams (merged as JupyterLab does, ANSI colours kept),
 * errors (styled traceback), rich bundles through the MIME registry, and the truncation marker.
 */
import type { Output, RunRecord } from '../../shared/notebook'
import { isKilledStatus } from '../../shared/notebook'
import { killedWhat, statusLook } from '../../shared/format'
import { mergeStreams, truncationText } from '../../shared/output-model'
import { ansiToHtml, applyCarriageReturns, failingLine, sourceExcerpt } from '../../shared/output-text'
import { escapeHtml } from './escape'
import { renderBundle } from './mime'

/** The source lines around the failing one as report HTML, numbered as in the cell, that line marked. */
function excerptHtml(source: string, line: number): string {
  const rows = sourceExcerpt(source, line)
  if (rows.length === 0) return ''
  const width = String(rows[rows.length - 1]!.n).length
  const html = rows.map((row) => {
    const text = `<span class="ln">${String(row.n).padStart(width)}</span> ${escapeHtml(row.text)}`
    return row.hit ? `<mark class="hit">${text}</mark>` : text
  })
  return `<pre class="excerpt" aria-label="Line ${line} of the cell">${html.join('\n')}</pre>`
}

function renderOutput(output: Output, source = ''): string {
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
      return `<div class="error-output">${trace || head}${line ? excerptHtml(source, line) : ''}</div>`
    }
    case 'display_data':
    case 'execute_result':
      return renderBundle(output.data)
    case 'truncated':
      return `<p class="note">… ${escapeHtml(truncationText(output))}</p>`
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
      `<p class="killed">${look.icon} ${escapeHtml(killedWhat(run.status, run.message))} · kernel state rolled back to before this cell</p>`
    )
  }
  return parts.join('')
}
