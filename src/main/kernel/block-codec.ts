/**
 * One stored block (a 64 KiB memory page, or a chunk of a file of the sandbox's file system).
 *
 * A file chunk (and a memory page of a snapshot before format 6) is the block's bytes compressed
 * with brotli at quality 0 (measured on kernel pages 0.19 ms/page against 0.45 for quality 1 and
 * 0.65 for deflate level 1, for 12% more bytes), keyed by the sha256 of its bytes.
 *
 * A memory page from format 6 on is stored against the page at the same index of a base (S0,
 * which every saved head is tied to): a run changes a few hundred bytes of most pages it touches
 * (reference counts, the allocator's lists), so the page's XOR with its base is nearly all zeros.
 * Format 7 (`encodePage`) keeps only the 256-byte blocks of that XOR that are not zero, with a
 * bitmap of them and a check sum of the page, and packs runs of zero bytes (`packZeros`) instead
 * of running brotli over 64 KiB of mostly zeros; it is keyed by the sha384 of the stored bytes,
 * not of the page, so the key costs a hash of ~0.6 KB instead of 64 KiB. Measured on 769 pages
 * that 20 trivial cells changed (min of 9 rounds, one process): 116 → 58 µs a page, 547 → 585
 * bytes (src/main/kernel/README.md, "Persistence", says why the key is safe to share pages by).
 * Format 6 (the XOR brotli-compressed, keyed by the sha256 of the page's index and bytes) still
 * reads. Pure and synchronous: the codec threads (codec-threads.ts) run it for memory pages.
 */
import { createHash } from 'node:crypto'
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib'
import { PAGE_BYTES } from '../sandbox/memory-image'

export interface EncodedBlock {
  /**
   * The key: hex sha384 of the stored bytes (a memory page from format 7 on), or hex sha256 of the
   * uncompressed bytes (a file chunk; with the page's index first, a page of format 6).
   */
  hash: string
  /** The bytes as stored. */
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

/** First byte of a stored page: how the rest turns back into the page. */
const PAGE_AS_IS = 0
/** Format 6: the XOR with the base page, brotli-compressed. */
const PAGE_XOR_BASE = 1
/** Format 7: the blocks of the XOR with the base page that are not zero, zeros packed (encodePage). */
const PAGE_CHANGED_BLOCKS = 2
/** Format 7: the same blocks brotli-compressed, for a page a run changed much of. */
const PAGE_CHANGED_BLOCKS_BROTLI = 3
/**
 * A page whose stored XOR is larger than this is compressed as it is too, and the smaller kept: a
 * page the run filled with new data may compress better alone.
 */
const XOR_WORTH_BYTES = PAGE_BYTES / 8

/** The blocks a page's XOR with its base is cut into: a trivial cell leaves ~10 of 256 not zero. */
const BLOCK_BYTES = 256
const BLOCKS = PAGE_BYTES / BLOCK_BYTES
const BLOCK_WORDS = BLOCK_BYTES / 4
/** Two u32 sums of the page's words (Fletcher), then a bit per block, set when the block is kept. */
const HEADER_BYTES = 8 + BLOCKS / 8
/** Hex digits of a key made by storedKey (sha384): a sha256 key (64) never equals one. */
const STORED_KEY_DIGITS = 96

export function compressBlock(bytes: Uint8Array): Buffer {
  return brotliCompressSync(bytes, BROTLI_BLOCK)
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/**
 * The key of a page stored from format 7 on: the sha384 of its stored bytes. The stored bytes
 * turn back into exactly one page for a given base, so equal keys mean equal pages; its length
 * keeps it apart from the sha256 keys of file chunks, which share the table.
 */
export function storedKey(data: Uint8Array): string {
  return createHash('sha384').update(data).digest('hex')
}

/** The key of a page of format 6: sha256 of its index (u32, little-endian) and its bytes. */
export function pageKey(index: number, bytes: Uint8Array): string {
  const prefix = Buffer.alloc(4)
  prefix.writeUInt32LE(index)
  return createHash('sha256').update(prefix).update(bytes).digest('hex')
}

/** `bytes` XOR `base` (a page each) into a new page; a null base is zeros (format 6). */
function xorPage(bytes: Uint8Array, base: Uint8Array | null): Uint8Array {
  if (base === null) return bytes
  const a = wordsOf(bytes)
  const b = wordsOf(base)
  const out = new Int32Array(PAGE_BYTES / 4)
  for (let i = 0; i < out.length; i++) out[i] = a[i]! ^ b[i]!
  return new Uint8Array(out.buffer)
}

/** A page's bytes as 32-bit words: a view when aligned (pages of a memory always are), else a copy. */
function wordsOf(bytes: Uint8Array): Int32Array {
  if (bytes.byteLength !== PAGE_BYTES) throw new Error('a page and its base must be one page each')
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice()
  return new Int32Array(aligned.buffer, aligned.byteOffset, PAGE_BYTES / 4)
}

/** Where encodePage gathers a page's changed blocks, and decodePage unpacks them: reused. */
const gathered = new Uint8Array(HEADER_BYTES + PAGE_BYTES)
const gatheredWords = new Int32Array(gathered.buffer)
/** Where packZeros writes: a lone zero byte takes two, so up to 1.5 times the input. */
const packed = new Uint8Array(Math.ceil(gathered.byteLength * 1.5) + 2)

/**
 * The header and the blocks of `bytes` XOR `base` that are not zero, into `gathered`, in one pass
 * over both pages (the two sums of the page's words ride along: the pass waits on memory anyway).
 */
function gatherChangedBlocks(bytes: Uint8Array, base: Uint8Array): Uint8Array {
  const page = wordsOf(bytes)
  const against = wordsOf(base)
  gathered.fill(0, 0, HEADER_BYTES)
  let at = HEADER_BYTES / 4
  let sum = 0
  let sumOfSums = 0
  for (let block = 0; block < BLOCKS; block++) {
    const start = block * BLOCK_WORDS
    let any = 0
    for (let i = 0; i < BLOCK_WORDS; i++) {
      const word = page[start + i]!
      const xor = word ^ against[start + i]!
      gatheredWords[at + i] = xor
      any |= xor
      sum = (sum + word) | 0
      sumOfSums = (sumOfSums + sum) | 0
    }
    if (any !== 0) {
      at += BLOCK_WORDS
      gathered[8 + (block >> 3)]! |= 1 << (block & 7)
    }
  }
  gatheredWords[0] = sum
  gatheredWords[1] = sumOfSums
  return gathered.subarray(0, at * 4)
}

/**
 * Runs of zero bytes packed: a zero byte is followed by how many zeros it stands for (1 to 255);
 * any other byte is itself. The changed blocks of a trivial cell's page are mostly zeros with a
 * few changed bytes (a reference count, a pointer): ~2.7 KB become ~0.6 KB, as small as brotli
 * makes them, in a tenth of its time (brotli costs ~20 µs a call, however small the input).
 */
function packZeros(input: Uint8Array): Uint8Array {
  let out = 1 // packed[0] is the tag
  let i = 0
  while (i < input.length) {
    const byte = input[i++]!
    if (byte !== 0) {
      packed[out++] = byte
      continue
    }
    let run = 1
    while (run < 255 && i < input.length && input[i] === 0) {
      run++
      i++
    }
    packed[out++] = 0
    packed[out++] = run
  }
  packed[0] = PAGE_CHANGED_BLOCKS
  return packed.slice(0, out)
}

/** packZeros undone into `gathered`; throws when the bytes cannot be what it made. */
function unpackZeros(data: Uint8Array): Uint8Array {
  let out = 0
  let i = 0
  while (i < data.length) {
    const byte = data[i++]!
    if (byte !== 0) {
      if (out >= gathered.length) throw new Error('more than a page')
      gathered[out++] = byte
      continue
    }
    const run = data[i++]
    if (run === undefined || run === 0) throw new Error('a broken run of zeros')
    if (out + run > gathered.length) throw new Error('more than a page')
    gathered.fill(0, out, out + run)
    out += run
  }
  return gathered.subarray(0, out)
}

function tagged(tag: number, compressed: Uint8Array): Uint8Array {
  const data = new Uint8Array(compressed.byteLength + 1)
  data[0] = tag
  data.set(compressed, 1)
  return data
}

/**
 * A memory page stored against its slot's base page (format 7): its changed blocks with zeros
 * packed; when that is large (a run rewrote much of the page), the smallest of it, the same blocks
 * brotli-compressed and the page alone brotli-compressed; without a base page, the page alone.
 * The stored bytes are always in an ArrayBuffer of their own (packZeros and tagged make one), so a
 * codec thread transfers it as it is.
 */
export function encodePage(bytes: Uint8Array, slot: PageSlot): EncodedBlock {
  let data: Uint8Array
  if (slot.base === null) data = tagged(PAGE_AS_IS, compressBlock(bytes))
  else {
    const blocks = gatherChangedBlocks(bytes, slot.base)
    data = packZeros(blocks)
    if (data.byteLength > XOR_WORTH_BYTES) {
      for (const other of [
        tagged(PAGE_CHANGED_BLOCKS_BROTLI, compressBlock(blocks)),
        tagged(PAGE_AS_IS, compressBlock(bytes))
      ])
        if (other.byteLength < data.byteLength) data = other
    }
  }
  return { hash: storedKey(data), data }
}

/** Two sums of a page's words, as gatherChangedBlocks makes them. */
function pageSums(bytes: Uint8Array): [number, number] {
  const words = wordsOf(bytes)
  let sum = 0
  let sumOfSums = 0
  for (let i = 0; i < words.length; i++) {
    sum = (sum + words[i]!) | 0
    sumOfSums = (sumOfSums + sum) | 0
  }
  return [sum, sumOfSums]
}

/** A page's changed blocks (gatherChangedBlocks) back to the page, in `page`, checked by its sums. */
function fromChangedBlocks(
  blocks: Uint8Array,
  base: Uint8Array | null,
  what: string,
  page: Uint8Array
): Uint8Array {
  if (base === null) throw new Error(`${what} is stored against a page its base does not have`)
  const header = new DataView(blocks.buffer, blocks.byteOffset, blocks.byteLength)
  let kept = 0
  for (let i = 8; i < HEADER_BYTES && i < blocks.length; i++) {
    for (let bits = blocks[i]!; bits !== 0; bits &= bits - 1) kept++
  }
  if (blocks.length !== HEADER_BYTES + kept * BLOCK_BYTES) throw new Error(`${what} has the wrong length`)
  page.set(base)
  let at = HEADER_BYTES
  for (let block = 0; block < BLOCKS; block++) {
    if ((blocks[8 + (block >> 3)]! & (1 << (block & 7))) === 0) continue
    const start = block * BLOCK_BYTES
    for (let i = 0; i < BLOCK_BYTES; i++) page[start + i]! ^= blocks[at + i]!
    at += BLOCK_BYTES
  }
  const [sum, sumOfSums] = pageSums(page)
  // Only a page decoded against another base page than it was stored against gets here wrong.
  if (sum !== header.getInt32(0, true) || sumOfSums !== header.getInt32(4, true))
    throw new Error(`${what} does not match its base page`)
  return page
}

function decompressPage(data: Uint8Array, what: string): Buffer {
  let bytes: Buffer
  try {
    bytes = brotliDecompressSync(data, { maxOutputLength: PAGE_BYTES })
  } catch (error) {
    throw new Error(`${what} cannot be decompressed (${(error as Error).message})`, { cause: error })
  }
  if (bytes.byteLength !== PAGE_BYTES) throw new Error(`${what} has ${bytes.byteLength} bytes`)
  return bytes
}

/**
 * A page stored by encodePage (or by format 6's) back to its bytes, checked against its key; throws
 * naming `what`. A format-7 key is checked on the stored bytes before anything is decoded, and the
 * page's sums after; a format-6 key on the page. The page is written into `into` when given (one
 * page: a slot of the head's slab, so that no buffer is made for it), else into a new buffer.
 */
export function decodePage(
  block: EncodedBlock,
  slot: PageSlot,
  what: string,
  into: Uint8Array = new Uint8Array(PAGE_BYTES)
): Uint8Array {
  if (into.byteLength !== PAGE_BYTES) throw new Error(`${what} must be decoded into one page`)
  const tag = block.data[0]
  if (tag === undefined || tag > PAGE_CHANGED_BLOCKS_BROTLI)
    throw new Error(`${what} has an unknown encoding`)
  const rest = block.data.subarray(1)
  if (block.hash.length === STORED_KEY_DIGITS) {
    if (storedKey(block.data) !== block.hash) throw new Error(`${what} does not match its hash`)
    if (tag === PAGE_AS_IS) {
      into.set(decompressPage(rest, what))
      return into
    }
    if (tag === PAGE_XOR_BASE) throw new Error(`${what} has an unknown encoding`)
    let blocks: Uint8Array
    try {
      blocks =
        tag === PAGE_CHANGED_BLOCKS
          ? unpackZeros(rest)
          : brotliDecompressSync(rest, { maxOutputLength: gathered.byteLength })
    } catch (error) {
      throw new Error(`${what} cannot be unpacked (${(error as Error).message})`, { cause: error })
    }
    return fromChangedBlocks(blocks, slot.base, what, into)
  }
  if (tag === PAGE_CHANGED_BLOCKS || tag === PAGE_CHANGED_BLOCKS_BROTLI)
    throw new Error(`${what} has an unknown encoding`)
  const stored = decompressPage(rest, what)
  const bytes = tag === PAGE_XOR_BASE ? xorPage(stored, slot.base) : stored
  if (pageKey(slot.index, bytes) !== block.hash) throw new Error(`${what} does not match its hash`)
  into.set(bytes)
  return into
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
 * A stored page back to its bytes (decodePage, or decodeBlock before format 6), written into `into`
 * (one page), or into a buffer of their own.
 */
export function decodeOwnedPage(
  block: EncodedBlock,
  slot: PageSlot | null,
  what: string,
  into: Uint8Array = new Uint8Array(PAGE_BYTES)
): Uint8Array {
  if (slot !== null) return decodePage(block, slot, what, into)
  const bytes = decodeBlock(block, what)
  if (bytes.byteLength !== PAGE_BYTES) throw new Error(`${what} has ${bytes.byteLength} bytes`)
  into.set(bytes)
  return into
}
