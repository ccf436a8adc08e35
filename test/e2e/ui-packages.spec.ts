import { browser, $, $$, expect } from '@wdio/globals'
import { startPackageIndex, type PackageIndex } from '../helpers/package-index'
import { buildWheel } from '../helpers/wheels'
import { addCell, newNotebook, outputText, runCode, shot } from './notebook-page'

/**
 * The sidebar's Packages section in browser mode against a real PEP 691 index on 127.0.0.1 (the one
 * the integration tests use): the index is set in Settings, a package and its dependencies are
 * installed from the box, imported in a cell; a `%pip install` cell updates the list live; a refusal
 * is shown as the service words it; a removal asks once; after a reload the list and the imports
 * are still what the file holds.
 */

const module = (name: string, body: string): Record<string, string> => ({ [`${name}/__init__.py`]: body })
const wheels = [
  buildWheel({
    name: 'app-kit',
    version: '1.0',
    requires: ['mid-lib>=2'],
    files: module('app_kit', 'import mid_lib\ndef answer():\n    return mid_lib.value() + 1\n')
  }),
  buildWheel({
    name: 'mid-lib',
    version: '2.1',
    requires: ['base-lib'],
    files: module('mid_lib', 'import base_lib\ndef value():\n    return base_lib.VALUE * 2\n')
  }),
  buildWheel({ name: 'base-lib', version: '0.3', files: module('base_lib', 'VALUE = 20\n') }),
  buildWheel({ name: 'greeter', version: '0.5', files: module('greeter', 'HELLO = "hello"\n') }),
  buildWheel({ name: 'slow-pkg', version: '1.0', files: module('slow_pkg', '') }),
  buildWheel({
    name: 'fastmath',
    version: '1.0',
    tag: 'cp311-cp311-manylinux_2_17_x86_64',
    files: module('fastmath', '')
  })
]

let index: PackageIndex

async function setIndexUrl(url: string): Promise<void> {
  await $('[data-testid="open-settings"]').click()
  await $('[data-testid="setting-package-index"]').setValue(url)
  await $('[data-testid="settings-save"]').click()
  await $('[data-testid="settings-dialog"]').waitForDisplayed({ reverse: true })
}

/** The section's rows as the user reads them: name, version, size, why. */
async function rows(): Promise<string[]> {
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid="package"]')].map((li) =>
      (li as HTMLElement).innerText.replace(/\s+/g, ' ').trim()
    )
  )
}

async function waitForNames(names: string[]): Promise<void> {
  await browser.waitUntil(
    async () =>
      JSON.stringify(
        await browser.execute(() =>
          [...document.querySelectorAll('[data-testid="package"]')].map((li) => li.getAttribute('data-name'))
        )
      ) === JSON.stringify(names),
    { timeoutMsg: `the Packages section did not list ${names.join(', ')}: ${JSON.stringify(await rows())}` }
  )
}

describe('the Packages section', () => {
  before(async () => {
    index = await startPackageIndex(
      wheels.map((wheel) => ({
        wheel,
        ...(wheel.filename.startsWith('slow_pkg') ? { delayMs: 3000, metadataFile: true } : {})
      }))
    )
  })

  after(async () => {
    await setIndexUrl('https://pypi.org/simple/')
    await index.close()
  })

  it('installs from the box, imports in a cell, follows %pip, refuses plainly, removes, survives a reload', async () => {
    await newNotebook()
    await expect($('[data-testid="sidebar-packages"]')).toHaveText(expect.stringContaining('No packages.'))
    await setIndexUrl(index.url)

    await $('[data-testid="packages-input"]').setValue('app-kit')
    await $('[data-testid="packages-install"]').click()
    await waitForNames(['app-kit', 'base-lib', 'mid-lib'])
    await expect($('[data-testid="packages-status"]')).toHaveText(
      'Installed in this notebook: app-kit 1.0, mid-lib 2.1, base-lib 0.3'
    )
    expect(await $('[data-testid="packages-input"]').getValue()).toBe('')
    const listed = await rows()
    expect(listed[0]).toMatch(/^app-kit 1\.0 \d+ B × installed as app-kit$/)
    expect(listed[1]).toMatch(/^base-lib 0\.3 \d+ B × needed by mid-lib 2\.1 \(base-lib\)$/)
    expect(listed[2]).toMatch(/^mid-lib 2\.1 \d+ B × needed by app-kit 1\.0 \(mid-lib>=2\)$/)

    // A slow download (its metadata came first, PEP 658): the section says which step the install is at
    // while it waits, and keeps the box busy.
    await $('[data-testid="packages-input"]').setValue('slow-pkg')
    await $('[data-testid="packages-install"]').click()
    await expect($('[data-testid="packages-status"]')).toHaveText(
      'Downloading slow_pkg-1.0-py3-none-any.whl…'
    )
    await expect($('[data-testid="packages-install"]')).toBeDisabled()
    await waitForNames(['app-kit', 'base-lib', 'mid-lib', 'slow-pkg'])
    await expect($('[data-testid="packages-status"]')).toHaveText('Installed in this notebook: slow-pkg 1.0')
    await $('[data-testid="package"][data-name="slow-pkg"] [data-testid="package-remove"]').click()
    await $('[data-testid="package"][data-name="slow-pkg"] [data-testid="package-remove"]').click()
    await waitForNames(['app-kit', 'base-lib', 'mid-lib'])

    await runCode(0, 'import app_kit\nprint(app_kit.answer())')
    expect(await outputText(0)).toBe('41')

    // A %pip cell installs through the same service: the section follows without a reload.
    await addCell('code')
    await runCode(1, '%pip install greeter\nimport greeter\nprint(greeter.HELLO)')
    expect(await outputText(1)).toBe('Installed in this notebook: greeter 0.5\nhello')
    await waitForNames(['app-kit', 'base-lib', 'greeter', 'mid-lib'])

    // A refusal is the service's sentence, and nothing changes.
    await $('[data-testid="packages-input"]').setValue('fastmath')
    await $('[data-testid="packages-install"]').click()
    await expect($('[data-testid="packages-error"]')).toHaveText(
      expect.stringMatching(
        /^fastmath needs compiled code for Linux; Fuelbook's runtime includes .+; fastmath cannot be installed$/
      )
    )
    await browser.saveScreenshot(shot('ui-packages.png'))
    await waitForNames(['app-kit', 'base-lib', 'greeter', 'mid-lib'])
    expect(await $('[data-testid="packages-input"]').getValue()).toBe('fastmath')

    // Remove asks once (its wheel leaves the file), then goes.
    const greeterRow = $('[data-testid="package"][data-name="greeter"]')
    await greeterRow.$('[data-testid="package-remove"]').click()
    await expect(greeterRow.$('[data-testid="package-remove"]')).toHaveText('Remove?')
    await waitForNames(['app-kit', 'base-lib', 'greeter', 'mid-lib'])
    await greeterRow.$('[data-testid="package-remove"]').click()
    await waitForNames(['app-kit', 'base-lib', 'mid-lib'])
    await expect($('[data-testid="packages-status"]')).toHaveText(
      'Removed greeter. Modules already imported stay loaded until the kernel restarts.'
    )

    // Reload: the file's list; the kept package imports, the removed one does not (fresh kernel).
    await browser.refresh()
    await $('[data-testid="notebook"]').waitForDisplayed()
    await waitForNames(['app-kit', 'base-lib', 'mid-lib'])
    await $('[data-testid="restart"]').click()
    await browser.waitUntil(
      async () => (await $('[data-testid="session-fuel"]').getText()) === '0 fuel this session'
    )
    await runCode(0, '')
    expect(await outputText(0)).toBe('41')
    const fresh = await addCell('code')
    await runCode(fresh, 'import greeter')
    expect(await outputText(fresh)).toContain("ModuleNotFoundError: No module named 'greeter'")
    expect(await $$('[data-testid="package"]').length).toBe(3)
  })
})
