/** Pure helpers for cell edits that Jupyter users expect: merge, split, selection ranges. */

/** Jupyter joins merged cells with a blank line. */
export function mergeSources(sources: readonly string[]): string {
  return sources.map((s) => s.replace(/\s+$/, '')).join('\n\n')
}

/** Split at a cursor offset; whitespace-only halves become empty, surrounding newlines trimmed. */
export function splitSource(source: string, at: number): [string, string] {
  const cut = Math.max(0, Math.min(source.length, at))
  return [source.slice(0, cut).replace(/\s+$/, ''), source.slice(cut).replace(/^\s*\n/, '')]
}

/**
 * JupyterLab's "change to heading N": the text starts with N hashes and a space, in place of the
 * heading marks or leading whitespace it had.
 */
export function withHeading(source: string, level: number): string {
  return `${'#'.repeat(level)} ${source.replace(/^(#+\s*|\s*)/, '')}`
}

/** Inclusive index range between the anchor and the cursor. */
export function selectionRange(anchor: number, cursor: number): [number, number] {
  return anchor <= cursor ? [anchor, cursor] : [cursor, anchor]
}

/** Clamp an index to a list of `length` items (0 when empty). */
export function clampIndex(i: number, length: number): number {
  return Math.max(0, Math.min(length - 1, i))
}
