/**
 * Geometry of the fuel-by-cell chart, one rule for the sidebar chart and the HTML report's summary
 * chart: the y scale (linear from 0, capped when one or a few runaway cells would flatten the rest),
 * the axis ticks, the bars and which `[n]` labels fit. Pure numbers in, coordinates out.
 *
 * The cap: a budget-sized bar (400 M for an out-of-fuel cell) next to cells of a few M would leave
 * those at a pixel. When the largest bar is more than CAP_RATIO times the typical one (the 75th
 * percentile of the non-zero bars), the scale ends at a nice value above the typical bar and taller
 * bars are drawn to the top with a cut marker (`capped`); their real value is in their tooltip.
 */
import { formatFuel } from './format'

export interface ChartBox {
  width: number
  height: number
  /** Room left of the plot for the tick labels, below it for the `[n]` labels. */
  left: number
  right: number
  top: number
  bottom: number
  /** Narrowest step per bar; more bars than fit make the chart wider than `width` (it scrolls). */
  minStep: number
  /** Widest bar. */
  maxBarWidth: number
  /** Horizontal room one `[n]` label needs; labels are thinned to fit. */
  labelWidth: number
}

/** The sidebar's fuel chart at `width` px (never narrower than 120): its margins and bar sizes. */
export function sidebarChartBox(width: number): ChartBox {
  return {
    width: Math.max(120, width),
    height: 112,
    left: 40,
    right: 6,
    top: 12,
    bottom: 18,
    minStep: 5,
    maxBarWidth: 14,
    labelWidth: 26
  }
}

export interface ChartBarLayout {
  x: number
  y: number
  width: number
  height: number
  /** Taller than the scale: drawn to the top, with a cut marker. */
  capped: boolean
  /** Centre of the bar's slot, where its label goes when `labelled`. */
  centerX: number
  labelled: boolean
}

export interface FuelChartLayout {
  /** Total width: `box.width`, or more when the bars need more room. */
  width: number
  height: number
  /** y of the zero line. */
  baseline: number
  plotLeft: number
  plotRight: number
  /** The value at the top of the scale; bars above it are capped. */
  scaleMax: number
  /** Set when the scale is capped below the largest bar. */
  capAt: number | null
  ticks: { y: number; value: number; label: string }[]
  bars: ChartBarLayout[]
}

/** The largest bar may be this many times the typical one before the scale is capped. */
const CAP_RATIO = 5

export function layoutFuelChart(fuels: readonly number[], box: ChartBox): FuelChartLayout {
  const n = fuels.length
  const plotW0 = box.width - box.left - box.right
  const step = n === 0 ? plotW0 : Math.max(box.minStep, plotW0 / n)
  const plotW = Math.max(plotW0, step * n)
  const width = box.left + plotW + box.right
  const plotH = box.height - box.top - box.bottom
  const baseline = box.top + plotH

  const max = Math.max(0, ...fuels)
  const typical = typicalValue(fuels)
  const capped = typical > 0 && max > CAP_RATIO * typical
  const target = capped ? typical * 1.5 : max
  const tickStep = Math.max(1, niceStep(Math.max(target, 1) / 3))
  const scaleMax = Math.max(tickStep, Math.ceil(Math.max(target, 1) / tickStep) * tickStep)
  const yOf = (v: number): number => baseline - (Math.min(v, scaleMax) / scaleMax) * plotH

  const ticks: FuelChartLayout['ticks'] = []
  for (let v = 0; v <= scaleMax + tickStep / 1e6; v += tickStep) {
    ticks.push({ y: yOf(v), value: v, label: v === 0 ? '0' : formatFuel(v) })
  }

  const barWidth = Math.min(box.maxBarWidth, Math.max(1, step * (n > 60 ? 0.8 : 0.7)))
  const labelEvery = Math.max(1, Math.ceil(box.labelWidth / step))
  const bars = fuels.map((fuel, i) => {
    const slot = box.left + i * step
    // A bar that ran at all stays visible (2 px), however small next to the scale.
    const height = fuel > 0 ? Math.max(2, baseline - yOf(fuel)) : 0
    return {
      x: slot + (step - barWidth) / 2,
      y: baseline - height,
      width: barWidth,
      height,
      capped: fuel > scaleMax,
      centerX: slot + step / 2,
      labelled: i % labelEvery === 0
    }
  })
  return {
    width,
    height: box.height,
    baseline,
    plotLeft: box.left,
    plotRight: box.left + plotW,
    scaleMax,
    capAt: capped ? scaleMax : null,
    ticks,
    bars
  }
}

/** The 75th percentile (nearest rank, lower) of the non-zero values; 0 with fewer than two. */
function typicalValue(fuels: readonly number[]): number {
  const ran = fuels.filter((f) => f > 0).sort((a, b) => a - b)
  if (ran.length < 2) return 0
  return ran[Math.floor(0.75 * (ran.length - 1))]!
}

/** 1, 2 or 5 × a power of ten, at least `raw`. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw))
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power
  return 10 * power
}

/**
 * The bars worth drawing when the chart scrolls in a view `viewWidth` wide at `scrollLeft`: those
 * within one view's width either side (so a scroll shows drawn bars at once), as `[from, to)`.
 * A 1,000-cell notebook's chart is thousands of pixels wide; drawing only this window keeps it cheap.
 */
export function barsInView(
  bars: readonly ChartBarLayout[],
  scrollLeft: number,
  viewWidth: number
): { from: number; to: number } {
  const left = scrollLeft - viewWidth
  const right = scrollLeft + 2 * viewWidth
  let from = 0
  while (from < bars.length && bars[from]!.x + bars[from]!.width < left) from++
  let to = from
  while (to < bars.length && bars[to]!.x <= right) to++
  return { from, to }
}
