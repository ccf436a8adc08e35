/**
 * Command palette matching: every word of the query must start a word of the action's label (or
 * its group); label matches rank first, then the order of the action list.
 */
import type { ActionSpec } from './actions'

function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9.]+/)
    .filter(Boolean)
}

function score(action: ActionSpec, query: string[]): number {
  const label = words(action.label)
  const extra = [...words(action.group), ...words(action.id)]
  let total = 0
  for (const q of query) {
    if (label.some((t) => t === q)) total += 3
    else if (label.some((t) => t.startsWith(q))) total += 2
    else if (extra.some((t) => t.startsWith(q))) total += 1
    else return 0
  }
  return total
}

export function filterActions(actions: readonly ActionSpec[], query: string): ActionSpec[] {
  const q = words(query)
  if (q.length === 0) return actions.slice()
  return actions
    .map((a, i) => ({ a, i, s: score(a, q) }))
    .filter((x) => x.s > 0)
    .sort((x, y) => y.s - x.s || x.i - y.i)
    .map((x) => x.a)
}
