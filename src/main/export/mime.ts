/**
 * The report's output-renderer registry (as JupyterLab's rendermime): which types are shown, in which
 * order and whether they are safe is the one table in src/shared/mime.ts; here each type it lists is
 * paired with the HTML that shows it. Nothing else in the exporter looks at MIME types.
 */
import { REPORT_HTML_OUTPUT_CSP } from '../../shared/csp'
import { imageDataUrl as bundleEntryUrl, MIME_RANKS, mimeText, preferredMime } from '../../shared/mime'
import type { MimeBundle } from '../../shared/notebook'
import { escapeHtml } from './escape'
import { renderMarkdown, texToMathml } from './markdown'
import { isEmbeddedImage } from './sanitize'

export interface MimeRenderer {
  mime: string
  render(value: unknown): string
}

const HTML_OUTPUT_STYLE = `:root{color-scheme:light dark}body{margin:0;padding:4px 2px;font:13px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:CanvasText;background:transparent}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}th,td{padding:4px 10px;text-align:right;border-bottom:1px solid rgba(128,128,128,.3)}thead th{border-bottom:1px solid rgba(128,128,128,.6)}tbody tr:nth-child(odd){background:rgba(128,128,128,.07)}img{max-width:100%}`

/** The height of an audio player's controls, with the frame's padding (Chromium and Firefox: 54 px). */
const AUDIO_CONTROLS_PX = 62

/**
 * No script, so no auto-sizing: a height guessed from the markup, and the frame is resizable. Audio
 * players (IPython's Audio) and frames or videos with a height attribute count as what they draw;
 * the fallback text inside them is never shown.
 */
export function guessHtmlHeight(html: string): number {
  const count = (re: RegExp): number => html.match(re)?.length ?? 0
  const rows = count(/<tr[\s>]/gi)
  const blocks = count(/<(p|li|h[1-6]|div|br|pre)[\s>/]/gi)
  const media =
    count(/<audio[\s>]/gi) * AUDIO_CONTROLS_PX +
    [...html.matchAll(/<(?:iframe|video)\b[^>]*?\bheight\s*=\s*["']?(\d+)/gi)].reduce(
      (sum, m) => sum + Number(m[1]) + 8,
      0
    )
  const lines = Math.ceil(html.replace(/<[^>]*>/g, '').trim().length / 120)
  const px = 16 + rows * 27 + blocks * 21 + media + (rows || blocks || media ? 0 : lines * 20)
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

/** A data: URL for an image value (src/shared/mime.ts), or null: the report embeds only the types its sanitiser allows. */
export function imageDataUrl(mime: string, value: unknown): string | null {
  const url = bundleEntryUrl(mime, value)
  return url !== null && isEmbeddedImage(url) ? url : null
}

const image =
  (mime: string, alt: string) =>
  (value: unknown): string => {
    const url = imageDataUrl(mime, value)
    if (!url) return `<pre class="plain">[${escapeHtml(mime)} image could not be decoded]</pre>`
    return `<img class="image-output" src="${escapeHtml(url)}" alt="${escapeHtml(alt)}">`
  }

/** How the report shows each type of the shared table it can show. */
const RENDER: Record<string, (value: unknown) => string> = {
  'text/html': (v) => htmlFrame(mimeText(v)),
  'text/markdown': (v) => `<div class="markdown">${renderMarkdown(mimeText(v))}</div>`,
  'text/latex': (v) => {
    const tex = mimeText(v).trim()
    const m = /^\$\$?([\s\S]*?)\$\$?$/.exec(tex)
    return `<div class="latex">${texToMathml(m ? m[1]! : tex, true)}</div>`
  },
  'image/svg+xml': image('image/svg+xml', 'SVG output'),
  'image/png': image('image/png', 'PNG output'),
  'image/jpeg': image('image/jpeg', 'JPEG output'),
  'image/gif': image('image/gif', 'GIF output'),
  'image/webp': image('image/webp', 'WebP output'),
  'application/json': (v) =>
    `<pre class="json">${escapeHtml(typeof v === 'string' ? v : JSON.stringify(v, null, 2))}</pre>`,
  'text/plain': (v) => `<pre class="plain">${escapeHtml(mimeText(v))}</pre>`
}

const SHOWN = MIME_RANKS.filter((r) => RENDER[r.mime] !== undefined)

/**
 * HTML that needs its scripts would stay blank here: any static type of the bundle (an image,
 * text/plain) shows more, so it goes last.
 */
const scriptedHtml = (mime: string, value: unknown): boolean =>
  mime === 'text/html' && drawsWithScript(mimeText(value))

/** The safe renderer a bundle prefers, or null when it offers nothing we can show safely. */
export function pickRenderer(bundle: MimeBundle): MimeRenderer | null {
  const mime = preferredMime(bundle, SHOWN, scriptedHtml)
  const render = mime === null ? undefined : RENDER[mime]
  return mime !== null && render !== undefined ? { mime, render } : null
}

/** The best embeddable image of a bundle as a data: URL (markdown attachments), or null. */
export function bundleImageUrl(bundle: MimeBundle): string | null {
  const mime = preferredMime(
    bundle,
    SHOWN.filter((r) => r.image)
  )
  return mime === null ? null : imageDataUrl(mime, bundle[mime])
}

/** HTML for one MIME bundle; a short note when none of its types can be shown. */
export function renderBundle(bundle: MimeBundle): string {
  const renderer = pickRenderer(bundle)
  if (renderer) return renderer.render(bundle[renderer.mime])
  const types = Object.keys(bundle)
  if (types.length === 0) return ''
  return `<p class="note">[output of type ${escapeHtml(types.join(', '))} not shown in this report]</p>`
}
