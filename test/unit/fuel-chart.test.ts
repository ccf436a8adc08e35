import { describe, expect, it } from 'vitest'
import { barsInView, layoutFuelChart, sidebarChartBox } from '../../src/shared/fuel-chart'

// The sidebar's chart at the width it starts with before it is measured.
const box = sidebarChartBox(232)

describe('fuel chart: bars drawn in a scrolled view', () => {
  const layout = layoutFuelChart(
    Array.from({ length: 800 }, (_, i) => 1000 + i),
    box
  )

  it('draws every bar of a chart that fits its view', () => {
    const small = layoutFuelChart([5, 400_000_000, 7], box)
    expect(barsInView(small.bars, 0, box.width)).toEqual({ from: 0, to: 3 })
  })

  it('draws the bars near the view only, a view either side, and every bar inside it', () => {
    expect(layout.width).toBeGreaterThan(3000)
    const scrollLeft = 2000
    const { from, to } = barsInView(layout.bars, scrollLeft, box.width)
    expect(to - from).toBeLessThan(200)
    for (let i = 0; i < layout.bars.length; i++) {
      const bar = layout.bars[i]!
      const onScreen = bar.x + bar.width >= scrollLeft && bar.x <= scrollLeft + box.width
      const nearScreen = bar.x + bar.width >= scrollLeft - box.width && bar.x <= scrollLeft + 2 * box.width
      if (onScreen) expect(i >= from && i < to).toBe(true)
      if (!nearScreen) expect(i >= from && i < to).toBe(false)
    }
  })

  it('reaches the last bar when scrolled to the end, and the first at the start', () => {
    expect(barsInView(layout.bars, layout.width - box.width, box.width).to).toBe(800)
    expect(barsInView(layout.bars, 0, box.width).from).toBe(0)
  })
})
