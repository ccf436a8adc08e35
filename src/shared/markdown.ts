/**
 * The markdown rules of Fuelbook, for the app and the HTML report alike: GFM through marked, plus TeX
 * math as Jupyter writes it — `$…$` inline, `$$…$$` (one line or several) and `\begin{align}…\end{align}`
 * (any environment) as display blocks. Each caller brings its sanitiser and its TeX renderer; math is
 * rendered after sanitising and spliced in by a random placeholder the sanitiser passes through as
 * plain text, so the sanitiser never sees (or mangles) the renderer's markup and no source text can
 * forge a formula. Pure: no DOM, no Node APIs.
 */
import { Marked, type Token, type TokenizerAndRendererExtension, type Tokens } from 'marked'

/** TeX → safe markup (KaTeX with trust off, in both callers). */
export type TexRenderer = (tex: string, display: boolean) => string

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
let collected: { tex: { tex: string; display: boolean }[]; marker: string } = { tex: [], marker: '' }

function placeholder(tex: string, display: boolean): string {
  collected.tex.push({ tex, display })
  return `${collected.marker}${collected.tex.length - 1}${collected.marker}`
}

const BLOCK_START = /^ {0,3}(?:\$\$|\\begin\{)/m
const DOLLAR_BLOCK = /^ {0,3}\$\$([\s\S]+?)\$\$ *(?:\n|$)/
// KaTeX knows align, align*, gather, equation, multline… in display mode; the environment stays in the TeX.
const ENVIRONMENT_BLOCK = /^ {0,3}(\\begin\{([a-zA-Z]+\*?)\}[\s\S]*?\\end\{\2\}) *(?:\n|$)/

/** Jupyter (MathJax's default) numbers no equations: `align` reads as `align*`. */
function unnumbered(tex: string): string {
  return tex.replace(/\\(begin|end)\{(align|alignat|equation|gather|multline|flalign)\}/g, '\\$1{$2*}')
}

const blockMath: TokenizerAndRendererExtension = {
  name: 'fbMath',
  level: 'block',
  start: (src) => src.match(BLOCK_START)?.index,
  tokenizer(src) {
    const dollars = DOLLAR_BLOCK.exec(src)
    if (dollars)
      return {
        type: 'fbMath',
        raw: dollars[0],
        tex: unnumbered(dollars[1]!.trim()),
        display: true
      } satisfies MathToken
    const env = ENVIRONMENT_BLOCK.exec(src)
    if (env)
      return { type: 'fbMath', raw: env[0], tex: unnumbered(env[1]!), display: true } satisfies MathToken
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

function randomMarker(): string {
  const bytes = new Uint8Array(6)
  globalThis.crypto.getRandomValues(bytes)
  return `fbmath${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}x`
}

export interface RenderedMarkdown {
  html: string
  /** How many formulas the source has (so a caller can load its TeX renderer on the first one). */
  formulas: number
}

/**
 * Safe HTML for a markdown source: marked's output through `sanitize`, then each formula through
 * `renderTex`.
 */
export function renderMarkdownWith(
  source: string,
  sanitize: (html: string) => string,
  renderTex: TexRenderer
): RenderedMarkdown {
  const marker = randomMarker()
  const found: { tex: string; display: boolean }[] = []
  collected = { tex: found, marker }
  let html: string
  try {
    html = parser.parse(source) as string
  } finally {
    collected = { tex: [], marker: '' }
  }
  const safe = sanitize(html)
  if (found.length === 0) return { html: safe, formulas: 0 }
  const math = found.map(({ tex, display }) => renderTex(tex, display))
  return {
    html: safe.replace(new RegExp(`${marker}(\\d+)${marker}`, 'g'), (_, i: string) => math[Number(i)] ?? ''),
    formulas: found.length
  }
}

export interface Heading {
  depth: number
  text: string
}

/** Headings of a markdown source, in order, as plain text (for the outline). */
export function markdownHeadings(source: string): Heading[] {
  const out: Heading[] = []
  for (const t of parser.lexer(source)) {
    if (t.type === 'heading') {
      const h = t as Tokens.Heading
      out.push({ depth: h.depth, text: plainText(h.tokens) || h.text })
    }
  }
  return out
}

function plainText(tokens: Token[] | undefined): string {
  if (!tokens) return ''
  return tokens
    .map((t) =>
      t.type === 'fbMathInline'
        ? String(t['tex'])
        : 'tokens' in t && t.tokens
          ? plainText(t.tokens)
          : 'text' in t
            ? String(t.text)
            : ''
    )
    .join('')
    .trim()
}

/**
 * Whether a link's `#anchor` names this heading, the way notebooks write them: JupyterLab's anchors
 * (the text with spaces as hyphens, "#Data-cleaning") and GitHub's (lower case, punctuation dropped,
 * "#data-cleaning"). Compared without case, so either spelling finds the heading.
 */
export function anchorNamesHeading(anchor: string, heading: string): boolean {
  let wanted: string
  try {
    wanted = decodeURIComponent(anchor.replace(/^#/, ''))
  } catch {
    wanted = anchor.replace(/^#/, '')
  }
  wanted = wanted.trim().toLowerCase()
  if (!wanted) return false
  const text = heading.trim().toLowerCase()
  const jupyter = text.replace(/ /g, '-')
  const github = text.replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')
  return wanted === jupyter || wanted === github
}
