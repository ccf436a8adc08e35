/**
 * The one MIME rank and safety table (JupyterLab's rendermime ranking), read by the notebook's
 * output registry (src/renderer/src/components/outputs/registry.ts) and the HTML report's
 * (src/main/export/mime.ts); each pairs these entries with its own way of showing them.
 */
import type { MimeBundle } from './notebook'

export interface MimeRank {
  mime: string
  /** Lower = preferred when a bundle offers several types. */
  rank: number
  /**
   * Safe = shows without running the output's code in the page. text/html counts as safe only
   * because it is shown in a sandboxed, opaque-origin iframe; application/javascript never is.
   */
  safe: boolean
  /** Shown as an embedded image (also usable for markdown attachments). */
  image: boolean
}

export const MIME_RANKS: readonly MimeRank[] = [
  { mime: 'application/javascript', rank: 5, safe: false, image: false },
  { mime: 'text/html', rank: 10, safe: true, image: false },
  { mime: 'text/markdown', rank: 20, safe: true, image: false },
  { mime: 'text/latex', rank: 30, safe: true, image: false },
  { mime: 'image/svg+xml', rank: 40, safe: true, image: true },
  { mime: 'image/png', rank: 50, safe: true, image: true },
  { mime: 'image/jpeg', rank: 51, safe: true, image: true },
  { mime: 'image/gif', rank: 52, safe: true, image: true },
  { mime: 'image/webp', rank: 53, safe: true, image: true },
  { mime: 'application/json', rank: 60, safe: true, image: false },
  { mime: 'text/plain', rank: 100, safe: true, image: false }
]

/**
 * The preferred safe type of a bundle among `ranks`; null if it offers none. `lastResort` marks
 * values that show less than any other type would (the report's HTML that needs its scripts).
 */
export function preferredMime(
  bundle: MimeBundle,
  ranks: readonly MimeRank[] = MIME_RANKS,
  lastResort: (mime: string, value: unknown) => boolean = () => false
): string | null {
  let best: string | null = null
  let bestRank = Infinity
  for (const r of ranks) {
    const value = bundle[r.mime]
    if (!r.safe || value == null) continue
    const rank = lastResort(r.mime, value) ? Infinity : r.rank
    if (best === null || rank < bestRank) {
      best = r.mime
      bestRank = rank
    }
  }
  return best
}

/** nbformat allows multi-line strings as arrays of lines. */
export function mimeText(value: unknown): string {
  if (typeof value === 'string') return value
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join('')
  if (value === undefined || value === null) return ''
  return JSON.stringify(value, null, 2)
}

/**
 * A data: URL for an image bundle entry (the notebook's and the report's), or null when the value
 * cannot be one: raster types must already be base64; SVG is encoded to base64, and shown through an
 * <img> it never runs its scripts or loads its references.
 */
export function imageDataUrl(mime: string, value: unknown): string | null {
  const text = mimeText(value).trim()
  if (!text) return null
  if (mime === 'image/svg+xml') return `data:image/svg+xml;base64,${utf8Base64(text)}`
  const base64 = text.replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) return null
  return `data:${mime};base64,${base64}`
}

/** Base64 of the UTF-8 bytes, with what both the page and Node have (no Buffer in the page). */
function utf8Base64(text: string): string {
  const bytes = new TextEncoder().encode(text)
  let binary = ''
  // fromCharCode takes its bytes as arguments: in slices, so a large SVG does not overflow the stack.
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}
