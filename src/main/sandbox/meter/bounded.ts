/**
 * Which defined functions may go without the entry check (option `boundedEntryChecks`, README.md,
 * "Bounded functions"): those whose every call executes a bounded amount of code. A function is
 * bounded when it has no `loop`, no `call_indirect`, and calls only imports and bounded functions;
 * its bound is the cost of all its operators (each runs at most once) plus the entry cost plus
 * the bound of each function it calls, per call site. Functions on a call cycle are never bounded
 * (the least fixpoint), so recursion still meets a check on every round.
 *
 * A function whose bound is at most `limit` needs no entry check for termination: the code between
 * two checks stays finite, and the overdraft grows by at most `limit` per loop-free stretch.
 * Charges are untouched, so the fuel of a completed run is the same.
 */
import { ByteReader, MeterError } from './bytes'
import { skipBlockType, skipImmediates } from './immediates'
import { COST } from './opcodes'

/** Per defined function: its bound (finite), or -1 when unbounded or over the limit. */
export function boundedFunctions(
  src: Uint8Array,
  bodies: readonly { start: number; end: number }[],
  importedFunctions: number,
  entryCost: number,
  limit: number
): Float64Array {
  const D = bodies.length
  const own = new Float64Array(D)
  const callees: number[][] = []
  const r = new ByteReader(src)
  for (let i = 0; i < D; i++) {
    const body = bodies[i]!
    const calls: number[] = []
    const cost = scanBody(r, body.start, body.end, importedFunctions, D, calls)
    own[i] = cost < 0 ? -1 : cost + entryCost
    callees.push(calls)
  }
  // Least fixpoint: a function is settled once every callee is; cycles never settle.
  const bound = new Float64Array(D).fill(-2) // -2: not settled yet
  for (let i = 0; i < D; i++) if (own[i]! < 0 || own[i]! > limit) bound[i] = -1
  for (let changed = true; changed;) {
    changed = false
    for (let i = 0; i < D; i++) {
      if (bound[i] !== -2) continue
      let total = own[i]!
      let settled = true
      for (const c of callees[i]!) {
        const b = bound[c]!
        if (b === -2) {
          settled = false
          break
        }
        if (b === -1) {
          total = -1
          break
        }
        total += b
      }
      if (!settled) continue
      bound[i] = total < 0 || total > limit ? -1 : total
      changed = true
    }
  }
  for (let i = 0; i < D; i++) if (bound[i] === -2) bound[i] = -1 // on or behind a call cycle
  return bound
}

/**
 * The cost of every operator of one body (an upper bound of one call's cost when it has no loop),
 * or -1 when it has a `loop` or a `call_indirect`; direct calls to defined functions go to `calls`
 * (defined-function indices, one per call site).
 */
function scanBody(
  r: ByteReader,
  start: number,
  end: number,
  imported: number,
  defined: number,
  calls: number[]
): number {
  r.pos = start
  r.end = end
  const declCount = r.u32()
  for (let i = 0; i < declCount; i++) {
    r.u32()
    r.u8()
  }
  let cost = 0
  while (r.pos < end) {
    const opStart = r.pos
    const op = r.u8()
    cost += COST[op]!
    switch (op) {
      case 0x03: // loop
      case 0x11: // call_indirect
        return -1
      case 0x02: // block
      case 0x04: // if
      case 0x06: // try
        skipBlockType(r)
        break
      case 0x20: // local.get
      case 0x21: // local.set
      case 0x22: // local.tee
      case 0x0c: // br
      case 0x0d: // br_if
      case 0x09: // rethrow
      case 0x18: // delegate
        r.u32()
        break
      case 0x0e: {
        // br_table
        const n = r.u32()
        for (let k = 0; k <= n; k++) r.u32()
        break
      }
      case 0x10: {
        const f = r.u32()
        if (f >= imported + defined) return -1 // an unknown function: the rewriter refuses it
        if (f >= imported) calls.push(f - imported)
        break
      }
      case 0x00: // unreachable
      case 0x05: // else
      case 0x0b: // end
      case 0x0f: // return
      case 0x19: // catch_all
        break
      default:
        skipImmediates(r, op, opStart)
    }
  }
  if (r.pos !== end) throw new MeterError(`function body overruns its size at byte ${r.pos}`)
  return cost
}
