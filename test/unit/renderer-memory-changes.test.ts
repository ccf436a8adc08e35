import { describe, expect, it } from 'vitest'
import type { RunRecord } from '../../src/shared/notebook'
import { cellsWhereMemoryChanged } from '../../src/renderer/src/lib/memory-changes'

const run = (memoryBytes: number, measured = true): RunRecord =>
  ({ memoryBytes, fuelBudget: measured ? 1 : 0, fuelConsumed: 0, memoryPages: 0, wallMs: 0 }) as RunRecord

describe('stats line memory', () => {
  it('is shown where a run left memory at another size than the run of the cell above', () => {
    const changed = cellsWhereMemoryChanged([
      { id: 'a', run: run(10) },
      { id: 'b', run: run(10) },
      { id: 'md', run: null },
      { id: 'c', run: run(50) },
      { id: 'jupyter', run: run(0, false) },
      { id: 'd', run: run(50) },
      { id: 'e', run: run(10) }
    ])
    expect([...changed]).toEqual(['a', 'c', 'e'])
  })
})
