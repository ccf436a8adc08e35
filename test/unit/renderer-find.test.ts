import { describe, expect, it } from 'vitest'
import { findMatches, firstMatchFrom, matchCountLabel, stepMatch } from '../../src/renderer/src/lib/find'

const cells = [
  { id: 'a', source: '# Sales\nRatio of totals' },
  { id: 'b', source: 'def ratio(a, b):\n    return a / b\nratio(1, 2) + RATIO' },
  { id: 'c', source: 'print(ratio(3, 0))' }
]
const order = cells.map((c) => c.id)

describe('find in the notebook', () => {
  it('finds every match in notebook order, case-insensitive for a lower-case query', () => {
    expect(findMatches(cells, 'ratio')).toEqual([
      { cellId: 'a', from: 8, to: 13 },
      { cellId: 'b', from: 4, to: 9 },
      { cellId: 'b', from: 34, to: 39 },
      { cellId: 'b', from: 48, to: 53 },
      { cellId: 'c', from: 6, to: 11 }
    ])
  })

  it('matches case when the query has a capital letter, and takes the query literally', () => {
    expect(findMatches(cells, 'RATIO').map((m) => m.cellId)).toEqual(['b'])
    expect(findMatches(cells, 'a / b')).toEqual([{ cellId: 'b', from: 28, to: 33 }])
    expect(findMatches(cells, '(1, 2)')).toEqual([{ cellId: 'b', from: 39, to: 45 }])
    expect(findMatches(cells, '.*')).toEqual([])
    expect(findMatches(cells, '')).toEqual([])
  })

  it('starts from the cursor cell, at or after the cursor, and wraps to the top', () => {
    const matches = findMatches(cells, 'ratio')
    expect(firstMatchFrom(matches, order, null)).toBe(0)
    expect(firstMatchFrom(matches, order, 'b')).toBe(1)
    expect(firstMatchFrom(matches, order, 'b', 10)).toBe(2)
    expect(firstMatchFrom(matches, order, 'c', 7)).toBe(0)
    expect(firstMatchFrom([], order, 'b')).toBe(-1)
  })

  it('steps forwards and backwards around the notebook', () => {
    expect(stepMatch(5, 4, 1)).toBe(0)
    expect(stepMatch(5, 0, -1)).toBe(4)
    expect(stepMatch(5, -1, -1)).toBe(4)
    expect(stepMatch(0, 0, 1)).toBe(-1)
  })

  it('says where the reader is among the matches', () => {
    expect(matchCountLabel('ratio', 5, 1)).toBe('2 of 5')
    expect(matchCountLabel('zzz', 0, -1)).toBe('no matches')
    expect(matchCountLabel('', 0, -1)).toBe('')
  })
})
