import { browser, $, $$ } from '@wdio/globals'
import { join } from 'node:path'

/** What every notebook e2e spec does as a user: open a notebook, type into cells, run them, read them. */

export const url = (): string => process.env.FUELBOOK_E2E_URL!
export const shot = (name: string): string => join(process.env.FUELBOOK_E2E_ARTIFACTS!, 'screenshots', name)

/**
 * Cell `index`, waiting up to 5 s for it to exist: a key that adds a cell (Shift+Enter at the end, B)
 * returns before the service has inserted it, and a loaded machine takes a while.
 */
export async function cellAt(index: number): Promise<WebdriverIO.Element> {
  let cells = await $$('[data-testid="cell"]').getElements()
  if (!cells[index]) {
    await browser
      .waitUntil(async () => (cells = await $$('[data-testid="cell"]').getElements()).length > index, {
        timeout: 5_000
      })
      .catch(() => undefined)
  }
  const cell = cells[index]
  if (!cell) throw new Error(`no cell ${index} (have ${cells.length})`)
  return cell
}

export async function newNotebook(): Promise<void> {
  await browser.url(url())
  await $('[data-testid="new-notebook"]').click()
  await $('[data-testid="cell"]').waitForDisplayed()
}

/** Puts the cursor at the end of cell `index`'s editor (creating the editor if needed). */
export async function editCell(index: number): Promise<void> {
  const cell = await cellAt(index)
  await cell.$('.input').click()
  await cell.$('.cm-content').waitForDisplayed()
  await browser.keys(['Control', 'End'])
}

/**
 * Puts code into the focused editor. Typing goes through CodeMirror's auto-indent and bracket
 * closing like a user's keys would; insertText (as a paste) keeps the code exactly as written.
 */
export async function insertCode(code: string): Promise<void> {
  await browser.execute((text) => document.execCommand('insertText', false, text), code)
}

/** Adds `code` to the end of cell `index`, runs it with Shift+Enter and waits for the new result. */
export async function runCode(
  index: number,
  code: string,
  options: { typed?: boolean; timeout?: number } = {}
): Promise<WebdriverIO.Element> {
  const before = await (await cellAt(index)).getAttribute('data-run-id')
  await editCell(index)
  if (options.typed) await browser.keys(code)
  else if (code) await insertCode(code)
  await browser.keys(['Shift', 'Enter'])
  return waitFinished(index, before, options.timeout)
}

/** Waits until cell `index` is idle with a run other than `before`. */
export async function waitFinished(
  index: number,
  before: string | null,
  timeout = 60_000
): Promise<WebdriverIO.Element> {
  await browser.waitUntil(
    async () => {
      const cell = await cellAt(index)
      const runId = await cell.getAttribute('data-run-id')
      return (await cell.getAttribute('data-phase')) === 'idle' && runId !== '' && runId !== before
    },
    { timeout, timeoutMsg: `cell ${index} did not finish a new run` }
  )
  return cellAt(index)
}

/** Clicks "+ Code" / "+ Markdown" and returns the new cell's index once it is there. */
export async function addCell(kind: 'code' | 'markdown'): Promise<number> {
  const index = await $$('[data-testid="cell"]').length
  await $(`[data-testid="add-${kind}"]`).click()
  await browser.waitUntil(async () => (await $$('[data-testid="cell"]').length) === index + 1)
  return index
}

export async function outputText(index: number): Promise<string> {
  const cell = await cellAt(index)
  const outputs = await cell.$('[data-testid="outputs"]')
  return (await outputs.isExisting()) ? outputs.getText() : ''
}

/** The text of cell `index`'s editor, line by line, as the user sees it. */
export async function editorText(index: number): Promise<string> {
  const cell = await cellAt(index)
  return browser.execute(
    (el) => [...el.querySelectorAll('.cm-content .cm-line')].map((line) => line.textContent ?? '').join('\n'),
    cell
  )
}

/** True when the keyboard focus is inside cell `index`'s editor. */
export async function editorFocused(index: number): Promise<boolean> {
  const cell = await cellAt(index)
  return browser.execute(
    (el) => !!document.activeElement && !!el.querySelector('.cm-content')?.contains(document.activeElement),
    cell
  )
}

/** The kernel inspector's tooltip (Shift+Tab in a code cell). */
export const inspector = (): ReturnType<typeof $> => $('[data-testid="inspector"]')

/**
 * The colours of a screenshot (a base64 PNG from browser.takeScreenshot) at the given points (CSS
 * pixels from the top left), as [r, g, b]: what was painted, which a style query cannot tell.
 * Decoded by the page itself.
 */
export async function paintedColours(
  png: string,
  points: [x: number, y: number][]
): Promise<[number, number, number][]> {
  return browser.execute(
    async (data, at) => {
      const image = new Image()
      image.src = `data:image/png;base64,${data}`
      await image.decode()
      const canvas = document.createElement('canvas')
      canvas.width = image.naturalWidth
      canvas.height = image.naturalHeight
      const context = canvas.getContext('2d')!
      context.drawImage(image, 0, 0)
      const scale = image.naturalWidth / window.innerWidth
      return at.map(([x, y]) => {
        const [r, g, b] = context.getImageData(Math.round(x * scale), Math.round(y * scale), 1, 1).data
        return [r!, g!, b!] as [number, number, number]
      })
    },
    png,
    points
  )
}

/**
 * The first word of each line of cell `index`'s stats line as laid out (it wraps in a narrow window),
 * top to bottom: what a reader sees at the start of every line.
 */
export async function statsLineStarts(index: number): Promise<string[]> {
  const cell = await cellAt(index)
  return browser.execute((el) => {
    const stats = el.querySelector('[data-testid="stats"]')!
    const words: { text: string; left: number; middle: number }[] = []
    const walker = document.createTreeWalker(stats, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement?.closest('.sr-only')) continue
      for (const match of (node.textContent ?? '').matchAll(/\S+/g)) {
        const range = document.createRange()
        range.setStart(node, match.index)
        range.setEnd(node, match.index + match[0].length)
        const box = range.getBoundingClientRect()
        if (box.width > 0) words.push({ text: match[0], left: box.left, middle: (box.top + box.bottom) / 2 })
      }
    }
    const lines: { middle: number; first: { text: string; left: number } }[] = []
    for (const word of words.sort((a, b) => a.middle - b.middle)) {
      const line = lines.find((l) => Math.abs(l.middle - word.middle) < 6)
      if (!line) lines.push({ middle: word.middle, first: word })
      else if (word.left < line.first.left) line.first = word
    }
    return lines.map((l) => l.first.text)
  }, cell)
}
