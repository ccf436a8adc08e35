/**
 * Number flags shared by `exec` and `run`: each parser names the flag and the accepted form in its
 * UsageError, so `--fuel lots` says what to type instead.
 */
import type { Limits } from '../../shared/notebook'
import { UsageError } from './command'

const SCALE: Record<string, number> = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6, g: 1e9, G: 1e9 }

/** "400000000", "400_000_000", "400M", "2.5G" → fuel units. */
export function parseFuel(text: string | undefined, flag = '--fuel'): number | undefined {
  if (text === undefined) return undefined
  const m = /^(\d+(?:\.\d+)?)([kKmMgG]?)$/.exec(text.trim().replace(/_/g, ''))
  const value = m ? Math.round(Number(m[1]) * SCALE[m[2]!]!) : NaN
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new UsageError(
      `${flag} must be a positive number of fuel units, like 400000000 or 400M (got '${text}')`
    )
  }
  return value
}

function positive(text: string | undefined, flag: string, unit: string, max: number): number | undefined {
  if (text === undefined) return undefined
  const value = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : NaN
  if (!(value > 0) || value > max)
    throw new UsageError(`${flag} must be a number of ${unit} between 0 and ${max} (got '${text}')`)
  return value
}

/** Memory cap in MiB (wasm32 linear memory stops at 4 GiB). */
export function parseMemoryMiB(text: string | undefined): number | undefined {
  return positive(text, '--memory', 'MiB', 4096)
}

/** File-system quota in MiB (at most 4 GiB: the host must be able to hold it). */
export function parseFsQuotaMiB(text: string | undefined): number | undefined {
  return positive(text, '--fs-quota', 'MiB', 4096)
}

export function parseSeconds(text: string | undefined, flag = '--timeout'): number | undefined {
  return positive(text, flag, 'seconds', 86_400)
}

/** The limits to run with: `base` with the flags given on the command line applied. */
export function limitsFromFlags(
  base: Limits,
  flags: { fuel?: string; memory?: string; timeout?: string; 'fs-quota'?: string }
): Limits {
  const fuel = parseFuel(flags.fuel)
  const memoryMiB = parseMemoryMiB(flags.memory)
  const timeoutS = parseSeconds(flags.timeout)
  const fsMiB = parseFsQuotaMiB(flags['fs-quota'])
  return {
    ...base,
    fuel: fuel ?? base.fuel,
    memoryBytes: memoryMiB === undefined ? base.memoryBytes : Math.round(memoryMiB * 1024 * 1024),
    timeoutMs: timeoutS === undefined ? base.timeoutMs : Math.round(timeoutS * 1000),
    fsBytes: fsMiB === undefined ? base.fsBytes : Math.round(fsMiB * 1024 * 1024)
  }
}
