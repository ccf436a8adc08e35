/**
 * The summary's fuel-per-cell chart as inline SVG: no script, readable offline and in print. Each bar
 * links to its cell and carries a <title> tooltip; colours follow the status tone.
 */
import { escapeHtml } from './escape'
import { formatFuel } from '../../shared/format'
import { layoutFuelChart, type ChartBox } from '../../shared/fuel-chart'

export interface ChartBar {
  /** Anchor of the cell in the page. */
  anchor: string
  label: string
  fuel: number
  tone: string
  tooltip: string
}

/** The report's chart box; the scale and label rules are the sidebar's (shared/fuel-chart.ts). */
const BOX: ChartBox = {
  width: 880,
  height: 170,
  left: 64,
  right: 8,
  top: 10,
  bottom: 24,
  minStep: 0,
  maxBarWidth: 36,
  labelWidth: 34
}

export function fuelChartSvg(bars: readonly ChartBar[]): string {
  const layout = layoutFuelChart(
    bars.map((b) => b.fuel),
    BOX
  )
  const { width: W, height: H, plotLeft, plotRight, baseline } = layout
  const parts: string[] = [
    `<svg viewBox="0 0 ${W} ${H}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Fuel consumed per cell">`
  ]
  for (const tick of layout.ticks) {
    const gy = tick.y.toFixed(1)
    if (tick.value > 0)
      parts.push(`<line class="grid" x1="${plotLeft}" x2="${plotRight}" y1="${gy}" y2="${gy}"/>`)
    parts.push(
      `<text x="${plotLeft - 6}" y="${gy}" text-anchor="end" dominant-baseline="middle">${escapeHtml(tick.label)}</text>`
    )
  }
  parts.push(`<line class="axis" x1="${plotLeft}" x2="${plotRight}" y1="${baseline}" y2="${baseline}"/>`)
  bars.forEach((bar, i) => {
    const g = layout.bars[i]!
    parts.push(
      `<a href="#${escapeHtml(bar.anchor)}"><rect class="bar tone-${escapeHtml(bar.tone)}" x="${g.x.toFixed(2)}" y="${g.y.toFixed(2)}" width="${g.width.toFixed(2)}" height="${g.height.toFixed(2)}"><title>${escapeHtml(bar.tooltip)}</title></rect></a>`
    )
    if (g.capped) parts.push(cutMarker(g.x, g.y, g.width))
    if (g.labelled) {
      parts.push(
        `<text x="${g.centerX.toFixed(1)}" y="${H - 8}" text-anchor="middle">${escapeHtml(bar.label)}</text>`
      )
    }
  })
  if (layout.capAt !== null) {
    parts.push(
      `<text class="cap-note" x="${plotRight}" y="${BOX.top - 1}" text-anchor="end">taller bars cut at ${escapeHtml(formatFuel(layout.capAt))}</text>`
    )
  }
  if (bars.length === 0) {
    parts.push(
      `<text x="${(plotLeft + plotRight) / 2}" y="${BOX.top + (baseline - BOX.top) / 2}" text-anchor="middle">no cell has run in Fuelbook yet</text>`
    )
  }
  parts.push('</svg>')
  return parts.join('')
}

/** Two slanted strokes across the top of a capped bar: "this bar goes on beyond the scale". */
function cutMarker(x: number, y: number, w: number): string {
  const d = (dy: number): string =>
    `M${(x - 1).toFixed(2)} ${(y + dy + 3).toFixed(2)}L${(x + w + 1).toFixed(2)} ${(y + dy).toFixed(2)}`
  return `<path class="cut" d="${d(4)}${d(8)}"/>`
}
