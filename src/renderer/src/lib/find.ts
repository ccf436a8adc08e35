/**
 * Find in the notebook (Ctrl+F, as in JupyterLab): the matches of a query in every cell's source, in
 * notebook order, and which one to go to next. Pure, so it is unit-tested; `FindBar.svelte` shows it.
 */
import type { CellId } from '../../../shared/notebook'

export interface FindMatch {
  cellId: CellId
  /** Offsets in the cell's source: the match is `source.slice(from, to)`. */
  from: number
  to: number
}

/** Case-insensitive unless the query has a capital letter (the editor's "smart case"). */
export function findMatches(cells: readonly { id: CellId; source: string }[], query: string): FindMatch[] {
  if (query === '') return []
  const caseSensitive = query !== query.toLowerCase()
  const pattern = new RegExp(query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), caseSensitive ? 'gu' : 'giu')
  const matches: FindMatch[] = []
  for (const cell of cells) {
    for (const m of cell.source.matchAll(pattern))
      matches.push({ cellId: cell.id, from: m.index, to: m.index + m[0].length })
  }
  return matches
}

/**
 * The match to show first for a new query: the first one in the cursor's cell at or after `offset`,
 * else the first after that cell, wrapping to the top (JupyterLab searches on from where you are).
 */
export function firstMatchFrom(
  matches: readonly FindMatch[],
  cellOrder: readonly CellId[],
  cursorCell: CellId | null,
  offset = 0
): number {
  if (matches.length === 0) return -1
  const start = cursorCell === null ? 0 : Math.max(0, cellOrder.indexOf(cursorCell))
  const position = new Map(cellOrder.map((id, i) => [id, i]))
  const index = matches.findIndex((m) => {
    const at = position.get(m.cellId) ?? -1
    return at > start || (at === start && m.from >= offset)
  })
  return index >= 0 ? index : 0
}

/** The next (or previous) match, wrapping around the notebook. */
export function stepMatch(count: number, current: number, delta: 1 | -1): number {
  if (count === 0) return -1
  if (current < 0) return delta > 0 ? 0 : count - 1
  return (current + delta + count) % count
}

/** "3 of 12", or why there is nothing to go to. */
export function matchCountLabel(query: string, count: number, current: number): string {
  if (query === '') return ''
  if (count === 0) return 'no matches'
  return `${current + 1} of ${count}`
}
