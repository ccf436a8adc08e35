/**
 * Markdown cells and text/markdown outputs for the report: marked renders (GFM), the allow-list
 * sanitiser (sanitize.ts) keeps only inert markup, and TeX between $…$ / $$…$$ becomes MathML via
 * KaTeX (browsers draw MathML natively, so no fonts or stylesheet need embedding). KaTeX output is
 * spliced in after sanitising, by a placeholder the sanitiser passes through as plain text.
 */
import { randomBytes } from 'node:crypto'
import katex from 'katex'
import { Marked, type TokenizerAndRendererExtension } from 'marked'
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

interface MathToken {
  type: 'fbMath'
  raw: string
  tex: string
  display: boolean
}

/**
 * Math found while parsing the current source. One Marked instance serves every call (building one
 * per call costs more than the parse); parsing is synchronous, so this per-call state cannot interleave.
 */
let collected: { math: string[]; marker: string } = { math: [], marker: '' }

function placeholder(tex: string, display: boolean): string {
  collected.math.push(texToMathml(tex, display))
  return `${collected.marker}${collected.math.length - 1}${collected.marker}`
}

const blockMath: TokenizerAndRendererExtension = {
  name: 'fbMath',
  level: 'block',
  start: (src) => src.match(/^ {0,3}\$\$/m)?.index,
  tokenizer(src) {
    const m = /^ {0,3}\$\$([\s\S]+?)\$\$ *(?:\n|$)/.exec(src)
    if (m) return { type: 'fbMath', raw: m[0], tex: m[1]!.trim(), display: true } satisfies MathToken
    return undefined
  },
  renderer: (token) => `<p>${placeholder((token as unknown as MathToken).tex, true)}</p>\n`
}

const inlineMath: TokenizerAndRendererExtension = {
  name: 'fbMathInline',
  level: 'inline',
  start: (src) => src.indexOf('$'),
  tokenizer(src) {
    const m = /^\$\$([^$]+?)\$\$|^\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\d)/.exec(src)
    if (!m) return undefined
    const display = m[1] !== undefined
    return { type: 'fbMathInline', raw: m[0], tex: (m[1] ?? m[2])!, display }
  },
  renderer: (token) => placeholder(String(token['tex']), Boolean(token['display']))
}

const parser = new Marked({ gfm: true, breaks: false, async: false, extensions: [blockMath, inlineMath] })

/** Safe HTML for a markdown source. `resolveImage` maps `attachment:name` (and the like) to data: URLs. */
export function renderMarkdown(source: string, resolveImage?: ImageResolver): string {
  const math: string[] = []
  const marker = `fbmath${randomBytes(6).toString('hex')}x`
  collected = { math, marker }
  let html: string
  try {
    html = parser.parse(source) as string
  } finally {
    collected = { math: [], marker: '' }
  }
  const safe = sanitizeHtml(html, resolveImage)
  if (math.length === 0) return safe
  return safe.replace(new RegExp(`${marker}(\\d+)${marker}`, 'g'), (_, i: string) => math[Number(i)] ?? '')
}
