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

const VECTORS = [
  '<script>alert(1)</script>',
  '</script><script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<svg onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<a href="javascript:alert(1)">click</a>',
  '<a href="JaVaScRiPt:alert(1)">x</a>',
  '<a href="jav&#x09;ascript:alert(1)">x</a>',
  '<a href="&#106;avascript:alert(1)">x</a>',
  '<a href=" javascript:alert(1)">x</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
  '<a href="vbscript:msgbox(1)">x</a>',
  '<body onload=alert(1)>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<object data="javascript:alert(1)"></object>',
  '<embed src="javascript:alert(1)">',
  '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">x</button></form>',
  '<input onfocus=alert(1) autofocus>',
  '<details open ontoggle=alert(1)>',
  '<video><source onerror=alert(1)></video>',
  '<audio src=x onerror=alert(1)>',
  "<style>@import 'http://evil.example/x.css'</style>",
  '<link rel=stylesheet href=http://evil.example/x.css>',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<base href="http://evil.example/">',
  '<div style="background:url(javascript:alert(1))">x</div>',
  "{{constructor.constructor('alert(1)')()}}",
  '<img src="http://evil.example/track.png">',
  '"><script>alert(1)</script>',
  "'><img src=x onerror=alert(1)>",
  '<!--<img src="--><img src=x onerror=alert(1)//">',
  '<textarea><script>alert(1)</script></textarea>',
  '<xmp><img src=x onerror=alert(1)></xmp>',
  '<template><img src=x onerror=alert(1)></template>',
  '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
  '<isindex action=javascript:alert(1) type=image>',
  '[link](javascript:alert(1))',
  '![img](javascript:alert(1))',
  '[x](  javascript:alert(1)  )',
  '<a href="javascript&colon;alert(1)">x</a>',
  '<img src="x" onerror="alert(1)" style="x:expression(alert(1))">',
  '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
  '</div></section></main><img src=x onerror=alert(1)>',
  '<svg><style><img src=x onerror=alert(1)></style></svg>',
  '<a href="https://ok.example" onmouseover="alert(1)">hover</a>',
  '<img src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">'
]

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
