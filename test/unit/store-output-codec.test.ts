import { describe, expect, it } from 'vitest'
import {
  BLOB_MIN_BASE64_CHARS,
  capOutputs,
  decodeOutput,
  encodeOutput,
  outputBytes
} from '../../src/main/store/output-codec'
import type { Output } from '../../src/shared/notebook'
import { base64Image } from '../helpers/store-fixtures'

const roundTrip = (o: Output): Output => {
  const e = encodeOutput(o)
  return decodeOutput(e.body, e.blobs)
}

describe('binary MIME values', () => {
  it('large base64 images become blobs and come back identical', () => {
    const png = base64Image(6000)
    const o: Output = { type: 'display_data', data: { 'image/png': png, 'text/plain': 'fig' }, metadata: {} }
    const e = encodeOutput(o)
    expect(e.blobs).toHaveLength(1)
    expect(e.blobs[0]!.mime).toBe('image/png')
    expect(e.blobs[0]!.data.length).toBe(6000)
    expect(e.body.length).toBeLessThan(200)
    expect(roundTrip(o)).toEqual(o)
  })

  it('keeps small, textual, SVG and non-canonical base64 values in the JSON', () => {
    const big = 'a'.repeat(BLOB_MIN_BASE64_CHARS + 4)
    const wrapped = base64Image(6000).replace(/(.{76})/g, '$1\n') // nbformat allows line breaks
    const cases: Output[] = [
      { type: 'display_data', data: { 'image/png': base64Image(100) }, metadata: {} },
      { type: 'display_data', data: { 'text/html': big, 'image/svg+xml': big }, metadata: {} },
      { type: 'execute_result', data: { 'image/png': wrapped }, metadata: {}, executionCount: 3 },
      { type: 'stream', name: 'stdout', text: big }
    ]
    for (const o of cases) {
      expect(encodeOutput(o).blobs).toEqual([])
      expect(roundTrip(o)).toEqual(o)
    }
  })
})

describe('the output cap', () => {
  const out = (text: string, name: 'stdout' | 'stderr' = 'stdout'): Output => ({ type: 'stream', name, text })

  it('leaves outputs under the cap alone', () => {
    const outputs = [out('a'), out('b')]
    expect(capOutputs(outputs, 1000)).toBe(outputs)
  })

  it('cuts the stream that crosses the cap, drops the rest, and adds one marker with the dropped bytes', () => {
    const outputs: Output[] = [
      out('first\n'),
      out('x'.repeat(500)),
      { type: 'display_data', data: { 'text/plain': 'late' }, metadata: {} }
    ]
    const total = outputs.reduce((n, o) => n + outputBytes(o), 0)
    const capped = capOutputs(outputs, 150)
    expect(capped.map((o) => o.type)).toEqual(['stream', 'stream', 'truncated'])
    const kept = capped.slice(0, 2).reduce((n, o) => n + outputBytes(o), 0)
    expect(kept).toBeLessThanOrEqual(150)
    expect(kept).toBeGreaterThan(120)
    expect((capped[2] as { droppedBytes: number }).droppedBytes).toBe(total - kept)
  })

  it('never splits a character or an escape when cutting', () => {
    const capped = capOutputs([out('é✓"\n'.repeat(200))], 120)
    const text = (capped[0] as { text: string }).text
    expect('é✓"\n'.repeat(200).startsWith(text)).toBe(true)
    expect(text).not.toContain('\uFFFD')
    expect(outputBytes(capped[0]!)).toBeLessThanOrEqual(120)
  })

  it("merges the kernel's own marker into one at the end", () => {
    const capped = capOutputs([out('x'.repeat(300)), { type: 'truncated', droppedBytes: 1000 }], 100)
    expect(capped).toHaveLength(2)
    const marker = capped[1] as { type: string; droppedBytes: number }
    expect(marker.type).toBe('truncated')
    expect(marker.droppedBytes).toBeGreaterThan(1000)
  })

  it('keeps a lone kernel marker as it is when under the cap', () => {
    const outputs: Output[] = [out('a'), { type: 'truncated', droppedBytes: 10 }]
    expect(capOutputs(outputs, 1000)).toBe(outputs)
  })
})
