/**
 * The renderer's side of a text/html output frame (src/shared/output-frame.ts has the frame itself):
 * where the frame document is served from, and a height for frames that never report one.
 */

let frameUrl: string | null = null

/** Set once from the app info: browser mode's second port, or the desktop shell's frame protocol. */
export function setOutputFrameUrl(url: string | null): void {
  frameUrl = url
}

export function outputFrameUrl(): string | null {
  return frameUrl
}

/**
 * Height used when the frame never reports its size (its document could not load): a guess from
 * the markup's block elements, and the frame scrolls if the guess is short.
 */
export function estimateFrameHeight(html: string): number {
  const blocks = (html.match(/<(tr|p|div|li|h[1-6]|br|pre|dt|dd)\b/gi) ?? []).length
  const text = html.replace(/<[^>]*>/g, '').length
  let height = 16 + Math.max(1, blocks, Math.ceil(text / 120)) * 29
  if (/<(img|svg|canvas|video)\b/i.test(html)) height = Math.max(height, 260)
  return Math.max(40, Math.min(600, height))
}
