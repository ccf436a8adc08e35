import { describe, expect, it } from 'vitest'
import type { ErrorOutput } from '../../src/shared/notebook'
import { cellOfFrame, isCellFile, otherCellFrame } from '../../src/shared/output-text'

const error = (traceback: string[]): ErrorOutput => ({
  type: 'error',
  ename: 'ZeroDivisionError',
  evalue: 'division by zero',
  traceback
})

// As the runtime reports it: the running cell is [2] (<cell-2>), ratio() was defined by [1] (<cell-1>).
const FROM_EARLIER_CELL = error([
  'Traceback (most recent call last):',
  '  File "<cell-2>", line 2, in <module>\n    ratio(x, 0)',
  '  File "<cell-1>", line 4, in ratio\n    return a / b\n           ~~^~~',
  'ZeroDivisionError: division by zero'
])

const cells = [
  { id: 'a', source: '# Notes\nratio of totals' },
  { id: 'b', source: 'import statistics\ndef ratio(a, b):\n    """Divide a by b."""\n    return a / b' },
  { id: 'c', source: 'x = 3\nratio(x, 0)' }
]

describe('an error raised in a function another cell defined', () => {
  it('names the innermost frame in notebook code when it is not the running cell’s own', () => {
    expect(otherCellFrame(FROM_EARLIER_CELL)).toEqual({
      file: '<cell-1>',
      line: 4,
      name: 'ratio',
      text: 'return a / b'
    })
  })

  it('is null when the error was raised in the cell itself, or in library code it called directly', () => {
    const own = error([
      'Traceback (most recent call last):',
      '  File "<cell-3>", line 1, in <module>\n    1 / 0',
      'ZeroDivisionError: division by zero'
    ])
    expect(otherCellFrame(own)).toBeNull()
    const library = error([
      'Traceback (most recent call last):',
      '  File "<cell-3>", line 2, in <module>\n    json.loads(raw)',
      '  File "/usr/lib/python3.11/json/__init__.py", line 346, in loads\n    return _default_decoder.decode(s)',
      'json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)'
    ])
    expect(otherCellFrame(library)).toBeNull()
    expect(otherCellFrame(error([]))).toBeNull()
  })

  it('finds the notebook cell by the quoted line and the function’s definition, never by guessing', () => {
    const frame = otherCellFrame(FROM_EARLIER_CELL)!
    expect(cellOfFrame(frame, cells)?.id).toBe('b')
    // Two cells with that line and definition: no link rather than the wrong one.
    expect(cellOfFrame(frame, [...cells, { id: 'd', source: cells[1]!.source }])).toBeNull()
    // The cell was edited since: its line 4 no longer says what failed.
    expect(cellOfFrame(frame, [{ id: 'b', source: 'def ratio(a, b):\n    return a // b' }])).toBeNull()
  })
})

describe('cell code names', () => {
  it("are <cell-N> after the run's [n], or <cell-N-R> for a repeated count; nothing else is a cell", () => {
    expect(['<cell-4>', '<cell-4-9>'].map(isCellFile)).toEqual([true, true])
    expect(['<string>', '<frozen os>', '<cell->', 'cell-4', '<cell-4-x>'].map(isCellFile)).toEqual([
      false,
      false,
      false,
      false,
      false
    ])
  })
})
