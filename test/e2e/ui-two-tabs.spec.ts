import { browser, $, $$, expect } from '@wdio/globals'
import { cellAt, editCell, insertCode, newNotebook, url, waitFinished } from './notebook-page'

/**
 * Two tabs on one notebook stay in sync: an edit, a new cell and a run in one reach the other, and
 * neither overwrites the other's edits. Also: the toolbar's glyph buttons say what they do.
 */

async function editorText(index: number): Promise<string> {
  return (await cellAt(index)).$('.cm-content').getText()
}

async function waitSaved(): Promise<void> {
  await browser.waitUntil(
    async () => (await $('[data-testid="save-state"]').getText()).includes('untitled'),
    {
      timeoutMsg: 'edits were not saved'
    }
  )
}

describe('two tabs on one notebook', () => {
  it('edits, new cells and runs in one tab reach the other', async () => {
    await newNotebook()
    await editCell(0)
    await insertCode('x = 1')
    await waitSaved()
    const path = await $('[data-testid="file-name"]').getAttribute('title')
    const first = await browser.getWindowHandle()
    const base = url().split('#')[0]!
    await browser.newWindow(`${base}#open=${encodeURIComponent(path!)}`)
    const second = await browser.getWindowHandle()
    await $('[data-testid="cell"]').waitForDisplayed()
    await browser.waitUntil(async () => (await (await cellAt(0)).getText()).includes('x = 1'))

    // An edit in the second tab appears in the first.
    await editCell(0)
    await insertCode('\ny = 2')
    await waitSaved()
    await browser.switchWindow(first)
    await browser.waitUntil(async () => (await editorText(0)).includes('y = 2'), {
      timeoutMsg: 'the edit from the other tab did not arrive'
    })

    // A new cell from the first tab appears in the second, and the first keeps its own text.
    await $('[data-testid="add-code"]').click()
    await browser.waitUntil(async () => (await $$('[data-testid="cell"]').length) === 2)
    await editCell(1)
    await insertCode('z = x + y')
    await waitSaved()
    await browser.switchWindow(second)
    await browser.waitUntil(async () => (await $$('[data-testid="cell"]').length) === 2, {
      timeoutMsg: 'the new cell did not arrive'
    })
    await browser.waitUntil(async () => (await (await cellAt(1)).getText()).includes('z = x + y'))
    expect(await (await cellAt(0)).getText()).toContain('y = 2')

    // A run started in the second tab shows in the first, with its result.
    const before = await (await cellAt(1)).getAttribute('data-run-id')
    await (await cellAt(1)).$('.input').click()
    await browser.keys(['Control', 'Enter'])
    await waitFinished(1, before)
    await browser.switchWindow(first)
    await waitFinished(1, before)
    await expect((await cellAt(1)).$('[data-testid="execution-count"]')).toHaveText('[1]')
    await browser.closeWindow()
    await browser.switchWindow(second)
  })

  it("an edit from the other tab keeps this tab's Shift+J selection", async () => {
    const selected = (): Promise<string[]> =>
      browser.execute(() =>
        [...document.querySelectorAll('[data-testid="cell"].selected')].map(
          (c) => c.getAttribute('data-cell-id') ?? ''
        )
      )
    await $('[data-testid="add-code"]').click()
    await browser.waitUntil(async () => (await $$('[data-testid="cell"]').length) === 3)
    await waitSaved()
    const ids = await browser.execute(() =>
      [...document.querySelectorAll('[data-testid="cell"]')].map((c) => c.getAttribute('data-cell-id') ?? '')
    )
    const path = await $('[data-testid="file-name"]').getAttribute('title')
    const mine = await browser.getWindowHandle()
    await browser.keys('Escape')
    await (await cellAt(0)).$('[data-testid="execution-count"]').click()
    await browser.keys(['Shift', 'j'])
    await browser.keys(['Shift', 'j'])
    await browser.waitUntil(async () => (await selected()).length === 3, {
      timeoutMsg: 'Shift+J did not select'
    })

    const base = url().split('#')[0]!
    await browser.newWindow(`${base}#open=${encodeURIComponent(path!)}`)
    await $('[data-testid="cell"]').waitForDisplayed()
    await editCell(2)
    await insertCode('\nw = 3')
    await waitSaved()
    await browser.closeWindow()
    await browser.switchWindow(mine)
    await browser.waitUntil(async () => (await (await cellAt(2)).getText()).includes('w = 3'), {
      timeoutMsg: 'the edit from the other tab did not arrive'
    })
    expect(await selected()).toEqual(ids)
    // The selection's other end stayed on the first cell: Shift+K shrinks it from the cursor's end.
    await browser.keys(['Shift', 'k'])
    await browser.waitUntil(async () => (await selected()).length === 2)
    expect(await selected()).toEqual(ids.slice(0, 2))
  })

  it('the toolbar glyph buttons have labels and tooltips; ◧ says it closes the notebook', async () => {
    for (const id of [
      'close-notebook',
      'toggle-sidebar',
      'open-settings',
      'open-palette',
      'open-shortcuts'
    ]) {
      const button = $(`[data-testid="${id}"]`)
      expect((await button.getAttribute('aria-label'))?.length).toBeGreaterThan(5)
      expect((await button.getAttribute('title'))?.length).toBeGreaterThan(5)
    }
    await expect($('[data-testid="close-notebook"]')).toHaveText(expect.stringContaining('Close'))
    expect(await $('[data-testid="close-notebook"]').getAttribute('title')).toContain('start screen')
  })
})
