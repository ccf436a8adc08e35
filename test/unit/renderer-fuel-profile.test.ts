import { describe, expect, it } from 'vitest'
import { EditorState } from '@codemirror/state'
import type { FuelProfile } from '../../src/shared/fuel-profile'
import {
  cellHeat,
  functionRows,
  locateFunction,
  profileSummary,
  shortFile
} from '../../src/renderer/src/lib/profile-view'
import { fuelHeatGutter, heatMarksIn } from '../../src/renderer/src/lib/editor/fuel-heat-gutter'

// A cell whose loop calls a function defined in an earlier cell, as the guest's profiler reports it.
const source = ['total = 0', 'for i in range(1000):', '    total += square(i)', 'print(total)'].join('\n')
const profile = (over: Partial<FuelProfile> = {}): FuelProfile => ({
  cellFile: '<cell-9>',
  totalFuel: 10_000_000,
  overheadFuel: 90_000_000,
  lineEventCost: 6000,
  callEventCost: 5800,
  events: 5000,
  budgetReached: false,
  lines: [
    { file: '<cell-9>', line: 3, fuel: 6_000_000 },
    { file: '<cell-4>', line: 2, fuel: 3_000_000 },
    { file: '<cell-9>', line: 2, fuel: 900_000 },
    { file: '/usr/local/lib/python3.11/json/encoder.py', line: 12, fuel: 60_000 },
    { file: '<cell-9>', line: 4, fuel: 40_000 },
    // A line the cell does not have (the profile of a longer version of it).
    { file: '<cell-9>', line: 40, fuel: 100 }
  ],
  droppedLines: 0,
  functions: [
    {
      name: '<module>',
      file: '<cell-9>',
      firstLine: 1,
      selfFuel: 6_940_000,
      totalFuel: 10_000_000,
      calls: 1
    },
    {
      name: 'square',
      file: '<cell-4>',
      firstLine: 1,
      selfFuel: 3_000_000,
      totalFuel: 3_000_000,
      calls: 1000
    },
    { name: 'Shape.area', file: '<cell-4>', firstLine: 5, selfFuel: 1000, totalFuel: 1000, calls: 1 },
    { name: '<lambda>', file: '<cell-4>', firstLine: 8, selfFuel: 10, totalFuel: 10, calls: 1 },
    {
      name: 'JSONEncoder.encode',
      file: '/usr/local/lib/python3.11/json/encoder.py',
      firstLine: 183,
      selfFuel: 60_000,
      totalFuel: 60_000,
      calls: 1
    }
  ],
  droppedFunctions: 0,
  ...over
})

const cells = [
  { id: 'a', source: 'import json' },
  {
    id: 'b',
    source:
      'def square(x):\n    return x * x\n\nclass Shape:\n    def area(self):\n        return 0\n\nf = lambda: 1'
  },
  { id: 'c', source }
]

describe('heat gutter rows', () => {
  it('gives each of the cell’s own lines its fuel and share, hottest at level 4, other files and missing lines left out', () => {
    const heat = cellHeat(profile(), source.split('\n').length)
    expect(heat.map((h) => h.line)).toEqual([2, 3, 4])
    const hot = heat.find((h) => h.line === 3)!
    expect(hot.share).toBeCloseTo(0.6)
    expect(hot.level).toBe(4)
    expect(hot.title).toBe('6 M fuel · 60% of the profiled fuel')
    expect(heat.find((h) => h.line === 2)!.level).toBe(0)
    expect(heat.find((h) => h.line === 4)!.title).toBe('40 k fuel · 0.4% of the profiled fuel')
  })

  it('is empty for a profile that spent nothing in the cell', () => {
    expect(cellHeat(profile({ lines: [], totalFuel: 0 }), 4)).toEqual([])
  })
})

describe('function table rows', () => {
  it('links the cell’s own functions and functions defined in other cells to their line, not library code or lambdas', () => {
    const rows = functionRows(profile(), 'c', cells, 10)
    expect(rows.map((r) => [r.name, r.where, r.link])).toEqual([
      ['<module>', 'line 1', { cellId: 'c', line: 1 }],
      ['square', '<cell-4>:1', { cellId: 'b', line: 1 }],
      ['Shape.area', '<cell-4>:5', { cellId: 'b', line: 5 }],
      ['<lambda>', '<cell-4>:8', null],
      ['JSONEncoder.encode', 'json/encoder.py:183', null]
    ])
    expect(rows[1]).toMatchObject({ selfFuel: 3_000_000, totalFuel: 3_000_000, calls: 1000, totalShare: 0.3 })
    expect(functionRows(profile(), 'c', cells, 2)).toHaveLength(2)
  })

  it('gives no link when no cell defines the function on that line any more (the cell was edited since)', () => {
    const edited = [{ id: 'b', source: '# moved\ndef square(x):\n    return x * x' }]
    const square = profile().functions[1]!
    expect(locateFunction(square, profile(), 'c', edited)).toBeNull()
    // A name that only starts like the function's is not its definition.
    expect(locateFunction(square, profile(), 'c', [{ id: 'b', source: 'def squared(x):' }])).toBeNull()
  })

  it('links a function from a cell whose In[N] was repeated (<cell-N-R>) the same way', () => {
    const square = { ...profile().functions[1]!, file: '<cell-4-9>' }
    expect(locateFunction(square, profile(), 'c', cells)).toEqual({ cellId: 'b', line: 1 })
  })

  it('shortens library paths from the standard library folder on', () => {
    expect(shortFile('/usr/local/lib/python3.11/json/encoder.py')).toBe('json/encoder.py')
    expect(shortFile('/usr/local/lib/python3.11/site-packages/sympy/core/add.py')).toBe('sympy/core/add.py')
    expect(shortFile('/tmp/mine.py')).toBe('/tmp/mine.py')
  })

  it('says in its heading whether it profiled the run or a re-run with a budget that left the kernel alone', () => {
    expect(profileSummary({ profile: profile(), source, origin: { kind: 'run' } })).toBe(
      'Fuel profile · 10 M fuel in the profiled code'
    )
    expect(
      profileSummary({
        profile: profile({ budgetReached: true }),
        source,
        origin: { kind: 'budget-rerun', budget: 400_000_000 }
      })
    ).toBe(
      'Fuel profile of a re-run with a budget of 400 M (kernel state and outputs unchanged) · 10 M fuel in the profiled code, stopped at its budget'
    )
  })
})

describe('heat gutter in the editor', () => {
  it('marks the profiled lines and keeps each mark on its line while lines above are edited', () => {
    const marks = cellHeat(profile(), 4)
    let state = EditorState.create({ doc: source, extensions: fuelHeatGutter(marks) })
    expect(heatMarksIn(state).map((m) => [m.line, m.mark.level])).toEqual([
      [2, 0],
      [3, 4],
      [4, 0]
    ])
    state = state.update({ changes: { from: 0, insert: 'import math\n' } }).state
    expect(heatMarksIn(state).map((m) => m.line)).toEqual([3, 4, 5])
    expect(state.doc.line(4).text).toBe('    total += square(i)')
  })

  it('adds nothing when there is no heat', () => {
    const state = EditorState.create({ doc: source, extensions: fuelHeatGutter([]) })
    expect(heatMarksIn(state)).toEqual([])
  })
})
