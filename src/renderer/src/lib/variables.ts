/**
 * The variables panel's view of the kernel's globals: a one-line, type-aware summary of each, a
 * filter and a sort. Pure, so it is unit-tested; the panel only renders the result.
 */
import type { Variable } from '../../../shared/api'
import { formatBytes, formatInt } from '../../../shared/format'

export type VariableSort = 'name' | 'type' | 'size'

const ITEMS: Record<string, string> = {
  list: 'items',
  tuple: 'items',
  set: 'items',
  frozenset: 'items',
  deque: 'items',
  range: 'items',
  dict: 'keys',
  OrderedDict: 'keys',
  defaultdict: 'keys',
  Counter: 'keys',
  str: 'chars'
}
const BYTES = new Set(['bytes', 'bytearray', 'memoryview'])
const SCALARS = new Set(['int', 'float', 'bool', 'complex', 'NoneType', 'Decimal', 'Fraction'])

/** "list · 1,000 items", "str · 85,300 chars", "bytes · 1.2 KiB", "int · 42", "module". */
export function variableSummary(v: Variable): string {
  if (SCALARS.has(v.type)) return `${v.type} · ${v.repr}`
  if (v.size === null) return v.type
  if (BYTES.has(v.type)) return `${v.type} · ${formatBytes(v.size)}`
  const unit = ITEMS[v.type] ?? (v.size === 1 ? 'item' : 'items')
  return `${v.type} · ${formatInt(v.size)} ${v.size === 1 && unit !== 'item' ? unit.replace(/s$/, '') : unit}`
}

/** Variables whose name or type contains every word of the query (case-insensitive), sorted. */
export function visibleVariables(vars: readonly Variable[], query: string, sort: VariableSort): Variable[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean)
  const shown = vars.filter((v) => {
    const hay = `${v.name} ${v.type}`.toLowerCase()
    return words.every((w) => hay.includes(w))
  })
  const byName = (a: Variable, b: Variable): number => a.name.localeCompare(b.name)
  const compare: Record<VariableSort, (a: Variable, b: Variable) => number> = {
    name: byName,
    type: (a, b) => a.type.localeCompare(b.type) || byName(a, b),
    // Biggest first; things without a size last.
    size: (a, b) => (b.size ?? -1) - (a.size ?? -1) || byName(a, b)
  }
  return shown.sort(compare[sort])
}
