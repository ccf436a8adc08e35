/** Command palette matching: every word of the query must start a word of the label or group. */
import type { ActionSpec } from './actions'

export function filterActions(actions: readonly ActionSpec[], query: string): ActionSpec[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean)
  if (words.length === 0) return actions.slice()
  return actions.filter((a) => {
    const hay = `${a.group} ${a.label} ${a.id.replace(/-/g, ' ')}`.toLowerCase()
    const tokens = hay.split(/[^a-z0-9.]+/)
    return words.every((w) => tokens.some((t) => t.startsWith(w)) || hay.includes(w))
  })
}
