/**
 * A fuel profile: where a run's fuel went, per (file, line) and per function, as the cell driver's
 * profiler measures it (runtime/README.md, "Fuel profile"). The one home of its JSON form: the
 * guest's kind-7 record, the store's column and the service's messages all go through
 * `readFuelProfile`, which validates and bounds whatever it is given (the record comes from code the
 * user wrote). Pure.
 */
import { fail, ok, type Result } from './result'

export interface ProfileLine {
  /** The code's file: `<cell-N>` for a cell run in the interpreter, a path for library code. */
  file: string
  line: number
  fuel: number
}

export interface ProfileFunction {
  /** Qualified name (`Class.method`, `<module>` for a cell's top level). */
  name: string
  file: string
  firstLine: number
  /** Fuel spent in the function's own lines (C calls included, Python callees not). */
  selfFuel: number
  /** Fuel from entering to leaving it, callees included (a recursive function counted once). */
  totalFuel: number
  calls: number
}

export interface FuelProfile {
  /** The file name of the profiled cell's own code: its lines are the cell's lines. */
  cellFile: string
  /** Fuel of the profiled code, the profiler's own subtracted (the sum of `lines` before bounds). */
  totalFuel: number
  /** Fuel the profiler spent (its callbacks, measured, plus the estimated cost of entering them). */
  overheadFuel: number
  /** Measured fuel of entering and leaving the trace callback, subtracted per line event… */
  lineEventCost: number
  /** …and per call or return event. */
  callEventCost: number
  events: number
  /** The run was stopped because the profiled code used the budget it was given. */
  budgetReached: boolean
  /** Most fuel first. */
  lines: ProfileLine[]
  /** Lines left out by the bound. */
  droppedLines: number
  /** Most total fuel first. */
  functions: ProfileFunction[]
  droppedFunctions: number
}

/** Bounds of a kept profile (the driver keeps the same number of rows). */
export const PROFILE_MAX_LINES = 2000
export const PROFILE_MAX_FUNCTIONS = 1000
const MAX_NAME_CHARS = 1000

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0

function text(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new TypeError(`${what} is not a string`)
  return v.length > MAX_NAME_CHARS ? v.slice(0, MAX_NAME_CHARS) : v
}

function count(v: unknown, what: string): number {
  if (!isCount(v)) throw new TypeError(`${what} is not a non-negative integer`)
  return v
}

function rows(v: unknown, what: string, max: number): { kept: unknown[]; dropped: number } {
  if (!Array.isArray(v)) throw new TypeError(`${what} is not a list`)
  return { kept: v.slice(0, max), dropped: Math.max(0, v.length - max) }
}

function readLine(row: unknown, index: number): ProfileLine {
  // The guest writes [file, line, fuel]; the stored form is the same object the host uses.
  const [file, line, fuel] = Array.isArray(row) ? row : isObject(row) ? [row.file, row.line, row.fuel] : []
  return {
    file: text(file, `line ${index} file`),
    line: count(line, `line ${index}`),
    fuel: count(fuel, `line ${index} fuel`)
  }
}

function readFunction(row: unknown, index: number): ProfileFunction {
  const [name, file, firstLine, selfFuel, totalFuel, calls] = Array.isArray(row)
    ? row
    : isObject(row)
      ? [row.name, row.file, row.firstLine, row.selfFuel, row.totalFuel, row.calls]
      : []
  const what = `function ${index}`
  return {
    name: text(name, `${what} name`),
    file: text(file, `${what} file`),
    firstLine: count(firstLine, `${what} first line`),
    selfFuel: count(selfFuel, `${what} self fuel`),
    totalFuel: count(totalFuel, `${what} total fuel`),
    calls: count(calls, `${what} calls`)
  }
}

/** A profile from parsed JSON (the guest's record or a stored one), validated and bounded. */
export function readFuelProfile(value: unknown): Result<FuelProfile> {
  try {
    if (!isObject(value)) throw new TypeError('not an object')
    const lines = rows(value.lines, 'lines', PROFILE_MAX_LINES)
    const functions = rows(value.functions, 'functions', PROFILE_MAX_FUNCTIONS)
    return ok({
      cellFile: text(value.cellFile, 'cellFile'),
      totalFuel: count(value.totalFuel, 'totalFuel'),
      overheadFuel: count(value.overheadFuel, 'overheadFuel'),
      lineEventCost: count(value.lineEventCost, 'lineEventCost'),
      callEventCost: count(value.callEventCost, 'callEventCost'),
      events: count(value.events, 'events'),
      budgetReached: value.budgetReached === true,
      lines: lines.kept.map(readLine),
      droppedLines: count(value.droppedLines ?? 0, 'droppedLines') + lines.dropped,
      functions: functions.kept.map(readFunction),
      droppedFunctions: count(value.droppedFunctions ?? 0, 'droppedFunctions') + functions.dropped
    })
  } catch (error) {
    return fail(`not a fuel profile: ${(error as Error).message}`)
  }
}

/** The stored / transported form (the same bytes for the same profile). */
export function encodeFuelProfile(profile: FuelProfile): string {
  return JSON.stringify(profile)
}

export function decodeFuelProfile(json: string): Result<FuelProfile> {
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch (error) {
    return fail(`not a fuel profile: ${(error as Error).message}`)
  }
  return readFuelProfile(value)
}

/** A line's or function's share of the profiled fuel, 0..1. */
export function fuelShare(fuel: number, profile: Pick<FuelProfile, 'totalFuel'>): number {
  return profile.totalFuel > 0 ? Math.min(1, fuel / profile.totalFuel) : 0
}

/** Fuel per line of the profiled cell itself (1-based line → fuel). */
export function cellLineFuel(profile: FuelProfile): Map<number, number> {
  const byLine = new Map<number, number>()
  for (const row of profile.lines) {
    if (row.file === profile.cellFile) byLine.set(row.line, (byLine.get(row.line) ?? 0) + row.fuel)
  }
  return byLine
}

/** A share as the profile tables print it: `93.4%`. */
function formatShare(share: number): string {
  return `${(share * 100).toFixed(1)}%`
}

/** Rows in each of a profile's tables (the CLI's and the HTML report's). */
const PROFILE_TABLE_ROWS = 10

/** What heads a profile's tables: its fuel and the profiler's, and whether the budget stopped it. */
export function profileNotes(profile: FuelProfile, figure: (n: number) => string): string[] {
  const notes = [
    `fuel profile: ${figure(profile.totalFuel)} fuel in the profiled code, ${figure(profile.overheadFuel)} spent by the profiler`
  ]
  if (profile.budgetReached) notes.push('stopped when the profiled code reached its budget')
  return notes
}

export interface ProfileTableRow {
  /** `cell line 4`, `f (cell line 1)`, `sorted (/usr/local/lib/python3.11/…:12)`. */
  where: string
  fuel: number
  share: number
}

function place(profile: FuelProfile, file: string, line: number): string {
  return file === profile.cellFile ? `cell line ${line}` : `${file}:${line}`
}

/** The `count` costliest lines, as the CLI and the HTML report list them. */
export function topLines(profile: FuelProfile, count: number): ProfileTableRow[] {
  return profile.lines.slice(0, count).map((row) => ({
    where: place(profile, row.file, row.line),
    fuel: row.fuel,
    share: fuelShare(row.fuel, profile)
  }))
}

export interface ProfileFunctionRow extends ProfileFunction {
  where: string
  totalShare: number
}

/** The `count` functions with the most total fuel. */
export function topFunctions(profile: FuelProfile, count: number): ProfileFunctionRow[] {
  return profile.functions.slice(0, count).map((f) => ({
    ...f,
    where: `${f.name} (${place(profile, f.file, f.firstLine)})`,
    totalShare: fuelShare(f.totalFuel, profile)
  }))
}

export interface ProfileTable {
  header: string[]
  rows: string[][]
}

/**
 * The costliest lines and functions as the CLI and the HTML report show them: the same columns and
 * rows, the fuel figures written by `figure` (plain digits in a terminal, grouped in the report).
 */
export function profileTables(
  profile: FuelProfile,
  figure: (n: number) => string
): { lines: ProfileTable; functions: ProfileTable } {
  return {
    lines: {
      header: ['line', 'fuel', 'share'],
      rows: topLines(profile, PROFILE_TABLE_ROWS).map((r) => [r.where, figure(r.fuel), formatShare(r.share)])
    },
    functions: {
      header: ['function', 'self fuel', 'total fuel', 'share', 'calls'],
      rows: topFunctions(profile, PROFILE_TABLE_ROWS).map((f) => [
        f.where,
        figure(f.selfFuel),
        figure(f.totalFuel),
        formatShare(f.totalShare),
        figure(f.calls)
      ])
    }
  }
}
