/**
 * Kernel state ⇄ PersistedSnapshot (the store's format) and ⇄ one file (the S0 disk cache).
 *
 * A snapshot keeps only the pages that differ from a base (S0 for the store, nothing for S0
 * itself); pages that are zero in both are omitted. Each page is compressed on its own
 * (node:zlib brotli, quality 0: measured on kernel pages here 0.19 ms/page against 0.45 for
 * quality 1 and 0.65 for deflate level 1, for 12% more bytes; the service exports the head after
 * every run, on the main thread, so speed wins) and keyed by the sha256 of its uncompressed bytes, so the store
 * deduplicates pages shared between snapshots. File contents of the WASI file system are cut into
 * chunks of the same size, compressed and keyed the same way (binary all the way: a file near the
 * quota never becomes a string, and an unchanged file is neither compressed nor stored again).
 * Everything else (globals, the tree and fd table, clock) is one small JSON document, deflated,
 * naming each file's chunks by hash. A format number and the runtime hash guard every read.
 */
import { createHash } from 'node:crypto'
import {
  brotliCompressSync,
  brotliDecompressSync,
  constants,
  deflateSync,
  inflateRawSync,
  inflateSync
} from 'node:zlib'
import { fail, ok, type Result } from '../../shared/result'
import type { PersistedChunk, PersistedPage, PersistedSnapshot } from '../../shared/snapshot'
import { isZeroPage, PAGE_BYTES, type MemoryImage } from '../sandbox/memory-image'
import type { MachineState } from '../sandbox/protocol'
import type { FdImage, FsImage, FsNodeImage } from '../sandbox/wasi/fs-image'
import type { WasiState } from '../sandbox/wasi/host'

/**
 * Bump when the layout of pages or of the state document changes. 4: file contents are chunks
 * beside the document, not base64 inside it. 3: the state document is zlib (its adler32 catches a
 * flipped bit; 2's raw deflate restored it silently). 3 and 2 are still read.
 */
export const SNAPSHOT_FORMAT = 4
const INLINE_FILES_FORMAT = 3
const RAW_STATE_FORMAT = 2
const READABLE_FORMATS = [SNAPSHOT_FORMAT, INLINE_FILES_FORMAT, RAW_STATE_FORMAT]

/** Pages encoded once are not hashed and compressed again (pages are immutable; see memory-image.ts). */
const encodedPages = new WeakMap<Uint8Array, { hash: string; data: Uint8Array }>()
const ZERO = new Uint8Array(PAGE_BYTES)

function encodePage(page: Uint8Array | null): { hash: string; data: Uint8Array } {
  const bytes = page ?? ZERO
  let encoded = encodedPages.get(bytes)
  if (encoded === undefined) {
    encoded = {
      hash: createHash('sha256').update(bytes).digest('hex'),
      data: new Uint8Array(compressPage(bytes))
    }
    encodedPages.set(bytes, encoded)
  }
  return encoded
}

const BROTLI_PAGE = {
  params: {
    [constants.BROTLI_PARAM_QUALITY]: 0,
    [constants.BROTLI_PARAM_SIZE_HINT]: PAGE_BYTES,
    [constants.BROTLI_PARAM_LGWIN]: 16
  }
}

function compressPage(page: Uint8Array): Buffer {
  return brotliCompressSync(page, BROTLI_PAGE)
}

function samePage(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === b) return true
  if (a === null) return isZeroPage(b!)
  if (b === null) return isZeroPage(a)
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength)
  )
}

/** Pages compressed between two yields to the event loop (~0.3 ms each): the app stays responsive. */
const PAGES_PER_SLICE = 8
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/**
 * The pages that differ from `base`, compressed, plus the state document. Async and sliced: a
 * first export of a big head compresses hundreds of pages on the main thread; later exports only
 * compress the pages the last runs changed (encoded pages are cached by page object).
 */
/** Chunks of each captured file's bytes, cached like pages: file images are immutable too (memfs.ts). */
const encodedFiles = new WeakMap<Uint8Array, { hash: string; data: Uint8Array }[]>()

async function encodeFile(data: Uint8Array): Promise<{ hash: string; data: Uint8Array }[]> {
  let chunks = encodedFiles.get(data)
  if (chunks === undefined) {
    chunks = []
    for (let offset = 0; offset < data.byteLength; offset += PAGE_BYTES) {
      const bytes = data.subarray(offset, offset + PAGE_BYTES)
      chunks.push({
        hash: createHash('sha256').update(bytes).digest('hex'),
        data: new Uint8Array(compressPage(bytes))
      })
      if (chunks.length % PAGES_PER_SLICE === 0) await yieldToEventLoop()
    }
    encodedFiles.set(data, chunks)
  }
  return chunks
}

export async function encodeSnapshot(
  state: MachineState,
  base: MachineState | null,
  runtimeHash: string
): Promise<PersistedSnapshot> {
  const { memory } = state
  const pages: PersistedPage[] = []
  let encodedSinceYield = 0
  for (let index = 0; index < memory.pageCount; index++) {
    const page = memory.pages[index] ?? null
    const basePage =
      base !== null && index < base.memory.pageCount ? (base.memory.pages[index] ?? null) : null
    if (samePage(page, basePage)) continue
    if (!encodedPages.has(page ?? ZERO) && ++encodedSinceYield >= PAGES_PER_SLICE) {
      encodedSinceYield = 0
      await yieldToEventLoop()
    }
    pages.push({ index, ...encodePage(page) })
  }
  const chunks = new Map<string, Uint8Array>()
  const fileChunks = new Map<number, string[]>()
  for (const node of state.wasi.fs.nodes) {
    if (node.kind !== 'file') continue
    const encoded = await encodeFile(node.data)
    for (const chunk of encoded) chunks.set(chunk.hash, chunk.data)
    fileChunks.set(
      node.ino,
      encoded.map((chunk) => chunk.hash)
    )
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
    for (let slot = 0; slot < snapshot.pages.length; slot++) {
      const page = snapshot.pages[slot]!
      if (slot % (PAGES_PER_SLICE * 4) === PAGES_PER_SLICE * 4 - 1) await yieldToEventLoop()
      if (page.index < 0 || page.index >= snapshot.pageCount)
        throw new Error(`page ${page.index} is out of range`)
      const bytes = brotliDecompressSync(page.data)
      if (bytes.byteLength !== PAGE_BYTES) throw new Error(`page ${page.index} has ${bytes.byteLength} bytes`)
      // Brotli has no checksum: a flipped bit on disk can inflate to a wrong page, i.e. silently wrong variables.
      if (createHash('sha256').update(bytes).digest('hex') !== page.hash)
        throw new Error(`page ${page.index} does not match its hash`)
      const target = slab.subarray(slot * PAGE_BYTES, (slot + 1) * PAGE_BYTES)
      target.set(bytes)
      const zero = isZeroPage(target)
      pages[page.index] = zero ? null : target
      // Exporting this head again reuses the stored bytes instead of compressing them again.
      if (!zero) encodedPages.set(target, { hash: page.hash, data: page.data })
    }
    const inflate = snapshot.format === RAW_STATE_FORMAT ? inflateRawSync : inflateSync
    const doc = JSON.parse(inflate(snapshot.state).toString('utf8')) as StateDocument
    const memory: MemoryImage = { pageCount: snapshot.pageCount, pages }
    const chunks = await decodeChunks(snapshot.chunks ?? [])
    return ok({ id, memory, globals: decodeGlobals(doc.globals), wasi: decodeWasi(doc.wasi, chunks) })
  } catch (error) {
    return fail(`the saved kernel state is damaged (${(error as Error).message})`)
  }
}

/** Chunks by hash, each checked against its hash (brotli has no checksum of its own). */
type DecodedChunks = Map<string, { bytes: Uint8Array; stored: Uint8Array }>

async function decodeChunks(chunks: readonly PersistedChunk[]): Promise<DecodedChunks> {
  const byHash: DecodedChunks = new Map()
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i]!
    if (i % (PAGES_PER_SLICE * 4) === PAGES_PER_SLICE * 4 - 1) await yieldToEventLoop()
    const bytes = brotliDecompressSync(chunk.data, { maxOutputLength: PAGE_BYTES })
    if (createHash('sha256').update(bytes).digest('hex') !== chunk.hash)
      throw new Error(`a file chunk does not match its hash`)
    byHash.set(chunk.hash, { bytes, stored: chunk.data })
  }
  return byHash
}

// ---- the state document (JSON: bigints as strings; file contents by chunk hash) ------------

interface StateDocument {
  globals: Record<string, { i64: string } | number>
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
        fds: fs.fds
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

function fileData(
  node: { chunks?: string[]; data?: string; size?: number },
  chunks: DecodedChunks
): Uint8Array {
  if (node.chunks === undefined) return new Uint8Array(Buffer.from(node.data ?? '', 'base64'))
  const parts = node.chunks.map((hash) => {
    const part = chunks.get(hash)
    if (part === undefined) throw new Error('a file chunk is missing')
    return part.bytes
  })
  const size = parts.reduce((n, part) => n + part.byteLength, 0)
  if (size !== node.size) throw new Error(`a file has ${size} bytes, its entry says ${node.size}`)
  const data = new Uint8Array(size)
  let offset = 0
  for (const part of parts) {
    data.set(part, offset)
    offset += part.byteLength
  }
  // Exporting this state again reuses the stored chunks instead of compressing them again.
  encodedFiles.set(
    data,
    node.chunks.map((hash) => ({ hash, data: chunks.get(hash)!.stored }))
  )
  return data
}

function decodeWasi(doc: StateDocument['wasi'], chunks: DecodedChunks): WasiState {
  const nodes: FsNodeImage[] = doc.fs.nodes.map((node) =>
    node.kind === 'file'
      ? { kind: 'file', ino: node.ino, data: fileData(node, chunks), mtimeNs: BigInt(node.mtimeNs) }
      : { ...node, mtimeNs: BigInt(node.mtimeNs) }
  )
  const fs: FsImage = { rootIno: doc.fs.rootIno, nextIno: doc.fs.nextIno, nodes, fds: doc.fs.fds }
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
  const header = JSON.stringify({
    format: snapshot.format,
    runtimeHash: snapshot.runtimeHash,
    pageCount: snapshot.pageCount,
    pages: snapshot.pages.map((p) => ({ index: p.index, hash: p.hash, length: p.data.byteLength })),
    chunks: (snapshot.chunks ?? []).map((c) => ({ hash: c.hash, length: c.data.byteLength })),
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
    ...(snapshot.chunks ?? []).map((c) => c.data),
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
