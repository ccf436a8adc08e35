import { beforeAll, describe, expect, it } from 'vitest'
import { parseHTML } from 'linkedom'

import type * as Markdown from '../../src/renderer/src/lib/markdown'

let md: typeof Markdown

beforeAll(async () => {
  // DOMPurify binds to the global window when first imported.
  const { window } = parseHTML('<!doctype html><html><body></body></html>')
  ;(globalThis as unknown as { window: unknown }).window = window
  md = await import('../../src/renderer/src/lib/markdown')
})

describe('markdown cells', () => {
  // linkedom is not enough for DOMPurify (it reports isSupported = false); real sanitising is
  // covered by the e2e spec in Chromium. Here: where the sanitiser cannot run, nothing passes.
  it('fails closed when the sanitiser cannot run', () => {
    const { html } = md.renderMarkdown('# Title\n\n<script>alert(1)</script><img src=x onerror="alert(1)">')
    expect(html).not.toContain('<script')
    expect(html).not.toContain('<img')
    expect(html).toContain('&lt;script&gt;')
  })
  it('shows formulas as their (escaped) TeX until KaTeX has loaded, and counts them', () => {
    const r = md.renderMarkdown('Euler: $e^{i\\pi}+1<0$')
    expect(r.formulas).toBe(1)
    expect(r.html).toContain('<code class="tex-pending">e^{i\\pi}+1&lt;0</code>')
  })
  it('lists headings for the outline as plain text', () => {
    expect(md.markdownHeadings('# Data\ntext\n## Clean *up*\n```\n# not a heading\n```\n### `Plot`')).toEqual(
      [
        { depth: 1, text: 'Data' },
        { depth: 2, text: 'Clean up' },
        { depth: 3, text: 'Plot' }
      ]
    )
  })
})

describe('a #heading link', () => {
  it('names a heading as JupyterLab writes anchors and as GitHub does, in any case', () => {
    expect(md.anchorNamesHeading('#Data-cleaning', 'Data cleaning')).toBe(true)
    expect(md.anchorNamesHeading('#data-cleaning', 'Data cleaning')).toBe(true)
    expect(md.anchorNamesHeading('#Q3:-sales', 'Q3: sales')).toBe(true)
    expect(md.anchorNamesHeading('#q3-sales', 'Q3: sales')).toBe(true)
    expect(md.anchorNamesHeading('#Caf%C3%A9-prices', 'Café prices')).toBe(true)
    expect(md.anchorNamesHeading('#Data', 'Data cleaning')).toBe(false)
    expect(md.anchorNamesHeading('#', 'Data')).toBe(false)
    expect(md.anchorNamesHeading('#%E0%A4%A', 'x')).toBe(false)
  })
})
