/**
 * Outputs in and out of JSON, for everything that reads outputs it did not make: the guest's
 * `_fuelbook.emit` records (the sandbox worker) and output rows in a .fuelbook file (the store).
 * Whatever the bytes, the answer is an `Output` (a readable error output when they are not one),
 * never an exception, and never a value too deep for the renderer's recursive JSON view.
 * Pure, part of the output model (output-model.ts).
 */
import { readFuelProfile, type FuelProfile } from './fuel-profile'
import type { Result } from './result'
import type { DisplayDataOutput, ErrorOutput, MimeBundle, Output } from './notebook'

/** Record kinds of `_fuelbook.emit` (runtime/fuelbook_entry.c, runtime/fuelbook_driver.py). */
export const EMIT = {
  displayData: 1,
  executeResult: 2,
  error: 3,
  reply: 4,
  clearOutput: 5,
  updateDisplayData: 6,
  /** The driver's fuel profile of a profiled run (src/shared/fuel-profile.ts). */
  profile: 7
} as const

/** JSON nested deeper than this is not kept (the UI's JSON view and JSON.stringify both recurse). */
const MAX_JSON_DEPTH = 200

/** What a record said, once read. */
export type GuestRecord =
  /** displayId: IPython's transient display id, when the output was shown with one. */
  | { kind: 'output'; output: Output; displayId?: string }
  /** update_display: replaces the outputs shown with this display id. */
  | { kind: 'update'; displayId: string; output: DisplayDataOutput }
  | { kind: 'clear'; wait: boolean }
  | { kind: 'reply'; reply: Record<string, unknown> }
  | { kind: 'profile'; profile: Result<FuelProfile> }

/** The error output that stands for a record the host could not use. */
export function malformedRecord(detail: string): ErrorOutput {
  return {
    type: 'error',
    ename: 'MalformedDisplayRecord',
    evalue: `the cell sent a malformed display record (${detail})`,
    traceback: []
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** Depth of a JSON value, iteratively (a recursive walk is what a hostile value would overflow). */
function depthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]]
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!
    if (typeof v !== 'object' || v === null) continue
    if (depth > max) return true
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1])
    }
  }
  return false
}

function bundle(value: unknown, what: string): MimeBundle {
  if (value === undefined) return {}
  if (!isObject(value)) throw new TypeError(`${what} is not an object`)
  return value
}

function asError(record: Record<string, unknown>): ErrorOutput {
  if (typeof record.ename !== 'string') throw new TypeError('an error record needs a string ename')
  const traceback = record.traceback ?? []
  if (!Array.isArray(traceback)) throw new TypeError('traceback is not a list')
  return {
    type: 'error',
    ename: record.ename,
    evalue: typeof record.evalue === 'string' ? record.evalue : String(record.evalue ?? ''),
    traceback: traceback.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))),
    lineno: typeof record.lineno === 'number' && Number.isInteger(record.lineno) ? record.lineno : null
  }
}

function transientDisplayId(record: Record<string, unknown>): string | null {
  const transient = record.transient
  if (!isObject(transient)) return null
  const id = transient.display_id
  return typeof id === 'string' && id !== '' ? id : null
}

/** Reads JSON text that must hold an object, shallow enough to render. */
function parseObject(text: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text)
  if (!isObject(value)) throw new TypeError('not a JSON object')
  if (depthExceeds(value, MAX_JSON_DEPTH)) throw new TypeError(`nested deeper than ${MAX_JSON_DEPTH} levels`)
  return value
}

/**
 * One `_fuelbook.emit(kind, payload)` record as the host uses it. Any kind and any bytes give an
 * answer: a malformed one becomes an error output saying so.
 */
export function readGuestRecord(kind: number, text: string, executionCount: number | null): GuestRecord {
  let record: Record<string, unknown>
  try {
    record = parseObject(text)
  } catch (error) {
    return { kind: 'output', output: malformedRecord(`kind ${kind}: ${(error as Error).message}`) }
  }
  try {
    switch (kind) {
      case EMIT.reply:
        return { kind: 'reply', reply: record }
      case EMIT.profile:
        return { kind: 'profile', profile: readFuelProfile(record) }
      case EMIT.clearOutput:
        return { kind: 'clear', wait: record.wait === true }
      case EMIT.error:
        return { kind: 'output', output: asError(record) }
      case EMIT.displayData:
      case EMIT.updateDisplayData: {
        const output: DisplayDataOutput = {
          type: 'display_data',
          data: bundle(record.data, 'data'),
          metadata: bundle(record.metadata, 'metadata')
        }
        const displayId = transientDisplayId(record)
        if (kind === EMIT.updateDisplayData) {
          if (displayId === null) throw new TypeError('an update needs transient.display_id')
          return { kind: 'update', displayId, output }
        }
        return displayId === null ? { kind: 'output', output } : { kind: 'output', output, displayId }
      }
      case EMIT.executeResult:
        return {
          kind: 'output',
          output: {
            type: 'execute_result',
            data: bundle(record.data, 'data'),
            metadata: bundle(record.metadata, 'metadata'),
            executionCount
          }
        }
      default:
        return { kind: 'output', output: malformedRecord(`unknown kind ${kind}`) }
    }
  } catch (error) {
    return { kind: 'output', output: malformedRecord(`kind ${kind}: ${(error as Error).message}`) }
  }
}

/** The JSON text of an output (what the store writes). */
export function outputToJson(output: Output): string {
  return JSON.stringify(output)
}

/**
 * An output read back from JSON text (a stored row). A row that is not a valid output (a damaged or
 * hand-made file) becomes an error output that says so; nothing throws.
 */
export function outputFromJson(text: string): Output {
  let value: Record<string, unknown>
  try {
    value = parseObject(text)
  } catch (error) {
    return unreadable((error as Error).message)
  }
  try {
    switch (value.type) {
      case 'stream':
        if (typeof value.text !== 'string') throw new TypeError('stream text is not a string')
        return { type: 'stream', name: value.name === 'stderr' ? 'stderr' : 'stdout', text: value.text }
      case 'display_data':
        return {
          type: 'display_data',
          data: bundle(value.data, 'data'),
          metadata: bundle(value.metadata, 'metadata')
        }
      case 'execute_result':
        return {
          type: 'execute_result',
          data: bundle(value.data, 'data'),
          metadata: bundle(value.metadata, 'metadata'),
          executionCount: typeof value.executionCount === 'number' ? value.executionCount : null
        }
      case 'error':
        return asError(value)
      case 'truncated': {
        const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0)
        // Files written before whole outputs were counted have no droppedOutputs: keep it absent.
        return value.droppedOutputs === undefined
          ? { type: 'truncated', droppedBytes: count(value.droppedBytes) }
          : {
              type: 'truncated',
              droppedBytes: count(value.droppedBytes),
              droppedOutputs: count(value.droppedOutputs)
            }
      }
      default:
        throw new TypeError(`unknown output type ${JSON.stringify(value.type)?.slice(0, 40)}`)
    }
  } catch (error) {
    return unreadable((error as Error).message)
  }
}

function unreadable(detail: string): ErrorOutput {
  return {
    type: 'error',
    ename: 'UnreadableOutput',
    evalue: `this output could not be read from the file (${detail})`,
    traceback: []
  }
}
