import { describe, expect, it } from 'vitest'
import type { Variable } from '../../src/shared/api'
import { variableSummary, visibleVariables } from '../../src/renderer/src/lib/variables'

const v = (name: string, type: string, size: number | null, repr = '…'): Variable => ({
  name,
  type,
  size,
  repr
})

describe('variables panel', () => {
  it('summarises by type: items, keys, chars, bytes, scalar values, plain types', () => {
    expect(variableSummary(v('rows', 'list', 1000))).toBe('list · 1,000 items')
    expect(variableSummary(v('one', 'tuple', 1))).toBe('tuple · 1 item')
    expect(variableSummary(v('d', 'dict', 3))).toBe('dict · 3 keys')
    expect(variableSummary(v('d1', 'dict', 1))).toBe('dict · 1 key')
    expect(variableSummary(v('s', 'str', 85_300))).toBe('str · 85,300 chars')
    expect(variableSummary(v('b', 'bytes', 2048))).toBe('bytes · 2 KiB')
    expect(variableSummary(v('n', 'int', null, '42'))).toBe('int · 42')
    expect(variableSummary(v('json', 'module', null))).toBe('module')
    expect(variableSummary(v('f', 'function', null))).toBe('function')
    expect(variableSummary(v('q', 'Queue', 7))).toBe('Queue · 7 items')
  })

  it('filters by every word of the query over name and type, and sorts by name, type or size', () => {
    const vars = [
      v('zeta', 'int', null),
      v('alpha', 'list', 5),
      v('beta', 'str', 50),
      v('json', 'module', null)
    ]
    expect(visibleVariables(vars, '', 'name').map((x) => x.name)).toEqual(['alpha', 'beta', 'json', 'zeta'])
    expect(visibleVariables(vars, '', 'type').map((x) => x.name)).toEqual(['zeta', 'alpha', 'json', 'beta'])
    expect(visibleVariables(vars, '', 'size').map((x) => x.name)).toEqual(['beta', 'alpha', 'json', 'zeta'])
    expect(visibleVariables(vars, 'MOD', 'name').map((x) => x.name)).toEqual(['json'])
    expect(visibleVariables(vars, 'a list', 'name').map((x) => x.name)).toEqual(['alpha'])
    expect(visibleVariables(vars, 'nothing', 'name')).toEqual([])
    // The input list is not reordered.
    expect(vars[0]!.name).toBe('zeta')
  })
})
