/**
 * Malformed guest records, fuzzed: `_fuelbook.emit` with any kind and any bytes (truncated, random,
 * deeply nested, invalid UTF-8) becomes outputs within the budget and never a host exception text.
 * The table of named cases, run through a real kernel, is sandbox-budget.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { ERROR_MAX_BYTES, outputSize } from '../../src/shared/output-model'
import { OutputCollector } from '../../src/main/sandbox/output'

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
