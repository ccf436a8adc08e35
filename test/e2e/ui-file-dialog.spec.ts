import { browser, $, expect } from '@wdio/globals'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cellAt, newNotebook, outputText, runCode, shot, url } from './notebook-page'

/**
 * Browser mode's file dialog, against the real server: Save As into a subfolder, Export written to
 * disk with the path confirmed, Open (a .fuelbook and an imported .ipynb) from the folder used last.
 * The server lets it browse only the home and data folders (security: test/integration/file-dialog-routes).
 */

const dataDir = (): string => process.env.FUELBOOK_E2E_DATA!
const project = (): string => join(dataDir(), 'dialog-project')
const sub = (): string => join(project(), 'q3')

/** The entry named `name` in the open dialog `testid`. */
const entry = (testid: string, name: string) => $(`[data-testid="${testid}-entries"]`).$(`button*=${name}`)

async function entryNames(testid: string): Promise<string[]> {
  return browser.execute(
    (id) =>
      [...document.querySelectorAll(`[data-testid="${id}-entries"] .name`)].map((n) => n.textContent ?? ''),
    testid
  )
}

/** Whether dialog `testid` shows all of itself, its submit button included, without scrolling. */
async function fitsWithoutScrolling(testid: string): Promise<{ scrolls: boolean; submitShown: boolean }> {
  return browser.execute((id) => {
    const dialog = document.querySelector(`[data-testid="${id}-dialog"]`)!
    const submit = document.querySelector(`[data-testid="${id}-submit"]`)!.getBoundingClientRect()
    return {
      scrolls: dialog.scrollHeight > dialog.clientHeight + 1,
      submitShown: submit.bottom <= Math.min(window.innerHeight, dialog.getBoundingClientRect().bottom)
    }
  }, testid)
}

describe('the file dialog (browser mode)', () => {
  before(() => {
    mkdirSync(sub(), { recursive: true })
    writeFileSync(join(project(), 'readme.txt'), 'not a notebook')
  })

  it('saves as into a subfolder it browses to', async () => {
    await newNotebook()
    await runCode(0, "print('dialog', 6 * 7)")
    await browser.keys('Escape')
    await $('[data-testid="save-as"]').click()
    await expect($('[data-testid="save-as-dialog"]')).toBeDisplayed()
    await $('[data-testid="save-as-dialog"]').$('button=Data folder').click()
    await expect($('[data-testid="save-as-folder"]')).toHaveText(dataDir())
    await entry('save-as', 'dialog-project').click()
    await expect($('[data-testid="save-as-folder"]')).toHaveText(project())
    // Folders and .fuelbook files only: the .txt is not offered.
    expect(await entryNames('save-as')).toEqual(['q3'])
    await entry('save-as', 'q3').click()
    await expect($('[data-testid="save-as-folder"]')).toHaveText(sub())
    await $('[data-testid="save-as-up"]').click()
    await expect($('[data-testid="save-as-folder"]')).toHaveText(project())
    await entry('save-as', 'q3').click()
    await $('[data-testid="save-as-path"]').setValue('analysis')
    await $('[data-testid="save-as-submit"]').click()
    await expect($('[data-testid="save-as-dialog"]')).not.toBeExisting()
    await expect($('[data-testid="file-name"]')).toHaveText('analysis.fuelbook')
    expect(existsSync(join(sub(), 'analysis.fuelbook'))).toBe(true)
  })

  it('exports to the folder used last and says where the file went', async () => {
    await $('[data-testid="export"]').click()
    await $('[role="menuitem"]=HTML report').click()
    await expect($('[data-testid="export-dialog"]')).toBeDisplayed()
    await expect($('[data-testid="export-folder"]')).toHaveText(sub())
    await expect($('[data-testid="export-path"]')).toHaveValue('analysis.html')
    await $('[data-testid="export-submit"]').click()
    const written = join(sub(), 'analysis.html')
    await expect($('[data-testid="message"] span')).toHaveText(`Exported to ${written}`)
    expect(readFileSync(written, 'utf8')).toContain('dialog 42')

    // A second export to the same name asks before replacing the file; "Keep it" keeps it.
    writeFileSync(written, 'kept')
    await $('[data-testid="export"]').click()
    await $('[role="menuitem"]=HTML report').click()
    await expect($('[data-testid="export-folder"]')).toHaveText(sub())
    await $('[data-testid="export-submit"]').click()
    // Asked inside the dialog (not the browser's confirm), with "Keep it" focused: Enter never replaces.
    await expect($('[data-testid="export-confirm"]')).toHaveText(
      expect.stringContaining(`${written} exists. Replace it?`)
    )
    await expect($('[data-testid="export-confirm-no"]')).toBeFocused()
    await $('[data-testid="export-confirm-no"]').click()
    await expect($('[data-testid="export-confirm"]')).not.toBeExisting()
    await expect($('[data-testid="export-dialog"]')).toBeDisplayed()
    expect(readFileSync(written, 'utf8')).toBe('kept')
    await $('[data-testid="export-submit"]').click()
    await $('[data-testid="export-confirm-yes"]').click()
    await expect($('[data-testid="export-dialog"]')).not.toBeExisting()
    expect(readFileSync(written, 'utf8')).toContain('dialog 42')
  })

  it('opens a notebook and imports an .ipynb from the folder used last', async () => {
    writeFileSync(
      join(sub(), 'from-jupyter.ipynb'),
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 5,
        metadata: {},
        cells: [{ cell_type: 'code', source: 'x = 1', metadata: {}, outputs: [], execution_count: 1 }]
      })
    )
    await browser.url(url())
    await $('[data-testid="open-button"]').click()
    await expect($('[data-testid="open-dialog"]')).toBeDisplayed()
    await expect($('[data-testid="open-folder"]')).toHaveText(sub())
    // Notebooks and .ipynb files; not the export.
    expect(await entryNames('open')).toEqual(['analysis.fuelbook', 'from-jupyter.ipynb'])
    await browser.saveScreenshot(shot('ui-file-dialog.png'))
    await entry('open', 'analysis.fuelbook').click()
    await expect($('[data-testid="open-path"]')).toHaveValue('analysis.fuelbook')
    await $('[data-testid="open-submit"]').click()
    await expect($('[data-testid="file-name"]')).toHaveText('analysis.fuelbook')
    expect(await outputText(0)).toContain('dialog 42')

    await browser.url(url())
    await $('[data-testid="open-button"]').click()
    await entry('open', 'from-jupyter.ipynb').doubleClick()
    await expect($('[data-testid="notebook"]')).toBeDisplayed()
    await expect(await cellAt(0)).toHaveText(expect.stringContaining('x = 1'))
  })

  it('fits a 1024×700 window: Open, Save As and Export show their buttons without scrolling', async () => {
    const { width, height } = await browser.getWindowSize()
    await browser.setWindowSize(1024, 700)
    try {
      const fits = { scrolls: false, submitShown: true }
      await browser.url(url())
      await $('[data-testid="open-button"]').click()
      await expect($('[data-testid="open-dialog"]')).toBeDisplayed()
      expect(await fitsWithoutScrolling('open')).toEqual(fits)
      await browser.saveScreenshot(shot('ui-file-dialog-1024.png'))
      await browser.keys('Escape')
      await newNotebook()
      await browser.keys('Escape')
      await $('[data-testid="save-as"]').click()
      await expect($('[data-testid="save-as-dialog"]')).toBeDisplayed()
      expect(await fitsWithoutScrolling('save-as')).toEqual(fits)
      await browser.keys('Escape')
      await $('[data-testid="export"]').click()
      await $('[role="menuitem"]=HTML report').click()
      await expect($('[data-testid="export-dialog"]')).toBeDisplayed()
      expect(await fitsWithoutScrolling('export')).toEqual(fits)
      await browser.keys('Escape')
    } finally {
      await browser.setWindowSize(width, height)
    }
  })

  it('a full path typed in Save As makes its folder the one Export starts in', async () => {
    await newNotebook()
    await browser.keys('Escape')
    await $('[data-testid="save-as"]').click()
    await expect($('[data-testid="save-as-folder"]')).toHaveText(sub())
    await $('[data-testid="save-as-path"]').setValue(join(project(), 'typed.fuelbook'))
    await $('[data-testid="save-as-submit"]').click()
    await expect($('[data-testid="file-name"]')).toHaveText('typed.fuelbook')
    await $('[data-testid="export"]').click()
    await $('[role="menuitem"]=HTML report').click()
    await expect($('[data-testid="export-folder"]')).toHaveText(project())
    await browser.keys('Escape')
  })

  it('says why a path outside the allowed folders cannot be browsed', async () => {
    await browser.url(url())
    await $('[data-testid="open-button"]').click()
    await $('[data-testid="open-path"]').setValue('/etc/passwd.ipynb')
    await $('[data-testid="open-submit"]').click()
    await expect($('[data-testid="open-error"]')).toHaveText(
      expect.stringContaining('is not a file Fuelbook may read')
    )
    await browser.keys('Escape')
    await expect($('[data-testid="open-dialog"]')).not.toBeExisting()
  })
})
