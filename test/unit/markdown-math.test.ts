import { describe, expect, it } from 'vitest'
import { markdownHeadings, renderMarkdownWith } from '../../src/shared/markdown'

/** The formulas a source has, as the shared rules find them (the app and the report use the same). */
function formulas(source: string): { tex: string; display: boolean }[] {
  const found: { tex: string; display: boolean }[] = []
  renderMarkdownWith(
    source,
    (html) => html,
    (tex, display) => {
      found.push({ tex, display })
      return ''
    }
  )
  return found
}

describe('markdown math rules (app and report)', () => {
  it('finds inline $…$, one-line and multi-line $$…$$, and \\begin{…} environments', () => {
    expect(formulas('Euler: $e^{i\\pi}+1=0$, costs $5 and $6.')).toEqual([
      { tex: 'e^{i\\pi}+1=0', display: false }
    ])
    expect(formulas('Text before\n$$\n\\int_0^1 x\\,dx = \\frac12\n$$\nafter')).toEqual([
      { tex: '\\int_0^1 x\\,dx = \\frac12', display: true }
    ])
    expect(formulas('$$a^2$$')).toEqual([{ tex: 'a^2', display: true }])
    const align = '\\begin{align}\na &= b \\\\\nc &= d\n\\end{align}'
    // Unnumbered, as in Jupyter.
    expect(formulas(`Some text\n\n${align}\n\nmore`)).toEqual([
      { tex: align.replace(/\{align\}/g, '{align*}'), display: true }
    ])
    expect(formulas('\\begin{align*}x\\end{align*}')).toEqual([
      { tex: '\\begin{align*}x\\end{align*}', display: true }
    ])
    expect(formulas('`$not math$` and\n\n```\n$$ nor this $$\n```')).toEqual([])
  })

  it('splices the renderer output after sanitising, so the sanitiser never sees it', () => {
    const r = renderMarkdownWith(
      'x $y$ <b>z</b>',
      (html) => html.replace(/<b>/g, '').replace(/<\/b>/g, ''),
      (tex) => `<b>${tex}</b>`
    )
    expect(r).toEqual({ html: '<p>x <b>y</b> z</p>\n', formulas: 1 })
  })

  it('a placeholder-looking text in the source is not replaced by a formula', () => {
    const r = renderMarkdownWith(
      'fbmath000000000000x0fbmath000000000000x $a$',
      (h) => h,
      () => 'F'
    )
    expect(r.html).toContain('fbmath000000000000x0fbmath000000000000x F')
  })

  it('lists headings as plain text, formulas as their TeX', () => {
    expect(markdownHeadings('# Data $n$\n\ntext\n\n## Clean *up*')).toEqual([
      { depth: 1, text: 'Data n' },
      { depth: 2, text: 'Clean up' }
    ])
  })
})
