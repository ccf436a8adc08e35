/**
 * The report's one output-renderer registry (as JupyterLab's rendermime): each entry says
 * which MIME type it renders, its rank when a bundle offers several, and whether it is safe to show
 * from an untrusted notebook. Nothing else in the exporter looks at MIME types.
 */
import { REPORT_HTML_OUTPUT_CSP } from '../../shared/csp'
import type { MimeBundle } from '../../shared/notebook'
import { escapeHtml } from './escape'
import { renderMarkdown, texToMathml } from './markdown'
import { isEmbeddedImage } from './sanitize'

export interface MimeRenderer {
  mime: string
  /** Lower = preferred when a bundle offers several types. */
  rank: number
  /**
   * Safe = shows without running the output's code in the reader's page. text/html counts as safe
   * only because it is shown in a sandboxed, opaque-origin iframe with scripts off; JavaScript never is.
   */
  safe: boolean
  /** Renders as an embedded image (also usable for markdown attachments). */
  image?: boolean
  render(value: unknown): string
}

/** nbformat allows multi-line strings as arrays of lines. */
export function mimeText(value: unknown): string {
  if (typeof value === 'string') return value
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join('')
  if (value === undefined || value === null) return ''
  return JSON.stringify(value, null, 2)
}

const HTML_OUTPUT_STYLE = `:root{color-scheme:light dark}body{margin:0;padding:4px 2px;font:13px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:CanvasText;background:transparent}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}th,td{padding:4px 10px;text-align:right;border-bottom:1px solid rgba(128,128,128,.3)}thead th{border-bottom:1px solid rgba(128,128,128,.6)}tbody tr:nth-child(odd){background:rgba(128,128,128,.07)}img{max-width:100%}`

/** No script, so no auto-sizing: a height guessed from the markup, and the frame is resizable. */
export function guessHtmlHeight(html: string): number {
  const count = (re: RegExp): number => html.match(re)?.length ?? 0
  const rows = count(/<tr[\s>]/gi)
  const blocks = count(/<(p|li|h[1-6]|div|br|pre)[\s>/]/gi)
  const lines = Math.ceil(html.replace(/<[^>]*>/g, '').length / 120)
  const px = 16 + rows * 27 + blocks * 21 + (rows || blocks ? 0 : lines * 20)
  return Math.max(40, Math.min(640, px))
}

/** Interactive outputs (plotly, bokeh, widgets) draw with script, which a report never runs. */
const drawsWithScript = (html: string): boolean => /<script[\s>]/i.test(html)

function htmlFrame(html: string): string {
  const doc = `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${REPORT_HTML_OUTPUT_CSP}"><style>${HTML_OUTPUT_STYLE}</style></head><body>${html}</body></html>`
  const height = guessHtmlHeight(html)
  const frame = `<div class="html-output" style="height:${height}px"><iframe sandbox="" referrerpolicy="no-referrer" loading="lazy" title="HTML output" srcdoc="${escapeHtml(doc)}"></iframe></div>`
  return drawsWithScript(html)
    ? `${frame}<p class="note">This output draws itself with scripts, which the report does not run; it may look empty.</p>`
    : frame
}

/**
 * A data: URL for an image value, or null when it cannot be one. SVG goes base64 too: shown by an
 * <img>, it never runs its scripts or loads its references, the safe way to show SVG.
 */
export function imageDataUrl(mime: string, value: unknown): string | null {
  const text = mimeText(value).trim()
  if (mime === 'image/svg+xml')
    return `data:image/svg+xml;base64,${Buffer.from(text, 'utf8').toString('base64')}`
  const base64 = text.replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) return null
  const url = `data:${mime};base64,${base64}`
  return isEmbeddedImage(url) ? url : null
}

function image(mime: string, value: unknown, alt: string): string {
  const url = imageDataUrl(mime, value)
  if (!url) return `<pre class="plain">[${escapeHtml(mime)} image could not be decoded]</pre>`
  return `<img class="image-output" src="${escapeHtml(url)}" alt="${escapeHtml(alt)}">`
}

const plain = (value: unknown): string => `<pre class="plain">${escapeHtml(mimeText(value))}</pre>`

export const MIME_RENDERERS: readonly MimeRenderer[] = [
  { mime: 'application/javascript', rank: 5, safe: false, render: () => '' },
  { mime: 'text/html', rank: 10, safe: true, render: (v) => htmlFrame(mimeText(v)) },
  {
    mime: 'text/markdown',
    rank: 20,
    safe: true,
    render: (v) => `<div class="markdown">${renderMarkdown(mimeText(v))}</div>`
  },
  {
    mime: 'text/latex',
    rank: 30,
    safe: true,
    render: (v) => {
      const tex = mimeText(v).trim()
      const m = /^\$\$?([\s\S]*?)\$\$?$/.exec(tex)
      return `<div class="latex">${texToMathml(m ? m[1]! : tex, true)}</div>`
    }
  },
  {
    mime: 'image/svg+xml',
    image: true,
    rank: 40,
    safe: true,
    render: (v) => image('image/svg+xml', v, 'SVG output')
  },
  {
    mime: 'image/png',
    image: true,
    rank: 50,
    safe: true,
    render: (v) => image('image/png', v, 'PNG output')
  },
  {
    mime: 'image/jpeg',
    image: true,
    rank: 51,
    safe: true,
    render: (v) => image('image/jpeg', v, 'JPEG output')
  },
  {
    mime: 'image/gif',
    image: true,
    rank: 52,
    safe: true,
    render: (v) => image('image/gif', v, 'GIF output')
  },
  {
    mime: 'image/webp',
    image: true,
    rank: 53,
    safe: true,
    render: (v) => image('image/webp', v, 'WebP output')
  },
  {
    mime: 'application/json',
    rank: 60,
    safe: true,
    render: (v) =>
      `<pre class="json">${escapeHtml(typeof v === 'string' ? v : JSON.stringify(v, null, 2))}</pre>`
  },
  { mime: 'text/plain', rank: 100, safe: true, render: plain }
]

/** The safe renderer a bundle prefers, or null when it offers nothing we can show safely. */
export function pickRenderer(
  bundle: MimeBundle,
  renderers: readonly MimeRenderer[] = MIME_RENDERERS
): MimeRenderer | null {
  let best: MimeRenderer | null = null
  let bestRank = Infinity
  for (const r of renderers) {
    if (!r.safe || bundle[r.mime] == null) continue
    // HTML that needs its scripts would stay blank here: any static type of the bundle
    // (an image, text/plain) shows more, so it goes last.
    const rank = r.mime === 'text/html' && drawsWithScript(mimeText(bundle[r.mime])) ? Infinity : r.rank
    if (!best || rank < bestRank) {
      best = r
      bestRank = rank
    }
  }
  return best
}

/** The best embeddable image of a bundle as a data: URL (markdown attachments), or null. */
export function bundleImageUrl(bundle: MimeBundle): string | null {
  const renderer = pickRenderer(
    bundle,
    MIME_RENDERERS.filter((r) => r.image)
  )
  return renderer ? imageDataUrl(renderer.mime, bundle[renderer.mime]) : null
}

/** HTML for one MIME bundle; a short note when none of its types can be shown. */
export function renderBundle(bundle: MimeBundle): string {
  const renderer = pickRenderer(bundle)
  if (renderer) return renderer.render(bundle[renderer.mime])
  const types = Object.keys(bundle)
  if (types.length === 0) return ''
  return `<p class="note">[output of type ${escapeHtml(types.join(', '))} not shown in this report]</p>`
}
