/**
 * A fuel profile as plain text for the terminal: the costliest lines and functions
 * (`fuelbook exec --profile`, `fuelbook run --profile`).
 */
import { topFunctions, topLines, type FuelProfile } from '../../shared/fuel-profile'

const TOP = 10

const percent = (share: number): string => `${(share * 100).toFixed(1)}%`

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  // The first column (a place) reads left-aligned, figures right-aligned.
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

export function profileText(profile: FuelProfile): string {
  const lines = topLines(profile, TOP).map((r) => [r.where, String(r.fuel), percent(r.share)])
  const functions = topFunctions(profile, TOP).map((f) => [
    f.where,
    String(f.selfFuel),
    String(f.totalFuel),
    percent(f.totalShare),
    String(f.calls)
  ])
  const notes = [
    `fuel profile: ${profile.totalFuel} fuel in the profiled code, ${profile.overheadFuel} spent by the profiler`,
    profile.budgetReached ? 'stopped when the profiled code reached its budget' : null
  ].filter((n): n is string => n !== null)
  return [
    ...notes,
    '',
    table(['line', 'fuel', 'share'], lines),
    '',
    table(['function', 'self fuel', 'total fuel', 'share', 'calls'], functions)
  ].join('\n')
}
