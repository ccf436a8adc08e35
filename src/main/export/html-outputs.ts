/**
 * One cell's outputs as report HTML, in order: streams (merged as JupyterLab does, ANSI colours kept),
 * errors (styled traceback), rich bundles through the MIME registry, and the truncation marker.
 */
import type { Output, RunRecord } from '../../shared/notebook'
import { isKilledStatus } from '../../shared/notebook'
import { ansiToHtml } from './ansi'
import { escapeHtml } from './escape'
import { formatBytes, statusLook } from './format'
import { renderBundle } from './mime'

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

/** Within a line, text after '\r' overwrites from the line start, as a terminal shows progress bars. */
export function applyCarriageReturns(text: string): string {
  if (!text.includes('\r')) return text
  return text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => {
      if (!line.includes('\r')) return line
      let shown = ''
      for (const part of line.split('\r')) shown = part + shown.slice(part.length)
      return shown
    })
    .join('\n')
}

export function renderOutput(output: Output): string {
  switch (output.type) {
    case 'stream':
      // The final newline of a print() would show as an empty last line.
      return `<pre class="stream stream-${output.name === 'stderr' ? 'stderr' : 'stdout'}">${ansiToHtml(applyCarriageReturns(output.text).replace(/\n$/, ''))}</pre>`
    case 'error': {
      const head = `<p class="ename">${escapeHtml(output.ename)}${output.evalue ? ': ' + escapeHtml(output.evalue) : ''}</p>`
      const trace = output.traceback.length
        ? `<pre class="traceback">${ansiToHtml(output.traceback.join('\n'))}</pre>`
        : ''
      return `<div class="error-output">${trace || head}</div>`
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
  const parts = mergeStreams(run.outputs).map(renderOutput).filter(Boolean)
  if (isKilledStatus(run.status)) {
    const look = statusLook(run.status)
    parts.push(
      `<p class="killed">${look.icon} ${escapeHtml(run.message ?? look.word)} · kernel state rolled back to before this cell</p>`
    )
  }
  return parts.join('')
}
