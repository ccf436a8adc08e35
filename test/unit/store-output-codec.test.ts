import { describe, expect, it } from 'vitest'
import {
  BLOB_MIN_BASE64_CHARS,
  capOutputs,
  decodeOutput,
  encodeOutput
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
  it("is the shared output model's, so a run capped by the worker is stored as it is", () => {
    const outputs: Output[] = [
      { type: 'stream', name: 'stdout', text: 'x'.repeat(100) },
      { type: 'error', ename: 'E', evalue: 'v', traceback: [] },
      { type: 'truncated', droppedBytes: 10, droppedOutputs: 0 }
    ]
    expect(capOutputs(outputs, 100)).toBe(outputs)
  })
})
