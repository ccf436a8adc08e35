import { describe, expect, it } from 'vitest'
import {
  formatAgo,
  formatBytes,
  formatCount,
  formatFuel,
  formatMemory,
  formatMs,
  formatPercent,
  fraction,
  killedLine,
  killedWhat,
  stoppedQueueLine
} from '../../src/shared/format'

describe('stats line numbers', () => {
  it('formats fuel in k/M/G as the stats line shows it', () => {
    expect(formatFuel(950)).toBe('950')
    expect(formatFuel(12_345)).toBe('12.3 k')
    expect(formatFuel(2_400_000)).toBe('2.4 M')
    expect(formatFuel(400_000_000)).toBe('400 M')
    expect(formatFuel(3_100_000_000)).toBe('3.1 G')
    expect(formatFuel(999_999)).toBe('1 M')
    expect(formatFuel(-1)).toBe('–')
  })
  it('formats memory in binary units with pages', () => {
    expect(formatBytes(10 * 2 ** 20)).toBe('10 MiB')
    expect(formatBytes(1.5 * 2 ** 20)).toBe('1.5 MiB')
    expect(formatBytes(640 * 1024)).toBe('640 KiB')
    expect(formatMemory(160, 160 * 65536)).toBe('160 pages (10 MiB)')
    expect(formatMemory(16384, 2 ** 30)).toBe('16,384 pages (1 GiB)')
  })
  it('formats wall time', () => {
    expect(formatMs(31)).toBe('31 ms')
    expect(formatMs(1234)).toBe('1.2 s')
    expect(formatMs(42_000)).toBe('42 s')
    expect(formatMs(125_000)).toBe('2 min 05 s')
  })
  it('formats the budget share and clamps the bar', () => {
    expect(formatPercent(2.4e6, 400e6)).toBe('0.6%')
    expect(formatPercent(400e6, 400e6)).toBe('100%')
    expect(formatPercent(1, 400e6)).toBe('<0.1%')
    expect(formatPercent(1, 0)).toBe('')
    expect(fraction(2, 1)).toBe(1)
    expect(fraction(1, 0)).toBe(0)
  })
  it('formats counts and ages', () => {
    expect(formatCount(999)).toBe('999')
    expect(formatCount(1000)).toBe('1k')
    expect(formatCount(85_300)).toBe('85k')
    expect(formatCount(2_500_000)).toBe('2.5M')
    const now = 1_700_000_000_000
    expect(formatAgo(now - 10_000, now)).toBe('just now')
    expect(formatAgo(now - 5 * 60_000, now)).toBe('5 min ago')
    expect(formatAgo(now - 3 * 3600_000, now)).toBe('3 h ago')
  })
  it('says calmly what a killed run did to the kernel', () => {
    expect(killedLine('out_of_fuel', 'out of fuel after 400 M', 6)).toBe(
      'out of fuel after 400 M · kernel state kept from [6]'
    )
    expect(killedLine('timeout', null, null)).toBe('timeout · kernel state kept from a fresh kernel')
    expect(killedLine('interrupted', null, undefined)).toBe('interrupted · kernel state rolled back')
    expect(killedLine('interrupted', 'interrupted; the kernel state is as before this run', 3)).toBe(
      'interrupted · kernel state kept from [3]'
    )
    expect(killedWhat('interrupted', 'interrupted; the kernel state is as before this run')).toBe(
      'interrupted'
    )
    expect(killedWhat('timeout', null)).toBe('timeout')
  })
})

describe('the line for cells a failed run kept from running', () => {
  it('names the cell by its [n] and says how it ended and how many did not run', () => {
    expect(stoppedQueueLine({ executionCount: 5, status: 'error' }, 2)).toBe(
      '[5] raised an error, so 2 queued cells were not run.'
    )
    expect(stoppedQueueLine({ executionCount: 12, status: 'out_of_fuel' }, 1)).toBe(
      '[12] ran out of fuel, so 1 queued cell was not run.'
    )
    expect(stoppedQueueLine({ executionCount: null, status: 'timeout' }, 1200)).toBe(
      'A cell timed out, so 1,200 queued cells were not run.'
    )
  })
})
