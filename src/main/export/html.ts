/**
 * The self-contained HTML report: one file, inline CSS, no script, no requests (a CSP says so to the
 * browser too). It reads like the notebook, read-only: highlighted code, rendered markdown, outputs,
 * the per-cell stats line (and a profiled run's fuel profile), and a summary with totals and a fuel-per-cell chart at the top. Pure: a
 * document in, a string out.
 */
import type { ExportOptions } from '../../shared/api'
import { REPORT_CSP } from '../../shared/csp'
import {
  wasMeasured,
  type Cell,
  type MimeBundle,
  type NotebookDocument,
  type RunRecord
} from '../../shared/notebook'
import { escapeHtml } from './escape'
import {
  formatBytes,
  formatFsUse,
  FS_USE_NOTE,
  formatFuel,
  memoryPagesNote,
  formatMs,
  formatPercent,
  fraction,
  statusLook
} from '../../shared/format'
import { highlightPython } from './highlight'
import { fuelChartSvg, type ChartBar } from './html-chart'
import { renderOutputs } from './html-outputs'
import { profileHtml } from './html-profile'
import { REPORT_CSS } from './html-style'
import { renderMarkdown } from './markdown'
import { bundleImageUrl } from './mime'
import type { ImageResolver } from './sanitize'

export interface HtmlReportOptions extends ExportOptions {
  /** Time printed in the byline (tests pass a fixed one). */
  now?: number
  generator?: string
}

function cellAnchor(cell: Cell, index: number): string {
  const safe = cell.id.replace(/[^A-Za-z0-9_-]/g, '')
  return safe ? `cell-${safe}` : `cell-${index + 1}`
}

/** Markdown cells keep their images as nbformat attachments (metadata.attachments). */
export function attachmentResolver(cell: Cell): ImageResolver {
  const attachments = cell.metadata['attachments']
  return (src) => {
    if (!src.startsWith('attachment:') || !attachments || typeof attachments !== 'object') return null
    let name: string
    try {
      name = decodeURIComponent(src.slice('attachment:'.length))
    } catch {
      return null // a malformed %-escape names no attachment
    }
    const bundle = (attachments as Record<string, unknown>)[name]
    if (!bundle || typeof bundle !== 'object' || Array.isArray(bundle)) return null
    return bundleImageUrl(bundle as MimeBundle)
  }
}

function gutterLabel(run: RunRecord | undefined): string {
  if (!run) return '[ ]'
  if (run.isolated || run.executionCount === null) return '[–]'
  return `[${run.executionCount}]`
}

function fuelBar(part: number, whole: number): string {
  const w = (fraction(part, whole) * 100).toFixed(1)
  return `<svg class="fuelbar" width="48" height="6" viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true"><rect class="track" width="100" height="6" rx="2"/><rect class="fill" width="${w}" height="6" rx="2"/></svg>`
}

/** The stats line under a run cell, as the app shows it. */
function statsLine(run: RunRecord, cell: Cell): string {
  const look = statusLook(run.status)
  const status = `<span class="status tone-${look.tone}">${look.icon} ${escapeHtml(look.word)}</span>`
  if (!wasMeasured(run)) {
    // Runs imported from Jupyter: no fuel or memory was measured, and zeros would read as facts.
    return statsItems([
      status,
      '<span class="no-stats">not run in Fuelbook: no fuel or memory measured</span>',
      `<span class="count">${escapeHtml(gutterLabel(run))}</span>`
    ])
  }
  const items = [
    status,
    `<span class="fuel">${escapeHtml(formatFuel(run.fuelConsumed))} fuel</span> ${fuelBar(run.fuelConsumed, run.fuelBudget)} <span class="pct">${escapeHtml(formatPercent(run.fuelConsumed, run.fuelBudget))}</span>`,
    `<span class="memory" title="${escapeHtml(memoryPagesNote(run.memoryPages))}">${escapeHtml(formatBytes(run.memoryBytes))}</span>`,
    `<span class="time">${escapeHtml(formatMs(run.wallMs))}</span>`
  ]
  const fsUse = formatFsUse(run.fsBytes)
  if (fsUse !== null)
    items.push(`<span class="fs-use" title="${escapeHtml(FS_USE_NOTE)}">${escapeHtml(fsUse)}</span>`)
  items.push(`<span class="count">${escapeHtml(gutterLabel(run))}</span>`)
  if (run.isolated) items.push('<span class="isolated">isolated</span>')
  if (run.source !== cell.source) items.push('<span class="stale">source edited since this run</span>')
  return statsItems(items)
}

/**
 * The stats line's items, each with the separator after it and wrapping as one piece (as in the
 * app's StatsLine.svelte): a narrow page wraps the line between items, never before a lone dot.
 */
function statsItems(items: string[]): string {
  const sep = '<span class="sep">·</span>'
  const pieces = items.map((item, i) => `<span class="item">${item}${i < items.length - 1 ? sep : ''}</span>`)
  return `<div class="stats">${pieces.join('')}</div>`
}

function renderCell(
  cell: Cell,
  index: number,
  run: RunRecord | undefined,
  options: HtmlReportOptions
): string {
  const anchor = escapeHtml(cellAnchor(cell, index))
  if (cell.type === 'markdown') {
    if (options.outputsOnly) return ''
    const html = renderMarkdown(cell.source, attachmentResolver(cell))
    return `<section class="cell markdown-cell" id="${anchor}"><div class="gutter"></div><div class="body markdown">${html}</div></section>\n`
  }
  if (cell.type === 'raw') {
    if (options.outputsOnly || options.hideCode) return ''
    return `<section class="cell raw-cell" id="${anchor}"><div class="gutter"></div><div class="body"><pre class="raw">${escapeHtml(cell.source)}</pre></div></section>\n`
  }
  const outputs = run ? renderOutputs(run) : ''
  if (options.outputsOnly) {
    return outputs
      ? `<section class="cell code output-only" id="${anchor}"><div class="outputs">${outputs}</div></section>\n`
      : ''
  }
  const tone = run ? `tone-${statusLook(run.status).tone}` : 'tone-none'
  const parts = [
    `<section class="cell code ${tone}" id="${anchor}"><div class="gutter">${escapeHtml(gutterLabel(run))}</div><div class="body">`
  ]
  if (!options.hideCode)
    parts.push(
      `<pre class="source"><code class="language-python">${highlightPython(cell.source)}</code></pre>`
    )
  if (outputs) parts.push(`<div class="outputs">${outputs}</div>`)
  if (run && !options.hideStats) parts.push(statsLine(run, cell))
  if (run?.profile && !options.hideStats) parts.push(profileHtml(run.profile))
  parts.push('</div></section>\n')
  return parts.join('')
}

export interface NotebookTotals {
  cells: number
  codeCells: number
  cellsRun: number
  failed: number
  fuel: number
  wallMs: number
  peakMemoryBytes: number
}

export function notebookTotals(doc: NotebookDocument): NotebookTotals {
  const totals: NotebookTotals = {
    cells: doc.cells.length,
    codeCells: 0,
    cellsRun: 0,
    failed: 0,
    fuel: 0,
    wallMs: 0,
    peakMemoryBytes: 0
  }
  for (const cell of doc.cells) {
    if (cell.type !== 'code') continue
    totals.codeCells++
    const run = doc.lastRuns[cell.id]
    if (!run) continue
    totals.cellsRun++
    if (run.status !== 'ok') totals.failed++
    totals.fuel += run.fuelConsumed
    totals.wallMs += run.wallMs
    totals.peakMemoryBytes = Math.max(totals.peakMemoryBytes, run.peakMemoryBytes, run.memoryBytes)
  }
  return totals
}

function summary(doc: NotebookDocument): string {
  const t = notebookTotals(doc)
  const bars: ChartBar[] = []
  doc.cells.forEach((cell, index) => {
    const run = cell.type === 'code' ? doc.lastRuns[cell.id] : undefined
    if (!run || !wasMeasured(run)) return
    const look = statusLook(run.status)
    bars.push({
      anchor: cellAnchor(cell, index),
      label: gutterLabel(run),
      fuel: run.fuelConsumed,
      tone: look.tone,
      tooltip: `${gutterLabel(run)} ${formatFuel(run.fuelConsumed)} fuel · ${look.word} · ${formatMs(run.wallMs)}`
    })
  })
  const item = (label: string, value: string): string =>
    `<div><dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd></div>`
  return `<section class="summary" aria-label="Summary"><h2>Summary</h2><dl class="totals">${[
    item('cells run', `${t.cellsRun} of ${t.codeCells}`),
    item('failed', String(t.failed)),
    item('fuel', formatFuel(t.fuel)),
    item('time', formatMs(t.wallMs)),
    item('peak memory', formatBytes(t.peakMemoryBytes)),
    item('kernel memory', formatBytes(doc.kernel.memoryBytes))
  ].join(
    ''
  )}</dl><figure class="fuel-chart">${fuelChartSvg(bars)}<figcaption>Fuel per cell, in notebook order (last run of each cell). Bars link to their cells.</figcaption></figure></section>`
}

/** The wheels the notebook carries: what a reader needs to re-run it elsewhere. */
function packagesSection(doc: NotebookDocument): string {
  if (doc.packages.length === 0) return ''
  const rows = doc.packages.map(
    (p) =>
      `<tr><td>${escapeHtml(p.displayName)}</td><td>${escapeHtml(p.version)}</td><td>${escapeHtml(formatBytes(p.bytes))}</td></tr>`
  )
  return `<section class="packages" aria-label="Packages"><h2>Packages</h2><table><thead><tr><th>Package</th><th>Version</th><th>Size</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`
}

export function notebookToHtml(doc: NotebookDocument, options: HtmlReportOptions = {}): string {
  const title = doc.title.trim() || 'Untitled'
  const when = new Date(options.now ?? Date.now()).toISOString().slice(0, 16).replace('T', ' ')
  const showSummary = !options.hideStats && !options.outputsOnly
  const t = notebookTotals(doc)
  const byline = `Exported from ${options.generator ?? 'Fuelbook'} on ${when} UTC · ${t.cells} cells · ${t.cellsRun} of ${t.codeCells} code cells run`
  const cells = doc.cells.map((cell, i) =>
    renderCell(cell, i, cell.type === 'code' ? doc.lastRuns[cell.id] : undefined, options)
  )
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Fuelbook">
<title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
<header class="report"><h1>${escapeHtml(title)}</h1><p class="byline">${escapeHtml(byline)}</p>${showSummary ? summary(doc) : ''}${options.outputsOnly ? '' : packagesSection(doc)}</header>
${cells.join('')}<footer class="report">Made with Fuelbook: every cell ran in a fresh, fuel-metered Python-on-WebAssembly instance. Fuel counts executed WebAssembly instructions; memory is in 64 KiB pages.</footer>
</main>
</body>
</html>
`
}
