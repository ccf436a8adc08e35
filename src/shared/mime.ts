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
