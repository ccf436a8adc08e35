import { describe, expect, it } from 'vitest'
import {
  cellLineFuel,
  decodeFuelProfile,
  encodeFuelProfile,
  PROFILE_MAX_LINES,
  readFuelProfile,
  topFunctions,
  topLines
} from '../../src/shared/fuel-profile'

/** A record as the guest's profiler writes it (rows as lists). */
const guestRecord = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  cellFile: '<cell-3>',
  totalFuel: 1000,
  overheadFuel: 9000,
  lineEventCost: 6000,
  callEventCost: 5800,
  events: 12,
  budgetReached: false,
  lines: [
    ['<cell-3>', 4, 900],
    ['/usr/local/lib/python3.11/json/encoder.py', 12, 60],
    ['<cell-3>', 1, 40]
  ],
  droppedLines: 0,
  functions: [
    ['<module>', '<cell-3>', 1, 100, 1000, 1],
    ['f', '<cell-3>', 2, 900, 900, 3]
  ],
  droppedFunctions: 0,
  ...over
})

describe('readFuelProfile', () => {
  it('reads the guest’s record and round-trips through its stored form', () => {
    const read = readFuelProfile(guestRecord())
    expect(read.ok).toBe(true)
    if (!read.ok) return
    expect(read.value.lines[0]).toEqual({ file: '<cell-3>', line: 4, fuel: 900 })
    expect(read.value.functions[1]).toEqual({
      name: 'f',
      file: '<cell-3>',
      firstLine: 2,
      selfFuel: 900,
      totalFuel: 900,
      calls: 3
    })
    const again = decodeFuelProfile(encodeFuelProfile(read.value))
    expect(again).toEqual(read)
  })

  it.each([
    ['not an object', [1, 2]],
    ['a negative fuel', guestRecord({ totalFuel: -1 })],
    ['a fractional line', guestRecord({ lines: [['<cell-3>', 1.5, 3]] })],
    ['a missing file', guestRecord({ lines: [[null, 1, 3]] })],
    ['lines that are not a list', guestRecord({ lines: 'many' })],
    ['a function without calls', guestRecord({ functions: [['f', '<cell-3>', 1, 1, 1]] })]
  ])('refuses %s with a reason', (_what, value) => {
    const read = readFuelProfile(value)
    expect(read.ok).toBe(false)
    if (!read.ok) expect(read.error).toMatch(/^not a fuel profile: /)
  })

  it('bounds what it keeps and counts what it dropped', () => {
    const lines = Array.from({ length: PROFILE_MAX_LINES + 5 }, (_, i) => ['<cell-1>', i + 1, 1])
    const read = readFuelProfile(guestRecord({ lines, droppedLines: 2, cellFile: 'x'.repeat(5000) }))
    expect(read.ok).toBe(true)
    if (!read.ok) return
    expect(read.value.lines).toHaveLength(PROFILE_MAX_LINES)
    expect(read.value.droppedLines).toBe(7)
    expect(read.value.cellFile).toHaveLength(1000)
  })

  it('says a stored text that is not JSON is not a profile', () => {
    expect(decodeFuelProfile('{oops')).toMatchObject({ ok: false })
  })
})

describe('profile tables', () => {
  const read = readFuelProfile(guestRecord())
  const profile = read.ok ? read.value : null

  it('names the cell’s own lines and shows library code by path', () => {
    expect(topLines(profile!, 2)).toEqual([
      { where: 'cell line 4', fuel: 900, share: 0.9 },
      { where: '/usr/local/lib/python3.11/json/encoder.py:12', fuel: 60, share: 0.06 }
    ])
    expect(topFunctions(profile!, 1)[0]).toMatchObject({ where: '<module> (cell line 1)', totalShare: 1 })
  })

  it('sums the cell’s fuel per line, leaving other files out', () => {
    expect([...cellLineFuel(profile!)]).toEqual([
      [4, 900],
      [1, 40]
    ])
  })
})
