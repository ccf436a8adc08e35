/**
 * Fuel instrumentation of one function body: the hot mechanism of the meter.
 *
 * Mirrors wasmtime's `fuel_*` family (bytecodealliance/wasmtime `crates/cranelift/src/func_environ.rs`,
 * commit 006c9d775adc178765b8d24c00dbddf9a6aeac85), translated from Cranelift IR to a wasm rewrite:
 *
 * - The remaining fuel lives in a wasm value, never in memory, inside a function (wasmtime: the
 *   `fuel_var` Cranelift variable). We go one step further than wasmtime's load/store around
 *   every call: fuel is *threaded* through calls as an extra last i64 parameter and an extra last
 *   i64 result of every defined function ("fuel ABI"), so a call costs two register moves
 *   instead of a store and a load on each side. The exported global is touched only at the
 *   module's edges (export wrappers, imported calls, `unreachable`, the out-of-fuel path).
 * - Costs accumulate at instrumentation time in `pending` (wasmtime: `fuel_consumed`) and are
 *   subtracted from the fuel value only where a straight-line run ends: before `if`, `br*`,
 *   `call*`, `return`, `unreachable`, `loop`, `else`, and before the `end` of a construct that
 *   is a join point (a block some branch targets, an `if`). Unlike wasmtime we do not flush at
 *   the `end` of a block nothing branches to, nor at a loop's `end`: control there only falls
 *   through, so the run simply continues (fewer subtractions, same totals).
 * - Checks happen at function entry (after the entry cost, wasmtime's `fuel_consumed: 1` start)
 *   and at every loop header, exactly where wasmtime's `fuel_function_entry` and
 *   `translate_loop_header` put them. Because charges are made *after* the operators they pay
 *   for, a check sees exactly the operators executed before it, as in wasmtime.
 * - Trap rule (wasmtime `fuel_check`: `consumed >= 0` with consumed = -remaining): a check traps
 *   when remaining ≤ 0. The out-of-fuel path stores the remaining fuel to the exported global,
 *   sets the exported out-of-fuel flag to 1 and executes `unreachable` (emit.ts).
 * - Unreachable code (after `br`, `br_table`, `return`, `unreachable`) is never charged, as in
 *   wasmtime's `if !reachable { return }`, but calls and returns in it are still rewritten to
 *   the fuel ABI so the body keeps validating.
 */
import type { BackEdgePlan } from './back-edges'
import { MeterError } from './bytes'
import { FuelEmitter, type FunctionShape } from './emit'
import { skipBlockType, skipImmediates } from './immediates'
import { COST as COST_TABLE, IMMEDIATE, Imm, OP as OPCODES } from './opcodes'

export type { BodyContext, FunctionShape } from './emit'

// Module-local bindings for everything the hot loop touches: under per-file transpilation (tsx,
// vitest) each access to an imported binding is a getter call, which made the rewriter 3–4×
// slower there than in the bundled app.
const COST: Uint8Array = COST_TABLE
const OP = { ...OPCODES }

/** How the body rewriter's hot loop treats each opcode (derived from IMMEDIATE). */
const enum Fast {
  /** Anything needing a method: control flow, calls, typed select, 0xFC, unknown. */
  Slow = 0,
  /** No immediates: charge COST and move on. */
  Plain,
  /** One LEB128 immediate, value unused (consts, globals, tables, memory.size/grow). */
  Leb,
  MemArg,
  F32,
  F64,
  Local
}

const FAST = new Uint8Array(256)
for (let op = 0; op < 256; op++) {
  const imm = IMMEDIATE[op] as Imm
  if (imm === Imm.None)
    FAST[op] =
      op === 0x00 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x19 ? Fast.Slow : Fast.Plain
  else if (op === 0x40)
    FAST[op] = Fast.Slow // memory.grow: may become a call to the failed-grow recorder (`grow`)
  else if (
    imm === Imm.Global ||
    imm === Imm.Table ||
    imm === Imm.MemIdx ||
    imm === Imm.I32 ||
    imm === Imm.I64
  )
    FAST[op] = Fast.Leb
  else if (imm === Imm.MemArg) FAST[op] = Fast.MemArg
  else if (imm === Imm.F32) FAST[op] = Fast.F32
  else if (imm === Imm.F64) FAST[op] = Fast.F64
  else if (imm === Imm.Local) FAST[op] = Fast.Local
}

const enum Frame {
  Block,
  Loop,
  If,
  Else,
  /** A `try` before its first `catch`/`catch_all` (or one that ends with `delegate` or `end`). */
  Try,
  /** A `try` in one of its `catch`/`catch_all` clauses. */
  Catch
}

/**
 * Thrown when a br_table's targets expect different carries, or a `try` opens inside an `if` arm
 * that defers a carry (a landing pad arrives with everything paid, so it cannot keep a carry
 * uncharged); the body is redone without carries.
 */
const CARRY_CONFLICT = new Error('carry conflict')

/**
 * Rewrites function bodies (`src[start, end)`: locals then code) to the fuel ABI, appending each
 * new body, size-prefixed, to `out`. One instance per module. State lives in fields and each
 * operator family has its own small method, so V8 optimises the hot loop quickly and rare
 * operators do not deoptimise it.
 */
export class FuelBodyRewriter extends FuelEmitter {
  /** Whether `if` frames defer the pending cost across their join (see `open`). */
  private ifCarry = true

  /** This body's back-edge plan (FunctionShape.backEdges). */
  private backEdges: BackEdgePlan | null = null

  rewrite(src: Uint8Array, start: number, end: number, fn: FunctionShape): void {
    this.backEdges = fn.backEdges
    const stats = this.ctx.stats
    const chargePoints = stats.chargePoints
    const checks = stats.checks
    try {
      this.ifCarry = true
      this.rewriteOnce(src, start, end, fn)
    } catch (e) {
      if (e !== CARRY_CONFLICT) throw e
      stats.chargePoints = chargePoints
      stats.checks = checks
      this.ifCarry = false
      this.rewriteOnce(src, start, end, fn)
    }
  }

  private rewriteOnce(src: Uint8Array, start: number, end: number, fn: FunctionShape): void {
    const r = this.r
    if (r.bytes !== src) throw new MeterError('internal: one rewriter per module')
    r.pos = start
    r.end = end
    const declCount = r.u32()
    const declStart = r.pos
    let declared = 0
    for (let i = 0; i < declCount; i++) {
      declared += r.u32()
      r.u8()
    }
    const declEnd = r.pos
    const F = fn.paramCount
    this.F = F
    this.TMP = F + 1 + declared
    if (this.TMP + 1 > 50_000)
      throw new MeterError('function has too many locals to add the fuel local (engine limit 50,000)')
    this.usedTmp = false
    this.checkIfs.length = 0
    const w = this.code
    w.len = 0

    // Prologue: a block standing in for the function label, so `br`s to the function's own label
    // land before our epilogue (which appends the fuel result) instead of leaving without it.
    w.byte(OP.block)
    w.bytes(fn.resultBlockType)
    this.pending = this.ctx.entryCost
    // fuel_function_entry: the entry cost is included in the check. A bounded function skips it
    // (bounded.ts): the entry cost is charged with the body's first run all the same.
    if (fn.entryCheck) this.check(this.pending)

    this.depth = 1
    this.frames.kind[0] = Frame.Block
    this.frames.targeted[0] = 0
    this.frames.startReachable[0] = 1
    this.frames.carry[0] = 0
    this.reachable = true
    this.copyStart = r.pos

    this.scan(end)
    this.writeBody(declCount, declStart, declEnd)
  }

  /**
   * The hot loop, up to the function's final `end`. Kept small (V8 optimises a function after
   * executing bytecode in proportion to its size, and the first call of the meter is mostly spent
   * before that): it keeps position, pending cost and reachability in locals, decodes the common
   * operators inline and hands everything else to `control` with the state synced.
   */
  private scan(end: number): void {
    const src = this.src
    const r = this.r
    const code = this.code
    const F = this.F
    let pos = r.pos
    let pending = this.pending
    let reachable = true
    for (;;) {
      if (pos >= end) throw new MeterError(`function body ends without its final 'end' at byte ${pos}`)
      const opStart = pos
      const op = src[pos++]!
      switch (FAST[op] as Fast) {
        case Fast.Plain:
          if (reachable) pending += COST[op]!
          continue
        case Fast.Leb:
          // Skipping needs no value: signed and unsigned LEBs both end at a byte below 0x80. A
          // malformed (over-long) LEB is copied as is and rejected by the engine's validation.
          while (pos < end && (src[pos++]! & 0x80) !== 0);
          if (reachable) pending++
          continue
        case Fast.MemArg:
          if (src[pos]! < 0x40) {
            pos++
            while (pos < end && (src[pos++]! & 0x80) !== 0);
          } else {
            r.pos = pos
            skipImmediates(r, op, opStart)
            pos = r.pos
          }
          if (reachable) pending++
          continue
        case Fast.F32:
          pos += 4
          if (reachable) pending++
          continue
        case Fast.F64:
          pos += 8
          if (reachable) pending++
          continue
        case Fast.Local: {
          let index = src[pos]!
          if (index < 0x80) pos++
          else {
            r.pos = pos
            index = r.u32()
            pos = r.pos
          }
          if (reachable) pending++
          if (index >= F) {
            this.flushTo(opStart)
            code.byte(op)
            code.u32(index + 1)
            this.copyStart = pos
          }
          continue
        }
      }
      r.pos = pos
      this.pending = pending
      this.reachable = reachable
      if (this.control(op, opStart)) {
        if (r.pos !== end) throw new MeterError(`code after the function's final 'end' at byte ${r.pos}`)
        return
      }
      pos = r.pos
      pending = this.pending
      reachable = this.reachable
    }
  }

  /** Control flow, calls and uncommon operators; returns true at the function's final `end`. */
  private control(op: number, opStart: number): boolean {
    // Literal case values: V8 turns a dense literal switch into a jump table.
    switch (op) {
      case 0x02: // block
      case 0x03: // loop
      case 0x04: // if
        this.open(op, opStart)
        return false
      case 0x0b: // end
        return this.close(opStart)
      case 0x06: // try
        this.openTry(opStart)
        return false
      case 0x07: // catch
      case 0x19: // catch_all
        this.landingPad(op, opStart)
        return false
      case 0x08: // throw
      case 0x09: // rethrow
        this.raise(op, opStart)
        return false
      case 0x18: // delegate
        return this.delegate(opStart)
      case 0x0c: // br
      case 0x0d: // br_if
        this.branch(op, opStart)
        return false
      case 0x10: // call
        this.call(opStart)
        return false
      case 0x40: // memory.grow
        this.grow(opStart)
        return false
      case 0x05: // else
      case 0x0e: // br_table
      case 0x0f: // return
      case 0x00: // unreachable
      case 0x11: // call_indirect
      case 0xd2: // ref.func
        this.rare(op, opStart)
        return false
      default:
        skipImmediates(this.r, op, opStart)
        if (this.reachable) this.pending += COST[op]!
        return false
    }
  }

  // --- operator families ---

  private open(op: number, opStart: number): void {
    skipBlockType(this.r)
    const depth = this.depth
    if (depth === this.frames.kind.length) this.frames.grow()
    if (op === OP.loop) {
      if (this.reachable) {
        this.settle(opStart, 0) // code before the loop is counted once, not per iteration
        this.flushTo(this.r.pos)
        // translate_loop_header, unless back-edges.ts moved this loop's check to its back edges
        const plan = this.backEdges
        if (plan === null || plan.headerChecks.has(opStart)) this.check(0)
      }
    }
    let carry = 0
    if (op === OP.if && this.reachable) {
      // wasmtime charges before `if` because the edge taken is only known at run time. Both
      // edges include everything so far, so we defer it instead: each arm's end charges only its
      // own cost and the join continues with this carry, merging it into the next charge.
      if (this.ifCarry) carry = ++this.pending
      else this.settle(opStart, 1)
    }
    this.frames.kind[depth] = op === OP.block ? Frame.Block : op === OP.loop ? Frame.Loop : Frame.If
    this.frames.carry[depth] = carry
    this.frames.targeted[depth] = 0
    this.frames.startReachable[depth] = this.reachable ? 1 : 0
    this.depth = depth + 1
  }

  /** Handles `end`; returns true at the function's final `end`. */
  private close(opStart: number): boolean {
    const top = this.depth - 1
    const kind = this.frames.kind[top]
    const targeted = this.frames.targeted[top] === 1
    let reachable = this.reachable
    // A join point needs the fall-through run paid before control merges. A block nothing
    // branches to and a loop's end are not join points: the run just continues.
    const join =
      kind === Frame.If ||
      kind === Frame.Else ||
      kind === Frame.Catch ||
      ((kind === Frame.Block || kind === Frame.Try) && targeted)
    const carry = this.frames.carry[top]!
    if (join) {
      if (reachable) this.settleTo(opStart, 0, carry)
      this.pending = carry
    }
    if (kind === Frame.If) reachable = reachable || targeted || this.frames.startReachable[top] === 1
    else if (kind === Frame.Else) reachable = reachable || targeted || this.frames.thenReachable[top] === 1
    else if (kind === Frame.Catch) reachable = reachable || targeted || this.frames.thenReachable[top] === 1
    else if (kind === Frame.Block || kind === Frame.Try) reachable = reachable || targeted
    if (!reachable) this.pending = 0
    this.reachable = reachable
    this.depth = top
    if (top !== 0) return false
    // End of the body block: return the fuel as the last result (fuel_function_exit).
    this.flushTo(this.r.pos)
    this.pushFuelMinus(this.pending)
    if (this.pending > 0) this.ctx.stats.chargePoints++
    this.code.byte(OP.end)
    return true
  }

  private branch(op: number, opStart: number): void {
    const label = this.r.u32()
    if (this.reachable) {
      const frame = this.target(label, opStart)
      this.settleTo(opStart, 1, this.frames.carry[frame]!) // br_if falls through with the carry uncharged
      if (this.backEdges !== null && this.backEdges.edgeChecks.has(opStart))
        this.edgeCheck(op, label, opStart)
    }
    if (op === OP.br) {
      this.reachable = false
      this.pending = 0
    }
  }

  /**
   * The loop check on a branch back to its header (back-edges.ts), after the branch's charge, so it
   * sees the balance the header check would: before a `br`; a `br_if` becomes
   * `if (then check; br) end`, so the check is on the taken edge only.
   */
  private edgeCheck(op: number, label: number, opStart: number): void {
    this.flushTo(opStart)
    if (op === OP.br) {
      this.check(0)
      return
    }
    const w = this.code
    w.byte(OP.if)
    w.byte(0x40)
    this.check(0)
    w.byte(OP.br)
    w.u32(label + 1)
    w.byte(OP.end)
    this.copyStart = this.r.pos
  }

  // --- exception handling (README.md, "Exception handling") ---

  /**
   * `try` is a block whose body may be left by an exception. The handlers' landing pads reload
   * the balance from the fuel global, which every raise point published, so a pad starts with
   * nothing pending; an enclosing `if` that defers a carry would expect its carry still unpaid
   * there, so such a body is redone without carries.
   */
  private openTry(opStart: number): void {
    if (this.ifCarry) {
      for (let i = 1; i < this.depth; i++) if (this.frames.carry[i] !== 0) throw CARRY_CONFLICT
    }
    this.open(OP.block, opStart)
    const top = this.depth - 1
    this.frames.kind[top] = Frame.Try
    this.frames.thenReachable[top] = 0
  }

  /**
   * `catch tag` / `catch_all`: the previous part (body or clause) falls through to the `end`, a
   * join, so it is paid first; the pad then takes the balance published at the raise point.
   */
  private landingPad(op: number, opStart: number): void {
    const r = this.r
    if (op === OP.catch) r.u32()
    const top = this.depth - 1
    const kind = this.frames.kind[top]
    if (top < 1 || (kind !== Frame.Try && kind !== Frame.Catch))
      throw new MeterError(`'catch' without 'try' at byte ${opStart}`)
    if (this.reachable) {
      this.settleTo(opStart, 0, 0)
      this.frames.thenReachable[top] = 1
    }
    this.frames.kind[top] = Frame.Catch
    this.reachable = this.frames.startReachable[top] === 1
    this.pending = 0
    this.flushTo(r.pos)
    const w = this.code
    w.byte(OP.globalGet)
    w.u32(this.ctx.fuelGlobal)
    w.byte(OP.localSet)
    w.u32(this.F)
  }

  /**
   * `throw` / `rethrow` (cost 1): the frames the exception skips never return their fuel result,
   * so the balance is published to the fuel global first, for the landing pad (or the host).
   */
  private raise(op: number, opStart: number): void {
    const index = this.r.u32()
    if (op === OP.rethrow) {
      const frame = this.depth - 1 - index
      if (index >= this.depth || this.frames.kind[frame] !== Frame.Catch)
        throw new MeterError(`'rethrow' outside a catch clause at byte ${opStart}`)
    }
    if (this.reachable) {
      this.flushTo(opStart)
      this.pushFuelMinus(this.pending + 1)
      this.code.byte(OP.globalSet)
      this.code.u32(this.ctx.fuelGlobal)
      this.ctx.stats.chargePoints++
    }
    this.pending = 0
    this.reachable = false
  }

  /** `delegate label` ends a `try` without handlers; it is no branch, so it costs like `end`. */
  private delegate(opStart: number): boolean {
    const label = this.r.u32()
    const top = this.depth - 1
    if (top < 1 || this.frames.kind[top] !== Frame.Try)
      throw new MeterError(`'delegate' without 'try' at byte ${opStart}`)
    if (label >= top) throw new MeterError(`delegate depth ${label} out of range at byte ${opStart}`)
    return this.close(opStart)
  }

  private call(opStart: number): void {
    const ctx = this.ctx
    const w = this.code
    const callee = this.r.u32()
    if (callee >= ctx.totalFunctions)
      throw new MeterError(`call to unknown function ${callee} at byte ${opStart}`)
    const p = this.reachable ? this.pending + 1 : 0
    this.flushTo(opStart)
    this.pushFuelMinus(p) // the callee's entry check must see the call paid for
    if (p > 0) ctx.stats.chargePoints++
    this.pending = 0
    if (callee < ctx.importedFunctions) {
      // Host function: original ABI; publish the balance and take back whatever the host left.
      w.byte(OP.globalSet)
      w.u32(ctx.fuelGlobal)
      this.flushTo(this.r.pos)
      w.byte(OP.globalGet)
      w.u32(ctx.fuelGlobal)
    } else {
      this.flushTo(this.r.pos)
    }
    w.byte(OP.localSet)
    w.u32(this.F)
  }

  /**
   * `memory.grow` costs 1 as ever; with `recordFailedGrow` it becomes a call to the recorder,
   * which grows memory 0 the same way and notes a failed request. The call itself is not charged
   * (it stands for the one operator), so fuel is the same with or without the record.
   */
  private grow(opStart: number): void {
    const memory = this.r.u32()
    if (this.reachable) this.pending += COST[OP.memoryGrow]!
    const helper = this.ctx.growHelper
    if (helper === null || memory !== 0) return
    this.flushTo(opStart)
    this.code.byte(OP.call)
    this.code.u32(helper)
    this.copyStart = this.r.pos
  }

  private rare(op: number, opStart: number): void {
    const r = this.r
    const w = this.code
    const stats = this.ctx.stats
    switch (op) {
      case OP.else: {
        const top = this.depth - 1
        if (top < 1 || this.frames.kind[top] !== Frame.If)
          throw new MeterError(`'else' without 'if' at byte ${opStart}`)
        const carry = this.frames.carry[top]!
        if (this.reachable) this.settleTo(opStart, 0, carry)
        this.frames.thenReachable[top] = this.reachable ? 1 : 0
        this.frames.kind[top] = Frame.Else
        this.reachable = this.frames.startReachable[top] === 1
        this.pending = this.reachable ? carry : 0 // the false edge arrives with the carry uncharged
        return
      }
      case OP.brTable: {
        const n = r.u32()
        let carry = -1
        for (let i = 0; i <= n; i++) {
          const label = r.u32()
          if (this.reachable) {
            const c = this.frames.carry[this.target(label, opStart)]!
            // One charge serves every target, so they must all expect the same carry.
            if (carry !== -1 && c !== carry) throw CARRY_CONFLICT
            carry = c
          }
        }
        if (this.reachable) this.settleTo(opStart, 1, carry)
        this.pending = 0
        this.reachable = false
        return
      }
      case OP.return: {
        // Return costs 0; the fuel result carries everything executed so far.
        this.flushTo(opStart)
        const p = this.reachable ? this.pending : 0
        this.pushFuelMinus(p)
        if (p > 0) stats.chargePoints++
        this.pending = 0
        this.reachable = false
        return
      }
      case OP.unreachable: {
        if (this.reachable) {
          // Keep the exported balance current for the host when the program aborts.
          this.flushTo(opStart)
          this.pushFuelMinus(this.pending)
          w.byte(OP.globalSet)
          w.u32(this.ctx.fuelGlobal)
          if (this.pending > 0) stats.chargePoints++
        }
        this.pending = 0
        this.reachable = false
        return
      }
      case OP.callIndirect: {
        const type = r.u32()
        const table = r.u32()
        const p = this.reachable ? this.pending + 1 : 0
        this.flushTo(opStart)
        this.usedTmp = true
        w.byte(OP.localSet) // the table index is on top; slip the fuel argument under it
        w.u32(this.TMP)
        this.pushFuelMinus(p)
        if (p > 0) stats.chargePoints++
        this.pending = 0
        w.byte(OP.localGet)
        w.u32(this.TMP)
        w.byte(OP.callIndirect)
        w.u32(this.ctx.threadedType(type))
        w.u32(table)
        w.byte(OP.localSet)
        w.u32(this.F)
        this.copyStart = r.pos
        return
      }
      case OP.refFunc: {
        const f = r.u32()
        if (f < this.ctx.importedFunctions) {
          throw new MeterError(`ref.func of imported function ${f} at byte ${opStart} is not supported`)
        }
        if (this.reachable) this.pending++
        return
      }
    }
  }
}
