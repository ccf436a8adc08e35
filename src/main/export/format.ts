/**
 * Numbers as the stats line shows them (the UI's format.ts, which the export layer may not import:
 * shared/ holds types only). Keep the two in step: the report must read like the notebook.
 */
import type { RunStatus } from '../../shared/notebook'

const FUEL_UNITS: [number, string][] = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k']
]

/** 950 → "950", 12_345 → "12.3 k", 2_400_000 → "2.4 M", 400_000_000 → "400 M". */
export function formatFuel(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '–'
  for (const [scale, unit] of FUEL_UNITS) {
    if (n >= scale * 0.9995) return `${trim(n / scale)} ${unit}`
  }
  return String(Math.round(n))
}

function trim(x: number): string {
  return String(Number(x.toFixed(x >= 100 ? 0 : 1)))
}

/** Binary units, as the seed reports memory: "10 MiB", "640 KiB". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '–'
  if (n < 1024) return `${n} B`
  if (n < 1024 ** 2) return `${Math.round(n / 1024)} KiB`
  if (n < 1024 ** 3) {
    const mib = n / 1024 ** 2
    return `${mib < 10 ? Number(mib.toFixed(1)) : Math.round(mib)} MiB`
  }
  return `${Number((n / 1024 ** 3).toFixed(1))} GiB`
}

/** "31 ms", "1.2 s", "2 min 05 s". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(ms < 10_000 ? 1 : 0))} s`
  const s = Math.floor(ms / 1000)
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`
}

/** "0.6%", "100%", "<0.1%"; empty when there is no budget. */
export function formatPercent(part: number, whole: number): string {
  if (!(whole > 0)) return ''
  const p = (part / whole) * 100
  if (p > 0 && p < 0.1) return '<0.1%'
  return `${Number(p.toFixed(p < 10 ? 1 : 0))}%`
}

export function fraction(part: number, whole: number): number {
  if (!(whole > 0)) return 0
  return Math.min(1, Math.max(0, part / whole))
}

/** "160 pages (10 MiB)", the seed's two memory facts on one line. */
export function formatMemory(pages: number, bytes: number): string {
  return `${pages.toLocaleString('en-US')} pages (${formatBytes(bytes)})`
}

export interface StatusLook {
  word: string
  icon: string
  tone: 'ok' | 'error' | 'warn' | 'muted'
}

const STATUS: Record<RunStatus, StatusLook> = {
  ok: { word: 'ok', icon: '✓', tone: 'ok' },
  error: { word: 'error', icon: '✕', tone: 'error' },
  exit: { word: 'exit', icon: '⏏', tone: 'muted' },
  out_of_fuel: { word: 'out of fuel', icon: '⛽', tone: 'warn' },
  out_of_memory: { word: 'out of memory', icon: '▣', tone: 'warn' },
  timeout: { word: 'timeout', icon: '⏱', tone: 'warn' },
  interrupted: { word: 'interrupted', icon: '■', tone: 'warn' },
  crashed: { word: 'crashed', icon: '✕', tone: 'error' }
}

export function statusLook(status: RunStatus): StatusLook {
  return STATUS[status] ?? { word: String(status), icon: '?', tone: 'muted' }
}
