/**
 * The operators the meter understands: how to skip each one's immediates and what it costs.
 *
 * Cost model (wasmtime's default, read in bytecodealliance/wasmtime
 * `crates/environ/src/tunables.rs` `default_cost!`, and `crates/cranelift/src/func_environ.rs`
 * `fuel_before_op`, commit 006c9d775adc178765b8d24c00dbddf9a6aeac85): Nop, Drop, Block, Loop,
 * Unreachable, Return, Else and End cost 0 ("generate no code" or "control flow is free"); every
 * other operator costs 1, `if` included ("some cost is incurred with the conditional check").
 *
 * Exception handling (the legacy proposal clang 16 emits and Node 20 runs: `try`, `catch`,
 * `catch_all`, `delegate`, `throw`, `rethrow`) is outside wasmtime's table, so we cost it by the
 * same rule: the structure markers generate no code (`try` like `block`, `catch`/`catch_all` like
 * `else`, `delegate` like `end`) and cost 0; `throw` and `rethrow` do work and cost 1 (README.md,
 * "Exception handling").
 *
 * Supported: the MVP, sign extension, multi-value, non-trapping float-to-int (0xFC 0–7), bulk
 * memory and reference-type table operators (0xFC 8–17), typed select, ref.null/is_null/func,
 * legacy exception handling. Everything else (SIMD 0xFD, atomics 0xFE, the newer `try_table`
 * exception handling, tail calls, GC, call_ref) is refused: we would not know its cost, or
 * whether it leaves the function.
 */

export const enum Imm {
  Unknown = 0,
  None,
  BlockType,
  Label,
  BrTable,
  Func,
  CallIndirect,
  Local,
  Global,
  Table,
  MemArg,
  MemIdx,
  I32,
  I64,
  F32,
  F64,
  SelectT,
  RefNull,
  Prefix,
  /** A tag index (`catch`, `throw`). */
  Tag
}

export const OP = {
  unreachable: 0x00,
  nop: 0x01,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  try: 0x06,
  catch: 0x07,
  throw: 0x08,
  rethrow: 0x09,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  brTable: 0x0e,
  return: 0x0f,
  call: 0x10,
  callIndirect: 0x11,
  delegate: 0x18,
  catchAll: 0x19,
  drop: 0x1a,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  globalGet: 0x23,
  globalSet: 0x24,
  memoryGrow: 0x40,
  i32Const: 0x41,
  i64Const: 0x42,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32GtU: 0x4b,
  i64LtS: 0x53,
  i64Add: 0x7c,
  i64Sub: 0x7d,
  refFunc: 0xd2,
  prefixFC: 0xfc
} as const

/** Immediate kind of each single-byte opcode; `Imm.Unknown` means refuse. */
export const IMMEDIATE = new Uint8Array(256)
/** wasmtime's default cost of each single-byte opcode (0xFC sub-operators all cost 1). */
export const COST = new Uint8Array(256)

function define(from: number, to: number, imm: Imm): void {
  for (let op = from; op <= to; op++) {
    IMMEDIATE[op] = imm
    COST[op] = 1
  }
}

define(0x00, 0x01, Imm.None) // unreachable, nop
define(0x02, 0x04, Imm.BlockType) // block, loop, if
define(0x05, 0x05, Imm.None) // else
define(0x06, 0x06, Imm.BlockType) // try
define(0x07, 0x08, Imm.Tag) // catch, throw
define(0x09, 0x09, Imm.Label) // rethrow
define(0x0b, 0x0b, Imm.None) // end
define(0x0c, 0x0d, Imm.Label) // br, br_if
define(0x0e, 0x0e, Imm.BrTable)
define(0x0f, 0x0f, Imm.None) // return
define(0x10, 0x10, Imm.Func) // call
define(0x11, 0x11, Imm.CallIndirect)
define(0x18, 0x18, Imm.Label) // delegate
define(0x19, 0x19, Imm.None) // catch_all
define(0x1a, 0x1b, Imm.None) // drop, select
define(0x1c, 0x1c, Imm.SelectT)
define(0x20, 0x22, Imm.Local)
define(0x23, 0x24, Imm.Global)
define(0x25, 0x26, Imm.Table) // table.get, table.set
define(0x28, 0x3e, Imm.MemArg) // loads and stores
define(0x3f, 0x40, Imm.MemIdx) // memory.size, memory.grow
define(0x41, 0x41, Imm.I32)
define(0x42, 0x42, Imm.I64)
define(0x43, 0x43, Imm.F32)
define(0x44, 0x44, Imm.F64)
define(0x45, 0xc4, Imm.None) // numeric, conversions, reinterpretations, sign extension (0xc0–0xc4)
define(0xd0, 0xd0, Imm.RefNull)
define(0xd1, 0xd1, Imm.None) // ref.is_null
define(0xd2, 0xd2, Imm.Func) // ref.func
define(0xfc, 0xfc, Imm.Prefix)

for (const free of [0x00, 0x01, 0x02, 0x03, 0x05, 0x0b, 0x0f, 0x1a]) COST[free] = 0
// Exception handling's structure markers, by analogy (try ~ block, catch ~ else, delegate ~ end).
for (const free of [0x06, 0x07, 0x18, 0x19]) COST[free] = 0

/** Human-readable name of a refused opcode, for the error message. */
export function describeUnknownOpcode(op: number): string {
  const known: Record<number, string> = {
    0x0a: 'throw_ref (exception handling with exnref)',
    0x12: 'return_call (tail calls)',
    0x13: 'return_call_indirect (tail calls)',
    0x14: 'call_ref (function references)',
    0x1f: 'try_table (exception handling with exnref)',
    0xfb: 'GC prefix 0xFB',
    0xfd: 'SIMD prefix 0xFD',
    0xfe: 'atomics prefix 0xFE'
  }
  return known[op] ?? `opcode 0x${op.toString(16).padStart(2, '0')}`
}
