import { describe, expect, it } from 'vitest'
import {
  appendOutputs,
  applyCarriageReturns,
  capText,
  outputsAsText,
  toViewOutputs
} from '../../src/renderer/src/lib/outputs/merge'
import { imageDataUrl } from '../../src/shared/mime'
import { mimeText, preferredMime } from '../../src/shared/mime'
import { pickRenderer } from '../../src/main/export/mime'
import { estimateFrameHeight } from '../../src/renderer/src/lib/outputs/frame'
import { outputFrameCsp } from '../../src/shared/csp'
import { outputFrameDocument, parseFrameMessage, frameContentMessage } from '../../src/shared/output-frame'
import { exceptionNotes, failingLine, sourceExcerpt, tracebackLines } from '../../src/shared/output-text'
import { stripAnsi } from '../../src/shared/output-text'
import type { ErrorOutput, Output } from '../../src/shared/notebook'

const out = (text: string, name: 'stdout' | 'stderr' = 'stdout'): Output => ({ type: 'stream', name, text })

describe('output merging', () => {
  it('merges consecutive chunks of the same stream and counts lines', () => {
    const a = appendOutputs([], [out('a\n'), out('b\n'), out('err\n', 'stderr'), out('c')])
    expect(a.map((o) => (o.type === 'stream' ? [o.name, o.text, o.newlines] : o.type))).toEqual([
      ['stdout', 'a\nb\n', 2],
      ['stderr', 'err\n', 1],
      ['stdout', 'c', 0]
    ])
  })
  it('keeps earlier blocks identical so keyed rendering skips them', () => {
    const first = toViewOutputs([
      out('x\n'),
      { type: 'error', ename: 'E', evalue: '', traceback: [] },
      out('y')
    ])
    const next = appendOutputs(first, [out('z')])
    expect(next[0]).toBe(first[0])
    expect(next[1]).toBe(first[1])
    expect(next[2]).not.toBe(first[2])
    expect(first).toHaveLength(3)
  })
  it('merges 100,000 one-line chunks quickly', () => {
    let view = toViewOutputs([])
    const t0 = performance.now()
    for (let frame = 0; frame < 100; frame++) {
      const chunk: Output[] = []
      for (let i = 0; i < 1000; i++) chunk.push(out(`line ${frame * 1000 + i}\n`))
      view = appendOutputs(view, chunk)
    }
    expect(view).toHaveLength(1)
    expect(view[0]!.type === 'stream' && view[0]!.newlines).toBe(100_000)
    expect(performance.now() - t0).toBeLessThan(2000)
  })
  it('caps long text to head and tail and counts the hidden lines', () => {
    const text = Array.from({ length: 100_000 }, (_, i) => `line ${i}`).join('\n') + '\n'
    const c = capText(text, 100_000, 500, 200)
    expect(c.head.split('\n').length - 1).toBe(500)
    expect(c.head.startsWith('line 0\n')).toBe(true)
    expect(c.tail.trimEnd().split('\n')).toHaveLength(200)
    expect(c.tail.trimEnd().endsWith('line 99999')).toBe(true)
    expect(c.hiddenLines).toBe(100_000 - 700)
  })
  it('leaves short text whole and caps one giant line by characters', () => {
    expect(capText('a\nb\n', 2)).toEqual({ head: 'a\nb\n', tail: '', hiddenLines: 0 })
    const giant = 'x'.repeat(1_000_000)
    const c = capText(giant, 0, 500, 200, 200_000)
    expect(c.head.length + c.tail.length).toBeLessThanOrEqual(200_000)
  })
  it('resolves carriage returns like a terminal', () => {
    expect(applyCarriageReturns('10%\r50%\r100%\ndone')).toBe('100%\ndone')
    expect(applyCarriageReturns('abcdef\rXY')).toBe('XYcdef')
    expect(applyCarriageReturns('a\r\nb')).toBe('a\nb')
  })
  it('gives plain text of all outputs for "save to file"', () => {
    const v = toViewOutputs([
      out('hi\n'),
      { type: 'execute_result', executionCount: 1, data: { 'text/plain': '42' }, metadata: {} }
    ])
    expect(outputsAsText(v)).toBe('hi\n42\n')
  })
})

describe('MIME ranking', () => {
  it('prefers richer types and never picks unsafe ones', () => {
    expect(preferredMime({ 'text/plain': 'x', 'text/html': '<b>x</b>' })).toBe('text/html')
    expect(preferredMime({ 'text/plain': 'x', 'image/png': 'AAAA' })).toBe('image/png')
    expect(preferredMime({ 'application/javascript': 'alert(1)', 'text/plain': 'x' })).toBe('text/plain')
    expect(preferredMime({ 'application/javascript': 'alert(1)' })).toBeNull()
    expect(preferredMime({ 'application/x-unknown': 1 })).toBeNull()
    // The notebook and the report read one table: a WebP plot shows in both, not as its text/plain.
    expect(preferredMime({ 'text/plain': 'x', 'image/webp': 'AAAA' })).toBe('image/webp')
    expect(pickRenderer({ 'text/plain': 'x', 'image/webp': 'AAAA' })!.mime).toBe('image/webp')
  })
  it('joins nbformat line arrays and builds image data URLs', () => {
    expect(mimeText(['a\n', 'b'])).toBe('a\nb')
    expect(imageDataUrl('image/png', 'iVBOR\nw0KGgo=')).toBe('data:image/png;base64,iVBORw0KGgo=')
    expect(imageDataUrl('image/png', '<script>')).toBeNull()
    expect(imageDataUrl('image/svg+xml', '<svg/>')).toBe('data:image/svg+xml;base64,PHN2Zy8+')
    expect(imageDataUrl('image/svg+xml', '<svg>é</svg>')).toBe(
      `data:image/svg+xml;base64,${Buffer.from('<svg>é</svg>').toString('base64')}`
    )
    expect(imageDataUrl('image/png', '')).toBeNull()
  })
})

describe('sandboxed HTML frame', () => {
  it('accepts only a ready message and well-formed size messages, clamped', () => {
    expect(parseFrameMessage({ type: 'fuelbook:frame-ready' })).toEqual({ type: 'ready' })
    expect(parseFrameMessage({ type: 'fuelbook:frame-size', height: 120.2 })).toEqual({
      type: 'size',
      height: 121
    })
    expect(parseFrameMessage({ type: 'fuelbook:frame-size', height: 1e9 })).toEqual({
      type: 'size',
      height: 5000
    })
    expect(parseFrameMessage({ type: 'fuelbook:frame-size', height: 'x' })).toBeNull()
    expect(parseFrameMessage({ type: 'fuelbook:frame-content', html: '<p>' })).toBeNull()
    expect(parseFrameMessage({ type: 'other', height: 10 })).toBeNull()
    expect(parseFrameMessage(null)).toBeNull()
    expect(parseFrameMessage('fuelbook:frame-ready')).toBeNull()
    expect(parseFrameMessage({ type: 'fuelbook:frame-size', height: NaN })).toBeNull()
  })
  it('guesses a height from the markup when the frame cannot report one', () => {
    expect(estimateFrameHeight('<b>x</b>')).toBe(45)
    expect(estimateFrameHeight('<table>' + '<tr><td>1</td></tr>'.repeat(5) + '</table>')).toBe(161)
    expect(estimateFrameHeight('<svg></svg>')).toBe(260)
    expect(estimateFrameHeight('<p>x</p>'.repeat(1000))).toBe(600)
  })
  it('lets nothing load from the network: scripts, styles, images, fonts, fetches only inline, data: or blob:', () => {
    const csp = outputFrameCsp(['http://127.0.0.1:*'])
    const directives = new Map(csp.split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)]))
    expect(directives.get('default-src')).toEqual(["'none'"])
    for (const [name, sources] of directives) {
      if (name === 'frame-ancestors' || name === 'sandbox') continue
      for (const source of sources)
        expect(
          ["'none'", "'unsafe-inline'", "'unsafe-eval'", 'data:', 'blob:'],
          `${name} ${source}`
        ).toContain(source)
    }
    expect(directives.get('sandbox')).toEqual(['allow-scripts'])
    expect(directives.get('frame-ancestors')).toEqual(['http://127.0.0.1:*'])
    expect(outputFrameCsp()).not.toContain('frame-ancestors')
  })
  it('serves a bootstrap with no output in it; the output travels in one message', () => {
    const doc = outputFrameDocument()
    expect(doc).toMatch(/^<!doctype html>/)
    expect(doc.match(/<\/script>/g)).toHaveLength(1)
    expect(doc).toContain('fuelbook:frame-ready')
    expect(frameContentMessage('<p>hi</p>')).toEqual({ type: 'fuelbook:frame-content', html: '<p>hi</p>' })
  })
})

describe('tracebacks', () => {
  const error: ErrorOutput = {
    type: 'error',
    ename: 'ZeroDivisionError',
    evalue: 'division by zero',
    traceback: [
      'Traceback (most recent call last):',
      '  File "<cell>", line 2, in <module>',
      '\u001b[31mZeroDivisionError\u001b[0m: division by zero'
    ]
  }
  it('finds the failing cell line from the frames or the lineno field', () => {
    expect(failingLine(error)).toBe(2)
    expect(failingLine({ ...error, lineno: 3 })).toBe(3)
    expect(tracebackLines(error)[2]!.text).toBe('ZeroDivisionError: division by zero')
  })
  it('shows the source around the failing line', () => {
    expect(sourceExcerpt('a\nb\nc\nd', 2, 1)).toEqual([
      { n: 1, text: 'a', hit: false },
      { n: 2, text: 'b', hit: true },
      { n: 3, text: 'c', hit: false }
    ])
  })
  it("finds the exception's notes after its last line, also for module-qualified names and multi-line values", () => {
    expect(exceptionNotes(error)).toEqual([])
    const noted: ErrorOutput = {
      ...error,
      ename: 'ModuleNotFoundError',
      evalue: "No module named 'numpy'",
      traceback: [
        ...error.traceback.slice(0, 2),
        "ModuleNotFoundError: No module named 'numpy'",
        'numpy is not here.'
      ]
    }
    expect(exceptionNotes(noted)).toEqual(['numpy is not here.'])
    const qualified: ErrorOutput = {
      ...error,
      ename: 'Oops',
      evalue: 'first\nsecond',
      traceback: [...error.traceback.slice(0, 2), 'mod.Oops: first', 'second', 'a note', 'another']
    }
    expect(exceptionNotes(qualified)).toEqual(['a note', 'another'])
  })
  it('strips ANSI escapes', () => {
    expect(stripAnsi('\u001b[1;31mred\u001b[0m')).toBe('red')
  })
})
