/**
 * A fuel profile as plain text for the terminal: the costliest lines and functions
 * (`fuelbook exec --profile`, `fuelbook run --profile`).
 */
import { profileNotes, profileTables, type FuelProfile, type ProfileTable } from '../../shared/fuel-profile'

function table({ header, rows }: ProfileTable): string {
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
  const { lines, functions } = profileTables(profile, String)
  return [...profileNotes(profile, String), '', table(lines), '', table(functions)].join('\n')
}

/** A run's profile after its facts, or why it has none (the run ended before the profiler reported). */
export function profileReport(profile: FuelProfile | null): string {
  return profile ? profileText(profile) : 'no fuel profile: the run ended before the profiler could report'
}
