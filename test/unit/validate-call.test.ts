import { describe, expect, it } from 'vitest'
import { validateCall } from '../../src/main/service/validate-call'

describe('validateCall', () => {
  it('accepts well-formed calls, optional trailing arguments included', () => {
    expect(validateCall('openNotebook', ['/a.fuelbook'])).toMatchObject({ ok: true })
    expect(validateCall('clearOutputs', ['/a.fuelbook'])).toMatchObject({ ok: true })
    expect(validateCall('clearOutputs', ['/a.fuelbook', undefined])).toMatchObject({ ok: true })
    expect(validateCall('clearOutputs', ['/a.fuelbook', ['c1']])).toMatchObject({ ok: true })
    expect(validateCall('insertCell', ['/a', { type: 'code', source: 'x' }])).toMatchObject({ ok: true })
    expect(validateCall('exportNotebook', ['/a', 'html'])).toMatchObject({ ok: true })
    expect(validateCall('runCells', ['/a', ['c1']])).toMatchObject({ ok: true })
    expect(validateCall('runCells', ['/a', ['c1'], { limits: { fuel: 5_000_000 } }])).toMatchObject({
      ok: true
    })
    expect(validateCall('runCells', ['/a', ['c1'], { profile: true }])).toMatchObject({ ok: true })
    expect(validateCall('profileWithBudget', ['/a', 'c1', 5_000_000])).toMatchObject({ ok: true })
  })

  it('refuses unknown methods, wrong types, extra fields and negative indices with a readable message', () => {
    expect(validateCall('__proto__', [])).toEqual({ ok: false, error: 'Unknown method: __proto__' })
    expect(validateCall('toString', [])).toMatchObject({ ok: false })
    expect(validateCall('openNotebook', [])).toMatchObject({
      ok: false,
      error: expect.stringContaining('openNotebook')
    })
    expect(validateCall('openNotebook', [1])).toMatchObject({ ok: false })
    expect(validateCall('openNotebook', 'x')).toMatchObject({ ok: false })
    expect(validateCall('moveCell', ['/a', 'c', -1])).toMatchObject({ ok: false })
    expect(validateCall('insertCell', ['/a', { type: 'python' }])).toMatchObject({ ok: false })
    expect(validateCall('setSettings', ['/a', { limits: { fuel: -5 }, deterministic: true }])).toMatchObject({
      ok: false
    })
    expect(validateCall('exportNotebook', ['/a', 'pdf'])).toMatchObject({ ok: false })
    expect(validateCall('runCells', ['/a', ['c1'], { limits: { fuel: 0 } }])).toMatchObject({ ok: false })
    expect(validateCall('runCells', ['/a', ['c1'], { limits: { timeoutMs: 'soon' } }])).toMatchObject({
      ok: false
    })
    expect(validateCall('getAppInfo', ['extra'])).toMatchObject({ ok: false })
    expect(validateCall('runCells', ['/a', ['c1'], { profile: 'yes' }])).toMatchObject({ ok: false })
    expect(validateCall('profileWithBudget', ['/a', 'c1', 0])).toMatchObject({ ok: false })
    expect(validateCall('profileWithBudget', ['/a', 'c1', 1.5])).toMatchObject({ ok: false })
    expect(validateCall('profileWithBudget', ['/a', 'c1'])).toMatchObject({ ok: false })
  })
})
