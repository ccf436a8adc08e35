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
import { planBackEdges } from './back-edges'
import { boundedFunctions } from './bounded'
import { OP } from './opcodes'
import { type FuncType, type ParsedModule, SECTION, valTypeName } from './sections'
import { importedFunctionsInElements } from './segments'
import { assembleModule, MEMORY_IMPORT } from './assemble'
import type { MeteredModule, MeterOptions } from './types'

export const FUEL_EXPORT = 'fb_fuel'
export const OUT_OF_FUEL_EXPORT = 'fb_out_of_fuel'
export const FUEL_SLICE_EXPORT = 'fb_fuel_slice'
export const FAILED_GROW_EXPORT = 'fb_failed_grow'
export { MEMORY_IMPORT }
export const MUTABLE_GLOBAL_PREFIX = 'fb_global_'
const I64 = 0x7e
const I32 = 0x7f

/**
 * `metadata.code.branch_hint` (the branch-hinting proposal): every check's `if` is unlikely, so an
 * engine lays the out-of-fuel path out as cold code and keeps the slice hook's call from costing
 * register spills on the hot path (V8: deferred blocks).
 */
function branchHintSection(importedFunctions: number, hints: number[][]): ByteWriter {
  const w = new ByteWriter(hints.length * 16 + 64)
  w.name('metadata.code.branch_hint')
  const withHints = hints
    .map((offsets, i) => ({ f: importedFunctions + i, offsets }))
    .filter((h) => h.offsets.length > 0)
  w.u32(withHints.length)
  for (const { f, offsets } of withHints) {
    w.u32(f)
    w.u32(offsets.length)
    for (const at of offsets) {
      w.u32(at)
      w.u32(1)
      w.byte(0) // unlikely
    }
  }
  return w
}

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
  const failedGrowGlobal = globalCount + 2

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

  // --- appended functions: export wrappers, import adapters ---
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
  // A start function runs inside `new WebAssembly.Instance`, before the host can set the fuel
  // (0 at instantiation): it would always trap. Refuse rather than run it unmetered.
  if (m.start !== null && m.start >= I) {
    throw new MeterError(
      `the module has a start function (${funcName(m.start)}), which would run before the host can set its fuel; export it and call it instead`
    )
  }
  const startFunc = m.start

  // The slice hook's table is appended after every existing table, so table indices keep their meaning.
  const sliceHook = options.fuelSlices
    ? { type: internType({ params: [], results: [] }), table: m.tables }
    : null

  // `memory.grow` of memory 0, recording the largest request that failed (README, "Failed grows").
  const growHelper = options.recordFailedGrow
    ? appendFunc(
        internType({ params: [I32], results: [I32] }),
        'fb_memory_grow',
        failedGrowRecorder(failedGrowGlobal)
      )
    : null

  // --- function bodies ---
  const stats = { functions: D, chargePoints: 0, checks: 0, uncheckedEntries: 0, movedLoopChecks: 0 }
  const bounds =
    options.boundedEntryChecks > 0
      ? boundedFunctions(src, m.bodies, I, options.functionEntryCost, options.boundedEntryChecks)
      : null
  const ctx: BodyContext = {
    importedFunctions: I,
    totalFunctions: N,
    fuelGlobal,
    flagGlobal,
    entryCost: options.functionEntryCost,
    sliceHook,
    growHelper,
    threadedType,
    stats,
    branchHints: sliceHook ? [] : null
  }
  // A direct call checks first unless it calls an import or a bounded function without its check.
  const checksAtEntry = (f: number): boolean => f >= I && f < N && (bounds === null || bounds[f - I]! < 0)
  const typeHasParams = (t: number): boolean => {
    const type = m.types[t]
    if (!type) throw new MeterError(`unknown block type ${t}`)
    return type.params.length > 0
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
      const backEdges = options.backEdgeChecks
        ? planBackEdges(src, body.start, body.end, checksAtEntry, typeHasParams)
        : null
      if (backEdges !== null) stats.movedLoopChecks += backEdges.movedLoops
      rewriter.rewrite(src, body.start, body.end, {
        paramCount: t.params.length,
        resultBlockType: resultBlockType(t),
        entryCheck: bounds === null || bounds[i]! < 0,
        backEdges
      })
    } catch (e) {
      if (e instanceof MeterError)
        throw new MeterError(`function ${I + i} (${funcName(I + i)}): ${e.message}`)
      throw e
    }
  }
  if (bounds !== null) for (const b of bounds) if (b >= 0) stats.uncheckedEntries++
  for (const f of newFuncs) code.sized(f.body)

  // --- exports, globals, memory ---
  const exportNames = new Set(m.exports.map((e) => e.name))
  for (const name of [
    FUEL_EXPORT,
    OUT_OF_FUEL_EXPORT,
    ...(sliceHook ? [FUEL_SLICE_EXPORT] : []),
    ...(growHelper !== null ? [FAILED_GROW_EXPORT] : [])
  ]) {
    if (exportNames.has(name))
      throw new MeterError(`the module already exports '${name}', which the meter needs`)
  }
  const extraExports: { name: string; kind: number; index: number }[] = [
    { name: FUEL_EXPORT, kind: 3, index: fuelGlobal },
    { name: OUT_OF_FUEL_EXPORT, kind: 3, index: flagGlobal }
  ]
  if (sliceHook) extraExports.push({ name: FUEL_SLICE_EXPORT, kind: 1, index: sliceHook.table })
  if (growHelper !== null) extraExports.push({ name: FAILED_GROW_EXPORT, kind: 3, index: failedGrowGlobal })
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

  const bytes = assembleModule({
    m,
    types,
    definedTypes,
    newFuncs,
    code,
    exportWrappers,
    extraExports,
    startFunc,
    adapterOf,
    convertMemory,
    dropActiveDataSegments: options.dropActiveDataSegments,
    appendSliceTable: sliceHook !== null,
    appendFailedGrowGlobal: growHelper !== null,
    branchHints: ctx.branchHints === null ? null : branchHintSection(I, ctx.branchHints)
  })
  return {
    bytes,
    fuelExport: FUEL_EXPORT,
    outOfFuelExport: OUT_OF_FUEL_EXPORT,
    fuelSliceExport: sliceHook ? FUEL_SLICE_EXPORT : null,
    failedGrowExport: growHelper !== null ? FAILED_GROW_EXPORT : null,
    memory,
    mutableGlobals,
    stats
  }
}

/**
 * `(param $pages i32) (result i32) (local $old i32)`: grows memory 0 by $pages; when that fails
 * (-1) and $pages exceeds the record in `global`, the record becomes $pages. Returns what
 * `memory.grow` returned.
 */
function failedGrowRecorder(global: number): ByteWriter {
  const w = new ByteWriter(48)
  w.u32(1) // one local declaration: one i32
  w.u32(1)
  w.byte(I32)
  w.byte(OP.localGet)
  w.u32(0)
  w.byte(OP.memoryGrow)
  w.byte(0)
  w.byte(OP.localTee)
  w.u32(1)
  w.byte(OP.i32Const)
  w.sleb(-1)
  w.byte(OP.i32Eq)
  w.byte(OP.if)
  w.byte(0x40)
  w.byte(OP.localGet)
  w.u32(0)
  w.byte(OP.globalGet)
  w.u32(global)
  w.byte(OP.i32GtU)
  w.byte(OP.if)
  w.byte(0x40)
  w.byte(OP.localGet)
  w.u32(0)
  w.byte(OP.globalSet)
  w.u32(global)
  w.byte(OP.end)
  w.byte(OP.end)
  w.byte(OP.localGet)
  w.u32(1)
  w.byte(OP.end)
  return w
}
