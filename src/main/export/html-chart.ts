/**
 * The summary's fuel-per-cell chart as inline SVG: no script, readable offline and in print. Each bar
 * links to its cell and carries a <title> tooltip; colours follow the status tone.
 */
import { escapeHtml } from './escape'
import { formatFuel } from '../../shared/format'

export interface ChartBar {
  /** Anchor of the cell in the page. */
  anchor: string
  label: string
  fuel: number
  tone: string
  tooltip: string
}

const W = 880
const H = 170
const LEFT = 64
const RIGHT = 8
const TOP = 10
const BOTTOM = 24

export function fuelChartSvg(bars: readonly ChartBar[]): string {
  const plotW = W - LEFT - RIGHT
  const plotH = H - TOP - BOTTOM
  const max = Math.max(1, ...bars.map((b) => b.fuel))
  const step = plotW / Math.max(bars.length, 1)
  const barW = Math.min(36, Math.max(0.5, step * (bars.length > 60 ? 0.9 : 0.7)))
  const y = (v: number): number => TOP + plotH - (v / max) * plotH
  const parts: string[] = [
    `<svg viewBox="0 0 ${W} ${H}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Fuel consumed per cell">`
  ]
  for (const frac of [0.5, 1]) {
    const gy = y(max * frac).toFixed(1)
    parts.push(`<line class="grid" x1="${LEFT}" x2="${W - RIGHT}" y1="${gy}" y2="${gy}"/>`)
    parts.push(
      `<text x="${LEFT - 6}" y="${gy}" text-anchor="end" dominant-baseline="middle">${escapeHtml(formatFuel(max * frac))}</text>`
    )
  }
  parts.push(`<text x="${LEFT - 6}" y="${TOP + plotH}" text-anchor="end" dominant-baseline="middle">0</text>`)
  parts.push(`<line class="axis" x1="${LEFT}" x2="${W - RIGHT}" y1="${TOP + plotH}" y2="${TOP + plotH}"/>`)
  // Label every k-th bar so labels never overlap (about 34 px per label).
  const every = Math.max(1, Math.ceil(34 / step))
  bars.forEach((bar, i) => {
    const x = LEFT + i * step + (step - barW) / 2
    const top = y(bar.fuel)
    const h = Math.max(bar.fuel > 0 ? 1 : 0, TOP + plotH - top)
    parts.push(
      `<a href="#${escapeHtml(bar.anchor)}"><rect class="bar tone-${escapeHtml(bar.tone)}" x="${x.toFixed(2)}" y="${(TOP + plotH - h).toFixed(2)}" width="${barW.toFixed(2)}" height="${h.toFixed(2)}"><title>${escapeHtml(bar.tooltip)}</title></rect></a>`
    )
    if (i % every === 0) {
      parts.push(
        `<text x="${(LEFT + i * step + step / 2).toFixed(1)}" y="${H - 8}" text-anchor="middle">${escapeHtml(bar.label)}</text>`
      )
    }
  })
  if (bars.length === 0) {
    parts.push(
      `<text x="${LEFT + plotW / 2}" y="${TOP + plotH / 2}" text-anchor="middle">no cell has run in Fuelbook yet</text>`
    )
  }
  parts.push('</svg>')
  return parts.join('')
}
