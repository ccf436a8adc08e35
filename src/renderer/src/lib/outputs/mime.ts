/**
 * How the notebook shows an image bundle entry. Which types are shown, in which order and whether
 * they are safe is the one table in src/shared/mime.ts.
 */
import { mimeText } from '../../../../shared/mime'

/** A data: URL for an image bundle entry; base64 for raster, URI-encoded text for SVG. */
export function imageDataUrl(mime: string, value: unknown): string | null {
  const text = mimeText(value).trim()
  if (!text) return null
  if (mime === 'image/svg+xml') return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`
  if (!/^[A-Za-z0-9+/=\s]+$/.test(text)) return null
  return `data:${mime};base64,${text.replace(/\s+/g, '')}`
}
