import { describe, expect, it } from 'vitest'
import type { ErrorOutput, Output } from '../../src/shared/notebook'
import {
  boundError,
  capOutputs,
  ERROR_MAX_BYTES,
  OutputArea,
  outputSize,
  truncationText
} from '../../src/shared/output-model'
import { outputFromJson, outputToJson, readGuestRecord } from '../../src/shared/output-json'
import { applyCarriageReturns } from '../../src/shared/output-text'

const out = (text: string, name: 'stdout' | 'stderr' = 'stdout'): Output => ({ type: 'stream', name, text })
const error = (evalue = 'boom', traceback = ['Traceback', `ValueError: ${evalue}`]): ErrorOutput => ({
  type: 'error',
  ename: 'ValueError',
  evalue,
  traceback
})

describe('the output cap', () => {
  it('keeps the error that follows a stream filling the cap (the replayed lost traceback)', () => {
    const replay: Output[] = [out('x'.repeat(1000)), error(), { type: 'truncated', droppedBytes: 500 }]
    const capped = capOutputs(replay, 1000)
    expect(capped.map((o) => o.type)).toEqual(['stream', 'error', 'truncated'])
    expect(capped[1]).toEqual(error())
  })

  it('is applied once: re-applying it to its own result changes nothing', () => {
    const area = new OutputArea(300)
    const inputs: Output[] = [
      out('a'.repeat(100)),
      { type: 'display_data', data: { 'text/plain': 'p'.repeat(100) }, metadata: {} },
      out('b'.repeat(400)),
      { type: 'display_data', data: { 'text/plain': 'late' }, metadata: {} },
      error()
    ]
    for (const o of inputs) area.add(o)
    const result = area.result()
    expect(capOutputs(result, 300)).toBe(result)
    expect(result.map((o) => o.type)).toEqual(['stream', 'display_data', 'stream', 'error', 'truncated'])
  })

  it('counts every kind against the budget, and the marker counts bytes and whole outputs', () => {
    const big = { type: 'display_data', data: { 'text/plain': 'z'.repeat(500) }, metadata: {} } as Output
    const capped = capOutputs([out('hi\n'), big, big], 100)
    const marker = capped[capped.length - 1]!
    expect(marker).toEqual({ type: 'truncated', droppedBytes: 2 * outputSize(big), droppedOutputs: 2 })
    expect(truncationText(marker as never)).toBe('output cap reached: 1 KiB and 2 outputs not kept')
  })

  it('keeps one error past the cap, bounded, the latest replacing earlier ones', () => {
    const area = new OutputArea(10)
    area.add(out('x'.repeat(50)))
    area.add(error('first', ['t'.repeat(ERROR_MAX_BYTES * 3)]))
    area.add(error('second'))
    const result = area.result()
    expect(result.filter((o) => o.type === 'error')).toEqual([error('second')])
    expect(result[result.length - 1]).toMatchObject({ type: 'truncated', droppedOutputs: 1 })
  })

  it('never splits a character when cutting a stream', () => {
    const text = 'é✓"\n'.repeat(200)
    const capped = capOutputs([out(text)], 120)
    const kept = (capped[0] as { text: string }).text
    expect(text.startsWith(kept)).toBe(true)
    expect(outputSize(capped[0]!)).toBeLessThanOrEqual(120)
    expect(outputSize(capped[0]!)).toBeGreaterThan(114)
  })

  it('bounds a huge error, keeping the last traceback lines', () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `  frame ${i}`)
    const bounded = boundError(error('v'.repeat(200_000), [...lines, 'ValueError: end']))
    expect(outputSize(bounded)).toBeLessThanOrEqual(ERROR_MAX_BYTES)
    expect(bounded.traceback[bounded.traceback.length - 1]).toBe('ValueError: end')
    expect(bounded.traceback[0]).toMatch(/traceback entries not kept/)
    expect(bounded.evalue.endsWith(' …')).toBe(true)
  })

  it('clear_output(wait=True) clears when the next output arrives', () => {
    const area = new OutputArea(1000)
    area.add(out('old'))
    expect(area.clear(true)).toBe(false)
    expect(area.outputs).toHaveLength(1)
    expect(area.add(out('new')).replaced).toBe(true)
    expect(area.result()).toEqual([out('new')])
  })
})

describe('stream text', () => {
  it('applies carriage returns and backspaces as a terminal', () => {
    expect(applyCarriageReturns('10%\r50%\r100%\ndone')).toBe('100%\ndone')
    expect(applyCarriageReturns('abc\b\bX')).toBe('aXc')
    expect(applyCarriageReturns('|\b/\b-')).toBe('-')
  })
})

describe('JSON in and out', () => {
  it('round-trips every kind', () => {
    const all: Output[] = [
      out('a'),
      { type: 'display_data', data: { 'text/plain': 'p' }, metadata: { x: 1 } },
      { type: 'execute_result', data: { 'text/plain': '1' }, metadata: {}, executionCount: 3 },
      { ...error(), lineno: 2 },
      { type: 'truncated', droppedBytes: 5, droppedOutputs: 1 }
    ]
    for (const o of all) expect(outputFromJson(outputToJson(o))).toEqual(o)
  })

  it('reads a damaged or hostile row as an error output, never throwing', () => {
    for (const text of [
      '',
      'null',
      '{"type":"stream"}',
      '{"type":"nope"}',
      '['.repeat(10_000) + ']'.repeat(10_000)
    ])
      expect(outputFromJson(text)).toMatchObject({ type: 'error', ename: 'UnreadableOutput' })
    const deep = `{"type":"display_data","data":{"application/json":${'['.repeat(1000)}${']'.repeat(1000)}},"metadata":{}}`
    expect(outputFromJson(deep)).toMatchObject({ type: 'error', ename: 'UnreadableOutput' })
  })

  it('reads any guest record of any kind as an answer', () => {
    expect(readGuestRecord(1, 'null', null)).toMatchObject({ kind: 'output', output: { type: 'error' } })
    expect(readGuestRecord(5, '{"wait": true}', null)).toEqual({ kind: 'clear', wait: true })
  })
})
