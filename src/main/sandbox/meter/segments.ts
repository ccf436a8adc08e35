/**
 * Rewrites of the sections that refer to functions or hold bulk data: element segments (imported
 * functions placed in tables get a fuel-ABI adapter), data segments (optionally dropped), and the
 * `name` custom section (new functions named; local indices shifted by the fuel parameter).
 */
import { ByteReader, ByteWriter, MeterError } from './bytes'
import { skipConstExpr } from './sections'

/** Returns the imported functions an element section names (they need fuel-ABI adapters). */
export function importedFunctionsInElements(
  bytes: Uint8Array,
  start: number,
  end: number,
  importedFunctions: number
): Set<number> {
  const found = new Set<number>()
  walkElements(bytes, start, end, (f) => {
    if (f < importedFunctions) found.add(f)
    return f
  })
  return found
}

/** Re-encodes the element section with every function index passed through `map`. */
export function rewriteElements(
  bytes: Uint8Array,
  start: number,
  end: number,
  map: (f: number) => number
): ByteWriter {
  const w = new ByteWriter(end - start + 64)
  walkElements(bytes, start, end, map, w)
  return w
}

function walkElements(
  bytes: Uint8Array,
  start: number,
  end: number,
  map: (f: number) => number,
  w?: ByteWriter
): void {
  const r = new ByteReader(bytes, start, end)
  const n = r.u32()
  w?.u32(n)
  for (let i = 0; i < n; i++) {
    const headStart = r.pos
    const flags = r.u32()
    if (flags > 7) throw new MeterError(`unsupported element segment flags ${flags}`)
    if (flags & 2 && !(flags & 1)) r.u32() // explicit table index
    if (!(flags & 1)) skipConstExpr(r) // active: offset expression
    if (flags & 3) r.u8() // elemkind or reftype
    w?.bytes(bytes, headStart, r.pos)
    const count = r.u32()
    w?.u32(count)
    for (let j = 0; j < count; j++) {
      if (flags & 4) {
        const exprStart = r.pos
        const op = bytes[r.pos]
        const funcs = skipConstExpr(r)
        if (op === 0xd2 && funcs.length === 1 && r.pos - exprStart <= 7) {
          w?.byte(0xd2)
          const f = map(funcs[0]!)
          w?.u32(f)
          w?.byte(0x0b)
        } else {
          if (funcs.length > 0) throw new MeterError('unsupported element expression')
          w?.bytes(bytes, exprStart, r.pos)
        }
      } else {
        const f = map(r.u32())
        w?.u32(f)
      }
    }
  }
  if (r.pos !== end) throw new MeterError('malformed element section')
}

/**
 * Replaces every active data segment by an empty passive one. Passive rather than removed, so
 * segment indices (data count section, memory.init, data.drop, the name section) stay valid.
 */
export function dropActiveData(
  bytes: Uint8Array,
  start: number,
  end: number
): { section: ByteWriter; dropped: number } {
  const r = new ByteReader(bytes, start, end)
  const w = new ByteWriter(1024)
  const n = r.u32()
  w.u32(n)
  let dropped = 0
  for (let i = 0; i < n; i++) {
    const segStart = r.pos
    const flags = r.u32()
    if (flags === 1) {
      const len = r.u32()
      r.skip(len)
      w.bytes(bytes, segStart, r.pos)
      continue
    }
    if (flags === 2) r.u32()
    else if (flags !== 0) throw new MeterError(`unsupported data segment flags ${flags}`)
    skipConstExpr(r)
    r.skip(r.u32())
    w.byte(1)
    w.byte(0)
    dropped++
  }
  if (r.pos !== end) throw new MeterError('malformed data section')
  return { section: w, dropped }
}

export interface NameEdits {
  /** Names of the functions appended by the meter, by index. */
  newFunctionNames: Map<number, string>
  /** For each defined function index: its original parameter count (locals at or above it shift by one). */
  fuelParamOf: (funcIndex: number) => number | null
}

/** Rewrites the `name` custom section payload (after the section's own name). */
export function rewriteNames(bytes: Uint8Array, start: number, end: number, edits: NameEdits): ByteWriter {
  const r = new ByteReader(bytes, start, end)
  const w = new ByteWriter(end - start + 256)
  let wroteFunctionNames = false
  const appendedFunctionNames = (): void => {
    // A name section without function names still gets ours (subsections are ordered by id).
    wroteFunctionNames = true
    const sub = new ByteWriter(64)
    sub.u32(edits.newFunctionNames.size)
    for (const [index, name] of [...edits.newFunctionNames].sort((a, b) => a[0] - b[0])) {
      sub.u32(index)
      sub.name(name)
    }
    w.byte(1)
    w.sized(sub)
  }
  while (r.pos < end) {
    const id = r.u8()
    if (id > 1 && !wroteFunctionNames) appendedFunctionNames()
    const size = r.u32()
    const subEnd = r.pos + size
    if (subEnd > end) throw new MeterError('malformed name section')
    if (id === 1) {
      const sub = new ByteWriter(size + 64)
      const count = r.u32()
      sub.u32(count + edits.newFunctionNames.size)
      const from = r.pos
      for (let i = 0; i < count; i++) {
        r.u32()
        r.skip(r.u32())
      }
      sub.bytes(bytes, from, r.pos)
      for (const [index, name] of [...edits.newFunctionNames].sort((a, b) => a[0] - b[0])) {
        sub.u32(index)
        sub.name(name)
      }
      w.byte(1)
      w.sized(sub)
      wroteFunctionNames = true
    } else if (id === 2) {
      const sub = new ByteWriter(size + 16)
      const count = r.u32()
      sub.u32(count)
      for (let i = 0; i < count; i++) {
        const f = r.u32()
        sub.u32(f)
        const shiftFrom = edits.fuelParamOf(f)
        const locals = r.u32()
        sub.u32(locals)
        for (let j = 0; j < locals; j++) {
          const l = r.u32()
          sub.u32(shiftFrom !== null && l >= shiftFrom ? l + 1 : l)
          const nameStart = r.pos
          r.skip(r.u32())
          sub.bytes(bytes, nameStart, r.pos)
        }
      }
      w.byte(2)
      w.sized(sub)
    } else {
      w.byte(id)
      w.u32(size)
      w.bytes(bytes, r.pos, subEnd)
    }
    r.pos = subEnd
  }
  if (!wroteFunctionNames) appendedFunctionNames()
  return w
}
