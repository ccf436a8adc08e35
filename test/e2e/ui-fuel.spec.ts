import { browser, $, $$, expect } from '@wdio/globals'
import { cellAt, editCell, insertCode, newNotebook, runCode, shot } from './notebook-page'

/**
 * Fuel by cell and live fuel, as a user sees them: the sidebar chart with its axis, [n] labels, a
 * scale that keeps small cells visible next to a runaway one, hover and click; and a CPU-bound cell
 * whose fuel climbs while it computes (the meter's fuel slices), then interrupted.
 */

async function barHeights(): Promise<number[]> {
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid="fuel-chart"] rect.bar')].map((r) =>
      Number(r.getAttribute('height'))
    )
  )
}

describe('fuel by cell and live fuel', () => {
  it('charts small cells visibly next to an out-of-fuel one, with axis, labels, hover and click', async () => {
    await newNotebook()
    await runCode(0, 'a = sum(range(1000))')
    await runCode(1, 'while True: pass')
    expect(await (await cellAt(1)).getAttribute('data-status')).toBe('out_of_fuel')
    await runCode(2, 'b = [i * i for i in range(3000)]')

    const chart = $('[data-testid="fuel-chart"]')
    await expect(chart).toBeDisplayed()
    // Seen without scrolling the sidebar or the page.
    expect(await chart.isDisplayed({ withinViewport: true })).toBe(true)
    await browser.waitUntil(async () => (await barHeights()).length === 4, {
      timeoutMsg: 'one bar per code cell'
    })
    const [small, runaway, other] = await barHeights()
    // The 400 M bar is cut at the scale's top, so the small cells stay readable, not a pixel high.
    expect(await $$('[data-testid="fuel-chart"] path.cut').length).toBe(1)
    await expect($('[data-testid="fuel-chart"] text.cap-note')).toHaveText(
      expect.stringMatching(/^cut at [\d.]+ [kM]$/)
    )
    expect(small).toBeGreaterThan(3)
    expect(other).toBeGreaterThan(20)
    expect(runaway).toBeGreaterThan(other!)
    // An axis with fuel ticks and the cells' [n] labels.
    const ticks = await $$('[data-testid="fuel-chart"] text.tick').map((t) => t.getText())
    expect(ticks[0]).toBe('0')
    expect(ticks.length).toBeGreaterThanOrEqual(2)
    expect(ticks.at(-1)).toMatch(/^[\d.]+ [kM]$/)
    const labels = await $$('[data-testid="fuel-chart"] text.label').map((t) => t.getText())
    expect(labels.slice(0, 3)).toEqual(['1', '2', '3'])

    // Hover: cell, fuel, time and status.
    const bars = await $$('[data-testid="fuel-bar"]').getElements()
    await bars[1]!.moveTo()
    await expect($('[data-testid="fuel-readout"]')).toHaveText(
      expect.stringMatching(/^\[2\] · 400 M fuel · [\d.]+ (ms|s) · out of fuel$/)
    )
    await bars[2]!.moveTo()
    await expect($('[data-testid="fuel-readout"]')).toHaveText(
      expect.stringMatching(/^\[3\] · [\d.]+ [kM] fuel · /)
    )
    await browser.saveScreenshot(shot('fuel-chart.png'))
    // Click: the cell becomes the current one.
    await bars[0]!.click()
    await expect(await cellAt(0)).toHaveAttribute('aria-current', 'true')
    await bars[2]!.click()
    await expect(await cellAt(2)).toHaveAttribute('aria-current', 'true')
  })

  it('a CPU-bound cell shows its fuel climbing while it runs, in the stats line and the chart', async () => {
    // 20 G of fuel: `for` over 10**9 runs for many seconds and never calls the host.
    await $('[data-testid="open-settings"]').click()
    const fuel = $('[data-testid="setting-fuel"]')
    await fuel.setValue('20000')
    // And a wall-clock limit past the waits below: on a loaded machine the default 30 s could end the
    // cell before three fuel figures were seen.
    await $('[data-testid="setting-timeout"]').setValue('120')
    await $('[data-testid="settings-save"]').click()
    await $('[data-testid="settings-dialog"]').waitForDisplayed({ reverse: true })

    await editCell(3)
    await insertCode('s = 0\nfor i in range(10**9):\n    s += i')
    await browser.keys(['Shift', 'Enter'])
    // Looked up afresh on every poll: a held element goes stale if the list re-renders meanwhile.
    const phase = async (): Promise<string | null> => (await cellAt(3)).getAttribute('data-phase')
    await browser.waitUntil(async () => (await phase()) === 'running', { timeout: 20_000 })
    const seen: string[] = []
    // The chart's bar for the running cell: its label carries the live figure (its height alone can
    // stay the same, once the running cell is the tallest bar the scale is its own).
    const chartSeen = new Set<string>()
    await browser.waitUntil(
      async () => {
        const [text, label] = await browser.execute(() => [
          document.querySelectorAll('[data-testid="cell"]')[3]?.querySelector('[data-testid="live-fuel"]')
            ?.textContent ?? null,
          document
            .querySelector('[data-testid="fuel-bar"][data-cell-index="3"]')
            ?.getAttribute('aria-label') ?? null
        ])
        if (text !== null && text !== seen.at(-1)) seen.push(text)
        // '[4] · 268 M fuel · 1.2 s · running': the fuel figure.
        const barFuel = label?.split(' · ')[1]
        if (barFuel !== undefined) chartSeen.add(barFuel)
        return seen.filter((t) => t !== '0 fuel').length >= 3 && chartSeen.size >= 3
      },
      {
        timeout: 30_000,
        interval: 50,
        timeoutMsg: `live fuel did not climb: ${seen.join(' → ')}; chart: ${[...chartSeen].join(' → ')}`
      }
    )
    const values = seen.map(
      (t) => Number.parseFloat(t) * (t.includes(' G ') ? 1000 : t.includes(' M ') ? 1 : 0)
    )
    for (let i = 1; i < values.length; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!)
    expect(await phase()).toBe('running')

    await $('[data-testid="interrupt"]').click()
    await browser.waitUntil(async () => (await phase()) === 'idle', { timeout: 30_000 })
    expect(await (await cellAt(3)).getAttribute('data-status')).toBe('interrupted')
  })
})
