import { browser, $, $$, expect } from '@wdio/globals'
import { join } from 'node:path'
import { writeLongNotebook } from '../helpers/long-notebook'
import { SETTINGS } from '../helpers/store-fixtures'
import { url } from './notebook-page'

/**
 * A 1,000-cell notebook as a user meets it: the first cells answer keys at once, every cell arrives
 * in order (the rest mount a slice per frame), and the outline and the fuel chart (which draws only
 * the bars near its scrolled view) take the user to the last cells.
 */
const CELLS = 1000

const cellIds = (): Promise<string[]> =>
  browser.execute(() =>
    [...document.querySelectorAll('[data-testid="cell"]')].map((c) => c.getAttribute('data-cell-id') ?? '')
  )

const currentCellId = (): Promise<string | null> =>
  browser.execute(
    () =>
      document.querySelector('[data-testid="cell"][aria-current="true"]')?.getAttribute('data-cell-id') ??
      null
  )

async function expectCurrentOnScreen(id: string): Promise<void> {
  await browser.waitUntil(async () => (await currentCellId()) === id, {
    timeoutMsg: `${id} is not the current cell`
  })
  const cell = $(`[data-testid="cell"][data-cell-id="${id}"]`)
  await browser.waitUntil(() => cell.isDisplayed({ withinViewport: true }), {
    timeoutMsg: `${id} was not scrolled into view`
  })
}

describe('a 1,000-cell notebook', () => {
  const file = join(process.env.FUELBOOK_E2E_DATA!, 'long-1000.fuelbook')

  before(() => writeLongNotebook(file, CELLS, SETTINGS))

  it('answers keys at once and mounts every cell in order', async () => {
    await browser.url(`${url()}#open=${encodeURIComponent(file)}`)
    await browser.waitUntil(async () => (await currentCellId()) === 'cell-0', {
      timeout: 30_000,
      timeoutMsg: 'the first cell never showed'
    })
    await browser.keys('j')
    await expectCurrentOnScreen('cell-1')
    await browser.waitUntil(async () => (await cellIds()).length === CELLS, {
      timeout: 60_000,
      timeoutMsg: 'not every cell was mounted'
    })
    expect(await cellIds()).toEqual(Array.from({ length: CELLS }, (_, c) => `cell-${c}`))
    // Far cells show their code and outputs once scrolled near, like the first ones.
    const last = $('[data-testid="cell"][data-cell-id="cell-998"]')
    await last.scrollIntoView()
    await expect(last.$('[data-testid="static-code"]')).toHaveText(expect.stringContaining('x_998 = 998'))
  })

  it('goes to the last section from the outline and to the last cell from the fuel chart', async () => {
    const headings = await $$('[data-testid="outline"] button').getElements()
    expect(headings.length).toBe(CELLS / 5)
    await headings.at(-1)!.click()
    await expectCurrentOnScreen('cell-999')

    // Scrolled to its end, the chart draws the last cells' bars; a click selects that cell.
    await browser.execute(() => {
      const scroller = document.querySelector('[data-testid="fuel-chart"]')!.parentElement!
      scroller.scrollLeft = scroller.scrollWidth
    })
    const lastBar = $('[data-testid="fuel-bar"][data-cell-index="998"]')
    await lastBar.waitForExist({ timeoutMsg: 'the last bar was not drawn after scrolling the chart' })
    expect(await $('[data-testid="fuel-bar"][data-cell-index="0"]').isExisting()).toBe(false)
    await lastBar.click()
    await expectCurrentOnScreen('cell-998')
  })
})
