import { browser, $, expect } from '@wdio/globals'
import { cellAt, editCell, insertCode, newNotebook, runCode, shot, waitFinished } from './notebook-page'

/**
 * The fuel profile in the notebook, as a user sees it: a slow cell profiled with the cell toolbar's
 * "Profile fuel" shows its hot line in the heat gutter (share on the line, the figure on hover) and
 * a table of functions whose links jump to where a function is defined; both come back after a
 * reload, readable in the light and the dark theme. A cell that ran out of fuel offers "Profile with
 * a budget of N", which profiles a re-run that leaves the kernel and the cell's run as they were.
 */

interface Mark {
  line: number
  level: number
  share: string
  title: string
}

/** The heat marks of cell `index`'s gutter: profiled line, shade level, share shown and hover text. */
async function heatMarks(index: number): Promise<Mark[]> {
  const cell = await cellAt(index)
  return browser.execute(
    (el) =>
      [...el.querySelectorAll<HTMLElement>('.cm-fuel-heat')].map((m) => ({
        line: Number(m.dataset['line']),
        level: Number(m.dataset['level']),
        share: m.textContent ?? '',
        title: m.title
      })),
    cell
  )
}

/** Share shown on a mark as a number (lines under 1% show none). */
const shareOf = (m: Mark): number => parseFloat(m.share) || 0
const hottest = (marks: Mark[]): Mark => marks.reduce((a, b) => (shareOf(b) > shareOf(a) ? b : a))

/** WCAG contrast of the hottest line's share text against what is behind it. */
async function hotShareContrast(index: number): Promise<number> {
  const cell = await cellAt(index)
  return browser.execute((el) => {
    const label = el.querySelector<HTMLElement>('.cm-fuel-heat[data-level="4"] .cm-fuel-heat-share')!
    const rgb = (css: string): number[] => {
      // Chromium computes light-dark() colours to rgb(…) or color(srgb …).
      const nums = css.match(/[\d.]+/g)!.map(Number)
      return css.startsWith('color(') ? nums.slice(0, 3).map((v) => v * 255) : nums.slice(0, 3)
    }
    const luminance = (c: number[]): number => {
      const [r, g, b] = c.map((v) => {
        const s = v / 255
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
      })
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!
    }
    const fg = luminance(rgb(getComputedStyle(label).color))
    const bg = luminance(rgb(getComputedStyle(label).backgroundColor))
    return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05)
  }, cell)
}

/** The line (1-based) of cell `index`'s editor that holds the text cursor. */
async function cursorLine(index: number): Promise<number> {
  const cell = await cellAt(index)
  return browser.execute((el) => {
    const anchor = document.getSelection()?.anchorNode
    const line = (anchor instanceof Element ? anchor : anchor?.parentElement)?.closest('.cm-line')
    return [...el.querySelectorAll('.cm-content .cm-line')].indexOf(line as Element) + 1
  }, cell)
}

async function cycleTheme(): Promise<void> {
  await browser.keys(['Control', 'Shift', 'p'])
  await browser.keys('theme')
  await browser.keys('Enter')
}

const HELPERS = '# helpers\ndef square(x):\n    y = x * x\n    return y'
const SLOW = 'n = 0\nfor i in range(500):\n    n += square(i) % 7\nprint(n)'

describe('fuel profile', () => {
  it('profiles a slow cell: its hot line in the gutter, its functions in a table linked to their cells, kept after a reload', async () => {
    await newNotebook()
    await runCode(0, HELPERS)
    await runCode(1, SLOW)
    // Run unprofiled: no gutter, no table.
    expect(await heatMarks(1)).toEqual([])
    await expect((await cellAt(1)).$('[data-testid="fuel-profile"]')).not.toBeExisting()

    const before = await (await cellAt(1)).getAttribute('data-run-id')
    await (await cellAt(1)).$('[data-testid="cell-profile-fuel"]').click()
    await waitFinished(1, before)
    expect(await (await cellAt(1)).getAttribute('data-status')).toBe('ok')

    // The loop's body is the hot line: most of the fuel, the darkest shade, the figure on hover.
    const marks = await heatMarks(1)
    const hot = hottest(marks)
    expect(hot.line).toBe(3)
    expect(hot.level).toBe(4)
    expect(shareOf(hot)).toBeGreaterThan(50)
    expect(hot.title).toMatch(/^[\d.]+ [kMG]? ?fuel · [\d.]+% of the profiled fuel$/)
    expect(marks.every((m) => m.line >= 1 && m.line <= 4)).toBe(true)

    // The table: square called 500 times, defined in the first cell, line 2.
    const table = (await cellAt(1)).$('[data-testid="fuel-profile"]')
    await expect(table).toBeDisplayed()
    await expect(table.$('[data-testid="fuel-profile-summary"]')).toHaveText(
      expect.stringMatching(/^Fuel profile · [\d.]+ [kM] fuel in the profiled code$/)
    )
    const square = table.$('tr*=square')
    await expect(square).toHaveText(expect.stringMatching(/^square cell 1, line 2 .* 500$/))
    await browser.saveScreenshot(shot('ui-fuel-profile.png'))

    // Its link focuses that cell's editor with the cursor on the def line.
    await square.$('[data-testid="fuel-profile-link"]').click()
    await expect(await cellAt(0)).toHaveAttribute('aria-current', 'true')
    await browser.waitUntil(async () => (await cursorLine(0)) === 2, {
      timeoutMsg: 'the cursor is not on the line of def square'
    })

    // Stored with the run: a reload shows the same gutter and table.
    await browser.keys('Escape')
    await browser.pause(300)
    await browser.refresh()
    await $('[data-testid="notebook"]').waitForDisplayed()
    await browser.waitUntil(async () => (await heatMarks(1)).length > 0, {
      timeoutMsg: 'no heat gutter after the reload'
    })
    expect(await heatMarks(1)).toEqual(marks)
    await expect((await cellAt(1)).$('tr*=square')).toHaveText(expect.stringMatching(/ 500$/))

    // Readable in both themes: the hot line's share against its chip (WCAG AA for small text).
    expect(await hotShareContrast(1)).toBeGreaterThanOrEqual(4.5)
    await cycleTheme()
    await cycleTheme()
    expect(await browser.execute(() => document.documentElement.dataset['theme'])).toBe('dark')
    expect(await hotShareContrast(1)).toBeGreaterThanOrEqual(4.5)
    await browser.pause(300)
    await browser.saveScreenshot(shot('ui-fuel-profile-dark.png'))
    await cycleTheme()
  })

  it('offers a cell that ran out of fuel a profile with its budget, from a re-run that changes nothing', async () => {
    await $('[data-testid="open-settings"]').click()
    await $('[data-testid="setting-fuel"]').setValue('20')
    await $('[data-testid="settings-save"]').click()
    await $('[data-testid="settings-dialog"]').waitForDisplayed({ reverse: true })

    await editCell(2)
    await insertCode('k = 0\nwhile True:\n    k += 1')
    await browser.keys(['Shift', 'Enter'])
    const spun = await waitFinished(2, '')
    expect(await spun.getAttribute('data-status')).toBe('out_of_fuel')
    const runId = await spun.getAttribute('data-run-id')
    const kernelHead = await $('[data-testid="kernel-head"]').getText()

    const offer = spun.$('[data-testid="profile-budget"]')
    await expect(offer).toHaveText('Profile with a budget of 20 M')
    await offer.click()
    const table = (await cellAt(2)).$('[data-testid="fuel-profile"]')
    await table.waitForDisplayed({ timeout: 60_000 })
    await expect(table).toHaveAttribute('data-origin', 'budget-rerun')
    await expect(table.$('[data-testid="fuel-profile-summary"]')).toHaveText(
      expect.stringMatching(
        /^Fuel profile of a re-run with a budget of 20 M \(kernel state and outputs unchanged\) · [\d.]+ M fuel in the profiled code, stopped at its budget$/
      )
    )
    const marks = await heatMarks(2)
    expect([2, 3]).toContain(hottest(marks).line)
    await browser.saveScreenshot(shot('ui-fuel-profile-budget.png'))
    // The offer has done its job; the cell's run, status and the kernel are what they were.
    await expect((await cellAt(2)).$('[data-testid="profile-budget"]')).not.toBeExisting()
    expect(await (await cellAt(2)).getAttribute('data-run-id')).toBe(runId)
    expect(await (await cellAt(2)).getAttribute('data-status')).toBe('out_of_fuel')
    expect(await $('[data-testid="kernel-head"]').getText()).toBe(kernelHead)
  })
})
