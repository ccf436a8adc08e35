/**
 * MIME bundle helpers shared by the renderer registry: which types we can show, in which order,
 * and which are safe to show from an untrusted notebook (JupyterLab's rendermime ranking).
 * Pure: the registry (registry.ts) pairs these entries with components.
 */
import type { MimeBundle } from '../../../../shared/notebook'

export interface MimeRank {
  mime: string
  /** Lower = preferred when a bundle offers several types. */
  rank: number
  /**
   * Safe = renders without running the output's code in the page. text/html counts as safe only
   * because it is shown in a sandboxed, opaque-origin iframe; application/javascript is never shown.
   */
  safe: boolean
}

export const MIME_RANKS: readonly MimeRank[] = [
  { mime: 'text/html', rank: 10, safe: true },
  { mime: 'text/markdown', rank: 20, safe: true },
  { mime: 'text/latex', rank: 30, safe: true },
  { mime: 'image/svg+xml', rank: 40, safe: true },
  { mime: 'image/png', rank: 50, safe: true },
  { mime: 'image/jpeg', rank: 51, safe: true },
  { mime: 'image/gif', rank: 52, safe: true },
  { mime: 'application/json', rank: 60, safe: true },
  { mime: 'text/plain', rank: 100, safe: true },
  { mime: 'application/javascript', rank: 5, safe: false }
]

/** The preferred type of a bundle among `ranks`, skipping unsafe ones; null if none is known. */
export function preferredMime(bundle: MimeBundle, ranks: readonly MimeRank[] = MIME_RANKS): string | null {
  let best: MimeRank | null = null
  for (const r of ranks) {
    if (!r.safe || !(r.mime in bundle) || bundle[r.mime] == null) continue
    if (!best || r.rank < best.rank) best = r
  }
  return best?.mime ?? null
}

/** nbformat allows multi-line strings as arrays of lines. */
export function mimeText(value: unknown): string {
  if (typeof value === 'string') return value
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join('')
  if (value === undefined || value === null) return ''
  return JSON.stringify(value, null, 2)
}

/** A data: URL for an image bundle entry; base64 for raster, URI-encoded text for SVG. */
export function imageDataUrl(mime: string, value: unknown): string | null {
  const text = mimeText(value).trim()
  if (!text) return null
  if (mime === 'image/svg+xml') return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`
  if (!/^[A-Za-z0-9+/=\s]+$/.test(text)) return null
  return `data:${mime};base64,${text.replace(/\s+/g, '')}`
}
