import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseHTML } from 'linkedom'
import { notebookToHtml } from '../../src/main/export/html'
import { importIpynb } from '../../src/main/export/ipynb-import'
import { createExporter } from '../../src/main/export'
import { fuelChartSvg } from '../../src/main/export/html-chart'
import { guessHtmlHeight, pickRenderer } from '../../src/main/export/mime'
import { codeCell, documentOf, markdownCell, runOf, sampleDocument, samplePackages } from './export-helpers'

const NOW = Date.UTC(2026, 10, 25, 12, 0)

function parse(html: string) {
  return parseHTML(html).document
}

describe('HTML report', () => {
  const html = notebookToHtml(sampleDocument(), { now: NOW })
  const doc = parse(html)

  it('is one self-contained page: CSP, inline style, no script, no external references', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true)
    const csp = doc.querySelector('meta[http-equiv="Content-Security-Policy"]')
    expect(csp?.getAttribute('content')).toContain("default-src 'none'")
    expect(doc.querySelectorAll('style').length).toBe(1)
    expect(html).not.toMatch(/<script/i)
    expect(doc.querySelectorAll('link').length).toBe(0)
    for (const el of doc.querySelectorAll('[src]')) expect(el.getAttribute('src')).toMatch(/^data:image\//)
    expect(doc.querySelector('style')!.textContent).toContain('prefers-color-scheme: dark')
    expect(doc.querySelector('style')!.textContent).toContain('@media print')
  })

  it('escapes the title and shows a byline with counts', () => {
    expect(doc.querySelector('title')!.textContent).toBe('Sample <notebook>')
    expect(doc.querySelector('h1')!.textContent).toBe('Sample <notebook>')
    expect(doc.querySelector('.byline')!.textContent).toContain(
      '2026-11-25 12:00 UTC · 8 cells · 5 of 6 code cells run'
    )
  })

  it('has a summary with totals and an SVG fuel chart with one linked bar per run cell', () => {
    const summary = doc.querySelector('section.summary')!
    expect(summary.textContent).toContain('5 of 6')
    expect(summary.textContent).toContain('fuel')
    const bars = summary.querySelectorAll('svg rect.bar')
    expect(bars.length).toBe(5)
    const links = [...summary.querySelectorAll('svg a')].map((a) => a.getAttribute('href'))
    expect(links).toContain('#cell-c-1')
    expect(doc.getElementById('cell-c-1')).toBeTruthy()
    expect(summary.querySelector('rect.bar.tone-warn title')!.textContent).toContain(
      '400 M fuel · out of fuel'
    )
  })

  it('shows a stats line under each run cell like the app: status, fuel with bar, memory, time, [n]', () => {
    const stats = doc.querySelectorAll('.stats')
    expect(stats.length).toBe(5)
    const first = doc.getElementById('cell-c-1')!.querySelector('.stats')!.textContent!.replace(/\s+/g, ' ')
    expect(first).toBe('✓ ok·2.4 M fuel 0.6%·10 MiB·31 ms·[1]')
    // Each item wraps as one piece with the separator after it: a wrapped line never begins with a dot.
    for (const line of stats) {
      const items = [...line.children]
      expect(items.map((item) => item.className)).toEqual(items.map(() => 'item'))
      expect(items.map((item) => item.querySelector(':scope > .sep') !== null)).toEqual(
        items.map((_, i) => i < items.length - 1)
      )
    }
    expect(
      [...doc.getElementById('cell-c-1')!.querySelectorAll('.stats .item')].map((item) => item.textContent)
    ).toEqual(['✓ ok·', '2.4 M fuel  0.6%·', '10 MiB·', '31 ms·', '[1]'])
    expect(doc.getElementById('cell-c-1')!.querySelector('.stats .memory')!.getAttribute('title')).toBe(
      '160 pages of 64 KiB'
    )
    expect(
      doc.getElementById('cell-c-1')!.querySelector('.stats svg.fuelbar rect.fill')!.getAttribute('width')
    ).toBe('0.6')
    expect(doc.getElementById('cell-c-3')!.querySelector('.stats')!.textContent).toContain('out of fuel')
    // The file-system figure the app shows, where the run left files worth mentioning.
    const withFiles = doc.getElementById('cell-c-4')!.querySelector('.stats .fs-use')!
    expect(withFiles.textContent).toBe('files 12 MiB')
    expect(withFiles.getAttribute('title')).toBe(
      "The sandbox's file system after this run (quota in ⚙ settings)"
    )
    expect(doc.getElementById('cell-c-1')!.querySelector('.stats .fs-use')).toBeNull()
    expect(doc.getElementById('cell-c-6')!.querySelector('.stats')!.textContent).toContain('isolated')
    expect(doc.getElementById('cell-c-5')!.querySelector('.stats')).toBeNull()
    expect(doc.getElementById('cell-c-5')!.querySelector('.gutter')!.textContent).toBe('[ ]')
  })

  it('highlights code with the editor grammar and renders markdown', () => {
    const code = doc.getElementById('cell-c-1')!.querySelector('pre.source')!
    expect(code.textContent).toBe('x = 21\nprint("hello world")\nx * 2')
    expect(code.querySelector('.tok-string')!.textContent).toBe('"hello world"')
    const md = doc.getElementById('cell-md-1')!
    expect(md.querySelector('h1')!.textContent).toBe('Analysis')
    expect(md.querySelector('em')!.textContent).toBe('text')
    expect(md.querySelector('math')).toBeTruthy()
  })

  it('renders outputs in order: stream, result, error traceback with ANSI colours, images, truncation', () => {
    const c1 = doc.getElementById('cell-c-1')!.querySelector('.outputs')!
    expect([...c1.children].map((e) => e.className)).toEqual(['stream stream-stdout', 'plain'])
    const err = doc.getElementById('cell-c-2')!.querySelector('.error-output')!
    expect(err.textContent).toContain('ValueError: bad')
    expect(err.querySelector('.ansi-red-fg')!.textContent).toBe('ValueError')
    expect(doc.getElementById('cell-c-3')!.querySelector('.killed')!.textContent).toContain(
      'out of fuel after 400 M'
    )
    const img = doc.getElementById('cell-c-4')!.querySelector('img.image-output')!
    expect(img.getAttribute('src')).toMatch(/^data:image\/png;base64,iVBOR/)
    expect(doc.getElementById('cell-c-4')!.querySelector('.note')!.textContent).toContain('2 KiB')
  })

  it('puts text/html outputs in a sandboxed iframe without scripts or same-origin', () => {
    const frames = doc.querySelectorAll('iframe')
    expect(frames.length).toBe(1)
    const frame = frames[0]!
    expect(frame.getAttribute('sandbox')).toBe('')
    const inner = parse(frame.getAttribute('srcdoc')!)
    expect(
      inner.querySelector('meta[http-equiv="Content-Security-Policy"]')!.getAttribute('content')
    ).toContain("default-src 'none'")
    expect(inner.querySelector('td')!.textContent).toBe('1')
  })

  it('hides code, stats, or everything but outputs on request', () => {
    const noCode = parse(notebookToHtml(sampleDocument(), { hideCode: true, now: NOW }))
    expect(noCode.querySelectorAll('pre.source').length).toBe(0)
    expect(noCode.querySelectorAll('.stats').length).toBe(5)
    expect(noCode.querySelector('.markdown h1')).toBeTruthy()
    const noStats = parse(notebookToHtml(sampleDocument(), { hideStats: true, now: NOW }))
    expect(noStats.querySelectorAll('.stats').length).toBe(0)
    expect(noStats.querySelector('section.summary')).toBeNull()
    expect(noStats.querySelectorAll('pre.source').length).toBe(6)
    const only = parse(notebookToHtml(sampleDocument(), { outputsOnly: true, now: NOW }))
    expect(
      only.querySelectorAll('pre.source, .stats, .markdown-cell, .raw-cell, section.summary').length
    ).toBe(0)
    expect(only.querySelectorAll('.outputs').length).toBe(5)
  })

  it('lists the packages the notebook carries with their versions and sizes', () => {
    const withPackages = { ...sampleDocument(), packages: samplePackages() }
    const section = parse(notebookToHtml(withPackages, { now: NOW })).querySelector('section.packages')!
    const rows = [...section.querySelectorAll('tbody tr')].map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => td.textContent)
    )
    expect(rows).toEqual([
      ['App-Kit', '1.0', '2 KiB'],
      ['base-lib', '0.3', '1.4 MiB']
    ])
    expect(doc.querySelector('section.packages')).toBeNull()
    const only = parse(notebookToHtml(withPackages, { outputsOnly: true, now: NOW }))
    expect(only.querySelector('section.packages')).toBeNull()
  })

  it('renders sources and outputs containing </script>, <img onerror> and {{ }} as text', () => {
    const nasty = '</script><img src=x onerror=alert(1)>{{ 7*7 }}'
    const cell = codeCell('n-1', nasty)
    const run = runOf(cell, [
      { type: 'stream', name: 'stdout', text: nasty },
      { type: 'execute_result', data: { 'text/plain': nasty }, metadata: {}, executionCount: 1 },
      { type: 'error', ename: 'E', evalue: nasty, traceback: [nasty] }
    ])
    const out = notebookToHtml(documentOf(nasty, [cell, markdownCell('m-1', nasty)], [run]), { now: NOW })
    const d = parse(out)
    expect(d.querySelector('pre.source')!.textContent).toBe(nasty)
    expect(d.querySelector('pre.stream')!.textContent).toBe(nasty)
    expect(d.querySelector('pre.plain')!.textContent).toBe(nasty)
    expect(d.querySelector('.traceback')!.textContent).toBe(nasty)
    expect(d.querySelector('title')!.textContent).toBe(nasty)
    expect(d.querySelector('.markdown')!.textContent).toContain('{{ 7*7 }}')
    expect(d.querySelectorAll('img').length).toBe(0)
    expect(out).not.toMatch(/<script/i)
  })

  it('resolves markdown attachments to embedded images and never requests remote ones', () => {
    const cell = markdownCell(
      'm-2',
      '![plot](attachment:plot.png) ![remote](http://example.com/x.png) ![bad](attachment:%E0%A4%A)',
      {
        attachments: { 'plot.png': { 'image/png': 'iVBORw0KGgo=' } }
      }
    )
    const d = parse(notebookToHtml(documentOf('t', [cell]), { now: NOW }))
    const imgs = d.querySelectorAll('img')
    expect(imgs.length).toBe(1)
    expect(imgs[0]!.getAttribute('src')).toBe('data:image/png;base64,iVBORw0KGgo=')
    expect(d.querySelector('.missing-image')!.textContent).toBe('[image: remote]')
  })

  it('marks the failing line of the cell under the traceback', () => {
    const err = parse(notebookToHtml(sampleDocument(), { now: NOW })).getElementById('cell-c-2')!
    expect(err.querySelector('.excerpt mark.hit')!.textContent).toBe('2 raise ValueError("bad")')
    const ipython = codeCell('i-1', 'def ratio(a, b):\n    return a / b\nratio(1, 0)')
    const run = runOf(ipython, [
      {
        type: 'error',
        ename: 'ZeroDivisionError',
        evalue: 'x',
        traceback: [
          '\u001b[0;31mZeroDivisionError\u001b[0m',
          'Cell \u001b[0;32mIn[4], line 3\u001b[0m\n----> 3 ratio(1, 0)'
        ]
      }
    ])
    const d = parse(notebookToHtml(documentOf('t', [ipython], [run]), { now: NOW }))
    expect(d.querySelector('.excerpt mark.hit')!.textContent).toBe('3 ratio(1, 0)')
    expect(d.querySelector('.excerpt')!.textContent).toContain('1 def ratio(a, b):')
  })

  it("says once what a killed run did to the kernel, whatever the run's message said of it", () => {
    const cell = codeCell('k-1', 'import time\nwhile True:\n    time.sleep(0.1)')
    const run = runOf(cell, [], {
      status: 'interrupted',
      message: 'interrupted; the kernel state is as before this run'
    })
    const d = parse(notebookToHtml(documentOf('t', [cell], [run]), { now: NOW }))
    expect(d.querySelector('.killed')!.textContent).toBe(
      '■ interrupted · kernel state rolled back to before this cell'
    )
  })

  it('says when an HTML output needs scripts the report does not run', () => {
    const cell = codeCell('p-1', 'fig.show()')
    const run = runOf(cell, [
      {
        type: 'display_data',
        data: { 'text/html': '<div id="plot"></div><script>Plotly.newPlot("plot")</script>' },
        metadata: {}
      }
    ])
    const d = parse(notebookToHtml(documentOf('t', [cell], [run]), { now: NOW }))
    expect(d.querySelector('.outputs .note')!.textContent).toContain('scripts, which the report does not run')
    expect(d.querySelector('.outputs iframe')!.getAttribute('sandbox')).toBe('')
  })

  it('shows the text/plain of an HTML output that needs scripts, when it has one, and no script', () => {
    const cell = codeCell('p-2', 'fig.show()')
    const run = runOf(cell, [
      {
        type: 'display_data',
        data: {
          'text/html': '<div id="plot"></div><script>Plotly.newPlot("plot")</script>',
          'text/plain': 'Figure({"data": [...]})'
        },
        metadata: {}
      }
    ])
    const html = notebookToHtml(documentOf('t', [cell], [run]), { now: NOW })
    const d = parse(html)
    expect(d.querySelector('.outputs pre.plain')!.textContent).toBe('Figure({"data": [...]})')
    expect(d.querySelector('.outputs iframe')).toBeNull()
    expect(html).not.toMatch(/<script/i)
  })

  it('has one ranked MIME registry that never picks JavaScript', () => {
    expect(pickRenderer({ 'application/javascript': 'x', 'text/plain': 'p' })!.mime).toBe('text/plain')
    expect(pickRenderer({ 'text/html': '<b>', 'text/plain': 'p', 'image/png': 'AA==' })!.mime).toBe(
      'text/html'
    )
    expect(pickRenderer({ 'application/javascript': 'x' })).toBeNull()
    // HTML that draws with scripts (which the report never runs) yields to any static type.
    const scripted = '<div id="p"></div><script>draw()</script>'
    expect(pickRenderer({ 'text/html': scripted, 'text/plain': 'Figure()' })!.mime).toBe('text/plain')
    expect(pickRenderer({ 'text/html': scripted, 'image/png': 'AA==', 'text/plain': 'F' })!.mime).toBe(
      'image/png'
    )
    expect(pickRenderer({ 'text/html': scripted })!.mime).toBe('text/html')
    expect(pickRenderer({ 'image/svg+xml': '<svg/>', 'image/png': 'AA==' })!.mime).toBe('image/svg+xml')
  })

  it('shows SVG outputs as an <img> data URL, never inline', () => {
    const cell = codeCell('s-1', 'svg')
    const run = runOf(cell, [
      {
        type: 'display_data',
        data: { 'image/svg+xml': '<svg onload="alert(1)"><script>alert(1)</script></svg>' },
        metadata: {}
      }
    ])
    const d = parse(notebookToHtml(documentOf('t', [cell], [run]), { now: NOW }))
    expect(d.querySelectorAll('svg:not(.fuelbar):not([role=img])').length).toBe(0)
    expect(d.querySelector('img.image-output')!.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/)
  })

  it('guesses iframe heights from the markup within bounds', () => {
    expect(guessHtmlHeight('<b>x</b>')).toBe(40)
    expect(guessHtmlHeight('<table>' + '<tr><td>1</td></tr>'.repeat(10) + '</table>')).toBeGreaterThan(250)
    expect(guessHtmlHeight('<tr>'.repeat(1000))).toBe(640)
    // IPython's Audio and YouTubeVideo, as the runtime writes them: the player, the frame's height.
    const audio =
      '\n<audio  controls="controls" >\n<source src="data:audio/wav;base64,UklGRg==" type="audio/wav" />\n' +
      'Your browser does not support the audio element.\n</audio>\n'
    expect(guessHtmlHeight(audio)).toBeGreaterThanOrEqual(16 + 54)
    expect(
      guessHtmlHeight('<iframe width="400" height="300" src="https://www.youtube.com/embed/x"></iframe>')
    ).toBe(324)
  })

  it('does not print zeros as facts for runs imported from Jupyter', () => {
    const cell = codeCell('j-1', '1')
    const run = runOf(cell, [], {
      fuelConsumed: 0,
      fuelBudget: 0,
      memoryPages: 0,
      memoryBytes: 0,
      peakMemoryBytes: 0,
      wallMs: 0
    })
    const d = parse(notebookToHtml(documentOf('t', [cell], [run]), { now: NOW }))
    expect(d.querySelector('.stats')!.textContent).toContain('not run in Fuelbook')
    expect(d.querySelector('.stats')!.textContent).not.toContain('0 fuel')
    expect(d.querySelectorAll('rect.bar').length).toBe(0)
  })

  it.each(['weather-analysis.v4.5.ipynb', 'rich-outputs.v4.4.ipynb', 'legacy.v4.0.ipynb'])(
    'real-world notebook %s exports to a readable, inert page',
    (name) => {
      const imported = importIpynb(readFileSync(join(__dirname, '..', 'fixtures', 'ipynb', name), 'utf8'))
      if (!imported.ok) throw new Error(imported.error)
      const runs = imported.value.runs.map((r, i) => ({ ...r, id: i + 1 }))
      const html = notebookToHtml(documentOf(imported.value.title, imported.value.cells, runs), { now: NOW })
      const d = parse(html)
      expect(html).not.toMatch(/<script/i)
      for (const f of d.querySelectorAll('iframe')) expect(f.getAttribute('sandbox')).toBe('')
      expect(d.querySelectorAll('section.cell').length).toBe(imported.value.cells.length)
      for (const img of d.querySelectorAll('img'))
        expect(img.getAttribute('src')).toMatch(/^data:image\/(png|svg\+xml);base64,/)
    }
  )

  it('shows what each real-world output kind becomes', () => {
    const imported = importIpynb(
      readFileSync(join(__dirname, '..', 'fixtures', 'ipynb', 'rich-outputs.v4.4.ipynb'), 'utf8')
    )
    if (!imported.ok) throw new Error(imported.error)
    const runs = imported.value.runs.map((r, i) => ({ ...r, id: i + 1 }))
    const d = parse(notebookToHtml(documentOf('rich', imported.value.cells, runs), { now: NOW }))
    const texts = [...d.querySelectorAll('.outputs')].map((o) => o.textContent)
    expect(texts[0]).toContain('<IPython.core.display.Javascript object>') // JavaScript never runs: its text/plain
    expect(texts[0]).toContain('IntSlider(value=3)') // widget view JSON: its text/plain
    expect(d.querySelector('.latex math')).toBeTruthy()
    expect(d.querySelector('img.image-output')!.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/)
    expect(d.querySelector('pre.json')!.textContent).toContain('"a": [')
    expect(d.querySelector('.outputs .markdown strong')!.textContent).toBe('bold')
  })

  it('draws an empty chart with a note when nothing ran', () => {
    expect(fuelChartSvg([])).toContain('no cell has run in Fuelbook yet')
  })

  it('is reached through createExporter with a safe file name', async () => {
    const r = await createExporter().export(documentOf('a/b: c?', [codeCell('x', '1')]), 'html', {})
    expect(r.ok && r.value.filename).toBe('a b c.html')
    expect(r.ok && r.value.mimeType).toBe('text/html')
    const bad = await createExporter().export(documentOf('t', []), 'pdf' as never, {})
    expect(bad.ok).toBe(false)
  })
})
