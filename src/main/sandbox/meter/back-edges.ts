/**
 * Where a loop's check goes under `backEdgeChecks` (README.md, "Checks at back edges"): instead of
 * the loop header, on each branch back to the header that is not already preceded, on every path
 * since the header, by a call to a function that checks at its entry. A check on the edge sees
 * the balance the header check would see (the branch's charge is made before it), so the checks
 * that remain are a subset of wasmtime's, at the same points with the same balances; every round
 * of the loop still meets one (termination), and charges are untouched (the same fuel).
 *
 * One forward pass over the original body, the must-check dataflow on structured control flow:
 * K is such that a check has run since the header of every open loop whose frame index is below
 * K, on every path to this point. A checking call sets K to the depth; opening a loop lowers it to
 * that loop's index; joins take the minimum over the edges that reach them.
 *
 * A loop keeps its header check when it takes parameters or a `br_table` reaches it unchecked
 * (neither can carry a check on one edge only); the rewriter's `br_if` becomes
 * `if (then check; br)` on an unchecked edge.
 */
import { ByteReader, MeterError } from './bytes'
import { skipBlockType, skipImmediates, VALTYPES } from './immediates'

export interface BackEdgePlan {
  /** Byte offsets (in the module) of the `loop`s that keep their header check. */
  readonly headerChecks: ReadonlySet<number>
  /** Byte offsets of the `br` / `br_if` that need a check on their edge back to a loop header. */
  readonly edgeChecks: ReadonlySet<number>
  /** Loops whose check left the header. */
  readonly movedLoops: number
}

const enum K {
  Unreachable = 0x7fffffff
}

const enum Kind {
  Block,
  Loop,
  If,
  Else,
  Try
}

/**
 * Plans the loop checks of one body (`src[start, end)`, locals then code). `checksAtEntry(f)`
 * says whether a direct call to function `f` runs a check first (a defined function with its
 * entry check); `typeHasParams(t)` whether the function type `t` takes parameters.
 */
export function planBackEdges(
  src: Uint8Array,
  start: number,
  end: number,
  checksAtEntry: (f: number) => boolean,
  typeHasParams: (t: number) => boolean
): BackEdgePlan {
  const r = new ByteReader(src, start, end)
  const declCount = r.u32()
  for (let i = 0; i < declCount; i++) {
    r.u32()
    r.u8()
  }
  const kind: Kind[] = [Kind.Block]
  /** Minimum K over the branches that reach the frame's end. */
  const joinK: number[] = [K.Unreachable]
  /** K when the frame opened (an `if`'s false edge, a `try`'s landing pads). */
  const openK: number[] = [0]
  /** K at the end of the `then` arm (Else frames). */
  const thenK: number[] = [K.Unreachable]
  /** Offset of the `loop` (Loop frames). */
  const loopAt: number[] = [-1]
  /** Per loop offset: its unchecked edges, and whether it must keep its header check. */
  const unchecked = new Map<number, number[]>()
  const headerChecks = new Set<number>()
  let k = 0

  const edge = (label: number, at: number, table: boolean): void => {
    if (k === K.Unreachable) return
    if (label >= kind.length) throw new MeterError(`branch depth ${label} out of range at byte ${at}`)
    const f = kind.length - 1 - label
    if (kind[f] !== Kind.Loop) {
      joinK[f] = Math.min(joinK[f]!, k)
      return
    }
    if (f < k) return // a check ran since this loop's header on every path here
    const loop = loopAt[f]!
    if (table) headerChecks.add(loop)
    else unchecked.get(loop)!.push(at)
  }

  while (r.pos < end) {
    const at = r.pos
    const op = r.u8()
    switch (op) {
      case 0x02: // block
      case 0x03: // loop
      case 0x04: // if
      case 0x06: {
        // try
        const b = src[r.pos]!
        const typed = b !== 0x40 && !VALTYPES.has(b)
        const typeAt = r.pos
        skipBlockType(r)
        const params = op === 0x03 && typed && typeHasParams(new ByteReader(src, typeAt, end).sleb(33))
        const f = kind.length
        kind.push(op === 0x03 ? Kind.Loop : op === 0x04 ? Kind.If : op === 0x06 ? Kind.Try : Kind.Block)
        joinK.push(K.Unreachable)
        openK.push(k)
        thenK.push(K.Unreachable)
        loopAt.push(op === 0x03 ? at : -1)
        if (op === 0x03) {
          unchecked.set(at, [])
          if (params) headerChecks.add(at)
          if (k !== K.Unreachable) k = Math.min(k, f)
        }
        break
      }
      case 0x05: {
        // else
        const f = kind.length - 1
        thenK[f] = k
        kind[f] = Kind.Else
        k = openK[f]!
        break
      }
      case 0x07: // catch
      case 0x19: {
        // catch_all: reached from any point of the try body; K there is at least the K at `try`
        if (op === 0x07) r.u32()
        const f = kind.length - 1
        joinK[f] = Math.min(joinK[f]!, k)
        k = openK[f]!
        break
      }
      case 0x0b: // end
      case 0x18: {
        // delegate
        if (op === 0x18) r.u32()
        const f = kind.length - 1
        let j = Math.min(k, joinK[f]!)
        if (kind[f] === Kind.If) j = Math.min(j, openK[f]!)
        else if (kind[f] === Kind.Else) j = Math.min(j, thenK[f]!)
        kind.pop()
        joinK.pop()
        openK.pop()
        thenK.pop()
        loopAt.pop()
        k = j === K.Unreachable ? j : Math.min(j, kind.length)
        break
      }
      case 0x0c: // br
        edge(r.u32(), at, false)
        k = K.Unreachable
        break
      case 0x0d: // br_if
        edge(r.u32(), at, false)
        break
      case 0x0e: {
        // br_table
        const n = r.u32()
        for (let i = 0; i <= n; i++) edge(r.u32(), at, true)
        k = K.Unreachable
        break
      }
      case 0x0f: // return
      case 0x00: // unreachable
        k = K.Unreachable
        break
      case 0x08: // throw
      case 0x09: // rethrow
        r.u32()
        k = K.Unreachable
        break
      case 0x10: {
        const f = r.u32()
        if (k !== K.Unreachable && checksAtEntry(f)) k = kind.length
        break
      }
      case 0x11: // call_indirect: its target may be an import adapter, which does not check
        r.u32()
        r.u32()
        break
      case 0x20: // local.get
      case 0x21: // local.set
      case 0x22: // local.tee
        r.u32()
        break
      default:
        skipImmediates(r, op, at)
    }
    if (kind.length === 0) break
  }
  const edgeChecks = new Set<number>()
  for (const [loop, edges] of unchecked) if (!headerChecks.has(loop)) for (const e of edges) edgeChecks.add(e)
  return { headerChecks, edgeChecks, movedLoops: unchecked.size - headerChecks.size }
}
