/**
 * One stored block (a 64 KiB memory page, or a chunk of a file of the sandbox's file system),
 * compressed on its own with brotli at quality 0 (measured on kernel pages 0.19 ms/page against
 * 0.45 for quality 1 and 0.65 for deflate level 1, for 12% more bytes: the service stores the head
 * after every run, so speed wins). Pure and synchronous: the codec threads (codec-threads.ts) run
 * it for memory pages.
 *
 * A file chunk (and a memory page of a snapshot before format 6) is the block's bytes compressed,
 * keyed by the sha256 of its bytes. A memory page from format 6 on is stored against the page at
 * the same index of a base (S0, which every saved head is tied to): a run changes a few hundred
 * bytes of most pages it touches (reference counts, the allocator's lists), so the XOR of the two
 * is nearly all zeros, which brotli compresses ~25 times smaller and ~2.5 times faster than the
 * page (measured on the 33 pages a trivial cell changes: 742 KB to 29 KB, 5.8 to 2.3 ms). Such a
 * page is keyed by the sha256 of its index and its bytes, so it is never mistaken for a file chunk
 * or for the same bytes at another index (decoded against another base page).
 */
import { createHash } from 'node:crypto'
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib'
import { PAGE_BYTES } from '../sandbox/memory-image'

export interface EncodedBlock {
  /** Hex sha256 of the uncompressed bytes. */
  hash: string
  /** The bytes, brotli-compressed. */
  data: Uint8Array
}

const BROTLI_BLOCK = {
  params: {
    [constants.BROTLI_PARAM_QUALITY]: 0,
    [constants.BROTLI_PARAM_SIZE_HINT]: PAGE_BYTES,
    [constants.BROTLI_PARAM_LGWIN]: 16
  }
}

/** Where a page lives and what it is stored against: the base's page at that index (null: zeros). */
export interface PageSlot {
  index: number
  base: Uint8Array | null
}

/** First byte of a stored page: how the rest (brotli) turns back into the page. */
const PAGE_AS_IS = 0
const PAGE_XOR_BASE = 1
/**
 * A page whose XOR with its base compresses to more than this is compressed as it is too, and the
 * smaller kept: a page the run filled with new data may compress better alone.
 */
const XOR_WORTH_BYTES = PAGE_BYTES / 8

export function compressBlock(bytes: Uint8Array): Buffer {
  return brotliCompressSync(bytes, BROTLI_BLOCK)
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** The key of a page stored against a base: sha256 of its index (u32, little-endian) and its bytes. */
export function pageKey(index: number, bytes: Uint8Array): string {
  const prefix = Buffer.alloc(4)
  prefix.writeUInt32LE(index)
  return createHash('sha256').update(prefix).update(bytes).digest('hex')
}

/** Where encodePage puts a page's XOR with its base: compressed at once, so reused. */
const scratch = new Uint8Array(PAGE_BYTES)

/** `bytes` XOR `base` (a page each) into `out`; a null base is zeros. */
function xorPage(bytes: Uint8Array, base: Uint8Array | null, out = new Uint8Array(PAGE_BYTES)): Uint8Array {
  if (base === null) return bytes
  if (bytes.byteLength !== PAGE_BYTES || base.byteLength !== PAGE_BYTES)
    throw new Error('a page and its base must be one page each')
  if (bytes.byteOffset % 4 !== 0 || base.byteOffset % 4 !== 0) {
    for (let i = 0; i < PAGE_BYTES; i++) out[i] = bytes[i]! ^ base[i]!
    return out
  }
  const a = new Int32Array(bytes.buffer, bytes.byteOffset, PAGE_BYTES / 4)
  const b = new Int32Array(base.buffer, base.byteOffset, PAGE_BYTES / 4)
  const o = new Int32Array(out.buffer)
  for (let i = 0; i < o.length; i++) o[i] = a[i]! ^ b[i]!
  return out
}

function tagged(tag: number, compressed: Uint8Array): Uint8Array {
  const data = new Uint8Array(compressed.byteLength + 1)
  data[0] = tag
  data.set(compressed, 1)
  return data
}

/** A memory page stored against its slot's base page (format 6 on). */
export function encodePage(bytes: Uint8Array, slot: PageSlot): EncodedBlock {
  const hash = pageKey(slot.index, bytes)
  if (slot.base === null) return { hash, data: tagged(PAGE_AS_IS, compressBlock(bytes)) }
  const delta = compressBlock(xorPage(bytes, slot.base, scratch))
  if (delta.byteLength > XOR_WORTH_BYTES) {
    const alone = compressBlock(bytes)
    if (alone.byteLength < delta.byteLength) return { hash, data: tagged(PAGE_AS_IS, alone) }
  }
  return { hash, data: tagged(PAGE_XOR_BASE, delta) }
}

/** A page stored by encodePage back to its bytes, checked against its key; throws naming `what`. */
export function decodePage(block: EncodedBlock, slot: PageSlot, what: string): Uint8Array {
  const tag = block.data[0]
  if (tag !== PAGE_AS_IS && tag !== PAGE_XOR_BASE) throw new Error(`${what} has an unknown encoding`)
  let stored: Buffer
  try {
    stored = brotliDecompressSync(block.data.subarray(1), { maxOutputLength: PAGE_BYTES })
  } catch (error) {
    throw new Error(`${what} cannot be decompressed (${(error as Error).message})`, { cause: error })
  }
  if (stored.byteLength !== PAGE_BYTES) throw new Error(`${what} has ${stored.byteLength} bytes`)
  const bytes = tag === PAGE_XOR_BASE ? xorPage(stored, slot.base) : stored
  if (pageKey(slot.index, bytes) !== block.hash) throw new Error(`${what} does not match its hash`)
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/**
 * A stored block back to its bytes (at most a page), checked against its hash: brotli has no
 * checksum, and a flipped bit on disk could inflate to a wrong page, i.e. silently wrong variables.
 * Throws with `what` in the message when the block is damaged.
 */
export function decodeBlock(block: EncodedBlock, what: string): Uint8Array {
  let bytes: Buffer
  try {
    bytes = brotliDecompressSync(block.data, { maxOutputLength: PAGE_BYTES })
  } catch (error) {
    throw new Error(`${what} cannot be decompressed (${(error as Error).message})`, { cause: error })
  }
  if (sha256Hex(bytes) !== block.hash) throw new Error(`${what} does not match its hash`)
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/**
 * A page as a codec's caller gets it (codec-worker.ts, or codec-threads.ts before the threads run):
 * encoded, its bytes in a buffer of their own. node:zlib's results are views into larger buffers (its
 * output chunk, or Buffer's shared pool), which must neither be detached nor kept alive.
 */
export function encodeOwnedPage(page: { bytes: Uint8Array; slot: PageSlot }): EncodedBlock {
  const block = encodePage(page.bytes, page.slot)
  return { hash: block.hash, data: new Uint8Array(block.data) }
}

/** A stored page back to its bytes (decodePage, or decodeBlock before format 6), in a buffer of their own. */
export function decodeOwnedPage(block: EncodedBlock, slot: PageSlot | null, what: string): Uint8Array {
  return new Uint8Array(slot === null ? decodeBlock(block, what) : decodePage(block, slot, what))
}
