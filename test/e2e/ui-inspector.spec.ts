import { browser, $, expect } from '@wdio/globals'
import {
  editCell,
  editorFocused,
  editorText,
  insertCode,
  inspector,
  newNotebook,
  runCode,
  shot
} from './notebook-page'

/**
 * Jupyter's inspector in browser mode against the real runtime: Shift+Tab in a code cell shows the
 * signature and docstring of the name at the cursor from the kernel, under the cursor, while the
 * focus stays in the editor; Shift+Tab again shows all of a long docstring; Esc closes it.
 */

async function mode(): Promise<string> {
  return browser.execute(
    () => document.querySelector('[data-testid="notebook"]')?.getAttribute('data-mode') ?? ''
  )
}

describe('the kernel inspector (Shift+Tab)', () => {
  it('shows a builtin and a function of an earlier cell, keeps the focus, and closes with Esc', async () => {
    await newNotebook()
    await runCode(0, "def area(w, h=2):\n    '''Area of a w by h rectangle.'''\n    return w * h")
    await editCell(1)
    await insertCode('len')
    await browser.keys(['Shift', 'Tab'])
    await expect(inspector()).toBeDisplayed({ wait: 15_000 })
    await expect(inspector()).toHaveText(expect.stringContaining('Signature: len(obj, /)'))
    await expect(inspector()).toHaveText(
      expect.stringContaining('Return the number of items in a container.')
    )
    expect(await editorFocused(1)).toBe(true)
    // Typing goes on in the editor; the edit closes the tooltip.
    await browser.keys('([1, 2])')
    expect(await editorText(1)).toBe('len([1, 2])')
    await expect(inspector()).not.toBeExisting()

    // Inside a call: the function being called, from the cell run before.
    await insertCode('\narea(3, ')
    await browser.keys(['Shift', 'Tab'])
    await expect(inspector()).toHaveText(expect.stringContaining('Signature: area(w, h=2)'), { wait: 15_000 })
    await expect(inspector()).toHaveText(expect.stringContaining('Area of a w by h rectangle.'))
    const tip = await inspector().getLocation()
    const cursor = await $('.cm-focused .cm-cursor').getLocation()
    expect(tip.y).toBeGreaterThan(cursor.y)
    expect(await editorFocused(1)).toBe(true)
    // Esc closes the tooltip and stays in the editor; the next Esc leaves it (command mode).
    await browser.keys('Escape')
    await expect(inspector()).not.toBeExisting()
    expect(await editorFocused(1)).toBe(true)
    expect(await mode()).toBe('edit')
    await browser.keys('4')
    expect(await editorText(1)).toBe('len([1, 2])\narea(3, 4')
    await browser.keys('Escape')
    expect(await mode()).toBe('command')
  })

  it('shows the first lines of a long docstring, all of it on a second Shift+Tab', async () => {
    await runCode(0, '\nimport json')
    await editCell(1)
    await insertCode('\njson.dumps(data, ')
    await browser.keys(['Shift', 'Tab'])
    await expect(inspector()).toHaveText(expect.stringContaining('Signature:\njson.dumps(\n    obj,'), {
      wait: 15_000
    })
    await expect(inspector()).toHaveText(expect.stringContaining('Shift+Tab: show all'))
    const short = await inspector().getText()
    expect(short).not.toContain('To use a custom ``JSONEncoder`` subclass')
    // Seen whole: nothing (the cell's own box, the next cell) covers or clips its last line.
    const bottomVisible = await browser.execute(() => {
      const tip = document.querySelector('[data-testid="inspector"]')!
      const box = tip.getBoundingClientRect()
      const hit = document.elementFromPoint(box.left + 20, box.bottom - 8)
      return !!hit && tip.contains(hit)
    })
    expect(bottomVisible).toBe(true)
    await browser.saveScreenshot(shot('ui-inspector.png'))
    await browser.keys(['Shift', 'Tab'])
    await expect(inspector()).toHaveText(expect.stringContaining('To use a custom ``JSONEncoder`` subclass'))
    await expect(inspector()).not.toHaveText(expect.stringContaining('Shift+Tab: show all'))
    expect(await editorFocused(1)).toBe(true)
  })

  it('says so when the name is not in the kernel yet', async () => {
    await editCell(1)
    await insertCode('\nnot_run_yet')
    await browser.keys(['Shift', 'Tab'])
    await expect(inspector()).toHaveText('not_run_yet is not defined in the kernel', { wait: 15_000 })
    expect(await editorFocused(1)).toBe(true)
  })

  it('is listed on the H sheet and runs from the command palette at the cursor', async () => {
    // The first Esc closes the tooltip, the second leaves the editor.
    await browser.keys('Escape')
    await browser.keys('Escape')
    expect(await mode()).toBe('command')
    await browser.keys('h')
    const sheet = $('[data-testid="shortcuts-dialog"]')
    await expect(sheet).toHaveText(expect.stringContaining('Shift+Tab'))
    await expect(sheet).toHaveText(
      expect.stringContaining('signature and docstring at the cursor (inspector)')
    )
    await browser.keys('Escape')
    await expect(sheet).not.toBeExisting()
    await browser.keys(['Control', 'Shift', 'p'])
    await browser.keys('inspector')
    await browser.keys('Enter')
    await expect(inspector()).toHaveText('not_run_yet is not defined in the kernel', { wait: 15_000 })
    expect(await editorFocused(1)).toBe(true)
  })
})
