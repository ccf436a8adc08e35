/**
 * The document of a sandboxed text/html output frame and the validation of its size messages.
 * The frame runs in an opaque origin (sandbox="allow-scripts", never allow-same-origin); its only
 * message to us is its content height, which is checked for source (by the caller) and shape here.
 */

const MAX_FRAME_HEIGHT = 5000

/**
 * Height used when the frame never reports its size (its reporter script could not load): a
 * guess from the markup's block elements, and the frame scrolls if the guess is short.
 */
export function estimateFrameHeight(html: string): number {
  const blocks = (html.match(/<(tr|p|div|li|h[1-6]|br|pre|dt|dd)\b/gi) ?? []).length
  const text = html.replace(/<[^>]*>/g, '').length
  let height = 16 + Math.max(1, blocks, Math.ceil(text / 120)) * 29
  if (/<(img|svg|canvas|video)\b/i.test(html)) height = Math.max(height, 260)
  return Math.max(40, Math.min(600, height))
}

export function parseFrameSize(data: unknown): number | null {
  if (typeof data !== 'object' || data === null) return null
  const m = data as { type?: unknown; height?: unknown }
  if (m.type !== 'fuelbook:frame-size' || typeof m.height !== 'number' || !Number.isFinite(m.height))
    return null
  return Math.max(16, Math.min(MAX_FRAME_HEIGHT, Math.ceil(m.height)))
}

/** Wraps output HTML with the page's typography and the size reporter. */
export function frameDocument(html: string, sizeScriptUrl: string): string {
  const style = `
    :root { color-scheme: light dark; }
    html, body { margin: 0; padding: 0; background: transparent; }
    body { font: 14px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; overflow-y: auto; }
    table { border-collapse: collapse; font-size: 13px; }
    th, td { border-bottom: 1px solid rgba(128,128,128,.3); padding: 4px 10px; text-align: right; }
    th { font-weight: 600; }
    img, svg { max-width: 100%; }
  `
  return `<!doctype html><html><head><meta charset="utf-8"><base target="_blank"><style>${style}</style></head><body>${html}<script src="${escapeAttr(sizeScriptUrl)}"></script></body></html>`
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')
}
