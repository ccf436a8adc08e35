/**
 * Kernel state ⇄ PersistedSnapshot (the store's format) and ⇄ one file (the S0 disk cache).
 *
 * A snapshot keeps only the pages that differ from a base (S0 for the store, nothing for S0
 * itself); pages that are zero in both are omitted. Each page is stored on its own, against the
 * base's page at its index, and keyed by the sha384 of its stored bytes (block-codec.ts, run on
 * the codec threads), so the store writes a page once however many heads hold it. File contents of
 * the WASI file system are cut into chunks of the same size, compressed on their own and keyed by
 * the sha256 of their bytes (binary all the way: a file near the quota never becomes a string, and
 * a chunk the notebook file already holds is neither compressed nor stored again; only hashes are
 * cached, so the host holds a file's bytes once).
 * Everything else (globals, the tree, fd table and permission bits, clock, the wheels on sys.path)
 * is one small JSON document, deflated, naming each file's chunks by hash. A format number and the
 * runtime hash guard every read.
 */
import { brotliDecompressSync, deflateSync, inflateRawSync, inflateSync } from 'node:zlib'
import { fail, ok, type Result } from '../../shared/result'
import type { PersistedChunk, PersistedPage, PersistedSnapshot } from '../../shared/snapshot'
import { isZeroPage, PAGE_BYTES, type MemoryImage } from '../sandbox/memory-image'
import type { MachineState } from '../sandbox/protocol'
import type { FdImage, FsImage, FsNodeImage } from '../sandbox/wasi/fs-image'
import { sharedBytes } from '../sandbox/wasi/memfs'
import type { WasiState } from '../sandbox/wasi/host'
import { compressBlock, sha256Hex, type EncodedBlock, type PageSlot } from './block-codec'
import { decodePages, encodePages } from './codec-threads'

/**
 * Bump when the layout of pages or of the state document changes. 7: a memory page is its blocks
 * that differ from the base's page, zeros packed, keyed by the sha384 of those stored bytes
 * (block-codec.ts, encodePage). 6: a memory page is stored against the base's page at its index,
 * brotli-compressed, and keyed by its index and bytes. 5: a file chunk brotli cannot shrink is stored as it is (its length is the chunk's,
 * its own sha256 its key). 4: file contents are chunks beside the document, not base64 inside it.
 * 3: the state document is zlib (its adler32 catches a flipped bit; 2's raw deflate restored it
 * silently). 6 to 2 are still read.
 */
export const SNAPSHOT_FORMAT = 7
const PAGES_AGAINST_BASE_FORMAT = 6
const RAW_CHUNKS_FORMAT = 5
const COMPRESSED_CHUNKS_FORMAT = 4
const INLINE_FILES_FORMAT = 3
const RAW_STATE_FORMAT = 2
const READABLE_FORMATS = [
  SNAPSHOT_FORMAT,
  PAGES_AGAINST_BASE_FORMAT,
  RAW_CHUNKS_FORMAT,
  COMPRESSED_CHUNKS_FORMAT,
  INLINE_FILES_FORMAT,
  RAW_STATE_FORMAT
]

/**
 * Pages encoded once are not hashed and compressed again (pages are immutable; see
 * memory-image.ts). An encoding holds for the slot it was made for (index and base page), which
 * the entry records. The entry is a promise while the encoding is under way, so two exports of
 * one head share the work.
 */
interface CachedEncoding extends PageSlot {
  encoded: Promise<EncodedBlock>
}
const encodedPages = new WeakMap<Uint8Array, CachedEncoding>()
const ZERO = new Uint8Array(PAGE_BYTES)

function sameSlot(a: PageSlot, b: PageSlot): boolean {
  return a.index === b.index && a.base === b.base
}

function cachedFor(bytes: Uint8Array, slot: PageSlot): CachedEncoding | undefined {
  const cached = encodedPages.get(bytes)
  return cached !== undefined && sameSlot(cached, slot) ? cached : undefined
}

/** The pages' encodings, those not cached yet made in one batch on the codec threads. */
function encodeSlots(pages: readonly { bytes: Uint8Array; slot: PageSlot }[]): Promise<EncodedBlock[]> {
  const missing: { bytes: Uint8Array; slot: PageSlot }[] = []
  // Per page: its cached encoding, or its place in the batch.
  const wanted = pages.map((page): Promise<EncodedBlock> | number => {
    const cached = cachedFor(page.bytes, page.slot)
    if (cached !== undefined) return cached.encoded
    missing.push(page)
    return missing.length - 1
  })
  const batch = missing.length > 0 ? encodePages(missing) : null
  const made = missing.map(({ bytes, slot }, i) => {
    const encoded = batch!.then((all) => all[i]!)
    encodedPages.set(bytes, { ...slot, encoded })
    // A failed encoding is not kept: the next export tries again.
    encoded.catch(() => {
      if (encodedPages.get(bytes)?.encoded === encoded) encodedPages.delete(bytes)
    })
    return encoded
  })
  return Promise.all(wanted.map((w) => (typeof w === 'number' ? made[w]! : w)))
}

/** The page a slot is stored against: the base's page at that index, null for zeros or none. */
function basePageAt(base: MachineState | null, index: number): Uint8Array | null {
  return base !== null && index < base.memory.pageCount ? (base.memory.pages[index] ?? null) : null
}

/**
 * Pages found byte-identical to their slot's base page, though another object: a worker's capture
 * that repacks an image (memory-image.ts) copies every page, so after it most of a head's pages
 * are such copies, and comparing them with S0's again on every export cost the main thread ~0.6 ms
 * (98 of 169 pages of a notebook of trivial cells). Pages are immutable, so the answer holds.
 */
const sameAsBase = new WeakMap<Uint8Array, PageSlot>()

/** Whether a page differs from its slot's base page, comparing its bytes at most once. */
function differsFromBase(page: Uint8Array | null, slot: PageSlot): boolean {
  if (page === slot.base) return false
  if (page === null || slot.base === null) return !samePage(page, slot.base)
  // Only pages that differ from their base page are encoded for that slot.
  if (cachedFor(page, slot) !== undefined) return true
  const same = sameAsBase.get(page)
  if (same !== undefined && sameSlot(same, slot)) return false
  if (!samePage(page, slot.base)) return true
  sameAsBase.set(page, slot)
  return false
}

function samePage(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === b) return true
  if (a === null) return isZeroPage(b!)
  if (b === null) return isZeroPage(a)
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength)
  )
}

/** File chunks compressed between two yields to the event loop (~0.3 ms each): the app stays responsive. */
const PAGES_PER_SLICE = 8
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/**
 * The chunk hashes of each captured file, cached like pages (file images are immutable too,
 * memfs.ts). Only hashes: a chunk's compressed bytes are made when the store does not hold it yet
 * and dropped once saved, so the host never keeps a second copy of a file near the quota.
 */
const fileChunkHashes = new WeakMap<Uint8Array, string[]>()

function chunkOf(data: Uint8Array, index: number): Uint8Array {
  return data.subarray(index * PAGE_BYTES, (index + 1) * PAGE_BYTES)
}

/**
 * A chunk as the store keeps it: compressed, or, when brotli cannot shrink it by an eighth (random
 * or already compressed data), as it is: a view of the file's own bytes, so saving a file of such
 * data holds no second copy of it.
 */
function storedChunk(bytes: Uint8Array): Uint8Array {
  const compressed = compressBlock(bytes)
  return compressed.byteLength <= (bytes.byteLength * 7) / 8 ? new Uint8Array(compressed) : bytes
}

/** A stored chunk's bytes, checked against its hash (brotli has no checksum of its own). */
function chunkBytes(stored: Uint8Array, hash: string, length: number): Uint8Array {
  // Kept as it is (storedChunk): its length is the chunk's and its own hash is its key.
  if (stored.byteLength === length && sha256Hex(stored) === hash) return stored
  const bytes = brotliDecompressSync(stored, { maxOutputLength: PAGE_BYTES })
  if (bytes.byteLength !== length)
    throw new Error(`a file chunk has ${bytes.byteLength} bytes, not ${length}`)
  if (sha256Hex(bytes) !== hash) throw new Error(`a file chunk does not match its hash`)
  return bytes
}

async function hashFile(data: Uint8Array): Promise<string[]> {
  let hashes = fileChunkHashes.get(data)
  if (hashes === undefined) {
    hashes = []
    for (let index = 0; index * PAGE_BYTES < data.byteLength; index++) {
      hashes.push(sha256Hex(chunkOf(data, index)))
      if (hashes.length % (PAGES_PER_SLICE * 8) === 0) await yieldToEventLoop()
    }
    fileChunkHashes.set(data, hashes)
  }
  return hashes
}

/**
 * The pages that differ from `base`, compressed, plus the state document and the file chunks.
 * Async and sliced: a first export of a big head compresses hundreds of pages on the main thread;
 * later exports only compress the pages the last runs changed (encoded pages are cached by page
 * object). A file chunk whose hash is in `stored` (the blobs the notebook file already holds) is
 * named without its bytes.
 */
export async function encodeSnapshot(
  state: MachineState,
  base: MachineState | null,
  runtimeHash: string,
  stored: ReadonlySet<string> = new Set()
): Promise<PersistedSnapshot> {
  const { memory } = state
  const differing: PageSlot[] = []
  for (let index = 0; index < memory.pageCount; index++) {
    const slot = { index, base: basePageAt(base, index) }
    if (differsFromBase(memory.pages[index] ?? null, slot)) differing.push(slot)
  }
  const encoded = await encodeSlots(
    differing.map((slot) => ({ bytes: memory.pages[slot.index] ?? ZERO, slot }))
  )
  const pages = differing.map(({ index }, i): PersistedPage => ({ index, ...encoded[i]! }))
  const chunks = new Map<string, Uint8Array | null>()
  const fileChunks = new Map<number, string[]>()
  for (const node of state.wasi.fs.nodes) {
    if (node.kind !== 'file') continue
    const hashes = await hashFile(node.data)
    for (const [index, hash] of hashes.entries()) {
      if (chunks.has(hash)) continue
      if (stored.has(hash)) {
        chunks.set(hash, null)
        continue
      }
      chunks.set(hash, storedChunk(chunkOf(node.data, index)))
      if (chunks.size % PAGES_PER_SLICE === 0) await yieldToEventLoop()
    }
    fileChunks.set(node.ino, hashes)
  }
  return {
    format: SNAPSHOT_FORMAT,
    runtimeHash,
    pageCount: memory.pageCount,
    pages,
    state: new Uint8Array(deflateSync(JSON.stringify(stateDocument(state, fileChunks)), { level: 1 })),
    chunks: [...chunks].map(([hash, data]) => ({ hash, data }))
  }
}

export async function decodeSnapshot(
  snapshot: PersistedSnapshot,
  base: MachineState | null,
  runtimeHash: string,
  id: string
): Promise<Result<MachineState>> {
  if (!READABLE_FORMATS.includes(snapshot.format)) {
    return fail(
      `the saved kernel state has format ${snapshot.format}; this version of Fuelbook reads format ${SNAPSHOT_FORMAT}`
    )
  }
  if (snapshot.runtimeHash !== runtimeHash) {
    return fail(
      `the saved kernel state was made by another Python runtime (${snapshot.runtimeHash.slice(0, 12)}…, this one is ${runtimeHash.slice(0, 12)}…)`
    )
  }
  try {
    const pages: (Uint8Array | null)[] = new Array(snapshot.pageCount).fill(null)
    if (base !== null) {
      for (let i = 0; i < Math.min(snapshot.pageCount, base.memory.pageCount); i++)
        pages[i] = base.memory.pages[i] ?? null
    }
    const slab = new Uint8Array(new SharedArrayBuffer(snapshot.pages.length * PAGE_BYTES))
    for (const page of snapshot.pages) {
      if (page.index < 0 || page.index >= snapshot.pageCount)
        throw new Error(`page ${page.index} is out of range`)
    }
    // Before format 6 a page is stored alone; from then on against the base's page at its index.
    const againstBase = snapshot.format >= PAGES_AGAINST_BASE_FORMAT
    const slotOf = (index: number): PageSlot => ({ index, base: basePageAt(base, index) })
    // Each page is decoded into its slot of the slab (on the calling thread, straight there).
    const slotPage = (slot: number): Uint8Array => slab.subarray(slot * PAGE_BYTES, (slot + 1) * PAGE_BYTES)
    await decodePages(
      snapshot.pages.map((page, slot) => ({
        block: page,
        slot: againstBase ? slotOf(page.index) : null,
        what: `page ${page.index}`,
        into: slotPage(slot)
      }))
    )
    snapshot.pages.forEach((page, slot) => {
      const target = slotPage(slot)
      const zero = isZeroPage(target)
      pages[page.index] = zero ? null : target
      // Exporting this head again reuses the stored bytes instead of encoding them again (an
      // older format's are not what an export makes now).
      if (!zero && snapshot.format === SNAPSHOT_FORMAT)
        encodedPages.set(target, {
          ...slotOf(page.index),
          encoded: Promise.resolve({ hash: page.hash, data: page.data })
        })
    })
    const inflate = snapshot.format === RAW_STATE_FORMAT ? inflateRawSync : inflateSync
    const doc = JSON.parse(inflate(snapshot.state).toString('utf8')) as StateDocument
    const memory: MemoryImage = { pageCount: snapshot.pageCount, pages }
    const wasi = await decodeWasi(doc.wasi, snapshot.chunks ?? [])
    return ok({
      id,
      memory,
      globals: decodeGlobals(doc.globals),
      wasi,
      ...(doc.packages === undefined ? {} : { packages: doc.packages })
    })
  } catch (error) {
    return fail(`the saved kernel state is damaged (${(error as Error).message})`)
  }
}

// ---- the state document (JSON: bigints as strings; file contents by chunk hash) ------------

interface StateDocument {
  globals: Record<string, { i64: string } | number>
  /**
   * The wheels on the state's sys.path (MachineState.packages), when known. Without it the next run
   * sets sys.path again first, and that driver command, unmetered as it is, moves the interpreter's
   * allocations and so the fuel of the cell after it: a state read back must carry it to cost what
   * the state it was saved from costs (src/main/kernel/README.md, "Determinism").
   */
  packages?: string[]
  wasi: {
    fs: {
      rootIno: number
      nextIno: number
      nodes: (
        /** `chunks` from format 4 on; `data` (base64) before. */
        | { kind: 'file'; ino: number; chunks?: string[]; data?: string; size?: number; mtimeNs: string }
        | { kind: 'dir'; ino: number; entries: [string, number][]; mtimeNs: string }
      )[]
      fds: FdImage[]
      /** chmod'ed permission bits, [ino, mode] (absent in documents saved before they were kept). */
      modes?: [number, number][]
    }
    clock: { monotonicFloorNs: string; virtualNs: string; random: [number, number, number, number] }
  }
}

function stateDocument(state: MachineState, fileChunks: Map<number, string[]>): StateDocument {
  const globals: StateDocument['globals'] = {}
  for (const [name, value] of Object.entries(state.globals)) {
    globals[name] = typeof value === 'bigint' ? { i64: value.toString() } : value
  }
  const { fs, clock } = state.wasi
  return {
    globals,
    ...(state.packages === undefined ? {} : { packages: state.packages }),
    wasi: {
      fs: {
        rootIno: fs.rootIno,
        nextIno: fs.nextIno,
        nodes: fs.nodes.map((node) =>
          node.kind === 'file'
            ? {
                kind: 'file',
                ino: node.ino,
                size: node.data.byteLength,
                chunks: fileChunks.get(node.ino) ?? [],
                mtimeNs: node.mtimeNs.toString()
              }
            : { ...node, mtimeNs: node.mtimeNs.toString() }
        ),
        fds: fs.fds,
        ...(fs.modes === undefined ? {} : { modes: fs.modes })
      },
      clock: {
        monotonicFloorNs: clock.monotonicFloorNs.toString(),
        virtualNs: clock.virtualNs.toString(),
        random: clock.random
      }
    }
  }
}

function decodeGlobals(globals: StateDocument['globals']): Record<string, number | bigint> {
  const out: Record<string, number | bigint> = {}
  for (const [name, value] of Object.entries(globals))
    out[name] = typeof value === 'number' ? value : BigInt(value.i64)
  return out
}

/**
 * A file's bytes from its chunks, each decompressed straight into the file's shared memory and
 * checked against its hash (brotli has no checksum of its own): the host holds the file once.
 */
async function fileData(
  node: { chunks?: string[]; data?: string; size?: number },
  stored: ReadonlyMap<string, Uint8Array>
): Promise<Uint8Array> {
  if (node.chunks === undefined) return new Uint8Array(Buffer.from(node.data ?? '', 'base64'))
  const size = node.size ?? -1
  if (!Number.isSafeInteger(size) || size < 0 || size > node.chunks.length * PAGE_BYTES)
    throw new Error(`a file's entry says ${node.size} bytes for ${node.chunks.length} chunks`)
  const data = sharedBytes(size)
  for (const [index, hash] of node.chunks.entries()) {
    const compressed = stored.get(hash)
    if (compressed === undefined) throw new Error('a file chunk is missing')
    const target = chunkOf(data, index)
    if (target.byteLength === 0) throw new Error(`a file has ${size} bytes, its chunks say more`)
    target.set(chunkBytes(compressed, hash, target.byteLength))
    if (index % (PAGES_PER_SLICE * 4) === PAGES_PER_SLICE * 4 - 1) await yieldToEventLoop()
  }
  // Exporting this state again hashes nothing: the hashes are known, and the file holds the chunks.
  fileChunkHashes.set(data, node.chunks)
  return data
}

async function decodeWasi(doc: StateDocument['wasi'], chunks: readonly PersistedChunk[]): Promise<WasiState> {
  const stored = new Map<string, Uint8Array>()
  for (const chunk of chunks) if (chunk.data !== null) stored.set(chunk.hash, chunk.data)
  const nodes: FsNodeImage[] = []
  for (const node of doc.fs.nodes) {
    nodes.push(
      node.kind === 'file'
        ? { kind: 'file', ino: node.ino, data: await fileData(node, stored), mtimeNs: BigInt(node.mtimeNs) }
        : { ...node, mtimeNs: BigInt(node.mtimeNs) }
    )
  }
  const fs: FsImage = {
    rootIno: doc.fs.rootIno,
    nextIno: doc.fs.nextIno,
    nodes,
    fds: doc.fs.fds,
    ...(doc.fs.modes === undefined ? {} : { modes: doc.fs.modes })
  }
  return {
    fs,
    clock: {
      monotonicFloorNs: BigInt(doc.clock.monotonicFloorNs),
      virtualNs: BigInt(doc.clock.virtualNs),
      random: doc.clock.random
    }
  }
}

// ---- one file (the S0 cache) ----------------------------------------------------------------

const FILE_MAGIC = 'FBSNAP1\n'

/** [magic][u32 header length][header JSON][page data…][state]. */
export function snapshotToFile(snapshot: PersistedSnapshot): Buffer {
  const chunks = (snapshot.chunks ?? []).map(({ hash, data }) => {
    if (data === null) throw new Error('a snapshot file needs the bytes of every file chunk')
    return { hash, data }
  })
  const header = JSON.stringify({
    format: snapshot.format,
    runtimeHash: snapshot.runtimeHash,
    pageCount: snapshot.pageCount,
    pages: snapshot.pages.map((p) => ({ index: p.index, hash: p.hash, length: p.data.byteLength })),
    chunks: chunks.map((c) => ({ hash: c.hash, length: c.data.byteLength })),
    stateLength: snapshot.state.byteLength
  })
  const headerBytes = Buffer.from(header)
  const length = Buffer.alloc(4)
  length.writeUInt32LE(headerBytes.byteLength)
  return Buffer.concat([
    Buffer.from(FILE_MAGIC),
    length,
    headerBytes,
    ...snapshot.pages.map((p) => p.data),
    ...chunks.map((c) => c.data),
    snapshot.state
  ])
}

export function snapshotFromFile(file: Uint8Array): PersistedSnapshot {
  const buffer = Buffer.from(file.buffer, file.byteOffset, file.byteLength)
  if (buffer.subarray(0, FILE_MAGIC.length).toString() !== FILE_MAGIC)
    throw new Error('not a Fuelbook snapshot file')
  let pos = FILE_MAGIC.length
  const headerLength = buffer.readUInt32LE(pos)
  pos += 4
  const header = JSON.parse(buffer.subarray(pos, pos + headerLength).toString()) as {
    format: number
    runtimeHash: string
    pageCount: number
    pages: { index: number; hash: string; length: number }[]
    chunks?: { hash: string; length: number }[]
    stateLength: number
  }
  pos += headerLength
  const pages = header.pages.map((p) => {
    const data = buffer.subarray(pos, pos + p.length)
    pos += p.length
    return { index: p.index, hash: p.hash, data }
  })
  const chunks = (header.chunks ?? []).map((c) => {
    const data = buffer.subarray(pos, pos + c.length)
    pos += c.length
    return { hash: c.hash, data }
  })
  const state = buffer.subarray(pos, pos + header.stateLength)
  if (state.byteLength !== header.stateLength) throw new Error('snapshot file is truncated')
  return {
    format: header.format,
    runtimeHash: header.runtimeHash,
    pageCount: header.pageCount,
    pages,
    state,
    chunks
  }
}
