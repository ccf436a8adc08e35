/**
 * Removes the empty data segments the meter's `dropActiveDataSegments` leaves behind.
 *
 * The meter replaces every active data segment by an empty passive one, so that segment indices
 * (the data count section, `memory.init`, `data.drop`) stay valid whatever the module does with
 * them. The Fuelbook runtime has 22,588 such segments (clang emits one per global with its data
 * sections) and no instruction that names one, and V8 builds arrays over every segment of a module
 * for each instance it makes: with them, `new WebAssembly.Instance` of the runtime took 1.76 ms
 * (2.95 ms of CPU with the garbage it leaves), without them 0.62 ms (1.28 ms), medians of 800 on
 * the 2-core machine. Each run makes an instance (docs/architecture.md, "One run…", step 5), so
 * the segments go when the module provably does not need them: the module without them must
 * validate, which it does not if any instruction names a segment.
 */

const DATA_SECTION = 11
const DATA_COUNT_SECTION = 12
/** Segment flags: 1 is passive (no memory index, no offset). */
const PASSIVE = 1

/**
 * The module without its data and data count sections, when every data segment is passive and
 * empty and the module validates without them; null otherwise (the module is then used as it is).
 */
export function withoutEmptyDataSegments(wasm: Uint8Array): Uint8Array<ArrayBuffer> | null {
  const sections = sectionRanges(wasm)
  if (sections === null) return null
  const data = sections.find((s) => s.id === DATA_SECTION)
  if (data === undefined || !allPassiveAndEmpty(wasm, data.payload, data.end)) return null
  const kept = sections.filter((s) => s.id !== DATA_SECTION && s.id !== DATA_COUNT_SECTION)
  const size = 8 + kept.reduce((sum, s) => sum + (s.end - s.start), 0)
  const out = new Uint8Array(size)
  out.set(wasm.subarray(0, 8))
  let at = 8
  for (const s of kept) {
    out.set(wasm.subarray(s.start, s.end), at)
    at += s.end - s.start
  }
  return WebAssembly.validate(out) ? out : null
}

interface SectionRange {
  id: number
  /** Where the section starts (its id byte), where its payload starts, and its end. */
  start: number
  payload: number
  end: number
}

function sectionRanges(wasm: Uint8Array): SectionRange[] | null {
  const sections: SectionRange[] = []
  const reader = new Leb(wasm, 8)
  while (reader.pos < wasm.length) {
    const start = reader.pos
    const id = wasm[reader.pos++]!
    const size = reader.u32()
    if (size === null) return null
    const payload = reader.pos
    const end = payload + size
    if (end > wasm.length) return null
    sections.push({ id, start, payload, end })
    reader.pos = end
  }
  return sections
}

function allPassiveAndEmpty(wasm: Uint8Array, payload: number, end: number): boolean {
  const reader = new Leb(wasm, payload)
  const count = reader.u32()
  if (count === null) return false
  for (let i = 0; i < count; i++) {
    if (reader.u32() !== PASSIVE || reader.u32() !== 0) return false
  }
  return reader.pos === end
}

/** Unsigned LEB128 reads; null past the end of the bytes. */
class Leb {
  constructor(
    private readonly bytes: Uint8Array,
    public pos: number
  ) {}

  u32(): number | null {
    let result = 0
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= this.bytes.length) return null
      const byte = this.bytes[this.pos++]!
      result += (byte & 0x7f) * 2 ** shift
      if ((byte & 0x80) === 0) return result
    }
    return null
  }
}
