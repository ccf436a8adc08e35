/**
 * A run's fuel profile in the HTML report: its notes and the costliest lines and functions, the
 * same rows as `fuelbook run --profile` prints (src/shared/fuel-profile.ts), in a `<details>` so a
 * reader can fold it without script. Pure.
 */
import { profileNotes, profileTables, type FuelProfile, type ProfileTable } from '../../shared/fuel-profile'
import { formatInt } from '../../shared/format'
import { escapeHtml } from './escape'

function table(caption: string, { header, rows }: ProfileTable): string {
  const head = header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')
  const body = rows.map((row) => `<tr>${row.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
  return `<table><caption>${escapeHtml(caption)}</caption><thead><tr>${head}</tr></thead><tbody>${body.join('')}</tbody></table>`
}

export function profileHtml(profile: FuelProfile): string {
  const { lines, functions } = profileTables(profile, formatInt)
  const [headline, ...notes] = profileNotes(profile, formatInt)
  const noteHtml = notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('')
  return `<details class="fuel-profile" open><summary>${escapeHtml(headline ?? '')}</summary>${noteHtml}${table('Costliest lines', lines)}${table('Costliest functions', functions)}</details>`
}
