/**
 * Markdown for cells and text/markdown outputs, by the rules shared with the HTML report
 * (src/shared/markdown.ts): DOMPurify sanitises (no scripts, no event handlers, no iframes), links
 * open outside the app (a `#heading` link goes to that heading's cell), formulas are KaTeX.
 */
import DOMPurify from 'dompurify'
import { renderMarkdownWith, type RenderedMarkdown } from '../../../shared/markdown'
import { KATEX_OPTIONS, katexIfLoaded } from './katex'

export { anchorNamesHeading, markdownHeadings, type Heading } from '../../../shared/markdown'

let hooked = false
function purifier(): typeof DOMPurify {
  if (!hooked) {
    hooked = true
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      // A "#heading" link stays in the notebook (CellView scrolls to the heading); others open outside.
      const href = node.tagName === 'A' ? node.getAttribute('href') : null
      if (href && !href.startsWith('#')) {
        node.setAttribute('target', '_blank')
        node.setAttribute('rel', 'noopener noreferrer')
      }
    })
  }
  return DOMPurify
}

/**
 * Sanitised HTML for a markdown source. Formulas show as their TeX until KaTeX has loaded
 * (`loadKatex`); `formulas` tells the caller to load it and render again.
 */
export function renderMarkdown(source: string): RenderedMarkdown {
  const katex = katexIfLoaded()
  return renderMarkdownWith(source, sanitizeHtml, (tex, displayMode) => {
    if (!katex) return `<code class="tex-pending">${escapeHtml(tex)}</code>`
    try {
      return katex.renderToString(tex, { ...KATEX_OPTIONS, displayMode })
    } catch {
      return `<code class="tex-error">${escapeHtml(tex)}</code>`
    }
  })
}

export function sanitizeHtml(html: string): string {
  const purify = purifier()
  // DOMPurify returns its input unchanged where it cannot run: fail closed instead.
  if (!purify.isSupported) return escapeHtml(html)
  return purify.sanitize(html, {
    USE_PROFILES: { html: true, svg: true, mathMl: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed'],
    FORBID_ATTR: ['style']
  })
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}
