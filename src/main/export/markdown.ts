/**
 * Markdown cells and text/markdown outputs for the report, by the app's own rules
 * (src/shared/markdown.ts): the allow-list sanitiser (sanitize.ts) keeps only inert markup, and TeX
 * becomes MathML via KaTeX (browsers draw MathML natively, so no fonts or stylesheet need embedding).
 */
import katex from 'katex'
import { renderMarkdownWith } from '../../shared/markdown'
import { escapeHtml } from './escape'
import { sanitizeHtml, type ImageResolver } from './sanitize'

/** TeX → MathML markup; shows the TeX as code when KaTeX cannot parse it. */
export function texToMathml(tex: string, display: boolean): string {
  try {
    return katex.renderToString(tex, {
      output: 'mathml',
      displayMode: display,
      throwOnError: true,
      trust: false
    })
  } catch {
    return `<code class="tex-error">${escapeHtml(tex)}</code>`
  }
}

/** Safe HTML for a markdown source. `resolveImage` maps `attachment:name` (and the like) to data: URLs. */
export function renderMarkdown(source: string, resolveImage?: ImageResolver): string {
  return renderMarkdownWith(source, (html) => sanitizeHtml(html, resolveImage), texToMathml).html
}
