import { browser, $, $$, expect } from '@wdio/globals'
import { cellAt, newNotebook, runCode } from './notebook-page'

/**
 * What a JupyterLab user reaches for in the first hour, in browser mode against the real runtime:
 * the sidebar (foldable sections, a resizable width that is remembered, a filterable and sortable
 * variables list).
 */

async function variableRows(): Promise<string[]> {
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid="variable"]')].map((li) =>
      (li.textContent ?? '').replace(/\s+/g, ' ').trim()
    )
  )
}

describe('sidebar', () => {
  it('filters and sorts 300 variables with type-aware summaries, whole names on hover', async () => {
    await newNotebook()
    await runCode(
      0,
      'statistics_of_everything = list(range(1000))\n' +
        "greeting = 'hello'\nanswer = 42\nraw = b'x' * 2048\nsettings = {'a': 1, 'b': 2}\n" +
        "for i in range(295): globals()[f'v{i:03}'] = i\ndel i"
    )
    await browser.waitUntil(async () => (await variableRows()).length === 300, {
      timeoutMsg: 'the variables panel did not list 300 variables'
    })
    const rows = await variableRows()
    expect(rows).toContain('statistics_of_everything list · 1,000 items')
    expect(rows).toContain('greeting str · 5 chars')
    expect(rows).toContain('answer int · 42')
    expect(rows).toContain('raw bytes · 2 KiB')
    expect(rows).toContain('settings dict · 2 keys')
    const long = await $('[data-testid="variable"]*=statistics_of_everything')
    expect(await long.getAttribute('title')).toMatch(/^statistics_of_everything: \[0, 1, 2/)

    await $('[data-testid="variables-filter"]').setValue('stat')
    await browser.waitUntil(async () => (await variableRows()).length === 1)
    expect(await variableRows()).toEqual(['statistics_of_everything list · 1,000 items'])
    await $('[data-testid="variables-filter"]').setValue('nothing-like-this')
    await expect($('[data-testid="sidebar-variables"]')).toHaveText(
      expect.stringContaining('No variable matches')
    )
    await $('[data-testid="variables-filter"]').click()
    await browser.keys(['Control', 'a'])
    await browser.keys('Backspace')
    await browser.waitUntil(async () => (await variableRows()).length === 300)

    await $('[data-testid="variables-sort"]').selectByAttribute('value', 'size')
    const bySize = await variableRows()
    expect(bySize.slice(0, 2)).toEqual(['raw bytes · 2 KiB', 'statistics_of_everything list · 1,000 items'])
    await $('[data-testid="variables-sort"]').selectByAttribute('value', 'name')
    expect((await variableRows())[0]).toBe('answer int · 42')
    // 300 variables scroll inside their section: the page and the other sections stay put.
    const section = await $('[data-testid="sidebar-variables"] .body')
    expect(await section.getProperty('scrollHeight')).toBeGreaterThan(
      (await section.getProperty('clientHeight')) as number
    )
    await expect($('[data-testid="sidebar-fuel"]')).toBeDisplayedInViewport()
  })

  it('folds sections and resizes the sidebar; both are remembered after a reload', async () => {
    const sidebar = $('[data-testid="sidebar"]')
    const before = (await sidebar.getSize()).width
    await $('[data-testid="sidebar-resizer"]').click()
    for (let i = 0; i < 5; i++) await browser.keys('ArrowRight')
    await browser.waitUntil(async () => (await sidebar.getSize()).width >= before + 75, {
      timeoutMsg: `the sidebar did not widen from ${before}`
    })
    const widened = (await sidebar.getSize()).width

    await $('[data-testid="toggle-outline"]').click()
    await expect($('[data-testid="toggle-outline"]')).toHaveAttribute('aria-expanded', 'false')
    await expect($('[data-testid="sidebar-outline"] .body')).not.toBeExisting()

    // A drag with the mouse changes the width too.
    const handle = await $('[data-testid="sidebar-resizer"]')
    await handle.dragAndDrop({ x: -40, y: 0 })
    await browser.waitUntil(async () => (await sidebar.getSize()).width <= widened - 30)
    const dragged = (await sidebar.getSize()).width

    await browser.pause(300) // the save of the last change travels over the socket
    await browser.refresh()
    await $('[data-testid="notebook"]').waitForDisplayed()
    await browser.waitUntil(async () => Math.abs((await sidebar.getSize()).width - dragged) <= 1, {
      timeoutMsg: `the sidebar width ${dragged} was not remembered`
    })
    await expect($('[data-testid="toggle-outline"]')).toHaveAttribute('aria-expanded', 'false')
    await $('[data-testid="toggle-outline"]').click()
    await expect($('[data-testid="sidebar-outline"] .body')).toBeDisplayed()
    expect(await $$('[data-testid="cell"]').length).toBeGreaterThan(0)
    await expect(await cellAt(0)).toBeDisplayed()
  })
})
