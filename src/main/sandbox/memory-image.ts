/**
 * Linear memory as an image of 64 KiB pages: the part of a kernel snapshot that is big.
 *
 * Invariants (the kernel's correctness rests on them):
 * - a page in an image is never written again, so images share unchanged pages freely: the new
 *   head after a run holds the old head's page objects for every page the run did not change;
 * - pages live in SharedArrayBuffers, so an image crosses to and from a worker without a copy;
 * - `null` is an all-zero page (a fresh wasm memory is zero: restoring it costs nothing).
 */
import { Buffer } from 'node:buffer'

export const PAGE_BYTES = 65536

export interface MemoryImage {
  pageCount: number
  /** One entry per page; null = all zeros. */
  pages: (Uint8Array | null)[]
}

const ZERO_PAGE = Buffer.alloc(PAGE_BYTES)

function pageBuffer(page: Uint8Array): Buffer {
  return Buffer.from(page.buffer, page.byteOffset, page.byteLength)
}

/**
 * A memory of exactly the image's size holding exactly its bytes. `spare` (a memory no longer in
 * use, of the same size and maximum) is overwritten instead of allocating: its pages are already
 * committed, so the run that follows takes no page faults (measured 15–60 ms on a loaded machine
 * for a fresh 10 MB memory, against ~1 ms to overwrite a spare).
 */
export function restoreMemory(
  image: MemoryImage,
  maximumPages: number,
  spare?: SpareMemory | null
): WebAssembly.Memory {
  if (maximumPages < image.pageCount) {
    throw new Error(`memory image has ${image.pageCount} pages, more than the cap ${maximumPages}`)
  }
  const reuse =
    spare &&
    spare.maximumPages === maximumPages &&
    spare.memory.buffer.byteLength === image.pageCount * PAGE_BYTES
  assertImage(image)
  // Exactly the image's size: the allocator treats the memory size as its heap end.
  const memory = reuse
    ? spare.memory
    : new WebAssembly.Memory({ initial: image.pageCount, maximum: maximumPages })
  const bytes = new Uint8Array(memory.buffer)
  const { pages } = image
  // Pages captured together sit next to each other in one slab: copy such runs in one go.
  for (let i = 0; i < pages.length;) {
    const first = pages[i]
    if (first === null || first === undefined) {
      let end = i + 1
      while (end < pages.length && !pages[end]) end++
      if (reuse) bytes.fill(0, i * PAGE_BYTES, end * PAGE_BYTES)
      i = end
      continue
    }
    let end = i + 1
    while (end < pages.length) {
      const next = pages[end]
      if (
        !next ||
        next.buffer !== first.buffer ||
        next.byteOffset !== first.byteOffset + (end - i) * PAGE_BYTES
      )
        break
      end++
    }
    bytes.set(new Uint8Array(first.buffer, first.byteOffset, (end - i) * PAGE_BYTES), i * PAGE_BYTES)
    i = end
  }
  if (memory.buffer.byteLength !== image.pageCount * PAGE_BYTES)
    throw new Error('restored memory has the wrong size')
  return memory
}

/** Invariants every image keeps; cheap enough to check on every restore. */
function assertImage(image: MemoryImage): void {
  if (image.pages.length !== image.pageCount) {
    throw new Error(`memory image lists ${image.pages.length} pages for a page count of ${image.pageCount}`)
  }
  for (const page of image.pages) {
    if (page !== null && page.byteLength !== PAGE_BYTES)
      throw new Error(`memory image page of ${page.byteLength} bytes`)
  }
}

/** A memory whose contents no longer matter, kept to be overwritten by the next restore. */
export interface SpareMemory {
  memory: WebAssembly.Memory
  maximumPages: number
}

/** Repack when the slabs an image pins exceed 2x its size + 8 MB (S0's own slab is ~6 MB). */
const RETAINED_LIMIT_FACTOR = 2
const RETAINED_SLACK_BYTES = 8 * 2 ** 20

/** Bytes of the distinct buffers the pages keep alive. */
export function retainedBytes(pages: (Uint8Array | null | undefined)[]): number {
  const buffers = new Set<ArrayBufferLike>()
  for (const page of pages) if (page) buffers.add(page.buffer)
  let total = 0
  for (const buffer of buffers) total += buffer.byteLength
  return total
}

export interface CaptureStats {
  /** Pages whose bytes differ from the base's. */
  changedPages: number
  zeroPages: number
  ms: number
}

/** `count` page-sized views of shared memory, never handed out before (PageArena.take). */
export type TakePages = (count: number) => Uint8Array[]

/** Views of `count` adjacent pages of `slab` from page `first` on. */
export function pageViews(slab: Uint8Array, first: number, count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) =>
    slab.subarray((first + i) * PAGE_BYTES, (first + i + 1) * PAGE_BYTES)
  )
}

/** A new shared slab of exactly `count` pages. */
export const freshPages: TakePages = (count) =>
  pageViews(new Uint8Array(new SharedArrayBuffer(count * PAGE_BYTES)), 0, count)

/**
 * The memory as an image, reusing `base`'s page for every page that is byte-identical to it
 * (memcmp, ~10 GB/s) and copying the others into pages from `takePages` (a worker's PageArena).
 */
export function captureMemory(
  memory: WebAssembly.Memory,
  base: MemoryImage | null,
  takePages: TakePages = freshPages
): { image: MemoryImage; copied: number[]; stats: CaptureStats } {
  const t0 = performance.now()
  const buffer = memory.buffer
  const pageCount = buffer.byteLength / PAGE_BYTES
  const pages: (Uint8Array | null)[] = new Array(pageCount)
  const changed: number[] = []
  let zeroPages = 0
  for (let i = 0; i < pageCount; i++) {
    const live = Buffer.from(buffer, i * PAGE_BYTES, PAGE_BYTES)
    const old = base !== null && i < base.pageCount ? base.pages[i]! : null
    if (old !== null ? live.equals(pageBuffer(old)) : live.equals(ZERO_PAGE)) {
      pages[i] = old
      if (old === null) zeroPages++
    } else {
      changed.push(i)
    }
  }
  const changedPages = changed.length
  if (
    changed.length > 0 &&
    retainedBytes(pages) > RETAINED_LIMIT_FACTOR * pageCount * PAGE_BYTES + RETAINED_SLACK_BYTES
  ) {
    // Every page pins its whole slab: after many runs, a head whose pages come from many old,
    // mostly dead slabs would keep far more memory alive than it describes. Repack it into one.
    changed.length = 0
    for (let i = 0; i < pageCount; i++) if (pages[i] !== null) changed.push(i)
  }
  if (changed.length > 0) {
    const slots = takePages(changed.length)
    const live = new Uint8Array(buffer)
    changed.forEach((pageIndex, slot) => {
      const page = slots[slot]!
      page.set(live.subarray(pageIndex * PAGE_BYTES, (pageIndex + 1) * PAGE_BYTES))
      pages[pageIndex] = page
    })
  }
  return {
    image: { pageCount, pages },
    copied: changed,
    stats: { changedPages, zeroPages, ms: performance.now() - t0 }
  }
}

/**
 * The image a worker captured, from what it sends back (protocol.ts, `WorkerRunDone`): the pages
 * it copied, at the `copied` indices, and for every other page the `base` image's own page object
 * (the state the run started from; none for boot: zero). Images on this side then share pages too,
 * and what was derived from a page object, such as its stored encoding in kernel/persist.ts, still
 * applies.
 */
export function imageWithCopied(
  pageCount: number,
  base: MemoryImage | null,
  copied: readonly number[],
  copiedPages: readonly Uint8Array[]
): MemoryImage {
  if (copied.length !== copiedPages.length)
    throw new Error(`${copiedPages.length} pages sent for ${copied.length} copied`)
  const pages: (Uint8Array | null)[] = new Array(pageCount)
  for (let i = 0; i < pageCount; i++)
    pages[i] = base !== null && i < base.pageCount ? (base.pages[i] ?? null) : null
  copied.forEach((index, k) => {
    if (index >= pageCount) throw new Error(`copied page ${index} of ${pageCount}`)
    pages[index] = copiedPages[k]!
  })
  return { pageCount, pages }
}

export function isZeroPage(page: Uint8Array): boolean {
  return pageBuffer(page).equals(ZERO_PAGE)
}

/** Bytes of linear memory the image describes. */
export function imageBytes(image: MemoryImage): number {
  return image.pageCount * PAGE_BYTES
}

export interface DataSegment {
  offset: number
  bytes: Uint8Array
}

/**
 * The active data segments of a module (what instantiation would write into memory 0). The
 * kernel instantiates a variant without them and writes them itself, once, to make S0.
 * Supports the forms clang emits: flags 0 (or 2 with memory 0) and an `i32.const` offset.
 */
export function activeDataSegments(wasm: Uint8Array): DataSegment[] {
  let pos = 8
  const u32 = (): number => {
    let result = 0
    let shift = 0
    for (;;) {
      const byte = wasm[pos++]!
      result += (byte & 0x7f) * 2 ** shift
      if ((byte & 0x80) === 0) return result
      shift += 7
    }
  }
  const i32 = (): number => {
    let result = 0
    let shift = 0
    let byte: number
    do {
      byte = wasm[pos++]!
      result |= (byte & 0x7f) << shift
      shift += 7
    } while (byte & 0x80)
    if (shift < 32 && byte & 0x40) result |= -1 << shift
    return result
  }
  while (pos < wasm.length) {
    const id = wasm[pos++]!
    const size = u32()
    const end = pos + size
    if (id !== 11) {
      pos = end
      continue
    }
    const segments: DataSegment[] = []
    const count = u32()
    for (let i = 0; i < count; i++) {
      const flags = u32()
      if (flags === 1) {
        pos += u32() // passive: length, bytes
        continue
      }
      if (flags === 2 && u32() !== 0) throw new Error('data segment for a memory other than 0')
      if (wasm[pos++] !== 0x41) throw new Error('data segment offset is not i32.const')
      const offset = i32() >>> 0
      if (wasm[pos++] !== 0x0b) throw new Error('data segment offset expression is not a single i32.const')
      const length = u32()
      segments.push({ offset, bytes: wasm.subarray(pos, pos + length) })
      pos += length
    }
    return segments
  }
  return []
}
