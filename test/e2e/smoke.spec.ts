import { browser, $, expect } from '@wdio/globals'
import { join } from 'node:path'

// The foundation's promise: browser mode serves the notebook, and a cell runs on the real runtime.
describe('browser mode smoke', () => {
  it('runs print("hello") end to end', async () => {
    await browser.url(process.env.FUELBOOK_E2E_URL!)
    await $('[data-testid="new-notebook"]').click()
    // Editors are created lazily: a new notebook's first cell gets one when it is entered.
    await $('[data-testid="cell"]').waitForDisplayed()
    await browser.keys('Enter')
    const editor = await $('[data-testid="cell"] .cm-content')
    await editor.waitForDisplayed()
    await editor.click()
    await browser.keys("print('hello')")
    await browser.keys(['Shift', 'Enter'])
    const output = await $('[data-testid="cell"] [data-testid="outputs"]')
    await output.waitForDisplayed({ timeout: 30_000 })
    await expect(output).toHaveText(expect.stringContaining('hello'))
    await browser.saveScreenshot(join(process.env.FUELBOOK_E2E_ARTIFACTS!, 'screenshots', 'smoke-hello.png'))
  })
})
