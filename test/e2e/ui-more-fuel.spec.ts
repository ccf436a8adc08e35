import { browser, $, expect } from '@wdio/globals'
import {
  cellAt,
  newNotebook,
  outputText,
  runCode,
  shot,
  statsLineStarts,
  waitFinished
} from './notebook-page'

/**
 * "Run with 10× fuel" on a cell that ran out of fuel, as a user sees it in a narrow (800 px) window:
 * offered beside "Profile with a budget of N", reachable by keyboard with a focus ring in both themes;
 * one run with ten times the budget gives the result, while ⚙ settings keep the notebook's 400 M.
 */

async function cycleTheme(): Promise<void> {
  await browser.keys(['Control', 'Shift', 'p'])
  await browser.keys('theme')
  await browser.keys('Enter')
}

const SUM = 'sum(i*i for i in range(10**6))'

describe('run with 10× fuel', () => {
  before(async () => {
    await browser.setWindowSize(800, 900)
  })
  after(async () => {
    await browser.setWindowSize(1280, 900)
  })

  it('runs a cell that ran out of fuel once with ten times its budget; the notebook keeps 400 M', async () => {
    await newNotebook()
    const spent = await runCode(0, SUM)
    expect(await spent.getAttribute('data-status')).toBe('out_of_fuel')
    const runId = await spent.getAttribute('data-run-id')

    const offer = spent.$('[data-testid="run-more-fuel"]')
    await expect(offer).toHaveText('Run with 10× fuel (4 G)')
    await expect(offer).toHaveAttribute(
      'title',
      "Run this cell again with a fuel budget of 4 G, once; the notebook's budget stays 400 M, ⚙ to change it"
    )
    await expect(spent.$('[data-testid="profile-budget"]')).toHaveText('Profile with a budget of 400 M')
    // On screen in an 800 px window, not cut off at the right edge.
    expect(await offer.isDisplayed({ withinViewport: true })).toBe(true)
    // The line wraps there; each wrapped line begins with an item, not with a separator's dot.
    const starts = await statsLineStarts(0)
    expect(starts.length).toBeGreaterThan(1)
    expect(starts.filter((word) => word === '·')).toEqual([])

    // Keyboard reachable, with the focus ring, in the light and the dark theme.
    await browser.keys('Escape')
    await browser.execute((el) => (el as HTMLElement).focus(), await offer.getElement())
    const ring = async (): Promise<string> =>
      browser.execute((el) => getComputedStyle(el as HTMLElement).outlineStyle, await offer.getElement())
    expect(await ring()).toBe('solid')
    await browser.saveScreenshot(shot('ui-more-fuel-offer.png'))
    await cycleTheme()
    await cycleTheme()
    expect(await browser.execute(() => document.documentElement.dataset['theme'])).toBe('dark')
    await browser.execute((el) => (el as HTMLElement).focus(), await offer.getElement())
    expect(await ring()).toBe('solid')
    await browser.pause(300)
    await browser.saveScreenshot(shot('ui-more-fuel-offer-dark.png'))
    await cycleTheme()

    await offer.click()
    const done = await waitFinished(0, runId)
    expect(await done.getAttribute('data-status')).toBe('ok')
    expect(await outputText(0)).toContain('333332833333500000')
    // The stats line measures this run against its own 4 G budget.
    const meter = done.$('[data-testid="stats"] [role="meter"]')
    await expect(meter).toHaveAttribute('aria-valuemax', '4000000000')
    const used = Number(await meter.getAttribute('aria-valuenow'))
    expect(used).toBeGreaterThan(400_000_000)
    const percent = done.$('[data-testid="fuel-percent"]')
    await expect(percent).toHaveText(`${Math.round((used / 4e9) * 100)}%`)
    await expect(percent).toHaveAttribute('title', "of this run's fuel budget, 4 G")
    await expect(done.$('[data-testid="run-more-fuel"]')).not.toBeExisting()
    await browser.saveScreenshot(shot('ui-more-fuel-done.png'))

    // The notebook's budget is what it was: ⚙ says 400 M, and the next plain run runs out again.
    await $('[data-testid="open-settings"]').click()
    await expect($('[data-testid="setting-fuel"]')).toHaveValue('400')
    await browser.keys('Escape')
    await $('[data-testid="settings-dialog"]').waitForDisplayed({ reverse: true })
    const again = await runCode(0, '')
    expect(await again.getAttribute('data-status')).toBe('out_of_fuel')
    await expect((await cellAt(0)).$('[data-testid="stats"] [role="meter"]')).toHaveAttribute(
      'aria-valuemax',
      '400000000'
    )

    // From the keyboard: the palette's command runs the selected cell with 10× fuel too.
    const spentAgain = await (await cellAt(0)).getAttribute('data-run-id')
    await browser.keys('Escape')
    await browser.keys('k')
    await expect(await cellAt(0)).toHaveAttribute('aria-current', 'true')
    await browser.keys(['Control', 'Shift', 'p'])
    await browser.keys('ran out of fuel')
    await browser.keys('Enter')
    const viaPalette = await waitFinished(0, spentAgain)
    expect(await viaPalette.getAttribute('data-status')).toBe('ok')
    expect(await outputText(0)).toContain('333332833333500000')
  })
})
