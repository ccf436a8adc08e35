import { describe, expect, it } from 'vitest'
import { DEFAULT_LIMITS, MORE_FUEL_FACTOR, moreFuel } from '../../src/shared/limits'

describe('moreFuel ("Run with 10× fuel")', () => {
  it('is ten times the budget that ran out: 400 M → 4 G', () => {
    expect(MORE_FUEL_FACTOR).toBe(10)
    expect(moreFuel(DEFAULT_LIMITS.fuel)).toBe(4_000_000_000)
    expect(moreFuel(20_000_000)).toBe(200_000_000)
  })

  it('stays a whole number the API accepts', () => {
    expect(moreFuel(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER)
    expect(moreFuel(2 ** 52)).toBe(Number.MAX_SAFE_INTEGER)
    expect(moreFuel(0)).toBe(1)
    expect(moreFuel(1.5)).toBe(15)
    expect(Number.isSafeInteger(moreFuel(123_456_789_012_345))).toBe(true)
  })
})
