/**
 * Classic XSS vectors through every way text reaches the report: markdown cells, code sources, stream
 * text, tracebacks, text/plain, text/markdown, text/html (which must stay inside the sandboxed
 * iframe), attachment names and the title. The page is parsed with a DOM library and checked for
 * anything that could run or load.
 */
import { describe, expect, it } from 'vitest'
import { parseHTML } from 'linkedom'
import { notebookToHtml } from '../../src/main/export/html'
import { sanitizeHtml } from '../../src/main/export/sanitize'
import { codeCell, documentOf, markdownCell, runOf } from './export-helpers'
import { XSS_VECTORS as VECTORS } from '../fixtures/xss-vectors'

const URL_ATTRS = ['href', 'src', 'action', 'formaction', 'xlink:href', 'background', 'data', 'poster']

function reportFor(vector: string): string {
  const code = codeCell('code', vector)
  const run = runOf(
    code,
    [
      { type: 'stream', name: 'stdout', text: vector },
      { type: 'stream', name: 'stderr', text: `\u001b[31m${vector}\u001b[0m` },
      { type: 'execute_result', data: { 'text/plain': vector }, metadata: {}, executionCount: 1 },
      { type: 'display_data', data: { 'text/markdown': vector }, metadata: {} },
      { type: 'display_data', data: { 'text/html': vector }, metadata: {} },
      { type: 'display_data', data: { 'application/javascript': vector, 'text/plain': 'js' }, metadata: {} },
      { type: 'error', ename: vector, evalue: vector, traceback: [vector] }
    ],
    { message: vector }
  )
  const md = markdownCell(
    'md',
    `${vector}\n\n# ${vector}\n\n* ${vector}\n\n![a](attachment:${encodeURIComponent(vector)})`,
    {
      attachments: { [vector]: { 'image/png': vector } }
    }
  )
  return notebookToHtml(documentOf(vector, [md, code], [run]), { now: 0 })
}

function assertInert(html: string): void {
  const { document } = parseHTML(html)
  expect(html).not.toMatch(/<script/i)
  expect(
    document.querySelectorAll(
      'script, object, embed, base, link, form, input:not([type=checkbox]), textarea, frame, audio, video'
    ).length
  ).toBe(0)
  expect(document.querySelectorAll('style').length).toBe(1)
  const metas = [...document.querySelectorAll('meta')]
    .map((m) => m.getAttribute('http-equiv'))
    .filter(Boolean)
  expect(metas).toEqual(['Content-Security-Policy'])
  for (const el of document.querySelectorAll('*')) {
    for (const attr of [...el.attributes]) {
      expect(attr.name.toLowerCase().startsWith('on'), `${el.localName} ${attr.name}`).toBe(false)
      if (URL_ATTRS.includes(attr.name.toLowerCase())) {
        // eslint-disable-next-line no-control-regex
        const v = attr.value.replace(/[\u0000-\u0020]/g, '').toLowerCase()
        // Links may point to the web (a click is the reader's choice); nothing may load by itself.
        const forbidden =
          attr.name === 'href' ? /^(javascript|vbscript|data:)/ : /^(javascript|vbscript|data:text|http|\/\/)/
        expect(v, `${el.localName} ${attr.name}`).not.toMatch(forbidden)
      }
    }
    if (el.localName === 'iframe') {
      expect(el.getAttribute('sandbox')).toBe('')
      expect(el.hasAttribute('src')).toBe(false)
    }
    if (el.localName === 'svg') expect(el.closest('figure.fuel-chart, .stats')).toBeTruthy()
  }
}

describe('XSS vectors in the HTML report', () => {
  expect(VECTORS.length).toBeGreaterThanOrEqual(30)
  it.each(VECTORS)('%s renders inert', (vector) => {
    const html = reportFor(vector)
    assertInert(html)
    const { document } = parseHTML(html)
    // Text channels show the vector verbatim, as text.
    expect(document.querySelector('title')!.textContent).toBe(vector)
    expect(document.querySelector('h1')!.textContent).toBe(vector)
    expect(document.querySelector('pre.source')!.textContent).toBe(vector)
    expect(document.querySelector('pre.stream-stdout')!.textContent).toBe(vector)
    expect(document.querySelector('pre.stream-stderr')!.textContent).toBe(vector)
    expect(document.querySelector('pre.plain')!.textContent).toBe(vector)
    // HTML outputs stay inside the sandboxed frame's srcdoc, nowhere else.
    const frames = document.querySelectorAll('iframe')
    expect(frames.length).toBe(1)
    expect(frames[0]!.getAttribute('srcdoc')).toContain(vector)
  })

  it('the sanitiser keeps ordinary markdown HTML', () => {
    expect(
      sanitizeHtml('<p><b>bold</b> <a href="https://jupyter.org" target="_blank">j</a><br><sup>2</sup></p>')
    ).toBe('<p><b>bold</b> <a href="https://jupyter.org" rel="noopener noreferrer">j</a><br><sup>2</sup></p>')
    expect(sanitizeHtml('<table><tr><td colspan="2" onclick="x">1</td></tr></table>')).toBe(
      '<table><tr><td colspan="2">1</td></tr></table>'
    )
  })
})
