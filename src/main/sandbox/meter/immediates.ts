/**
 * Decoding of the operator immediates the rewriter skips over, and of block types. Off the hot
 * path: body.ts decodes the common operators inline.
 */
import type { ByteReader } from './bytes'
import { MeterError } from './bytes'
import { IMMEDIATE, Imm, describeUnknownOpcode } from './opcodes'

export const VALTYPES = new Set([0x7f, 0x7e, 0x7d, 0x7c, 0x70, 0x6f])

export function skipBlockType(r: ByteReader): void {
  const b = r.bytes[r.pos]
  if (b === 0x40 || (b !== undefined && VALTYPES.has(b))) {
    r.pos++
    return
  }
  if (r.sleb(33) < 0) throw new MeterError(`unsupported block type at byte ${r.pos}`)
}

/** Skips the immediates of a non-control operator. */
export function skipImmediates(r: ByteReader, op: number, opStart: number): void {
  switch (IMMEDIATE[op] as Imm) {
    case Imm.None:
      return
    case Imm.Global:
    case Imm.Table:
    case Imm.MemIdx:
    case Imm.Func:
    case Imm.Tag:
      r.u32()
      return
    case Imm.MemArg: {
      const align = r.u32()
      if (align & 0x40) r.u32() // multi-memory: a memory index follows the alignment
      r.u32()
      return
    }
    case Imm.I32:
      r.sleb(32)
      return
    case Imm.I64:
      r.skipS64()
      return
    case Imm.F32:
      r.skip(4)
      return
    case Imm.F64:
      r.skip(8)
      return
    case Imm.SelectT: {
      const n = r.u32()
      for (let i = 0; i < n; i++) {
        if (!VALTYPES.has(r.u8()))
          throw new MeterError(`unsupported value type in typed select at byte ${opStart}`)
      }
      return
    }
    case Imm.RefNull:
      if (r.u8() !== 0x70 && r.bytes[r.pos - 1] !== 0x6f) {
        throw new MeterError(`unsupported heap type in ref.null at byte ${opStart}`)
      }
      return
    case Imm.Prefix: {
      const sub = r.u32()
      if (sub <= 7) return // saturating truncations
      if (sub === 8 || sub === 10 || sub === 12 || sub === 14) {
        r.u32() // memory.init, memory.copy, table.init, table.copy: two indices
        r.u32()
        return
      }
      if (sub <= 17) {
        r.u32() // data.drop, memory.fill, elem.drop, table.grow/size/fill: one index
        return
      }
      throw new MeterError(`unsupported operator 0xFC ${sub} at byte ${opStart}`)
    }
    default:
      throw new MeterError(`unsupported operator ${describeUnknownOpcode(op)} at byte ${opStart}`)
  }
}
