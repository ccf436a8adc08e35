import { browser, $, $$, expect } from '@wdio/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  addCell,
  cellAt,
  editCell,
  insertCode,
  newNotebook,
  outputText,
  runCode,
  shot,
  url
} from './notebook-page'

/**
 * What a JupyterLab user reaches for in the first hour, in browser mode against the real runtime:
 * the sidebar (foldable sections, a resizable width that is remembered, a filterable and sortable
 * variables list), math in markdown cells, the title, imported Jupyter cells, "fuel this session",
 * the stats line, long outputs and compact density.
 */

const dataDir = (): string => process.env.FUELBOOK_E2E_DATA!

async function saveAs(file: string): Promise<void> {
  await browser.keys('Escape')
  await $('[data-testid="save-as"]').click()
  await $('[data-testid="save-as-path"]').setValue(join(dataDir(), file))
  await $('[data-testid="save-as-submit"]').click()
  await expect($('[data-testid="file-name"]')).toHaveText(file)
}

/** Records the names of downloads instead of saving them (the page hands a Blob to an <a download>). */
async function recordDownloads(): Promise<void> {
  await browser.execute(() => {
    const w = window as unknown as { downloads: string[] }
    w.downloads = []
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      if (this.download) w.downloads.push(this.download)
    }
  })
}

async function downloads(count: number): Promise<string[]> {
  const read = (): Promise<string[]> =>
    browser.execute(() => (window as unknown as { downloads: string[] }).downloads)
  await browser.waitUntil(async () => (await read()).length === count)
  return read()
}

async function sessionFuel(): Promise<string> {
  return $('[data-testid="session-fuel"]').getText()
}

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
    // Esc in the empty filter goes back to the notebook, where B inserts a cell instead of typing a b.
    const cells = await $$('[data-testid="cell"]').length
    await browser.keys('Escape')
    await browser.keys('b')
    await browser.waitUntil(async () => (await $$('[data-testid="cell"]').length) === cells + 1, {
      timeoutMsg: 'B after Esc did not insert a cell'
    })
    await expect($('[data-testid="variables-filter"]')).toHaveValue('')

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

    // Back to the width it had: the width is an app setting of the e2e server every later spec
    // (and its screenshots) shares.
    await $('[data-testid="sidebar-resizer"]').click()
    for (let i = 0; i < 12 && (await sidebar.getSize()).width > before; i++) await browser.keys('ArrowLeft')
    await browser.waitUntil(async () => Math.abs((await sidebar.getSize()).width - before) <= 16)
    await browser.pause(300) // the save travels over the socket
  })
})

describe('markdown cells', () => {
  it('render inline and display math and align blocks with KaTeX, like the report', async () => {
    await newNotebook()
    const index = await addCell('markdown')
    await editCell(index)
    await insertCode(
      '## Euler\n\nInline $e^{i\\pi}+1=0$ in a sentence that costs $5 and $6.\n\n' +
        '$$\n\\int_0^1 x^2\\,dx = \\frac{1}{3}\n$$\n\n' +
        '\\begin{align}\na &= b + c \\\\\nd &= e\n\\end{align}\n'
    )
    await browser.keys(['Shift', 'Enter'])
    const rendered = (await cellAt(index)).$('[data-testid="markdown-rendered"]')
    await rendered.waitForDisplayed()
    await browser.waitUntil(async () => (await rendered.$$('.katex').length) === 3, {
      timeoutMsg: 'three formulas were not rendered by KaTeX'
    })
    expect(await rendered.$$('.katex-display').length).toBe(2)
    expect(await rendered.getText()).toContain('costs $5 and $6.')
    expect(await rendered.getHTML()).not.toContain('$$')
    // The display formula is a block of its own below the sentence, not squashed into it.
    const sentence = await rendered.$('p*=in a sentence').getLocation('y')
    const display = await rendered.$$('.katex-display')[0]!.getLocation('y')
    expect(display).toBeGreaterThan(sentence + 10)
    // The align block keeps its two rows.
    const rows = await rendered.$$('.katex-display')[1]!.$$('.katex-html .vlist-t .vlist > span')
    expect(rows.length).toBeGreaterThanOrEqual(2)
    await browser.keys('Escape')
    await (await cellAt(index)).scrollIntoView()
    await (await cellAt(index)).saveScreenshot(shot('markdown-math.png'))
  })
})

describe('links in markdown', () => {
  it('a #heading link selects that heading’s cell; other links open outside the app', async () => {
    await newNotebook()
    await browser.keys('Escape')
    await browser.keys('m')
    await editCell(0)
    await insertCode('Contents: [results](#Results), [the docs](https://example.com/docs)')
    await browser.keys(['Shift', 'Enter'])
    await editCell(1)
    await insertCode('x = 1')
    await browser.keys('Escape')
    await browser.keys('b')
    await browser.waitUntil(async () => (await $$('[data-testid="cell"]').length) === 3)
    await browser.keys('m')
    await editCell(2)
    await insertCode('# Results\n\nThe numbers.')
    await browser.keys(['Shift', 'Enter'])
    await (await cellAt(2)).$('[data-testid="markdown-rendered"]').waitForDisplayed()
    await browser.keys('Escape')
    await (await cellAt(1)).click()
    const url = await browser.getUrl()
    const windows = (await browser.getWindowHandles()).length
    const contents = (await cellAt(0)).$('[data-testid="markdown-rendered"]')
    await expect(contents.$('a=the docs')).toHaveAttribute('target', '_blank')
    await contents.$('a=results').click()
    await browser.waitUntil(
      async () =>
        browser.execute(
          () =>
            document.querySelector(
              '[data-testid="cell"][aria-current="true"] [data-testid="markdown-rendered"] h1'
            )?.textContent === 'Results'
        ),
      { timeoutMsg: 'the link did not select the Results cell' }
    )
    expect(await browser.getUrl()).toBe(url)
    expect((await browser.getWindowHandles()).length).toBe(windows)
  })
})

describe('display math in the HTML report', () => {
  it('is drawn in a math font: the integral stands taller than the text, as in the app', async () => {
    await newNotebook()
    await browser.keys('Escape')
    await browser.keys('m')
    await editCell(0)
    await insertCode('Area:\n\n$$\\int_0^1 x\\,dx$$')
    await browser.keys(['Shift', 'Enter'])
    const report = join(dataDir(), 'display-math.html')
    await $('[data-testid="export"]').click()
    await $('[role="menuitem"]=HTML report').click()
    await $('[data-testid="export-path"]').setValue(report)
    await $('[data-testid="export-submit"]').click()
    await expect($('[data-testid="message"] span')).toHaveText(`Exported to ${report}`)
    await browser.url(`file://${report}`)
    const sizes = await browser.execute(() => {
      const integral = document.querySelector('math[display="block"] mo')!
      return {
        integral: integral.getBoundingClientRect().height,
        font: parseFloat(getComputedStyle(integral).fontSize)
      }
    })
    // A text font draws ∫ no taller than a line of text; a math font's display variant is about 1.6×.
    expect(sizes.integral).toBeGreaterThan(1.3 * sizes.font)
  })
})

describe('the notebook file', () => {
  it('the title follows the file name after Save As; renaming it in the header is what exports use', async () => {
    await newNotebook()
    // Its own file name: every e2e spec shares one data folder (ui-notebook saves sales.fuelbook).
    await expect($('[data-testid="title"]')).toHaveText(expect.stringMatching(/^Untitled/))
    await runCode(0, "print('sold', 12)")
    await saveAs('revenue.fuelbook')
    await expect($('[data-testid="title"]')).toHaveText('revenue')
    expect(await browser.getTitle()).toBe('revenue — Fuelbook')
    await recordDownloads()
    await $('[data-testid="export"]').click()
    await $('[role="menuitem"]=HTML report').click()
    await $('[data-testid="export-download"]').click()
    expect(await downloads(1)).toEqual(['revenue.html'])

    await $('[data-testid="title"]').click()
    const input = $('[data-testid="title-input"]')
    await expect(input).toBeFocused()
    await browser.keys(['Control', 'a'])
    await browser.keys('Q3 sales')
    await browser.keys('Enter')
    await expect($('[data-testid="title"]')).toHaveText('Q3 sales')
    await expect($('[data-testid="file-name"]')).toHaveText('revenue.fuelbook')
    await $('[data-testid="export"]').click()
    await $('[role="menuitem"]=Jupyter .ipynb').click()
    await $('[data-testid="export-download"]').click()
    expect(await downloads(2)).toEqual(['revenue.html', 'Q3 sales.ipynb'])
    // Esc leaves the title as it was.
    await $('[data-testid="title"]').click()
    await browser.keys('something else')
    await browser.keys('Escape')
    await expect($('[data-testid="title"]')).toHaveText('Q3 sales')

    await browser.url(url())
    await $('[data-testid="recents"]').waitForDisplayed()
    await expect($('[data-testid="recents"] li')).toHaveText(expect.stringContaining('Q3 sales'))
  })

  it('"fuel this session" keeps its figure through Save As, a reload and a reopen; a restart zeroes it', async () => {
    await newNotebook()
    await runCode(0, 'total = sum(i * i for i in range(200000))')
    await runCode(1, 'while True: pass')
    const before = await sessionFuel()
    expect(before).toMatch(/^[\d.]+ [kMG] fuel this session$/)
    expect(before).not.toBe('0 fuel this session')
    await saveAs('session-fuel.fuelbook')
    expect(await sessionFuel()).toBe(before)
    await browser.refresh()
    await $('[data-testid="notebook"]').waitForDisplayed()
    expect(await sessionFuel()).toBe(before)
    await browser.url(url())
    await $('[data-testid="recents"]').$('button*=session-fuel').click()
    await $('[data-testid="notebook"]').waitForDisplayed()
    expect(await sessionFuel()).toBe(before)
    expect(await $('[data-testid="session-fuel"]').getAttribute('title')).toMatch(
      /since the kernel was last restarted/
    )
    await $('[data-testid="restart"]').click()
    await browser.waitUntil(async () => (await sessionFuel()) === '0 fuel this session')
  })

  it('cells imported from Jupyter show their outputs and [n] as imported until they run here', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'fuelbook-ipynb-'))
    const file = join(folder, 'from-jupyter.ipynb')
    writeFileSync(
      file,
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 5,
        metadata: {},
        cells: [
          {
            id: 'a1',
            cell_type: 'code',
            execution_count: 7,
            metadata: {},
            source: ["print('from jupyter')"],
            outputs: [{ output_type: 'stream', name: 'stdout', text: ['from jupyter\n'] }]
          }
        ]
      })
    )
    await browser.url(url())
    await $('[data-testid="import-ipynb"]').setValue(file)
    await $('[data-testid="notebook"]').waitForDisplayed()
    await expect($('[data-testid="title"]')).toHaveText('from-jupyter')
    const cell = await cellAt(0)
    expect(await outputText(0)).toContain('from jupyter')
    await expect(cell.$('[data-testid="execution-count"]')).toHaveText('[7]')
    await expect(cell.$('[data-testid="status"]')).toHaveText('imported from Jupyter')
    const stats = await cell.$('[data-testid="stats"]').getText()
    expect(stats).not.toMatch(/fuel|MiB|pages|ms\b|✓/)
    await runCode(0, '')
    await expect(cell.$('[data-testid="status"]')).toHaveText('✓ ok')
    await expect(cell.$('[data-testid="fuel"]')).toBeDisplayed()
  })
})

describe('the stats line', () => {
  it('shows memory in MiB (pages on hover) where it changed, and one message for a killed run', async () => {
    await newNotebook()
    await runCode(0, 'a = 1')
    await runCode(1, 'b = 2')
    await runCode(2, 'big = bytearray(40 * 2**20)')
    await runCode(3, 'while True: pass')
    const memory = async (i: number): Promise<WebdriverIO.Element> =>
      (await cellAt(i)).$('[data-testid="memory"]').getElement()
    await expect(await memory(0)).toHaveText(expect.stringMatching(/^[\d.]+ MiB$/))
    expect(await (await memory(0)).getAttribute('title')).toMatch(/^[\d,]+ pages of 64 KiB$/)
    await expect(await memory(0)).toBeDisplayed()
    // Cell 1 left memory as cell 0 did: not repeated until the reader looks at that cell.
    await $('[data-testid="add-code"]').moveTo()
    await expect(await memory(1)).not.toBeDisplayed()
    await (await cellAt(1)).moveTo()
    await expect(await memory(1)).toBeDisplayed()
    const grown = await (await memory(2)).getText()
    expect(grown).toMatch(/^[\d.]+ MiB$/)
    expect(parseFloat(grown)).toBeGreaterThan(45)
    const killed = await cellAt(3)
    expect(await killed.getAttribute('data-status')).toBe('out_of_fuel')
    // What is on screen (the screen reader's "run finished" announcement aside).
    const text = await browser.execute((el) => {
      const copy = el.cloneNode(true) as HTMLElement
      copy.querySelectorAll('.sr-only').forEach((n) => n.remove())
      return copy.textContent ?? ''
    }, killed)
    expect({ text, times: (text.match(/out of fuel/g) ?? []).length }).toMatchObject({ times: 1 })
    await expect(killed.$('[data-testid="status"]')).toHaveText(
      expect.stringContaining('kernel state kept from [3]')
    )
  })
})

describe('closing a notebook', () => {
  it('with cells running asks in the app, Enter keeps working, "Stop and close" stops them', async () => {
    await newNotebook()
    await runCode(0, 'kept = 1')
    const cellIndex = await addCell('code')
    await editCell(cellIndex)
    await insertCode('import time\ntime.sleep(10**9)')
    await browser.keys(['Shift', 'Enter'])
    await browser.waitUntil(
      async () => (await (await cellAt(cellIndex)).getAttribute('data-phase')) === 'running'
    )
    await $('[data-testid="close-notebook"]').click()
    // The app's own dialog (the browser's confirm() would block the page), the safe answer focused.
    await expect($('[data-testid="close-running-dialog"]')).toBeDisplayed()
    await expect($('[data-testid="close-running-keep"]')).toBeFocused()
    await $('[data-testid="close-running-dialog"]').saveScreenshot(shot('close-running-dialog.png'))
    await browser.keys('Enter')
    await expect($('[data-testid="close-running-dialog"]')).not.toBeExisting()
    expect(await (await cellAt(cellIndex)).getAttribute('data-phase')).toBe('running')
    await $('[data-testid="close-notebook"]').click()
    await $('[data-testid="close-running-stop"]').click()
    await expect($('[data-testid="new-notebook"]')).toBeDisplayed()
    await expect($('[data-testid="notebook"]')).not.toBeExisting()
  })
})

describe('a MemoryError', () => {
  it('says in the stats line what the cell tried to allocate and the limit, once', async () => {
    await newNotebook()
    await runCode(0, 'kept = 1')
    await runCode(1, 'kept = 2\nhuge = bytearray(int(1.5 * 2**30))')
    const cell = await cellAt(1)
    expect(await cell.getAttribute('data-status')).toBe('out_of_memory')
    await expect(cell.$('[data-testid="status"]')).toHaveText(
      '⚠ MemoryError: tried to allocate 1.5 GiB (limit 512 MiB) · kernel state kept from [1]'
    )
    await (await cell.$('[data-testid="stats"]')).saveScreenshot(shot('memory-error-stats.png'))
  })
})

describe('long outputs', () => {
  it('scroll in a fixed-height box over the threshold, with a toggle, Shift+O for all, and a setting', async () => {
    await newNotebook()
    await runCode(0, "for i in range(200): print('line', i)")
    await runCode(1, "display({'text/plain': '\\n'.join(f'item {i}' for i in range(500))}, raw=True)")
    await runCode(2, "print('short')")
    const scroller = async (i: number): Promise<WebdriverIO.Element> =>
      (await cellAt(i)).$('[data-testid="output-scroller"]').getElement()
    const scrolls = async (i: number): Promise<boolean> => {
      const el = await scroller(i)
      return (
        ((await el.getProperty('scrollHeight')) as number) >
        ((await el.getProperty('clientHeight')) as number) + 5
      )
    }
    await browser.waitUntil(async () => (await scrolls(0)) && (await scrolls(1)), {
      timeoutMsg: 'long outputs did not scroll in a box'
    })
    expect(await scrolls(2)).toBe(false)
    await expect((await cellAt(2)).$('[data-testid="output-scroll-toggle"]')).not.toBeExisting()
    const height = (await (await scroller(0)).getSize()).height
    expect(height).toBeGreaterThan(800)
    expect(height).toBeLessThan(1100)
    // The box scrolls to the end of the output.
    await browser.execute((el) => el.scrollTo(0, el.scrollHeight), await scroller(0))
    await expect((await scroller(0)).$('[data-testid="stream-stdout"]')).toHaveText(
      expect.stringContaining('line 199')
    )
    await (await cellAt(0)).scrollIntoView()
    await browser.pause(200)
    await browser.saveScreenshot(shot('scrolled-output.png'))

    await (await cellAt(0)).$('[data-testid="output-scroll-toggle"]').click()
    expect(await scrolls(0)).toBe(false)
    expect(await scrolls(1)).toBe(true)
    // Shift+O: every long output in full, then every one in its box again.
    await browser.keys('Escape')
    await browser.keys(['Shift', 'o'])
    await browser.waitUntil(async () => !(await scrolls(0)) && !(await scrolls(1)))
    await browser.keys(['Shift', 'o'])
    await browser.waitUntil(async () => (await scrolls(0)) && (await scrolls(1)))

    // The threshold is a setting: 0 shows every output in full.
    await $('[data-testid="open-settings"]').click()
    await $('[data-testid="setting-scroll-lines"]').setValue('0')
    await $('[data-testid="settings-save"]').click()
    await browser.waitUntil(async () => !(await scrolls(0)) && !(await scrolls(1)))
    await $('[data-testid="open-settings"]').click()
    await $('[data-testid="setting-scroll-lines"]').setValue('50')
    await $('[data-testid="settings-save"]').click()
    await browser.waitUntil(async () => await scrolls(0))
  })
})

describe('density', () => {
  it('compact fits a one-line cell with one line of output in JupyterLab’s height', async () => {
    await newNotebook()
    for (let i = 0; i < 4; i++) await runCode(i, `print(${i})`)
    await browser.keys('Escape')
    await (await cellAt(0)).click()
    const heightOf = async (i: number): Promise<number> => {
      const cell = await cellAt(i)
      const next = await cellAt(i + 1)
      return (await next.getLocation('y')) - (await cell.getLocation('y'))
    }
    const comfortable = await heightOf(2)
    await $('[data-testid="open-settings"]').click()
    await $('[data-testid="setting-compact"]').click()
    await $('[data-testid="settings-save"]').click()
    await browser.waitUntil(
      async () => (await browser.execute(() => document.documentElement.dataset.density)) === 'compact'
    )
    const compact = await heightOf(2)
    // JupyterLab 4 draws this cell in about 64 px (input 28 + output 20 + paddings).
    expect(compact).toBeLessThanOrEqual(64)
    expect(compact).toBeLessThan(comfortable * 0.7)
    // A cell that did not end ok keeps its stats line; the selected cell shows it.
    await expect((await cellAt(0)).$('[data-testid="stats"]')).toBeDisplayed()
    await expect((await cellAt(2)).$('[data-testid="stats"]')).not.toBeDisplayed()
    await browser.saveScreenshot(shot('ui-compact.png'))
    await browser.refresh()
    await $('[data-testid="notebook"]').waitForDisplayed()
    expect(await browser.execute(() => document.documentElement.dataset.density)).toBe('compact')
    await $('[data-testid="open-settings"]').click()
    await $('[data-testid="setting-compact"]').click()
    await $('[data-testid="settings-save"]').click()
    await browser.waitUntil(
      async () => (await browser.execute(() => document.documentElement.dataset.density)) === undefined
    )
  })
})

describe('a narrow window', () => {
  it('keeps the header on one line and each stats line whole at 800 px: the toolbar as icons, the rest wraps', async () => {
    await newNotebook()
    await runCode(0, 'x = 1')
    await saveAs('a-notebook-with-a-rather-long-name.fuelbook')
    /** Height and right edge of each item of the header's top row, and whether the row overflows. */
    const headerRow = (): Promise<{ heights: Record<string, number>; overflow: boolean; right: number }> =>
      browser.execute(() => {
        const row = document.querySelector('[data-testid="kernel-line"]')!
          .previousElementSibling as HTMLElement
        const heights: Record<string, number> = {}
        let right = 0
        for (const item of row.children) {
          const box = item.getBoundingClientRect()
          heights[item.getAttribute('data-testid') ?? item.className] = Math.round(box.height)
          right = Math.max(right, box.right)
        }
        return { heights, overflow: row.scrollWidth > row.clientWidth, right: Math.round(right) }
      })
    const wide = await headerRow()
    try {
      await browser.setWindowSize(800, 800)
      await browser.waitUntil(async () => (await browser.execute(() => window.innerWidth)) <= 800)
      const narrow = await headerRow()
      // A button whose words wrapped is twice as tall as it is at full width.
      expect(narrow.heights).toEqual(wide.heights)
      expect(narrow.overflow).toBe(false)
      expect(narrow.right).toBeLessThanOrEqual(await browser.execute(() => window.innerWidth))
      // The icons keep their names for a screen reader and a tooltip for the mouse.
      await expect($('[data-testid="run-all"]')).toHaveAttribute('aria-label', 'Run all')
      await expect($('[data-testid="export"]')).toHaveAttribute('title', expect.stringContaining('HTML'))
      // The run's stats line keeps its fuel bar and cuts nothing off: what does not fit wraps.
      await (await cellAt(0)).click()
      const stats = await browser.execute(() => {
        const line = document.querySelector<HTMLElement>('[data-testid="cell"] [data-testid="stats"]')!
        const bar = line.querySelector('[role="meter"]')!.getBoundingClientRect()
        const history = line.querySelector('[data-testid="history-button"]')!.getBoundingClientRect()
        const edge = line.getBoundingClientRect().right - parseFloat(getComputedStyle(line).paddingRight)
        return {
          bar: Math.round(bar.width),
          cut: line.scrollWidth > line.clientWidth,
          historyAtTheEnd: Math.abs(history.right - edge) <= 1
        }
      })
      expect(stats).toEqual({ bar: 44, cut: false, historyAtTheEnd: true })
      await browser.saveScreenshot(shot('ui-narrow.png'))
      // An 800×600 window: the variables list keeps room for a few rows; the sidebar scrolls instead.
      await browser.setWindowSize(800, 600)
      await browser.waitUntil(async () => (await browser.execute(() => window.innerHeight)) < 600)
      const variables = await browser.execute(() => {
        const section = document.querySelector('[data-testid="sidebar-variables"]')!
        return Math.round(section.getBoundingClientRect().height)
      })
      expect(variables).toBeGreaterThanOrEqual(140)
      await $('[data-testid="variable"]').scrollIntoView({ block: 'nearest' })
      expect(await $('[data-testid="variable"]').isDisplayed({ withinViewport: true })).toBe(true)
      await browser.saveScreenshot(shot('ui-narrow-short.png'))
      // The settings dialog is taller than the window: it scrolls, and Save stays in view.
      await $('[data-testid="open-settings"]').click()
      await expect($('[data-testid="settings-save"]')).toBeDisplayed()
      expect(await $('[data-testid="settings-save"]').isDisplayed({ withinViewport: true })).toBe(true)
      await browser.saveScreenshot(shot('ui-settings-short.png'))
      await browser.keys('Escape')
    } finally {
      await browser.setWindowSize(1280, 900)
    }
  })
})
