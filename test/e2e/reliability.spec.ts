/**
 * The UI subset of the reliability suite, in real Chromium against browser
 * mode:
 * - every classic XSS vector (test/fixtures/xss-vectors.ts, armed to leave a marker on the top
 *   window and call alert) in markdown cells, in text/markdown outputs and in text/html outputs
 *   never runs outside the sandboxed iframe: no marker, no alert, nothing executable left in the
 *   page's own DOM; the same in the exported HTML report opened in the browser;
 * - a runaway cell and an endless sleep: the page stays responsive, the first stops out of fuel,
 *   the second is interrupted from the header, and the variable defined before is still there.
 * Content is put in place over the browser-mode WebSocket, as a second tab would.
 */
import { browser, $, $$, expect } from '@wdio/globals'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { NotebookEvent } from '../../src/shared/api'
import type { NotebookDocument } from '../../src/shared/notebook'
import { XSS_VECTORS } from '../fixtures/xss-vectors'
import { WsClient } from '../reliability/ws-client'

const MARK = 'top.__xss=1,alert(1)'
const ARMED = XSS_VECTORS.map((v) => v.replaceAll('alert(1)', MARK))
const CONTROL = '<p id="xss-control">control</p>'

const artifacts = process.env.FUELBOOK_E2E_ARTIFACTS!
const rows: { case: string; expected: string; observed: string; pass: boolean; detail?: string }[] = []

function server(): { port: number; token: string } {
  const url = new URL(process.env.FUELBOOK_E2E_URL!)
  return { port: Number(url.port), token: url.searchParams.get('token')! }
}

async function client(): Promise<WsClient> {
  const { port, token } = server()
  return WsClient.connect(port, token)
}

/** Runs cells over the WebSocket and resolves when all have finished. */
async function runOver(ws: WsClient, path: string, cellIds: string[]): Promise<void> {
  const pending = new Set(cellIds)
  const done = new Promise<void>((resolve) => {
    const off = ws.onEvent((e: NotebookEvent) => {
      if (e.type === 'runFinished' && e.path === path) pending.delete(e.run.cellId)
      if (e.type === 'runCancelled' && e.path === path) e.cellIds.forEach((id) => pending.delete(id))
      if (pending.size === 0) {
        off()
        resolve()
      }
    })
  })
  await ws.value('runCells', path, cellIds)
  await done
}

/** Opens the notebook the way a reload does (the app reads `#open=` from the URL). */
async function openInUi(path: string): Promise<void> {
  await browser.url(`${process.env.FUELBOOK_E2E_URL!}#open=${encodeURIComponent(path)}`)
  await $('[data-testid="notebook"]').waitForDisplayed()
}

/**
 * Whether an alert opened. Chromedriver dismisses an unexpected alert and fails the next command
 * with "unexpected alert open", so a plain command tells.
 */
async function alertOpen(): Promise<boolean> {
  try {
    await browser.execute(() => 1)
    return false
  } catch (error) {
    if (/alert/i.test(String(error))) return true
    throw error
  }
}

/** Things in the page's own DOM (outside iframes) that could run script. */
function executableLeftovers(): Promise<string[]> {
  return browser.execute(() => {
    const found: string[] = []
    const scope = document.querySelectorAll(
      '[data-testid="markdown-rendered"], [data-testid="markdown-output"], [data-testid="outputs"]'
    )
    for (const root of scope) {
      for (const el of root.querySelectorAll('*')) {
        if (['script', 'object', 'embed', 'base', 'meta', 'link'].includes(el.localName))
          found.push(el.localName)
        if (el.localName === 'iframe' && el.getAttribute('sandbox') !== 'allow-scripts')
          found.push('iframe without sandbox')
        for (const attr of el.attributes) {
          // eslint-disable-next-line no-control-regex
          const value = attr.value.replace(/[\u0000-\u0020]/g, '').toLowerCase()
          if (attr.name.startsWith('on')) found.push(`${el.localName}[${attr.name}]`)
          else if (/^(javascript|vbscript):/.test(value))
            found.push(`${el.localName}[${attr.name}=${value.slice(0, 30)}]`)
        }
      }
    }
    return found
  })
}

after(() => {
  mkdirSync(join(artifacts, 'reliability'), { recursive: true })
  writeFileSync(
    join(artifacts, 'reliability', 'e2e.json'),
    JSON.stringify(
      { section: 'In the UI (Chromium, browser mode)', date: new Date().toISOString(), rows },
      null,
      2
    ) + '\n'
  )
})

describe('reliability in the UI', () => {
  let ws: WsClient
  let doc: NotebookDocument

  before(async () => {
    ws = await client()
    doc = await ws.value<NotebookDocument>('createNotebook')
    const code = [
      'import json',
      `display({"text/html": ${JSON.stringify(CONTROL)}}, raw=True)`,
      `for v in json.loads(${JSON.stringify(JSON.stringify(ARMED))}):`,
      '    display({"text/html": v}, raw=True)',
      '    display({"text/markdown": v}, raw=True)'
    ].join('\n')
    await ws.value('updateCell', doc.path, doc.cells[0]!.id, { source: code })
    for (const vector of ARMED) await ws.value('insertCell', doc.path, { type: 'markdown', source: vector })
    await runOver(ws, doc.path, [doc.cells[0]!.id])
  })

  after(async () => {
    await ws?.close()
  })

  it(`${ARMED.length} XSS vectors in markdown cells, markdown and HTML outputs never run outside the sandboxed iframe`, async () => {
    expect(ARMED.length).toBeGreaterThanOrEqual(30)
    await openInUi(doc.path)
    // Far-off cells mount lazily: bring every one into view.
    for (const cell of await $$('[data-testid="cell"]')) await cell.scrollIntoView({ block: 'center' })
    await browser.pause(1500) // frames load, scripts would have run
    const frames = await $$('[data-testid="html-output"]')
    const frameCount: number = await frames.length
    const markdownCount: number = await $$(
      '[data-testid="markdown-rendered"], [data-testid="markdown-output"]'
    ).length
    const marker = await browser.execute(() => (window as unknown as { __xss?: number }).__xss ?? null)
    const alerted = await alertOpen()
    const leftovers = await executableLeftovers()
    // Positive control: the HTML outputs did reach their frames.
    await browser.switchFrame(frames[0]!)
    const control = await $('#xss-control').isExisting()
    await browser.switchFrame(null)
    const pass =
      marker === null &&
      !alerted &&
      leftovers.length === 0 &&
      control &&
      frameCount === ARMED.length + 1 &&
      markdownCount === 2 * ARMED.length
    rows.push({
      case: `${ARMED.length} XSS vectors × (markdown cell, text/markdown output, text/html output) in the notebook UI`,
      expected: 'no marker on the top window, no alert, no script/handler/javascript: URL in the page DOM',
      observed: `marker ${marker ?? 'unset'}, alert ${alerted ? 'opened' : 'none'}, ${leftovers.length} executable leftovers, ${frameCount} sandboxed frames, ${markdownCount} markdown blocks`,
      pass,
      detail: leftovers.slice(0, 5).join(', ')
    })
    await browser.saveScreenshot(join(artifacts, 'screenshots', 'reliability-xss.png'))
    expect(marker).toBe(null)
    expect(alerted).toBe(false)
    expect(leftovers).toEqual([])
    expect(control).toBe(true)
    expect(frameCount).toBe(ARMED.length + 1)
    expect(markdownCount).toBe(2 * ARMED.length)
  })

  it('the same vectors in the exported HTML report, opened in the browser', async () => {
    const exported = await ws.value<{ content: string; filename: string }>('exportNotebook', doc.path, 'html')
    mkdirSync(join(artifacts, 'reliability'), { recursive: true })
    const file = join(artifacts, 'reliability', 'xss-report.html')
    writeFileSync(file, exported.content)
    await browser.url(pathToFileURL(file).href)
    await browser.pause(1500)
    const marker = await browser.execute(() => (window as unknown as { __xss?: number }).__xss ?? null)
    const alerted = await alertOpen()
    const scripts = Number(await browser.execute(() => document.querySelectorAll('script').length))
    rows.push({
      case: `${ARMED.length} XSS vectors in the exported HTML report, opened in Chromium`,
      expected: 'no marker, no alert, no script element',
      observed: `marker ${marker ?? 'unset'}, alert ${alerted ? 'opened' : 'none'}, ${scripts} script elements`,
      pass: marker === null && !alerted && scripts === 0
    })
    expect(marker).toBe(null)
    expect(alerted).toBe(false)
    expect(scripts).toBe(0)
  })

  it('a runaway cell stops out of fuel, an endless sleep is interrupted from the header, the page stays responsive', async () => {
    const nb = await ws.value<NotebookDocument>('createNotebook')
    await ws.value('updateCell', nb.path, nb.cells[0]!.id, { source: 'x = 42' })
    const ids = [nb.cells[0]!.id]
    for (const source of ['x = -1\nwhile True: pass', 'x = -1\nimport time\ntime.sleep(10**9)', 'print(x)']) {
      ids.push((await ws.value<{ id: string }>('insertCell', nb.path, { type: 'code', source })).id)
    }
    await runOver(ws, nb.path, [ids[0]!])
    await openInUi(nb.path)
    const cell = (id: string) => $(`[data-testid="cell"][data-cell-id="${id}"]`)

    await browser.execute(() => window.scrollTo(0, 0))
    await ws.value('runCells', nb.path, [ids[1]!, ids[2]!])
    await (await cell(ids[1]!)).$('[data-testid="killed-line"]').waitForDisplayed({ timeout: 60_000 })
    const fuelLine = await (await cell(ids[1]!)).$('[data-testid="killed-line"]').getText()
    // The sleeping cell is running: the page must still answer at once.
    await browser.waitUntil(
      async () => (await (await cell(ids[2]!)).getAttribute('data-phase')) === 'running',
      {
        timeout: 30_000
      }
    )
    const t0 = Date.now()
    const cellCount = await browser.execute(() => document.querySelectorAll('[data-testid="cell"]').length)
    const responsiveMs = Date.now() - t0
    // It answered while the cell still ran: the sleep only ends by the interrupt below. How fast goes to
    // the report, not into an assertion.
    const answeredWhileRunning =
      cellCount === ids.length && (await (await cell(ids[2]!)).getAttribute('data-phase')) === 'running'
    await $('[data-testid="interrupt"]').click()
    await (await cell(ids[2]!)).$('[data-testid="killed-line"]').waitForDisplayed({ timeout: 30_000 })
    const interruptLine = await (await cell(ids[2]!)).$('[data-testid="killed-line"]').getText()
    await ws.value('runCells', nb.path, [ids[3]!])
    const outputs = (await cell(ids[3]!)).$('[data-testid="outputs"]')
    await outputs.waitForDisplayed({ timeout: 30_000 })
    await browser.waitUntil(async () => (await outputs.getText()).includes('42'), { timeout: 30_000 })
    await browser.saveScreenshot(join(artifacts, 'screenshots', 'reliability-runaway.png'))
    rows.push({
      case: 'runaway cell (`while True: pass`) then `time.sleep(10**9)` interrupted from the header, in the UI',
      expected: 'out of fuel; interrupted; page answers while the cell runs; x still 42',
      observed: `"${fuelLine}"; "${interruptLine}"; page answered in ${responsiveMs} ms; x printed`,
      pass: /out of fuel/i.test(fuelLine) && /interrupted/i.test(interruptLine) && answeredWhileRunning
    })
    expect(fuelLine).toMatch(/out of fuel/i)
    expect(interruptLine).toMatch(/interrupted/i)
    expect(answeredWhileRunning).toBe(true)
  })
})
