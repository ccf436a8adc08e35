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
import { OutputCollector } from '../../src/main/sandbox/output'

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

describe('the worker collector, fuzzed', () => {
  // A small deterministic generator (mulberry32): the same cases every run.
  function random(seed: number): () => number {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }
  }
  const valid = [
    '{"data": {"text/plain": "ok"}, "metadata": {}}',
    '{"ename": "E", "evalue": "v", "traceback": ["a"]}',
    '{"wait": false}',
    '{"variables": []}'
  ]

  it('turns 5,000 random records into outputs within the budget, never throwing', () => {
    const next = random(14)
    const encoder = new TextEncoder()
    for (let i = 0; i < 5000; i++) {
      const collector = new OutputCollector(4096, 1, () => undefined)
      for (let j = 0; j < 4; j++) {
        const kind = Math.floor(next() * 8) - 1
        const base = encoder.encode(valid[Math.floor(next() * valid.length)]!)
        const mode = Math.floor(next() * 4)
        const bytes =
          mode === 0
            ? base.subarray(0, Math.floor(next() * base.length))
            : mode === 1
              ? Uint8Array.from({ length: Math.floor(next() * 64) }, () => Math.floor(next() * 256))
              : mode === 2
                ? encoder.encode(`{"data": ${'['.repeat(300)}${']'.repeat(300)}}`)
                : base
        collector.rich(kind, bytes)
      }
      const result = collector.result()
      const bytes = result.reduce((n, o) => n + outputSize(o), 0)
      expect(bytes).toBeLessThanOrEqual(4096 + ERROR_MAX_BYTES + 200)
      for (const o of result) if (o.type === 'error') expect(o.evalue).not.toMatch(/Cannot read properties/)
    }
  })
})
