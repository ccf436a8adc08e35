/**
 * Numbers as the stats line shows them: short, fixed-width-ish, with units a reader knows. Shared by
 * the UI and the HTML report (which must read like the notebook); pure, dependency-free functions.
 */
import type { RunStatus } from './notebook'

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

/** Three significant digits at most, no trailing ".0". */
function trim(x: number): string {
  const digits = x >= 100 ? 0 : x >= 10 ? 1 : 1
  return String(Number(x.toFixed(digits)))
}

/** Short counts for sizes in the variables panel: 1000 → "1k", 85_300 → "85k". */
export function formatCount(n: number): string {
  if (n < 1000) return String(n)
  if (n < 1e6) return `${Math.round(n / 1e3)}k`
  if (n < 1e9) return `${trim(n / 1e6)}M`
  return `${trim(n / 1e9)}G`
}

/** Bytes in binary units, as `fuelbook exec` reports memory: "10 MiB", "640 KiB", "1.5 GiB". */
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

/** Wall time: "31 ms", "1.2 s", "2 min 05 s". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(ms < 10_000 ? 1 : 0))} s`
  const s = Math.floor(ms / 1000)
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`
}

/** Share of the budget as a percentage for the stats line: "0.6%", "100%", "<0.1%". */
export function formatPercent(part: number, whole: number): string {
  if (!(whole > 0)) return ''
  const p = (part / whole) * 100
  if (p > 0 && p < 0.1) return '<0.1%'
  return `${Number(p.toFixed(p < 10 ? 1 : 0))}%`
}

/** 0..1, clamped, for the bar. */
export function fraction(part: number, whole: number): number {
  if (!(whole > 0)) return 0
  return Math.min(1, Math.max(0, part / whole))
}

/** "just now", "5 min ago", "3 h ago", "yesterday", or a date. */
export function formatAgo(then: number, now: number = Date.now()): string {
  const s = Math.max(0, (now - then) / 1000)
  if (s < 45) return 'just now'
  if (s < 3600) return `${Math.max(1, Math.round(s / 60))} min ago`
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`
  if (s < 2 * 86_400) return 'yesterday'
  if (s < 7 * 86_400) return `${Math.round(s / 86_400)} days ago`
  return new Date(then).toISOString().slice(0, 10)
}

// toLocaleString builds a formatter per call, which shows up when 1,000 cells render at once. Made
// on first use, not when the module loads: the first Intl object loads ICU (~35 ms), which every
// process and sandbox worker importing this module paid, `fuelbook exec` twice (src/main/kernel/README.md,
// "Cold start").
let integer: Intl.NumberFormat | null = null

/** 16384 → "16,384". */
export function formatInt(n: number): string {
  integer ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
  return integer.format(n)
}

/** "160 pages (10 MiB)", for plain-text output (the command line). */
export function formatMemory(pages: number, bytes: number): string {
  return `${formatInt(pages)} pages (${formatBytes(bytes)})`
}

/** Below this the sandbox's file system holds nothing worth a place in the stats line. */
const FS_SHOWN_FROM_BYTES = 1024 * 1024

/** "files 12 MiB" when the run left files in the sandbox's file system worth mentioning, else null. */
export function formatFsUse(fsBytes: number | null | undefined): string | null {
  if (typeof fsBytes !== 'number' || fsBytes < FS_SHOWN_FROM_BYTES) return null
  return `files ${formatBytes(fsBytes)}`
}

/** The tooltip of the file-system figure, in the app's stats line and the HTML report's. */
export const FS_USE_NOTE = "The sandbox's file system after this run (quota in ⚙ settings)"

/** The stats line shows memory in MiB; its tooltip says how the runtime counts it: "160 pages of 64 KiB". */
export function memoryPagesNote(pages: number): string {
  return `${formatInt(pages)} pages of 64 KiB`
}

export interface StatusLook {
  word: string
  /** How a run ended, as a sentence's verb ("[5] ran out of fuel"). */
  ended: string
  icon: string
  tone: 'ok' | 'error' | 'warn' | 'muted'
}

const STATUS: Record<RunStatus, StatusLook> = {
  ok: { word: 'ok', ended: 'ended', icon: '✓', tone: 'ok' },
  error: { word: 'error', ended: 'raised an error', icon: '✕', tone: 'error' },
  exit: { word: 'exit', ended: 'exited', icon: '○', tone: 'muted' },
  out_of_fuel: { word: 'out of fuel', ended: 'ran out of fuel', icon: '⚠', tone: 'warn' },
  out_of_memory: { word: 'out of memory', ended: 'ran out of memory', icon: '⚠', tone: 'warn' },
  timeout: { word: 'timeout', ended: 'timed out', icon: '⚠', tone: 'warn' },
  interrupted: { word: 'interrupted', ended: 'was interrupted', icon: '■', tone: 'warn' },
  crashed: { word: 'crashed', ended: 'crashed', icon: '✕', tone: 'error' }
}

export function statusLook(status: RunStatus): StatusLook {
  return STATUS[status]
}

/** The calm one-liner for a killed run. */
/**
 * What stopped a killed run, without what it did to the kernel: the service's message may explain
 * the rollback in its own words ("interrupted; the kernel state is as before this run"), and the app
 * and the report each say that part once, precisely.
 */
export function killedWhat(status: RunStatus, message: string | null): string {
  return (message ?? STATUS[status].word).replace(/[;,:]\s*(the )?kernel state[^·]*$/i, '').trim()
}

export function killedLine(
  status: RunStatus,
  message: string | null,
  keptFrom: number | null | undefined
): string {
  const what = killedWhat(status, message)
  if (keptFrom === undefined) return `${what} · kernel state rolled back`
  const from = keptFrom === null ? 'a fresh kernel' : `[${keptFrom}]`
  return `${what} · kernel state kept from ${from}`
}

/**
 * Why queued cells did not run: a run before them failed, and the queue stops there as Jupyter's
 * does (the app's runs and `fuelbook run` without --allow-errors).
 */
export function stoppedQueueLine(
  after: { executionCount: number | null; status: RunStatus },
  notRun: number
): string {
  const cell = after.executionCount === null ? 'A cell' : `[${after.executionCount}]`
  const cells = notRun === 1 ? '1 queued cell was' : `${formatInt(notRun)} queued cells were`
  return `${cell} ${STATUS[after.status].ended}, so ${cells} not run.`
}
