/**
 * A run's fuel profile in the exports: the HTML report's table (escaped, no script, left out with
 * the stats) and Fuelbook's run metadata in .ipynb, read back by the import (and a damaged one
 * dropped, not trusted).
 */
import { parseHTML } from 'linkedom'
import { describe, expect, it } from 'vitest'
import { notebookToHtml } from '../../src/main/export/html'
import { ipynbText, notebookToIpynb } from '../../src/main/export/ipynb-export'
import { importIpynb } from '../../src/main/export/ipynb-import'
import type { FuelProfile } from '../../src/shared/fuel-profile'
import { codeCell, documentOf, runOf } from './export-helpers'

const cell = codeCell('hot', 'def f():\n    return sum(range(9))\nf()')

const PROFILE: FuelProfile = {
  cellFile: '<cell-3>',
  totalFuel: 1_000_000,
  overheadFuel: 4_000_000,
  lineEventCost: 6000,
  callEventCost: 5800,
  events: 12,
  budgetReached: true,
  lines: [
    { file: '<cell-3>', line: 2, fuel: 934_000 },
    { file: '<cell-3>', line: 3, fuel: 66_000 }
  ],
  droppedLines: 0,
  functions: [
    { name: '<module>', file: '<cell-3>', firstLine: 1, selfFuel: 66_000, totalFuel: 1_000_000, calls: 1 },
    { name: '<b>f</b>', file: '<cell-3>', firstLine: 1, selfFuel: 934_000, totalFuel: 934_000, calls: 1 }
  ],
  droppedFunctions: 0
}

const profiled = documentOf('Profiled', [cell], [runOf(cell, [], { profile: PROFILE })])

describe('the HTML report', () => {
  it('shows a profiled run’s costliest lines and functions under its stats, escaped, without script', () => {
    const html = notebookToHtml(profiled)
    expect(html).not.toMatch(/<script/i)
    const details = parseHTML(html).document.querySelector('section.cell details.fuel-profile')!
    expect(details.querySelector('summary')!.textContent).toBe(
      'fuel profile: 1,000,000 fuel in the profiled code, 4,000,000 spent by the profiler'
    )
    expect(details.querySelector('p.note')!.textContent).toBe(
      'stopped when the profiled code reached its budget'
    )
    const [lines, functions] = [...details.querySelectorAll('table')]
    const rows = (table: typeof lines) =>
      [...table!.querySelectorAll('tbody tr')].map((tr) =>
        [...tr.querySelectorAll('td')].map((td) => td.textContent)
      )
    expect(rows(lines)).toEqual([
      ['cell line 2', '934,000', '93.4%'],
      ['cell line 3', '66,000', '6.6%']
    ])
    expect(rows(functions)[1]).toEqual(['<b>f</b> (cell line 1)', '934,000', '934,000', '93.4%', '1'])
    expect(details.querySelector('b')).toBeNull()
  })

  it('has no profile for an unprofiled run, nor with the stats hidden', () => {
    const plain = documentOf('Plain', [cell], [runOf(cell, [])])
    expect(notebookToHtml(plain)).not.toContain('fuel-profile"')
    expect(notebookToHtml(profiled, { hideStats: true })).not.toContain('fuel-profile"')
  })
})

describe('.ipynb', () => {
  it('keeps the profile in Fuelbook’s run metadata, and the import reads it back', () => {
    const nb = notebookToIpynb(profiled)
    expect(nb.cells[0]!.metadata['fuelbook']).toMatchObject({ run: { profile: PROFILE } })
    const imported = importIpynb(JSON.stringify(nb))
    if (!imported.ok) throw new Error(imported.error)
    expect(imported.value.runs[0]!.profile).toEqual(PROFILE)
    const plain = importIpynb(ipynbText(documentOf('Plain', [cell], [runOf(cell, [])])))
    expect(plain.ok && plain.value.runs[0]!.profile).toBeNull()
  })

  it('drops a profile that is not one (edited by hand, from another tool) and keeps the rest', () => {
    const nb = notebookToIpynb(profiled)
    const meta = nb.cells[0]!.metadata['fuelbook'] as { run: Record<string, unknown> }
    meta.run.profile = { lines: 'everything' }
    const imported = importIpynb(JSON.stringify(nb))
    if (!imported.ok) throw new Error(imported.error)
    expect(imported.value.runs[0]).toMatchObject({ status: 'ok', fuelConsumed: 2_400_000, profile: null })
  })
})
