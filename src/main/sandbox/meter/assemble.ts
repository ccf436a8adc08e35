/**
 * Section assembly: re-emits the module's sections in order with the rewrite's changes — the
 * types with the fuel-ABI twins, the memory import, the new functions, globals and exports, the
 * rewritten element, data and name sections — and inserts the sections the original lacked.
 */
import { ByteWriter, MeterError } from './bytes'
import { OP } from './opcodes'
import { type FuncType, type ParsedModule, SECTION, sectionOrder } from './sections'
import { dropActiveData, rewriteElements, rewriteNames } from './segments'

export const MEMORY_IMPORT = { module: 'env', name: 'memory' } as const
const I64 = 0x7e
const I32 = 0x7f
const FUNCREF = 0x70

export interface AssemblyPlan {
  m: ParsedModule
  /** All types: the original ones first, then the appended ones. */
  types: FuncType[]
  /** New type index of each defined function. */
  definedTypes: number[]
  /** Functions appended after the original ones. */
  newFuncs: { type: number; name: string; body: ByteWriter }[]
  /** The complete code section payload. */
  code: ByteWriter
  /** Target function of each original export (wrappers for defined functions). */
  exportWrappers: number[]
  extraExports: { name: string; kind: number; index: number }[]
  startFunc: number | null
  /** Imported function → its fuel-ABI adapter, for element segments. */
  adapterOf: Map<number, number>
  convertMemory: boolean
  dropActiveDataSegments: boolean
  /** Append the one-entry funcref table of the fuel-slice hook. */
  appendSliceTable: boolean
  /** A `metadata.code.branch_hint` custom section payload (name included), placed before the code. */
  branchHints: ByteWriter | null
  /** Append the i32 global of the failed-grow record after the fuel globals (`recordFailedGrow`). */
  appendFailedGrowGlobal: boolean
}

export function assembleModule(plan: AssemblyPlan): Uint8Array<ArrayBuffer> {
  const {
    m,
    types,
    definedTypes,
    newFuncs,
    code,
    exportWrappers,
    extraExports,
    startFunc,
    adapterOf,
    convertMemory
  } = plan
  const src = m.bytes
  const I = m.importedFunctions
  const D = m.functionTypes.length
  const N = I + D
  // The fuel balance and the out-of-fuel flag, then the failed-grow record if asked for.
  const appendedGlobals = plan.appendFailedGrowGlobal ? 3 : 2
  const codeSection = m.sections.find((x) => x.id === SECTION.code)
  const out = new ByteWriter(
    code.len + src.length - (codeSection ? codeSection.end - codeSection.start : 0) + 65536
  )
  out.bytes(src, 0, 8)
  const section = (id: number, payload: ByteWriter): void => {
    out.byte(id)
    out.sized(payload)
  }
  const copy = (s: { id: number; start: number; end: number }): void => {
    out.byte(s.id)
    out.u32(s.end - s.start)
    out.bytes(src, s.start, s.end)
  }
  const writeImports = (): void => {
    if (!convertMemory) return
    const w = new ByteWriter(256)
    const importSec = m.sections.find((s) => s.id === SECTION.import)
    const r = importSec ? importSec.start : 0
    if (importSec) {
      w.u32(m.imports.length + 1)
      // copy the entries after the original count
      const countLen = lebLength(src, r)
      w.bytes(src, r + countLen, importSec.end)
    } else {
      w.u32(1)
    }
    w.name(MEMORY_IMPORT.module)
    w.name(MEMORY_IMPORT.name)
    w.byte(2)
    const lim = m.memories[0]!
    w.byte(lim.max === null ? 0 : 1)
    w.u32(lim.min)
    if (lim.max !== null) w.u32(lim.max)
    section(SECTION.import, w)
  }
  let wroteTypes = false
  let wroteImports = false
  const ensureEarly = (beforeId: number): void => {
    if (!wroteTypes && beforeId >= SECTION.type) {
      wroteTypes = true
      const w = new ByteWriter(types.length * 8 + 8)
      w.u32(types.length)
      for (const t of types) {
        w.byte(0x60)
        w.u32(t.params.length)
        for (const p of t.params) w.byte(p)
        w.u32(t.results.length)
        for (const p of t.results) w.byte(p)
      }
      section(SECTION.type, w)
    }
    if (!wroteImports && beforeId >= SECTION.import) {
      wroteImports = true
      writeImports()
    }
  }
  const order = sectionOrder
  let functionSectionSeen = false
  for (const s of m.sections) {
    if (s.id === SECTION.custom) {
      if (s.name === 'name') {
        const payloadStart = s.start + lebLength(src, s.start) + lebValue(src, s.start)
        const names = rewriteNames(src, payloadStart, s.end, {
          newFunctionNames: new Map(newFuncs.map((f, i) => [N + i, f.name])),
          fuelParamOf: (f) => (f >= I && f < N ? m.types[m.functionTypes[f - I]!]!.params.length : null)
        })
        const w = new ByteWriter(names.len + 8)
        w.name('name')
        w.bytes(names.buf, 0, names.len)
        section(SECTION.custom, w)
      } else if (
        !s.name?.startsWith('.debug_') &&
        s.name !== 'sourceMappingURL' &&
        s.name !== 'external_debug_info'
      ) {
        // DWARF and source maps address the original code bytes; kept, they would mislead a debugger.
        copy(s)
      }
      continue
    }
    ensureEarly(order(s.id))
    switch (s.id) {
      case SECTION.type:
      case SECTION.import:
        if (s.id === SECTION.import && convertMemory) break // already written with the memory
        if (s.id === SECTION.import) copy(s)
        break
      case SECTION.function: {
        functionSectionSeen = true
        const w = new ByteWriter(D * 2 + 16)
        w.u32(D + newFuncs.length)
        for (const t of definedTypes) w.u32(t)
        for (const f of newFuncs) w.u32(f.type)
        section(SECTION.function, w)
        break
      }
      case SECTION.table: {
        if (!plan.appendSliceTable) {
          copy(s)
          break
        }
        const w = new ByteWriter(s.end - s.start + 8)
        w.u32(lebValue(src, s.start) + 1)
        w.bytes(src, s.start + lebLength(src, s.start), s.end)
        appendSliceTable(w)
        section(SECTION.table, w)
        break
      }
      case SECTION.memory:
        if (!convertMemory) copy(s)
        break
      case SECTION.global: {
        const w = new ByteWriter(s.end - s.start + 16)
        w.u32(m.globals.length + appendedGlobals)
        w.bytes(src, s.start + lebLength(src, s.start), s.end)
        appendFuelGlobals(w)
        section(SECTION.global, w)
        break
      }
      case SECTION.export:
        section(SECTION.export, exportSection(m, exportWrappers, extraExports))
        break
      case SECTION.start: {
        const w = new ByteWriter(8)
        w.u32(startFunc!)
        section(SECTION.start, w)
        break
      }
      case SECTION.element:
        section(
          SECTION.element,
          rewriteElements(src, s.start, s.end, (f) => adapterOf.get(f) ?? f)
        )
        break
      case SECTION.code:
        if (!functionSectionSeen) throw new MeterError('code section without function section')
        if (plan.branchHints !== null) section(SECTION.custom, plan.branchHints)
        section(SECTION.code, code)
        break
      case SECTION.data:
        if (plan.dropActiveDataSegments) section(SECTION.data, dropActiveData(src, s.start, s.end).section)
        else copy(s)
        break
      default:
        copy(s)
    }
    // Sections the original lacks but the rewrite needs are emitted just before their successor.
    insertMissing(order(s.id))
  }
  if (!m.sections.some((s) => s.id === SECTION.custom && s.name === 'name')) {
    // No name section: add one naming the meter's functions, so its trap shows as fb_out_of_fuel.
    const w = new ByteWriter(256)
    w.name('name')
    const names = rewriteNames(new Uint8Array(0), 0, 0, {
      newFunctionNames: new Map(newFuncs.map((f, i) => [N + i, f.name])),
      fuelParamOf: () => null
    })
    w.bytes(names.buf, 0, names.len)
    section(SECTION.custom, w)
  }
  if (!functionSectionSeen && newFuncs.length > 0) {
    throw new MeterError('modules without a code section are not supported')
  }
  return out.view()

  function appendFuelGlobals(w: ByteWriter): void {
    w.byte(I64)
    w.byte(1)
    w.byte(OP.i64Const)
    w.byte(0)
    w.byte(OP.end)
    w.byte(I32)
    w.byte(1)
    w.byte(OP.i32Const)
    w.byte(0)
    w.byte(OP.end)
    if (plan.appendFailedGrowGlobal) {
      w.byte(I32)
      w.byte(1)
      w.byte(OP.i32Const)
      w.byte(0)
      w.byte(OP.end)
    }
  }

  function appendSliceTable(w: ByteWriter): void {
    w.byte(FUNCREF)
    w.byte(1) // limits with a maximum
    w.u32(1)
    w.u32(1)
  }

  function insertMissing(after: number): void {
    const has = (id: number): boolean => m.sections.some((s) => s.id === id)
    const next = m.sections.find((s) => s.id !== SECTION.custom && order(s.id) > after)
    const nextOrder = next ? order(next.id) : Infinity
    if (plan.appendSliceTable && !has(SECTION.table) && SECTION.table > after && SECTION.table < nextOrder) {
      const w = new ByteWriter(8)
      w.u32(1)
      appendSliceTable(w)
      section(SECTION.table, w)
    }
    if (!has(SECTION.global) && SECTION.global > after && SECTION.global < nextOrder) {
      const w = new ByteWriter(16)
      w.u32(appendedGlobals)
      appendFuelGlobals(w)
      section(SECTION.global, w)
    }
    if (!has(SECTION.export) && SECTION.export > after && SECTION.export < nextOrder) {
      section(SECTION.export, exportSection(m, exportWrappers, extraExports))
    }
  }
}

function exportSection(
  m: ParsedModule,
  targets: number[],
  extra: { name: string; kind: number; index: number }[]
): ByteWriter {
  const w = new ByteWriter(1024)
  w.u32(m.exports.length + extra.length)
  m.exports.forEach((e, i) => {
    w.name(e.name)
    w.byte(e.kind)
    w.u32(targets[i]!)
  })
  for (const e of extra) {
    w.name(e.name)
    w.byte(e.kind)
    w.u32(e.index)
  }
  return w
}

function lebLength(bytes: Uint8Array, at: number): number {
  let n = 1
  while (bytes[at + n - 1]! & 0x80) n++
  return n
}

function lebValue(bytes: Uint8Array, at: number): number {
  let v = 0
  let mul = 1
  for (let i = at; ; i++) {
    v += (bytes[i]! & 0x7f) * mul
    if (!(bytes[i]! & 0x80)) return v
    mul *= 128
  }
}
