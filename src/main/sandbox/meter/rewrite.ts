/**
 * Module-level rewrite: re-emits every section, switching defined functions to the fuel ABI
 * (extra last i64 parameter and result), adding the fuel and out-of-fuel globals, the trap
 * helper, export/start wrappers and import adapters, and applying the memory/data/global options.
 *
 * New types, functions and globals are only ever *appended*, so every existing index (types,
 * functions, globals, memories, data segments) keeps its meaning and the name section stays valid.
 */
import { ByteWriter, MeterError } from './bytes'
import { FuelBodyRewriter, type BodyContext } from './body'
import { OP } from './opcodes'
import { type FuncType, type ParsedModule, SECTION, valTypeName } from './sections'
import { dropActiveData, importedFunctionsInElements, rewriteElements, rewriteNames } from './segments'
import type { MeteredModule, MeterOptions } from './types'

export const FUEL_EXPORT = 'fb_fuel'
export const OUT_OF_FUEL_EXPORT = 'fb_out_of_fuel'
export const MEMORY_IMPORT = { module: 'env', name: 'memory' } as const
export const MUTABLE_GLOBAL_PREFIX = 'fb_global_'
const I64 = 0x7e
const I32 = 0x7f

export function rewriteModule(
  m: ParsedModule,
  options: Required<Omit<MeterOptions, 'functionEntryCost'>> & { functionEntryCost: number }
): MeteredModule {
  const src = m.bytes
  const I = m.importedFunctions
  const D = m.functionTypes.length
  const N = I + D
  const globalCount = m.importedGlobals + m.globals.length
  const fuelGlobal = globalCount
  const flagGlobal = globalCount + 1

  // --- types: originals, then fuel-ABI twins and helpers, appended on demand ---
  const types: FuncType[] = m.types.slice()
  const typeKey = (t: FuncType): string => `${t.params.join(',')}:${t.results.join(',')}`
  const typeIndex = new Map<string, number>()
  types.forEach((t, i) => {
    if (!typeIndex.has(typeKey(t))) typeIndex.set(typeKey(t), i)
  })
  const internType = (t: FuncType): number => {
    const k = typeKey(t)
    let i = typeIndex.get(k)
    if (i === undefined) {
      i = types.length
      types.push(t)
      typeIndex.set(k, i)
    }
    return i
  }
  const threadedCache = new Map<number, number>()
  const threadedType = (t: number): number => {
    let i = threadedCache.get(t)
    if (i === undefined) {
      const orig = m.types[t]
      if (!orig) throw new MeterError(`type index ${t} out of range`)
      i = internType({ params: [...orig.params, I64], results: [...orig.results, I64] })
      threadedCache.set(t, i)
    }
    return i
  }
  const blockTypeCache = new Map<FuncType, Uint8Array>()
  const resultBlockType = (t: FuncType): Uint8Array => {
    let bt = blockTypeCache.get(t)
    if (!bt) {
      bt = encodeResultBlockType(t)
      blockTypeCache.set(t, bt)
    }
    return bt
  }
  const encodeResultBlockType = (t: FuncType): Uint8Array => {
    if (t.results.length === 0) return Uint8Array.of(0x40)
    if (t.results.length === 1) return Uint8Array.of(t.results[0]!)
    const w = new ByteWriter(8)
    w.sleb(internType({ params: [], results: t.results }))
    return w.result()
  }

  // Every defined function moves to its fuel-ABI twin type (interned before the type section is written).
  const definedTypes = m.functionTypes.map(threadedType)

  // --- appended functions: trap helper, export/start wrappers, import adapters ---
  const newFuncs: { type: number; name: string; body: ByteWriter }[] = []
  const appendFunc = (type: number, name: string, body: ByteWriter): number => {
    newFuncs.push({ type, name, body })
    return N + newFuncs.length - 1
  }
  const bodyOf = (emit: (w: ByteWriter) => void): ByteWriter => {
    const w = new ByteWriter(32)
    w.byte(0) // no locals
    emit(w)
    w.byte(OP.end)
    return w
  }
  const funcName = (f: number): string => {
    const e = m.exports.find((x) => x.kind === 0 && x.index === f)
    return e ? e.name : `func${f}`
  }

  // Host-facing entry points keep the original signature: load the fuel, call, store it back.
  const wrapperOf = new Map<number, number>()
  const wrap = (f: number): number => {
    if (f < I) return f
    let wi = wrapperOf.get(f)
    if (wi === undefined) {
      const t = m.types[m.functionTypes[f - I]!]!
      wi = appendFunc(
        m.functionTypes[f - I]!,
        `${funcName(f)}.fb_entry`,
        bodyOf((w) => {
          for (let p = 0; p < t.params.length; p++) {
            w.byte(OP.localGet)
            w.u32(p)
          }
          w.byte(OP.globalGet)
          w.u32(fuelGlobal)
          w.byte(OP.call)
          w.u32(f)
          w.byte(OP.globalSet)
          w.u32(fuelGlobal)
        })
      )
      wrapperOf.set(f, wi)
    }
    return wi
  }

  // Imported functions stored in tables are reached by call_indirect with a fuel-ABI type.
  const elementSection = m.sections.find((s) => s.id === SECTION.element)
  const adapterOf = new Map<number, number>()
  if (elementSection) {
    for (const f of importedFunctionsInElements(src, elementSection.start, elementSection.end, I)) {
      const imp = m.imports.filter((x) => x.kind === 0)[f]!
      const t = m.types[imp.type]!
      adapterOf.set(
        f,
        appendFunc(
          threadedType(imp.type),
          `${imp.module}.${imp.field}.fb_adapter`,
          bodyOf((w) => {
            for (let p = 0; p < t.params.length; p++) {
              w.byte(OP.localGet)
              w.u32(p)
            }
            w.byte(OP.localGet)
            w.u32(t.params.length)
            w.byte(OP.globalSet)
            w.u32(fuelGlobal)
            w.byte(OP.call)
            w.u32(f)
            w.byte(OP.globalGet)
            w.u32(fuelGlobal)
          })
        )
      )
    }
  }

  const exportWrappers = m.exports.map((e) => (e.kind === 0 ? wrap(e.index) : e.index))
  const startFunc = m.start === null ? null : wrap(m.start)

  // --- function bodies ---
  const stats = { functions: D, chargePoints: 0, checks: 0 }
  const ctx: BodyContext = {
    importedFunctions: I,
    totalFunctions: N,
    fuelGlobal,
    flagGlobal,
    entryCost: options.functionEntryCost,
    threadedType,
    stats
  }
  const codeSection = m.sections.find((x) => x.id === SECTION.code)
  const code = new ByteWriter(
    codeSection ? Math.ceil((codeSection.end - codeSection.start) * 1.6) + 4096 : 4096
  )
  code.u32(D + newFuncs.length)
  const rewriter = new FuelBodyRewriter(src, ctx, code)
  for (let i = 0; i < D; i++) {
    const body = m.bodies[i]!
    const t = m.types[m.functionTypes[i]!]!
    try {
      rewriter.rewrite(src, body.start, body.end, {
        paramCount: t.params.length,
        resultBlockType: resultBlockType(t)
      })
    } catch (e) {
      if (e instanceof MeterError)
        throw new MeterError(`function ${I + i} (${funcName(I + i)}): ${e.message}`)
      throw e
    }
  }
  for (const f of newFuncs) code.sized(f.body)

  // --- exports, globals, memory ---
  const exportNames = new Set(m.exports.map((e) => e.name))
  for (const name of [FUEL_EXPORT, OUT_OF_FUEL_EXPORT]) {
    if (exportNames.has(name))
      throw new MeterError(`the module already exports '${name}', which the meter needs`)
  }
  const extraExports: { name: string; kind: number; index: number }[] = [
    { name: FUEL_EXPORT, kind: 3, index: fuelGlobal },
    { name: OUT_OF_FUEL_EXPORT, kind: 3, index: flagGlobal }
  ]
  const mutableGlobals: MeteredModule['mutableGlobals'] = []
  if (options.exportMutableGlobals) {
    const all = [
      ...m.imports.filter((x) => x.kind === 3).map((x) => ({ valType: x.valType, mutable: x.mutable })),
      ...m.globals
    ]
    all.forEach((g, index) => {
      if (!g.mutable) return
      const type = valTypeName(g.valType)
      if (type !== 'i32' && type !== 'i64' && type !== 'f32' && type !== 'f64') {
        throw new MeterError(
          `mutable global ${index} has type ${type}; only numeric globals can be exported for snapshots`
        )
      }
      const existing = m.exports.find((e) => e.kind === 3 && e.index === index)
      let exportName = existing?.name
      if (!exportName) {
        exportName = `${MUTABLE_GLOBAL_PREFIX}${index}`
        if (exportNames.has(exportName)) throw new MeterError(`the module already exports '${exportName}'`)
        extraExports.push({ name: exportName, kind: 3, index })
      }
      mutableGlobals.push({ exportName, type })
    })
  }

  let memory: MeteredModule['memory'] = null
  const importedMemory = m.imports.find((x) => x.kind === 2)
  if (importedMemory) {
    memory = {
      module: importedMemory.module,
      name: importedMemory.field,
      initialPages: importedMemory.limits!.min,
      maximumPages: importedMemory.limits!.max
    }
  }
  const convertMemory = options.importMemory && !importedMemory && m.memories.length > 0
  if (options.importMemory && m.memories.length > 1)
    throw new MeterError('importMemory: modules with several memories are not supported')
  if (convertMemory) {
    const lim = m.memories[0]!
    memory = {
      module: MEMORY_IMPORT.module,
      name: MEMORY_IMPORT.name,
      initialPages: lim.min,
      maximumPages: lim.max
    }
  }

  // --- assemble ---
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
  const order = (id: number): number => (id === SECTION.dataCount ? 9.5 : id)
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
      case SECTION.memory:
        if (!convertMemory) copy(s)
        break
      case SECTION.global: {
        const w = new ByteWriter(s.end - s.start + 16)
        w.u32(m.globals.length + 2)
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
        section(SECTION.code, code)
        break
      case SECTION.data:
        if (options.dropActiveDataSegments) section(SECTION.data, dropActiveData(src, s.start, s.end).section)
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
    // A module without functions gains only the trap helper; give it function and code sections.
    throw new MeterError('modules without a code section are not supported')
  }
  return {
    bytes: out.view(),
    fuelExport: FUEL_EXPORT,
    outOfFuelExport: OUT_OF_FUEL_EXPORT,
    memory,
    mutableGlobals,
    stats
  }

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
  }

  function insertMissing(after: number): void {
    const has = (id: number): boolean => m.sections.some((s) => s.id === id)
    const next = m.sections.find((s) => s.id !== SECTION.custom && order(s.id) > after)
    const nextOrder = next ? order(next.id) : Infinity
    if (!has(SECTION.global) && SECTION.global > after && SECTION.global < nextOrder) {
      const w = new ByteWriter(16)
      w.u32(2)
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
