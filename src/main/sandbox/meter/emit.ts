/**
 * What the body rewriter emits and the state it shares: the fuel-ABI argument, charges
 * (wasmtime `fuel_increment_var`), checks with the inline out-of-fuel path (`fuel_check`), span
 * copying of untouched code, and the stack of open blocks.
 */
import type { BackEdgePlan } from './back-edges'
import { ByteReader, ByteWriter, MeterError } from './bytes'
import { OP as OPCODES } from './opcodes'

// Module-local: imported bindings are getter calls under per-file transpilation (see body.ts).
const OP = { ...OPCODES }

export interface BodyContext {
  /** Functions below this index are imports (host functions, original ABI). */
  readonly importedFunctions: number
  /** Total function count before instrumentation (for index validation). */
  readonly totalFunctions: number
  /** Index of the exported i64 global holding the remaining fuel. */
  readonly fuelGlobal: number
  /** Index of the exported i32 out-of-fuel flag global. */
  readonly flagGlobal: number
  /** wasmtime charges 1 for entering every wasm function (`fuel_consumed: 1` at the start). */
  readonly entryCost: number
  /**
   * With fuel slices: the type `[] -> []` and the appended one-entry table holding the host's
   * slice hook, called from the out-of-fuel path (README, "Fuel slices"); null without.
   */
  readonly sliceHook: { type: number; table: number } | null
  /**
   * With `recordFailedGrow`: the appended function every `memory.grow` of memory 0 becomes a call
   * to (same stack effect, original ABI, not metered); null without.
   */
  readonly growHelper: number | null
  /** Type index used for `call_indirect` of original type `t` (its fuel-ABI twin). */
  threadedType(t: number): number
  readonly stats: { chargePoints: number; checks: number }
  /**
   * With fuel slices: per defined function, in order, the body offsets of the checks' `if`s, for
   * the branch-hint section marking them unlikely (see rewrite.ts).
   */
  readonly branchHints: number[][] | null
}

export interface FunctionShape {
  /** Number of parameters of the original type: the fuel parameter takes this local index. */
  readonly paramCount: number
  /** Encoded block type of the original results, for the block wrapping the body. */
  readonly resultBlockType: Uint8Array
  /**
   * Whether the body starts with a check (wasmtime's `fuel_function_entry`); false only for a
   * bounded function under `boundedEntryChecks` (bounded.ts).
   */
  readonly entryCheck: boolean
  /** Under `backEdgeChecks`, where this body's loop checks go (back-edges.ts); null: at headers. */
  readonly backEdges: BackEdgePlan | null
}

/** Open blocks, innermost last; reused across bodies (the meter is synchronous). */
export class FrameStack {
  kind = new Uint8Array(256)
  targeted = new Uint8Array(256)
  startReachable = new Uint8Array(256)
  thenReachable = new Uint8Array(256)
  /** Pending cost every edge into the frame's end leaves uncharged (see FuelBodyRewriter.open). */
  carry = new Float64Array(256)

  grow(): void {
    const grow8 = (a: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> => {
      const n = new Uint8Array(a.length * 2)
      n.set(a)
      return n
    }
    this.kind = grow8(this.kind)
    this.targeted = grow8(this.targeted)
    this.startReachable = grow8(this.startReachable)
    this.thenReachable = grow8(this.thenReachable)
    const carry = new Float64Array(this.carry.length * 2)
    carry.set(this.carry)
    this.carry = carry
  }
}

export abstract class FuelEmitter {
  protected readonly code = new ByteWriter(1 << 16)
  protected readonly head = new ByteWriter(256)
  protected readonly r: ByteReader
  protected readonly src: Uint8Array
  /** Local index of the fuel parameter; original locals at or above it shift by one. */
  protected F = 0
  /** Local index of the i32 scratch used by call_indirect (declared only if used). */
  protected TMP = 0
  protected usedTmp = false
  /** Code positions of this body's check `if`s (fuel slices only). */
  protected checkIfs: number[] = []
  protected copyStart = 0
  protected depth = 0
  /** Cost of operators executed since the last charge (wasmtime: `fuel_consumed`). */
  protected pending = 0
  /** Whether the current position can execute (wasmtime: `reachable`). */
  protected reachable = true

  constructor(
    src: Uint8Array,
    protected readonly ctx: BodyContext,
    protected readonly out: ByteWriter
  ) {
    this.src = src
    this.r = new ByteReader(src)
  }
  protected readonly frames = new FrameStack()

  protected pushFuelMinus(p: number): void {
    const w = this.code
    w.byte(OP.localGet)
    w.u32(this.F)
    if (p !== 0) {
      w.byte(OP.i64Const)
      w.sleb(p)
      w.byte(OP.i64Sub)
    }
  }

  protected charge(p: number): void {
    if (p === 0) return
    this.pushFuelMinus(p)
    this.code.byte(OP.localSet)
    this.code.u32(this.F)
    this.ctx.stats.chargePoints++
  }

  /** Trap iff (fuel - p) <= 0, i.e. fuel < p + 1, without committing p yet. */
  protected check(p: number): void {
    const w = this.code
    w.byte(OP.localGet)
    w.u32(this.F)
    w.byte(OP.i64Const)
    w.sleb(p + 1)
    w.byte(OP.i64LtS)
    if (this.ctx.branchHints !== null) this.checkIfs.push(w.len)
    w.byte(OP.if)
    w.byte(0x40)
    // The out-of-fuel path, inline: a block ending in `unreachable` is laid out as cold code. With
    // fuel slices it first publishes the balance and asks the host for the next slice; the host
    // grants one only if the real budget has fuel left, so traps fall where they would unsliced.
    this.pushFuelMinus(p)
    w.byte(OP.globalSet)
    w.u32(this.ctx.fuelGlobal)
    const hook = this.ctx.sliceHook
    if (hook !== null) {
      w.byte(OP.i32Const)
      w.byte(0)
      w.byte(OP.callIndirect)
      w.u32(hook.type)
      w.u32(hook.table)
      w.byte(OP.globalGet)
      w.u32(this.ctx.fuelGlobal)
      if (p !== 0) {
        w.byte(OP.i64Const)
        w.sleb(p)
        w.byte(OP.i64Add)
      }
      w.byte(OP.localSet)
      w.u32(this.F)
      w.byte(OP.localGet)
      w.u32(this.F)
      w.byte(OP.i64Const)
      w.sleb(p + 1)
      w.byte(OP.i64LtS)
      w.byte(OP.if)
      w.byte(0x40)
    }
    w.byte(OP.i32Const)
    w.byte(1)
    w.byte(OP.globalSet)
    w.u32(this.ctx.flagGlobal)
    w.byte(OP.unreachable)
    w.byte(OP.end)
    if (hook !== null) w.byte(OP.end)
    this.ctx.stats.checks++
  }

  /** Copies the untouched source bytes up to `pos`. */
  protected flushTo(pos: number): void {
    if (pos > this.copyStart) this.code.bytes(this.src, this.copyStart, pos)
    this.copyStart = pos
  }

  /** Charges the pending cost plus `extra` (the terminating operator's own cost) before `opStart`. */
  protected settle(opStart: number, extra: number): void {
    this.settleTo(opStart, extra, 0)
  }

  /**
   * Charges so that `carry` stays uncharged: pending + extra − carry (negative is a refund, when a
   * call inside an `if` arm already paid the carried cost). Leaves pending = carry.
   */
  protected settleTo(opStart: number, extra: number, carry: number): void {
    const k = this.pending + extra - carry
    if (k !== 0) {
      this.flushTo(opStart)
      this.charge(k)
    }
    this.pending = carry
  }

  /** Marks the frame `label` targets; returns its index. */
  protected target(label: number, opStart: number): number {
    if (label >= this.depth) throw new MeterError(`branch depth ${label} out of range at byte ${opStart}`)
    const frame = this.depth - 1 - label
    this.frames.targeted[frame] = 1
    return frame
  }

  protected writeBody(declCount: number, declStart: number, declEnd: number): void {
    const head = this.head
    head.len = 0
    head.u32(declCount + (this.usedTmp ? 1 : 0))
    head.bytes(this.src, declStart, declEnd)
    if (this.usedTmp) {
      head.u32(1)
      head.byte(0x7f)
    }
    if (this.ctx.branchHints !== null) this.ctx.branchHints.push(this.checkIfs.map((at) => head.len + at))
    const out = this.out
    out.u32(head.len + this.code.len)
    out.bytes(head.buf, 0, head.len)
    out.bytes(this.code.buf, 0, this.code.len)
  }
}
