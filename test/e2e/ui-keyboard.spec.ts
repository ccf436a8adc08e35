import { browser, $, $$, expect } from '@wdio/globals'
import { Key } from 'webdriverio'
import { ACTIONS } from '../../src/renderer/src/lib/actions'
import { shot } from './notebook-page'

/**
 * Jupyter's keyboard model, key by key, in browser mode: command and edit modes, running,
 * inserting, deleting and undoing, cell types, selection, clipboard, merge and split, moving,
 * collapsing output, the shortcuts dialog, the command palette and kernel completion.
 */

interface NotebookSnapshot {
  n: number
  /** One letter per cell: c(ode), m(arkdown), r(aw). */
  types: string
  cursor: number
  selected: number[]
  mode: string
  sources: string[]
}

/** What the user sees: cells, their types and text, the cursor, the selection and the mode. */
async function snapshot(): Promise<NotebookSnapshot> {
  return browser.execute(() => {
    const cells = [...document.querySelectorAll<HTMLElement>('[data-testid="cell"]')]
    const text = (cell: HTMLElement): string => {
      const editor = cell.querySelector('.cm-content')
      if (editor) {
        return [...editor.querySelectorAll('.cm-line')]
          .map((line) => {
            const copy = line.cloneNode(true) as HTMLElement
            copy.querySelector('.cm-placeholder')?.remove()
            return copy.textContent ?? ''
          })
          .join('\n')
      }
      const code = cell.querySelector('[data-testid="static-code"]')
      if (code) {
        const copy = code.cloneNode(true) as HTMLElement
        copy.querySelector('.placeholder')?.remove()
        return copy.textContent ?? ''
      }
      return cell.querySelector('[data-testid="markdown-rendered"]')?.textContent?.trim() ?? ''
    }
    return {
      n: cells.length,
      types: cells.map((c) => (c.dataset.cellType ?? '?')[0]).join(''),
      cursor: cells.findIndex((c) => c.getAttribute('aria-current') === 'true'),
      selected: cells.flatMap((c, i) => (c.classList.contains('selected') ? [i] : [])),
      mode: document.querySelector<HTMLElement>('[data-testid="notebook"]')?.dataset.mode ?? '',
      sources: cells.map(text)
    }
  })
}

async function expectSnapshot(expected: Partial<NotebookSnapshot>): Promise<void> {
  let last: NotebookSnapshot | null = null
  try {
    await browser.waitUntil(
      async () => {
        last = await snapshot()
        return Object.entries(expected).every(
          ([k, v]) => JSON.stringify(last![k as keyof NotebookSnapshot]) === JSON.stringify(v)
        )
      },
      { timeout: 5000 }
    )
  } catch {
    expect(last).toMatchObject(expected)
  }
}

async function insertCode(code: string): Promise<void> {
  await browser.execute((text) => document.execCommand('insertText', false, text), code)
}

/** A new notebook with code cells holding `sources`, in command mode on the first cell. */
async function notebookWith(sources: string[]): Promise<void> {
  await browser.url(process.env.FUELBOOK_E2E_URL!)
  await $('[data-testid="new-notebook"]').click()
  await $('[data-testid="cell"]').waitForDisplayed()
  for (const [i, source] of sources.entries()) {
    if (i > 0) {
      await browser.keys('b')
      await expectSnapshot({ n: i + 1, cursor: i })
    }
    await browser.keys(Key.Enter)
    await $(`[data-testid="cell"][aria-current="true"] .cm-content`).waitForDisplayed()
    await insertCode(source)
    await browser.keys(Key.Escape)
    await expectSnapshot({ mode: 'command' })
  }
  await browser.keys('k')
  await browser.keys('k')
  await browser.keys('k')
  await expectSnapshot({ n: sources.length, cursor: 0, sources, mode: 'command' })
}

async function waitIdle(): Promise<void> {
  await browser.waitUntil(
    async () =>
      (await browser.execute(
        () => document.querySelectorAll('[data-phase="running"], [data-phase="queued"]').length
      )) === 0,
    { timeout: 60_000 }
  )
}

describe('Jupyter keyboard model', () => {
  beforeEach(async () => {
    await notebookWith(['a = 1', 'b = 2', 'c = 3'])
  })

  it('Enter edits the cell, Esc returns to command mode', async () => {
    await browser.keys(Key.Enter)
    await expectSnapshot({ mode: 'edit', cursor: 0 })
    expect(await browser.execute(() => document.activeElement?.classList.contains('cm-content'))).toBe(true)
    // Esc closes the editor's search panel first, then leaves the cell.
    await browser.keys([Key.Ctrl, 'f'])
    await expect($('.cm-search')).toBeDisplayed()
    await browser.keys(Key.Escape)
    await expect($('.cm-search')).not.toBeExisting()
    await expectSnapshot({ mode: 'edit' })
    await browser.keys(Key.Escape)
    await expectSnapshot({ mode: 'command', cursor: 0 })
  })

  it('in edit mode, ↓ on the last line and ↑ on the first move between cells', async () => {
    await browser.keys(Key.Enter)
    await browser.keys(Key.ArrowDown)
    await expectSnapshot({ mode: 'edit', cursor: 1 })
    await browser.keys('X')
    await browser.keys(Key.ArrowUp)
    await expectSnapshot({ mode: 'edit', cursor: 0 })
    await browser.keys('Y')
    await expectSnapshot({ sources: ['a = 1Y', 'Xb = 2', 'c = 3'] })
    await browser.keys(Key.Escape)
  })

  it('J / K and the arrows move the cursor; Shift+J / Shift+K extend the selection', async () => {
    await browser.keys('j')
    await expectSnapshot({ cursor: 1, selected: [1] })
    await browser.keys(Key.ArrowDown)
    await expectSnapshot({ cursor: 2 })
    await browser.keys('k')
    await expectSnapshot({ cursor: 1 })
    await browser.keys(Key.ArrowUp)
    await expectSnapshot({ cursor: 0 })
    await browser.keys([Key.Shift, 'j'])
    await browser.keys([Key.Shift, 'J'])
    await expectSnapshot({ cursor: 2, selected: [0, 1, 2] })
    await browser.keys([Key.Shift, 'k'])
    await expectSnapshot({ cursor: 1, selected: [0, 1] })
  })

  it('A and B insert above and below', async () => {
    await browser.keys('a')
    await expectSnapshot({ n: 4, cursor: 0, sources: ['', 'a = 1', 'b = 2', 'c = 3'] })
    await browser.keys('b')
    await expectSnapshot({ n: 5, cursor: 1, sources: ['', '', 'a = 1', 'b = 2', 'c = 3'] })
  })

  it('D D deletes the selected cells and Z brings them back', async () => {
    await browser.keys('j')
    await browser.keys('d')
    await expectSnapshot({ n: 3 })
    await browser.keys('d')
    await expectSnapshot({ n: 2, sources: ['a = 1', 'c = 3'], cursor: 1 })
    await browser.keys('z')
    await expectSnapshot({ n: 3, sources: ['a = 1', 'b = 2', 'c = 3'] })
  })

  it('Shift+Z deletes again what Z brought back, as JupyterLab redoes', async () => {
    await browser.keys('j')
    await browser.keys(['d', 'd'])
    await expectSnapshot({ sources: ['a = 1', 'c = 3'] })
    await browser.keys(['d', 'd'])
    await expectSnapshot({ sources: ['a = 1'] })
    await browser.keys('z')
    await expectSnapshot({ sources: ['a = 1', 'c = 3'] })
    await browser.keys('z')
    await expectSnapshot({ sources: ['a = 1', 'b = 2', 'c = 3'], cursor: 1 })
    await browser.keys([Key.Shift, 'z'])
    await expectSnapshot({ sources: ['a = 1', 'c = 3'], cursor: 1 })
    await browser.keys([Key.Shift, 'z'])
    await expectSnapshot({ sources: ['a = 1'] })
    // Nothing left to redo; Z still undoes.
    await browser.keys([Key.Shift, 'z'])
    await expectSnapshot({ sources: ['a = 1'] })
    await browser.keys('z')
    await expectSnapshot({ sources: ['a = 1', 'c = 3'] })
  })

  it('Z brings back every cell of one D D at once, selected; Shift+Z deletes them again', async () => {
    await browser.keys([Key.Shift, 'j'])
    await expectSnapshot({ selected: [0, 1] })
    await browser.keys(['d', 'd'])
    await expectSnapshot({ sources: ['c = 3'] })
    await browser.keys('z')
    await expectSnapshot({ sources: ['a = 1', 'b = 2', 'c = 3'], selected: [0, 1] })
    await browser.keys([Key.Shift, 'z'])
    await expectSnapshot({ sources: ['c = 3'] })
    await browser.keys('z')
    await expectSnapshot({ sources: ['a = 1', 'b = 2', 'c = 3'] })
  })

  it('M, R and Y change the cell type', async () => {
    await browser.keys('m')
    await expectSnapshot({ types: 'mcc' })
    await browser.keys('j')
    await browser.keys('r')
    await expectSnapshot({ types: 'mrc' })
    await browser.keys('y')
    await browser.keys('k')
    await browser.keys('y')
    await expectSnapshot({ types: 'ccc' })
  })

  it('1–6 make the cell a markdown heading of that level, as in JupyterLab', async () => {
    await browser.keys('1')
    await expectSnapshot({ types: 'mcc', mode: 'command' })
    await expect(
      $('[data-testid="cell"][aria-current="true"] [data-testid="markdown-rendered"] h1')
    ).toHaveText('a = 1')
    // A heading replaces the marks it had; another key changes its level.
    await browser.keys('3')
    await expect(
      $('[data-testid="cell"][aria-current="true"] [data-testid="markdown-rendered"] h3')
    ).toHaveText('a = 1')
    await browser.keys([Key.Shift, 'j'])
    await browser.keys('2')
    await expectSnapshot({ types: 'mmc', selected: [0, 1] })
    await browser.keys(Key.Enter)
    await expectSnapshot({ mode: 'edit', cursor: 1, sources: ['a = 1', '## b = 2', 'c = 3'] })
  })

  it('Shift+L shows line numbers beside every code cell, the text where it was when the editor opens', async () => {
    /** Per cell: the number shown beside its first line, and where its first character is drawn. */
    const numbered = (): Promise<{ number: string; left: number }[]> =>
      browser.execute(() =>
        [...document.querySelectorAll('[data-testid="cell"]')].map((cell) => {
          const gutter = cell.querySelector('.cm-lineNumbers .cm-gutterElement:not([style*="hidden"])')
          const line = cell.querySelector('.cm-line, [data-testid="static-code"] .line')
          const number = gutter
            ? (gutter.textContent ?? '')
            : // A static cell numbers its lines with a CSS counter (its value is not in the DOM).
              line && getComputedStyle(line, '::before').content.startsWith('counter(')
              ? '1'
              : ''
          const walker = document.createTreeWalker(line ?? cell, NodeFilter.SHOW_TEXT)
          const text = walker.nextNode()
          const range = document.createRange()
          if (text) {
            range.setStart(text, 0)
            range.setEnd(text, 1)
          }
          return {
            number: number === 'none' ? '' : number,
            left: Math.round(range.getBoundingClientRect().left)
          }
        })
      )
    // After a reload the cells show their text without an editor until one is entered.
    await browser.refresh()
    await expectSnapshot({ n: 3, mode: 'command' })
    expect(await $$('[data-testid="static-code"]').length).toBe(3)
    const before = await numbered()
    expect(before.map((c) => c.number)).toEqual(['', '', ''])
    await browser.keys([Key.Shift, 'l'])
    await browser.waitUntil(async () => (await numbered()).every((c) => c.number === '1'), {
      timeoutMsg: 'not every cell shows line number 1'
    })
    const shown = await numbered()
    expect(shown[1]!.left).toBeGreaterThan(before[1]!.left)
    // Opening the editor of a cell keeps its text in place.
    await browser.keys('j')
    await browser.keys(Key.Enter)
    await expectSnapshot({ mode: 'edit', cursor: 1 })
    await browser.keys(Key.Escape)
    const editing = await numbered()
    expect(await $$('[data-testid="static-code"]').length).toBe(2)
    expect(editing[1]!.number).toBe('1')
    await browser.saveScreenshot(shot('ui-line-numbers.png'))
    expect(Math.abs(editing[1]!.left - shown[1]!.left)).toBeLessThanOrEqual(1)
    await browser.keys([Key.Shift, 'l'])
    await browser.waitUntil(async () => (await numbered()).every((c) => c.number === ''), {
      timeoutMsg: 'line numbers stayed after the second Shift+L'
    })
  })

  it('C / V copy and paste below, Shift+V above, X cuts', async () => {
    await browser.keys('c')
    await browser.keys('j')
    await browser.keys('v')
    await expectSnapshot({ sources: ['a = 1', 'b = 2', 'a = 1', 'c = 3'], cursor: 2 })
    await browser.keys([Key.Shift, 'v'])
    await expectSnapshot({ sources: ['a = 1', 'b = 2', 'a = 1', 'a = 1', 'c = 3'] })
    await browser.keys('x')
    await expectSnapshot({ n: 4 })
    await browser.keys('k')
    await browser.keys('k')
    await browser.keys('k')
    await browser.keys('v')
    await expectSnapshot({ sources: ['a = 1', 'a = 1', 'b = 2', 'a = 1', 'c = 3'] })
  })

  it('Shift+M merges the selection; Ctrl+Shift+- splits at the cursor', async () => {
    await browser.keys([Key.Shift, 'j'])
    await browser.keys([Key.Shift, 'm'])
    await expectSnapshot({ n: 2, sources: ['a = 1\n\nb = 2', 'c = 3'], cursor: 0 })
    await browser.keys(Key.Enter)
    await browser.keys([Key.Ctrl, Key.Home])
    await browser.keys(Key.ArrowDown)
    await browser.keys([Key.Ctrl, Key.Shift, '-'])
    await expectSnapshot({ n: 3, sources: ['a = 1', 'b = 2', 'c = 3'], cursor: 1, mode: 'edit' })
  })

  it('Ctrl+Shift+↓ / ↑ move the cell', async () => {
    await browser.keys([Key.Ctrl, Key.Shift, Key.ArrowDown])
    await expectSnapshot({ sources: ['b = 2', 'a = 1', 'c = 3'], cursor: 1 })
    await browser.keys([Key.Ctrl, Key.Shift, Key.ArrowUp])
    await expectSnapshot({ sources: ['a = 1', 'b = 2', 'c = 3'], cursor: 0 })
  })

  it('Ctrl+Enter runs in place, Shift+Enter runs and advances, Alt+Enter runs and inserts', async () => {
    await browser.keys([Key.Ctrl, Key.Enter])
    await waitIdle()
    await expectSnapshot({ cursor: 0, n: 3 })
    await expect($$('[data-testid="execution-count"]')[0]).toHaveText('[1]')
    await browser.keys([Key.Shift, Key.Enter])
    await waitIdle()
    await expectSnapshot({ cursor: 1, n: 3 })
    await browser.keys([Key.Alt, Key.Enter])
    await waitIdle()
    await expectSnapshot({ cursor: 2, n: 4, mode: 'edit' })
    await expect($$('[data-testid="execution-count"]')[0]).toHaveText('[2]')
    await expect($$('[data-testid="execution-count"]')[1]).toHaveText('[3]')
  })

  it('O collapses and expands the output', async () => {
    await browser.keys([Key.Ctrl, Key.Enter])
    await waitIdle()
    await browser.keys('o')
    await expect($('[data-testid="cell"] [data-testid="stats"]')).toBeDisplayed()
    await expect($('[data-testid="cell"]').$('button*=output hidden')).not.toBeExisting()
    await browser.keys(Key.Enter)
    await browser.keys([Key.Ctrl, Key.End])
    await insertCode('\nprint("shown")')
    await browser.keys(Key.Escape)
    await browser.keys([Key.Ctrl, Key.Enter])
    await waitIdle()
    await expect($('[data-testid="cell"]').$('button*=output hidden')).toBeDisplayed()
    await browser.keys('o')
    await expect($('[data-testid="cell"] [data-testid="outputs"]')).toHaveText(
      expect.stringContaining('shown')
    )
  })

  it('I I interrupts a running cell; 0 0 restarts the kernel', async () => {
    await browser.keys([Key.Ctrl, Key.Enter])
    await waitIdle()
    await expect($('[data-testid="kernel-head"]')).toHaveText('state after [1]')
    await browser.keys('j')
    await browser.keys(Key.Enter)
    await browser.keys([Key.Ctrl, Key.End])
    await insertCode('\nimport time\ntime.sleep(1000)')
    await browser.keys(Key.Escape)
    await browser.keys([Key.Ctrl, Key.Enter])
    await $('[data-phase="running"]').waitForExist({ timeout: 20_000 })
    await browser.keys('i')
    await browser.keys('i')
    await waitIdle()
    await expect($$('[data-testid="cell"]')[1]).toHaveAttribute('data-status', 'interrupted')
    await browser.keys('0')
    await browser.keys('0')
    await expect($('[data-testid="kernel-head"]')).toHaveText('fresh interpreter')
  })

  it('the cell toolbar offers the same moves to the mouse', async () => {
    const cursorCell = '[data-testid="cell"][aria-current="true"]'
    await $(cursorCell).$('[data-testid="cell-move-down"]').click()
    await expectSnapshot({ sources: ['b = 2', 'a = 1', 'c = 3'], cursor: 1 })
    await $(cursorCell).$('[data-testid="cell-delete"]').click()
    await expectSnapshot({ sources: ['b = 2', 'c = 3'] })
    await $(cursorCell).$('[data-testid="cell-insert-below"]').click()
    await expectSnapshot({ n: 3 })
  })

  it('a cell dragged by its gutter drops where it is let go', async () => {
    // WebDriver cannot drive HTML5 drag and drop; the page gets the same events a real drag sends.
    await browser.execute(() => {
      const cells = document.querySelectorAll<HTMLElement>('[data-testid="cell"]')
      const data = new DataTransfer()
      cells[2]!
        .querySelector('.gutter')!
        .dispatchEvent(new DragEvent('dragstart', { bubbles: true, dataTransfer: data }))
      cells[0]!.dispatchEvent(
        new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: data })
      )
      cells[0]!.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: data }))
    })
    await expectSnapshot({ sources: ['c = 3', 'a = 1', 'b = 2'], cursor: 0 })
  })

  it('Ctrl+S saves; an untitled notebook asks for a name', async () => {
    await browser.keys([Key.Ctrl, 's'])
    await expect($('[data-testid="save-as-dialog"]')).toBeDisplayed()
    await browser.keys(Key.Escape)
    await expect($('[data-testid="save-as-dialog"]')).not.toBeExisting()
    // In edit mode too, and the browser's own save page never opens.
    await browser.keys(Key.Enter)
    await browser.keys([Key.Ctrl, 's'])
    await expect($('[data-testid="save-as-dialog"]')).toBeDisplayed()
    await browser.keys(Key.Escape)
  })

  it('Ctrl+F finds in every cell: Enter and Shift+Enter step through the matches, Esc edits the one found', async () => {
    await browser.keys(Key.Escape)
    await browser.keys([Key.Ctrl, 'f'])
    const box = $('[data-testid="find-input"]')
    await expect(box).toBeFocused()
    const count = $('[data-testid="find-count"]')
    const found = async (): Promise<string | null> =>
      browser.execute(
        () =>
          document.querySelector('[data-testid="cell"][aria-current="true"] [data-testid="find-current"]')
            ?.textContent ?? null
      )
    await browser.keys('=')
    // The first match from the cursor's cell, marked in that cell; the typing stays in the box.
    await expect(count).toHaveText('1 of 3')
    await expectSnapshot({ cursor: 0, mode: 'command' })
    expect(await found()).toBe('=')
    await browser.keys(Key.Enter)
    await expect(count).toHaveText('2 of 3')
    await expectSnapshot({ cursor: 1 })
    expect(await found()).toBe('=')
    await browser.keys(Key.Enter)
    await browser.keys(Key.Enter)
    await expect(count).toHaveText('1 of 3')
    await expectSnapshot({ cursor: 0 })
    await browser.keys([Key.Shift, Key.Enter])
    await expect(count).toHaveText('3 of 3')
    await expectSnapshot({ cursor: 2, mode: 'command' })
    await expect(box).toBeFocused()
    // A query nothing matches says so.
    await browser.keys(['Backspace', 'z', 'z'])
    await expect(count).toHaveText('no matches')
    await browser.keys(['Backspace', 'Backspace', '3'])
    await expect(count).toHaveText('1 of 1')
    await browser.saveScreenshot(shot('ui-find.png'))
    // Esc: the bar closes and the match is selected in its cell's editor, ready to type over.
    await browser.keys(Key.Escape)
    await expect($('[data-testid="find-bar"]')).not.toBeExisting()
    await expectSnapshot({ cursor: 2, mode: 'edit', sources: ['a = 1', 'b = 2', 'c = 3'] })
    expect(await browser.execute(() => document.getSelection()?.toString())).toBe('3')
    await browser.keys('4')
    await browser.keys(Key.Escape)
    await expectSnapshot({ mode: 'command', sources: ['a = 1', 'b = 2', 'c = 4'] })
    // With the bar open, typing in a cell that has no match stays in that cell.
    await browser.keys([Key.Ctrl, 'f'])
    await browser.keys('4')
    await expect(count).toHaveText('1 of 1')
    await $$('[data-testid="cell"]')[0]!.$('.input').click()
    await expectSnapshot({ cursor: 0, mode: 'edit' })
    await browser.keys([Key.Ctrl, Key.End])
    await browser.keys(' # note')
    await expectSnapshot({ cursor: 0, mode: 'edit', sources: ['a = 1 # note', 'b = 2', 'c = 4'] })
    await expect(count).toHaveText('1 of 1')
  })

  it('H lists the shortcuts by mode', async () => {
    await browser.keys('h')
    const dialog = '[data-testid="shortcuts-dialog"]'
    await expect($(dialog)).toBeDisplayed()
    await expect($(dialog)).toHaveText(expect.stringContaining('Command mode'))
    await expect($(dialog)).toHaveText(expect.stringContaining('Edit mode'))
    await expect($(dialog)).toHaveText(expect.stringContaining('Delete selected cells'))
    await browser.keys(Key.Escape)
    await expect($(dialog)).not.toBeExisting()
  })

  it('Ctrl+Shift+P opens the command palette with every action and runs the chosen one', async () => {
    const palette = '[data-testid="command-palette"]'
    await browser.keys([Key.Ctrl, Key.Shift, 'p'])
    await expect($(palette)).toBeDisplayed()
    expect(await $(palette).$$('[role="option"]').length).toBe(ACTIONS.length)
    await browser.keys('insert below')
    await browser.keys(Key.Enter)
    await expect($(palette)).not.toBeExisting()
    await expectSnapshot({ n: 4, cursor: 1 })
    // From edit mode as well.
    await browser.keys(Key.Enter)
    await expectSnapshot({ mode: 'edit' })
    await browser.keys([Key.Ctrl, Key.Shift, 'p'])
    await expect($(palette)).toBeDisplayed()
    await browser.keys(Key.Escape)
    await expect($(palette)).not.toBeExisting()
  })

  it('Tab completes names from the kernel: one match at once, several in a list', async () => {
    await browser.keys([Key.Ctrl, Key.Enter])
    await waitIdle()
    await browser.keys('j')
    await browser.keys(Key.Enter)
    await browser.keys([Key.Ctrl, Key.End])
    // As in JupyterLab, the only match is inserted without a list to confirm.
    await insertCode('\npri')
    await browser.keys(Key.Tab)
    await browser.waitUntil(async () => (await snapshot()).sources[1]!.endsWith('\nprint'), {
      timeout: 15_000,
      timeoutMsg: 'the only completion was not inserted'
    })
    await expect($('.cm-tooltip-autocomplete')).not.toBeExisting()
    await insertCode('("x")\nis')
    await browser.keys(Key.Tab)
    const popup = $('.cm-tooltip-autocomplete')
    await expect(popup).toBeDisplayed({ wait: 15_000 })
    await expect(popup).toHaveText(expect.stringContaining('isinstance'))
    await expect(popup).toHaveText(expect.stringContaining('issubclass'))
    await browser.keys(Key.ArrowDown)
    await browser.keys(Key.Enter)
    await browser.waitUntil(async () => /\nprint\("x"\)\nis\w{4,}$/.test((await snapshot()).sources[1]!), {
      timeoutMsg: 'the chosen completion was not inserted'
    })
    // An attribute is listed by its own name, as in JupyterLab; choosing it inserts the whole path.
    await expect(popup).not.toBeExisting()
    await insertCode('\na.bit_')
    await browser.keys(Key.Tab)
    await expect($('.cm-tooltip-autocomplete')).toBeDisplayed({ wait: 15_000 })
    const listed = await browser.execute(() =>
      [...document.querySelectorAll('.cm-tooltip-autocomplete .cm-completionLabel')].map((l) => l.textContent)
    )
    expect(listed).toEqual(['bit_count()', 'bit_length()'])
    await browser.keys(Key.Enter)
    await browser.waitUntil(async () => (await snapshot()).sources[1]!.endsWith('\na.bit_count()'), {
      timeoutMsg: 'the listed attribute did not insert its whole path'
    })
  })
})
