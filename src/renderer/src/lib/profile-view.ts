/**
 * What the notebook shows of a fuel profile (src/shared/fuel-profile.ts): the heat of each of the
 * profiled cell's lines for the editor's gutter, and the function table with, for functions defined
 * in the notebook, the cell and line to jump to. Pure: the gutter and the table render these rows.
 */
import { formatFuel, formatPercent } from '../../../shared/format'
import { cellLineFuel, fuelShare, topFunctions, type FuelProfile } from '../../../shared/fuel-profile'
import type { CellId } from '../../../shared/notebook'
import { isCellFile } from '../../../shared/output-text'

/** One line of the profiled cell: its own fuel (callees elsewhere not included) and share of the profile. */
export interface LineHeat {
  /** 1-based line of the cell. */
  line: number
  fuel: number
  /** 0..1 of the profiled code's fuel: the gutter bar's length. */
  share: number
  /** 0..4, a step per fifth of the hottest line's fuel: the gutter's shade. */
  level: number
  /** Hover text: the figure and its share. */
  title: string
}

/**
 * The heat of the cell's lines that spent fuel, in line order: only lines the cell has (1..lineCount),
 * so a profile of another version of the cell never paints past its end.
 */
export function cellHeat(profile: FuelProfile, lineCount: number): LineHeat[] {
  const fuelByLine = [...cellLineFuel(profile)].filter(
    ([line, fuel]) => line >= 1 && line <= lineCount && fuel > 0
  )
  const hottest = Math.max(0, ...fuelByLine.map(([, fuel]) => fuel))
  return fuelByLine
    .sort(([a], [b]) => a - b)
    .map(([line, fuel]) => ({
      line,
      fuel,
      share: fuelShare(fuel, profile),
      level: Math.min(4, Math.floor((fuel / hottest) * 5)),
      title: `${formatFuel(fuel)} fuel · ${formatPercent(fuel, profile.totalFuel)} of the profiled fuel`
    }))
}

/** A cell as the function table needs it: its id and current source. */
export interface SourceCell {
  id: CellId
  source: string
}

/** Where a function of the profile was defined in the notebook: the cell to focus, the line to put the cursor on. */
export interface CodeLink {
  cellId: CellId
  line: number
}

export interface FunctionRow {
  name: string
  /** `cell line 4`, `json/encoder.py:12`… */
  where: string
  selfFuel: number
  totalFuel: number
  totalShare: number
  calls: number
  link: CodeLink | null
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** True when line `line` (1-based) of `source` defines `name` (a def, async def or class statement). */
function definesAt(source: string, line: number, name: string): boolean {
  const text = source.split('\n')[line - 1]
  if (text === undefined) return false
  return new RegExp(`^\\s*(?:async\\s+def|def|class)\\s+${escapeRegExp(name)}\\b`).test(text)
}

/**
 * The notebook cell a function was defined in. The profiled cell's own functions are its own lines;
 * a function from an earlier run's cell (`<cell-N>`, N that run's In[N], which the cell may since
 * have left by running again) is found by its definition: the first cell whose source defines the
 * function's own name on that line. Library code and comprehensions or lambdas of other cells get no
 * link, rather than a guessed one.
 */
export function locateFunction(
  fn: { name: string; file: string; firstLine: number },
  profile: Pick<FuelProfile, 'cellFile'>,
  profiledCellId: CellId,
  cells: readonly SourceCell[]
): CodeLink | null {
  if (fn.file === profile.cellFile) return { cellId: profiledCellId, line: Math.max(1, fn.firstLine) }
  if (!isCellFile(fn.file)) return null
  const own = fn.name.split('.').pop() ?? fn.name
  if (own.startsWith('<')) return null
  const home = cells.find((c) => definesAt(c.source, fn.firstLine, own))
  return home ? { cellId: home.id, line: fn.firstLine } : null
}

/** The table's rows: the `count` functions with the most total fuel, each with its link when it has one. */
export function functionRows(
  profile: FuelProfile,
  profiledCellId: CellId,
  cells: readonly SourceCell[],
  count: number
): FunctionRow[] {
  return topFunctions(profile, count).map((f) => ({
    name: f.name,
    where: f.file === profile.cellFile ? `line ${f.firstLine}` : `${shortFile(f.file)}:${f.firstLine}`,
    selfFuel: f.selfFuel,
    totalFuel: f.totalFuel,
    totalShare: f.totalShare,
    calls: f.calls,
    link: locateFunction(f, profile, profiledCellId, cells)
  }))
}

/** Library paths from the standard library's folder on: `json/encoder.py`, not the whole prefix. */
export function shortFile(file: string): string {
  const lib = file.match(/\/python3\.\d+\/(?:site-packages\/)?(.+)$/)
  return lib?.[1] ?? file
}

/** Where the profile a cell shows came from, and so what the table's heading says. */
export type ProfileOrigin =
  | { kind: 'run' }
  /** "Profile with a budget of N" after an out-of-fuel run: a re-run that left the kernel as it was. */
  | { kind: 'budget-rerun'; budget: number }

/** A profile as a cell shows it: the source it profiled (its lines are the heat's lines) and its origin. */
export interface ShownProfile {
  profile: FuelProfile
  source: string
  origin: ProfileOrigin
}

/** The table's one-line heading. */
export function profileSummary({ profile, origin }: ShownProfile): string {
  const head =
    origin.kind === 'budget-rerun'
      ? `Fuel profile of a re-run with a budget of ${formatFuel(origin.budget)} (kernel state and outputs unchanged)`
      : 'Fuel profile'
  const stopped = profile.budgetReached ? ', stopped at its budget' : ''
  return `${head} · ${formatFuel(profile.totalFuel)} fuel in the profiled code${stopped}`
}
