/**
 * Markdown for cells and text/markdown outputs: marked renders, DOMPurify sanitises (no scripts,
 * no event handlers, no iframes), links open outside the app. Headings feed the outline.
 */
import { Marked, type Token, type Tokens } from 'marked'
import DOMPurify from 'dompurify'

const md = new Marked({ gfm: true, breaks: false, async: false })

let hooked = false
function purifier(): typeof DOMPurify {
  if (!hooked) {
    hooked = true
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A' && node.getAttribute('href')) {
        node.setAttribute('target', '_blank')
        node.setAttribute('rel', 'noopener noreferrer')
      }
    })
  }
  return DOMPurify
}

/** Sanitised HTML for a markdown source. */
export function renderMarkdown(source: string): string {
  const html = md.parse(source) as string
  return sanitizeHtml(html)
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

export interface Heading {
  depth: number
  text: string
}

/** Headings of a markdown source, in order, as plain text (for the outline). */
export function markdownHeadings(source: string): Heading[] {
  const out: Heading[] = []
  const walk = (tokens: Token[]): void => {
    for (const t of tokens) {
      if (t.type === 'heading') {
        const h = t as Tokens.Heading
        out.push({ depth: h.depth, text: plainText(h.tokens) || h.text })
      }
    }
  }
  walk(md.lexer(source))
  return out
}

function plainText(tokens: Token[] | undefined): string {
  if (!tokens) return ''
  return tokens
    .map((t) => ('tokens' in t && t.tokens ? plainText(t.tokens) : 'text' in t ? String(t.text) : ''))
    .join('')
    .trim()
}
