/**
 * Reads a module's section layout and the few sections the rewriter needs to understand
 * (types, imports, functions, memories, tags, globals, exports, start, elements). Everything else
 * is kept as byte ranges and copied through untouched.
 */
import { ByteReader, MeterError } from './bytes'

export const SECTION = {
  custom: 0,
  type: 1,
  import: 2,
  function: 3,
  table: 4,
  memory: 5,
  global: 6,
  export: 7,
  start: 8,
  element: 9,
  code: 10,
  data: 11,
  dataCount: 12,
  /** Exception tags (the exception-handling proposal); placed between memory and global. */
  tag: 13
} as const

/** Where a section goes in the module's order (data count and tag sections have late ids). */
export function sectionOrder(id: number): number {
  return id === SECTION.dataCount ? 9.5 : id === SECTION.tag ? 5.5 : id
}

export interface Section {
  id: number
  /** Payload range. */
  start: number
  end: number
  /** For custom sections. */
  name?: string
}

export interface FuncType {
  params: number[]
  results: number[]
}

export interface Limits {
  min: number
  max: number | null
}

export interface Import {
  module: string
  field: string
  kind: number
  /** Function type index (kind 0), or the type of an imported tag (kind 4). */
  type: number
  /** Global value type and mutability (kind 3). */
  valType: number
  mutable: boolean
  limits: Limits | null
}

export interface Export {
  name: string
  kind: number
  index: number
}

export interface ParsedModule {
  bytes: Uint8Array
  sections: Section[]
  types: FuncType[]
  imports: Import[]
  importedFunctions: number
  importedGlobals: number
  /** Tables, imported and defined: a table the meter appends takes the next index. */
  tables: number
  /** Original type index of each defined function. */
  functionTypes: number[]
  /** Defined memories' limits. */
  memories: Limits[]
  /** Defined globals: value type and mutability. */
  globals: { valType: number; mutable: boolean }[]
  exports: Export[]
  start: number | null
  /** Body ranges (locals + code, without the size prefix) of defined functions. */
  bodies: { start: number; end: number }[]
}

const VALTYPE_NAMES: Record<number, string> = {
  0x7f: 'i32',
  0x7e: 'i64',
  0x7d: 'f32',
  0x7c: 'f64',
  0x7b: 'v128',
  0x70: 'funcref',
  0x6f: 'externref'
}

export function valTypeName(t: number): string {
  return VALTYPE_NAMES[t] ?? `0x${t.toString(16)}`
}

function readValType(r: ByteReader): number {
  const t = r.u8()
  if (!(t in VALTYPE_NAMES))
    throw new MeterError(`unsupported value type 0x${t.toString(16)} at byte ${r.pos - 1}`)
  return t
}

export function readLimits(r: ByteReader, what: string): Limits {
  const flags = r.u8()
  if (flags & ~1) {
    throw new MeterError(
      `unsupported ${what} limits flags 0x${flags.toString(16)} (shared or 64-bit memories are not supported)`
    )
  }
  const min = r.u32()
  return { min, max: flags & 1 ? r.u32() : null }
}

/** Skips a constant expression up to and including its `end`; returns the ref.func indices it names. */
export function skipConstExpr(r: ByteReader): number[] {
  const funcs: number[] = []
  for (;;) {
    const at = r.pos
    const op = r.u8()
    switch (op) {
      case 0x0b:
        return funcs
      case 0x41:
        r.sleb(32)
        break
      case 0x42:
        r.skipS64()
        break
      case 0x43:
        r.skip(4)
        break
      case 0x44:
        r.skip(8)
        break
      case 0x23:
        r.u32()
        break
      case 0xd0:
        r.u8()
        break
      case 0xd2:
        funcs.push(r.u32())
        break
      case 0x6a: // extended constant expressions: i32/i64 add, sub, mul
      case 0x6b:
      case 0x6c:
      case 0x7c:
      case 0x7d:
      case 0x7e:
        break
      default:
        throw new MeterError(
          `unsupported operator 0x${op.toString(16)} in a constant expression at byte ${at}`
        )
    }
  }
}

/** A tag's attribute (0: exception) and type index; the meter never renumbers types it reads. */
function readTagType(r: ByteReader, typeCount: number): number {
  const at = r.pos
  const attribute = r.u8()
  if (attribute !== 0) throw new MeterError(`unsupported tag attribute ${attribute} at byte ${at}`)
  const type = r.u32()
  if (type >= typeCount) throw new MeterError(`tag type index ${type} out of range at byte ${at}`)
  return type
}

export function parseModule(bytes: Uint8Array): ParsedModule {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new MeterError('not a WebAssembly module (missing \\0asm magic)')
  }
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) {
    throw new MeterError(
      'unsupported WebAssembly binary version (only version 1 modules; components are not supported)'
    )
  }
  const m: ParsedModule = {
    bytes,
    sections: [],
    types: [],
    imports: [],
    importedFunctions: 0,
    importedGlobals: 0,
    tables: 0,
    functionTypes: [],
    memories: [],
    globals: [],
    exports: [],
    start: null,
    bodies: []
  }
  const r = new ByteReader(bytes, 8)
  while (r.pos < r.end) {
    const id = r.u8()
    const size = r.u32()
    const start = r.pos
    const end = start + size
    if (end > bytes.length)
      throw new MeterError(`truncated module: section ${id} runs past the end of the file`)
    const s = new ByteReader(bytes, start, end)
    const section: Section = { id, start, end }
    switch (id) {
      case SECTION.custom:
        section.name = s.name()
        break
      case SECTION.type:
        for (let n = s.u32(), i = 0; i < n; i++) {
          const form = s.u8()
          if (form !== 0x60)
            throw new MeterError(`unsupported type form 0x${form.toString(16)} (GC types are not supported)`)
          const params: number[] = []
          for (let k = s.u32(), j = 0; j < k; j++) params.push(readValType(s))
          const results: number[] = []
          for (let k = s.u32(), j = 0; j < k; j++) results.push(readValType(s))
          m.types.push({ params, results })
        }
        break
      case SECTION.import:
        for (let n = s.u32(), i = 0; i < n; i++) {
          const imp: Import = {
            module: s.name(),
            field: s.name(),
            kind: s.u8(),
            type: -1,
            valType: 0,
            mutable: false,
            limits: null
          }
          if (imp.kind === 0) {
            imp.type = s.u32()
            m.importedFunctions++
          } else if (imp.kind === 1) {
            s.u8()
            imp.limits = readLimits(s, 'table')
            m.tables++
          } else if (imp.kind === 2) {
            imp.limits = readLimits(s, 'memory')
          } else if (imp.kind === 3) {
            imp.valType = readValType(s)
            imp.mutable = s.u8() === 1
            m.importedGlobals++
          } else if (imp.kind === 4) {
            imp.type = readTagType(s, m.types.length)
          } else {
            throw new MeterError(`unsupported import kind ${imp.kind} (${imp.module}.${imp.field})`)
          }
          m.imports.push(imp)
        }
        break
      case SECTION.function:
        for (let n = s.u32(), i = 0; i < n; i++) m.functionTypes.push(s.u32())
        break
      case SECTION.memory:
        for (let n = s.u32(), i = 0; i < n; i++) m.memories.push(readLimits(s, 'memory'))
        break
      case SECTION.global:
        for (let n = s.u32(), i = 0; i < n; i++) {
          const valType = readValType(s)
          const mutable = s.u8() === 1
          skipConstExpr(s)
          m.globals.push({ valType, mutable })
        }
        break
      case SECTION.export:
        for (let n = s.u32(), i = 0; i < n; i++)
          m.exports.push({ name: s.name(), kind: s.u8(), index: s.u32() })
        break
      case SECTION.start:
        m.start = s.u32()
        break
      case SECTION.code:
        for (let n = s.u32(), i = 0; i < n; i++) {
          const len = s.u32()
          m.bodies.push({ start: s.pos, end: s.pos + len })
          s.skip(len)
        }
        break
      case SECTION.table:
        m.tables += s.u32()
        s.pos = end
        break
      case SECTION.tag:
        for (let n = s.u32(), i = 0; i < n; i++) readTagType(s, m.types.length)
        break
      case SECTION.element:
      case SECTION.data:
      case SECTION.dataCount:
        s.pos = end
        break
      default:
        throw new MeterError(`unsupported section id ${id} (a post-MVP section the meter does not know)`)
    }
    if (id !== SECTION.custom && s.pos !== end)
      throw new MeterError(`malformed section ${id}: ${end - s.pos} unread bytes`)
    m.sections.push(section)
    r.pos = end
  }
  if (m.bodies.length !== m.functionTypes.length) {
    throw new MeterError(
      `function and code sections disagree (${m.functionTypes.length} vs ${m.bodies.length})`
    )
  }
  for (const t of m.functionTypes)
    if (t >= m.types.length) throw new MeterError(`function type index ${t} out of range`)
  return m
}
