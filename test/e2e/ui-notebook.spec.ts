import { browser, $, $$, expect } from '@wdio/globals'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  addCell,
  cellAt,
  editCell,
  editorFocused,
  insertCode,
  newNotebook,
  outputText,
  paintedColours,
  runCode,
  shot,
  url,
  waitFinished
} from './notebook-page'

/**
 * The notebook as a user sees it, in browser mode against the real runtime: run cells and read
 * outputs and stats, killed runs that keep the kernel, markdown, rich and hostile outputs, a
 * flood, save / reload / reopen, a malformed file, and the light and dark screenshots.
 */

describe('notebook UI (browser mode)', () => {
  it('runs a cell: streamed output, [n], stats line, kernel line and variables', async () => {
    await newNotebook()
    const cell = await runCode(0, "x = 6 * 7\nprint('hello', x)", { typed: true })
    expect(await outputText(0)).toContain('hello 42')
    await expect(cell.$('[data-testid="execution-count"]')).toHaveText('[1]')
    expect(await cell.getAttribute('data-status')).toBe('ok')
    const stats = await cell.$('[data-testid="stats"]')
    await expect(stats.$('[data-testid="status"]')).toHaveText(expect.stringContaining('ok'))
    await expect(stats.$('[data-testid="fuel"]')).toHaveText(expect.stringMatching(/^[\d.]+ [kMG]? ?fuel$/))
    await expect(stats.$('[data-testid="memory"]')).toHaveText(expect.stringMatching(/^[\d.]+ MiB$/))
    await expect(stats.$('[data-testid="wall"]')).toHaveText(expect.stringMatching(/^[\d.]+ (ms|s)$/))
    await expect(stats.$('[role="meter"]')).toBeExisting()
    await expect($('[data-testid="kernel-head"]')).toHaveText('state after [1]')
    // Variables come from an inspect run after the cell finished.
    await browser.waitUntil(
      async () =>
        (await $('[data-testid="variables"]').isExisting()) &&
        (await $('[data-testid="variables"]').getText()).includes('x')
    )
    await expect($('[data-testid="variables"]')).toHaveText(expect.stringContaining('int'))
    // Shift+Enter on the last cell added a new one and moved into it.
    expect(await $$('[data-testid="cell"]').length).toBe(2)
  })

  it('an infinite loop ends out of fuel, says so calmly, and the next cell still sees x', async () => {
    const loop = await runCode(1, 'while True: pass')
    expect(await loop.getAttribute('data-status')).toBe('out_of_fuel')
    await expect(loop.$('[data-testid="killed-line"]')).toHaveText(
      expect.stringContaining('kernel state kept from [1]')
    )
    await expect(loop.$('[data-testid="status"]')).toHaveText(expect.stringContaining('out of fuel'))
    await expect($('[data-testid="kernel-head"]')).toHaveText('state after [1]')
    // The kernel line leads to the cell the state comes from.
    await $('[data-testid="kernel-head"]').click()
    await expect(await cellAt(0)).toHaveAttribute('aria-current', 'true')
    await runCode(2, 'print(x + 1)')
    expect(await outputText(2)).toContain('43')
  })

  it('Interrupt stops time.sleep(1000) and keeps the kernel', async () => {
    const before = await (await cellAt(3)).getAttribute('data-run-id')
    await editCell(3)
    await insertCode('import time\ntime.sleep(1000)')
    await browser.keys(['Shift', 'Enter'])
    const cell = await cellAt(3)
    await browser.waitUntil(async () => (await cell.getAttribute('data-phase')) === 'running', {
      timeout: 20_000
    })
    // A running cell shows its elapsed time climbing.
    await expect(cell.$('[data-testid="elapsed"]')).toBeDisplayed()
    await expect($('[data-testid="interrupt"]')).toBeEnabled()
    await $('[data-testid="interrupt"]').click()
    await waitFinished(3, before, 20_000)
    expect(await cell.getAttribute('data-status')).toBe('interrupted')
    await expect(cell.$('[data-testid="killed-line"]')).toHaveText(expect.stringContaining('kept from'))
    await runCode(4, 'print(x)')
    expect(await outputText(4)).toContain('42')
  })

  it('renders markdown cells (sanitised) and lists their headings in the outline', async () => {
    await browser.execute(() => {
      document.body.dataset.marker = 'unchanged'
    })
    const index = await addCell('markdown')
    await editCell(index)
    await insertCode('# Results\n\nSome *emphasis* <img src=x onerror="document.body.dataset.marker=1">')
    await browser.keys(['Shift', 'Enter'])
    const rendered = (await cellAt(index)).$('[data-testid="markdown-rendered"]')
    await rendered.waitForDisplayed()
    await expect(rendered.$('h1')).toHaveText('Results')
    await expect(rendered.$('em')).toHaveText('emphasis')
    expect(await rendered.getHTML()).not.toContain('onerror')
    await expect($('[data-testid="outline"]')).toHaveText(expect.stringContaining('Results'))
    expect(await browser.execute(() => document.body.dataset.marker)).toBe('unchanged')
    // Double-click edits it again.
    await (await cellAt(index)).doubleClick()
    await expect((await cellAt(index)).$('.cm-content')).toBeDisplayed()
    await browser.keys('Escape')
  })

  it('shows rich outputs by MIME rank; HTML runs sandboxed and cannot reach the page', async () => {
    await browser.execute(() => {
      document.body.dataset.marker = 'unchanged'
    })
    const index = await addCell('code')
    const hostile =
      "<b id=rich>rich html</b><script>window.top.document.body.dataset.marker='changed'</script>" +
      '<img src=x onerror="try{window.top.document.body.dataset.marker=\'changed\'}catch(e){}">'
    await runCode(
      index,
      `T = type('T', (), {'_repr_html_': lambda self: ${JSON.stringify(hostile)}})\n` +
        "display(T())\ndisplay({'application/json': {'a': [1, 2, {'b': None}]}, 'text/plain': 'j'}, raw=True)\n" +
        "display({'text/latex': '$$\\\\frac{1}{3}$$', 'text/plain': 'l'}, raw=True)\n" +
        'display({\'image/svg+xml\': \'<svg xmlns="http://www.w3.org/2000/svg" width="60" height="20"><rect width="60" height="20" fill="teal"/></svg>\'}, raw=True)\n' +
        "display({'text/markdown': '**md** output', 'text/plain': 'm'}, raw=True)\n" +
        "print('\\x1b[31mred\\x1b[0m')"
    )
    const cell = await cellAt(index)
    const frame = await cell.$('[data-testid="html-output"]')
    await expect(frame).toBeExisting()
    expect(await frame.getAttribute('sandbox')).toBe('allow-scripts')
    await cell.$('[data-mime="application/json"]').waitForExist()
    await expect(cell.$('[data-testid="json-output"]')).toHaveText(expect.stringContaining('Array(3)'))
    await expect(cell.$('[data-testid="latex-output"] .katex')).toBeExisting()
    await expect(cell.$('[data-testid="image-output"]')).toHaveAttribute(
      'src',
      expect.stringMatching(/^data:image\/svg\+xml/)
    )
    // The browser decoded it: the SVG's own 60 px width, not a broken-image icon.
    const image = await cell.$('[data-testid="image-output"]')
    await browser.waitUntil(
      async () => (await browser.execute((el) => (el as HTMLImageElement).naturalWidth, image)) === 60
    )
    await expect(cell.$('[data-testid="markdown-output"] strong')).toHaveText('md')
    await expect(cell.$('[data-testid="stream-stdout"] .ansi-red-fg')).toHaveText('red')
    await browser.switchFrame(frame)
    await expect($('#rich')).toHaveText('rich html')
    await browser.switchFrame(null)
    await browser.pause(500)
    expect(await browser.execute(() => document.body.dataset.marker)).toBe('unchanged')
  })

  it('shows a styled traceback with the failing cell line highlighted', async () => {
    const index = await addCell('code')
    const cell = await runCode(index, 'a = 1\nb = a / 0\nc = 2')
    expect(await cell.getAttribute('data-status')).toBe('error')
    await expect(cell.$('[data-testid="error-output"]')).toHaveText(
      expect.stringContaining('ZeroDivisionError')
    )
    await expect(cell.$('[data-testid="error-excerpt"] .hit')).toHaveText(
      expect.stringContaining('b = a / 0')
    )
    await expect(cell.$('[data-testid="error-raised-in"]')).not.toBeExisting()

    // Raised in a function an earlier cell defined: the line that failed is shown too, without
    // opening the traceback, and its link goes to that cell's line.
    const helper = await addCell('code')
    const defined = await runCode(helper, 'def ratio(a, b):\n    """Divide."""\n    return a / b')
    const count = await defined.$('[data-testid="execution-count"]').getText()
    const call = await addCell('code')
    const failed = await runCode(call, 'x = 3\nratio(x, 0)')
    await expect(failed.$('[data-testid="error-excerpt"] .hit')).toHaveText(
      expect.stringContaining('ratio(x, 0)')
    )
    await expect(failed.$('[data-testid="error-raised-in"]')).toHaveText(`in ratio, cell ${count}, line 3:`)
    await expect(failed.$('[data-testid="error-raised-in"] + .excerpt .hit')).toHaveText(
      expect.stringContaining('return a / b')
    )
    await failed.$('[data-testid="error-raised-link"]').click()
    await browser.waitUntil(async () => editorFocused(helper), {
      timeoutMsg: 'the link did not open the cell'
    })
    const cursorLine = await browser.execute(() => {
      const node = document.getSelection()?.focusNode
      const el = node instanceof Element ? node : node?.parentElement
      return el?.closest('.cm-line')?.textContent ?? null
    })
    expect(cursorLine).toBe('    return a / b')
    await browser.keys('Escape')
  })

  it('a 100,000-line flood is capped with "show all" / "save to file" and the page stays responsive', async () => {
    const index = await addCell('code')
    await editCell(index)
    await insertCode('for i in range(100000): print(i)')
    await browser.keys(['Shift', 'Enter'])
    // How promptly the page answers while it streams is a bench figure (bench/ui.bench.ts: key
    // latency during a 100k-line flood), not a clock in a test; here it must answer at all.
    expect(await browser.execute(() => document.title)).toContain('Fuelbook')
    const cell = await waitFinished(index, null, 90_000)
    const cut = cell.$('[data-testid="output-cut"]')
    const truncated = cell.$('[data-testid="output-truncated"]')
    await browser.waitUntil(async () => (await cut.isExisting()) || (await truncated.isExisting()))
    if (await cut.isExisting()) {
      await expect(cut).toHaveText(expect.stringMatching(/more lines/))
      await expect(cut.$('[data-testid="save-output"]')).toBeDisplayed()
    }
    expect((await outputText(index)).startsWith('0\n1\n2')).toBe(true)
  })

  it('lists earlier runs in the run-history popover', async () => {
    const cell = await cellAt(0)
    await cell.$('[data-testid="history-button"]').click()
    const history = cell.$('[data-testid="run-history"]')
    await expect(history).toBeDisplayed()
    await expect(history).toHaveText(expect.stringContaining('ok'))
    await history.$('td button').click()
    await expect(history.$('[data-testid="history-output"]')).toHaveText(expect.stringContaining('hello 42'))
    await history.$('button[aria-label="Close run history"]').click()
  })

  it('changes limits in settings; a smaller fuel budget stops a loop sooner', async () => {
    await $('[data-testid="open-settings"]').click()
    const dialog = $('[data-testid="settings-dialog"]')
    await expect(dialog).toBeDisplayed()
    await dialog.$('[data-testid="setting-fuel"]').setValue('50')
    await dialog.$('[data-testid="settings-save"]').click()
    await expect(dialog).not.toBeExisting()
    const cell = await runCode(1, '')
    expect(await cell.getAttribute('data-status')).toBe('out_of_fuel')
    await expect(cell.$('[data-testid="fuel"]')).toHaveText(expect.stringContaining('50 M'))
  })

  it('saves under a name, survives a page reload, and reopens from the recent list', async () => {
    const path = join(process.env.FUELBOOK_E2E_DATA!, 'e2e-saved.fuelbook')
    await browser.keys('Escape')
    await $('[data-testid="save-as"]').click()
    const input = $('[data-testid="save-as-path"]')
    await input.setValue(path)
    await $('[data-testid="save-as-submit"]').click()
    await expect($('[data-testid="file-name"]')).toHaveText('e2e-saved.fuelbook')
    await expect($('[data-testid="save-state"]')).toHaveText(expect.stringContaining('saved'))

    await browser.refresh()
    await $('[data-testid="notebook"]').waitForDisplayed()
    await expect($('[data-testid="file-name"]')).toHaveText('e2e-saved.fuelbook')
    expect(await outputText(0)).toContain('hello 42')
    await expect((await cellAt(0)).$('[data-testid="fuel"]')).toBeDisplayed()
    await expect((await cellAt(1)).$('[data-testid="killed-line"]')).toBeDisplayed()
    await browser.waitUntil(
      async () =>
        (await $('[data-testid="variables"]').isExisting()) &&
        (await $('[data-testid="variables"]').getText()).includes('x')
    )

    await browser.url(url())
    await $('[data-testid="recents"]').waitForDisplayed()
    await $('[data-testid="recents"]').$('button*=e2e-saved').click()
    await expect($('[data-testid="file-name"]')).toHaveText('e2e-saved.fuelbook')
    await runCode(0, '')
    expect(await outputText(0)).toContain('hello 42')
  })

  it('exports the notebook as HTML and .ipynb downloads', async () => {
    // Record downloads instead of writing files: the page hands a Blob to an <a download>.
    await browser.execute(() => {
      const w = window as unknown as { downloads: string[] }
      w.downloads = []
      HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
        if (this.download) w.downloads.push(this.download)
      }
    })
    for (const item of ['HTML report', 'Jupyter .ipynb']) {
      await $('[data-testid="export"]').click()
      await $(`[role="menuitem"]=${item}`).click()
      // Browser mode asks where to write the file; the dialog still offers a download.
      await $('[data-testid="export-download"]').click()
    }
    await browser.waitUntil(
      async () =>
        (await browser.execute(() => (window as unknown as { downloads: string[] }).downloads.length)) === 2
    )
    const names = await browser.execute(() => (window as unknown as { downloads: string[] }).downloads)
    expect(names[0]).toMatch(/\.html$/)
    expect(names[1]).toMatch(/\.ipynb$/)
  })

  it('shows why a malformed file cannot be opened', async () => {
    const bad = join(process.env.FUELBOOK_E2E_DATA!, 'broken.fuelbook')
    writeFileSync(bad, 'this is not a notebook')
    await browser.url(url())
    await $('[data-testid="open-button"]').click()
    await $('[data-testid="open-path"]').setValue(bad)
    await $('[data-testid="open-submit"]').click()
    // The file dialog stays open and says why.
    const error = $('[data-testid="open-error"]')
    await expect(error).toBeDisplayed()
    expect((await error.getText()).length).toBeGreaterThan(10)
    await expect($('[data-testid="start-screen"]')).toBeDisplayed()
  })

  it('saves light and dark screenshots of a notebook with rich outputs', async () => {
    await newNotebook()
    const cells: [kind: 'markdown' | 'code', source: string][] = [
      [
        'markdown',
        '# Sales by region\nEvery cell runs in a fresh, fuel-metered sandbox; the stats line shows what it cost.'
      ],
      [
        'code',
        "import statistics\nregions = ['north', 'south', 'east', 'west']\n" +
          "rows = [{'region': regions[i % 4], 'v': (i * 37) % 101} for i in range(1000)]\n" +
          "statistics.mean(r['v'] for r in rows)"
      ],
      [
        'code',
        'totals = {}\nfor r in rows:\n    totals[r["region"]] = totals.get(r["region"], 0) + r["v"]\n' +
          "body = ''.join(f'<tr><td>{k}</td><td>{v:,}</td></tr>' for k, v in totals.items())\n" +
          "table = '<table><tr><th>region</th><th>total</th></tr>' + body + '</table>'\n" +
          "display({'text/html': table, 'text/plain': str(totals)}, raw=True)"
      ],
      [
        'code',
        'bar = \'<rect x="{}" y="{}" width="40" height="{}" rx="3" fill="#2f6fdb"/>\'\n' +
          "bars = ''.join(bar.format(i * 56 + 8, 110 - v // 130, v // 130) for i, v in enumerate(totals.values()))\n" +
          'svg = f\'<svg xmlns="http://www.w3.org/2000/svg" width="240" height="114">{bars}</svg>\'\n' +
          "display({'image/svg+xml': svg}, raw=True)"
      ],
      [
        'markdown',
        '## A runaway cell\nIt runs out of fuel; the kernel keeps the state of the last good cell.'
      ],
      ['code', 'while True: pass'],
      ['code', "print(f'{len(rows)} rows are still here')"]
    ]
    for (const [i, [kind, source]] of cells.entries()) {
      if (i > 0) await addCell(kind)
      else if (kind === 'markdown') {
        await browser.keys('Escape')
        await browser.keys('m')
      }
      await editCell(i)
      await insertCode(source)
    }
    await browser.keys('Escape')
    await $('[data-testid="run-all"]').click()
    // As in Jupyter, Run all stops at the cell that fails and says so; the cells after it do not run.
    await expect($('[data-testid="message"]')).toHaveText(
      expect.stringContaining('[4] ran out of fuel, so 1 queued cell was not run.'),
      { wait: 90_000 }
    )
    await expect((await cellAt(5)).$('[data-testid="killed-line"]')).toBeDisplayed()
    expect(await (await cellAt(6)).getAttribute('data-run-id')).toBe('')
    // Running again puts the line away: it said why the last queue stopped.
    await editCell(6)
    await browser.keys(['Control', 'Enter'])
    await waitFinished(6, '')
    await expect($('[data-testid="message"]')).not.toBeDisplayed()
    expect(await outputText(6)).toContain('1000 rows are still here')
    await browser.keys('Escape')
    await $('[data-testid="save-as"]').click()
    await $('[data-testid="save-as-path"]').setValue(join(process.env.FUELBOOK_E2E_DATA!, 'sales.fuelbook'))
    await $('[data-testid="save-as-submit"]').click()
    await expect($('[data-testid="save-state"]')).toHaveText(expect.stringContaining('saved'))
    await (await cellAt(1)).$('[data-testid="stats"]').click()
    await browser.execute(() => document.querySelector('main.cells')?.scrollTo(0, 0))
    await browser.pause(300)
    await browser.saveScreenshot(shot('ui-light.png'))
    // The theme follows the OS; the palette's theme command overrides it (system → light → dark).
    for (let i = 0; i < 2; i++) {
      await browser.keys(['Control', 'Shift', 'p'])
      await browser.keys('theme')
      await browser.keys('Enter')
    }
    expect(await browser.execute(() => document.documentElement.dataset.theme)).toBe('dark')
    await browser.pause(300)
    // The saved screenshot is checked by its pixels: the header, the sidebar and the page behind
    // the cells are dark too, not only the cells.
    const width = await browser.execute(() => window.innerWidth)
    const png = await browser.takeScreenshot()
    const painted = await paintedColours(png, [
      [width / 2, 30],
      [130, 600],
      [width - 60, 100]
    ])
    expect({ painted, dark: painted.map(([r, g, b]) => (r + g + b) / 3 < 80) }).toMatchObject({
      dark: [true, true, true]
    })
    writeFileSync(shot('ui-dark.png'), Buffer.from(png, 'base64'))
    await browser.keys(['Control', 'Shift', 'p'])
    await browser.keys('theme')
    await browser.keys('Enter')
    expect(await browser.execute(() => document.documentElement.dataset.theme ?? 'system')).toBe('system')
  })
})
