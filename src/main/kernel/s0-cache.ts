/**
 * The S0 disk cache: S0's memory stored raw, so a start reads it instead of decompressing it.
 *
 * Every process that runs Python starts by loading S0 (`fuelbook exec`, `fuelbook run`, the app).
 * Decoding the store's format (persist.ts: each page brotli-compressed and checked against its
 * sha256) cost ~200 ms of a ~500 ms `fuelbook exec`; reading ~10 MB of raw pages and one crc32
 * over them costs a few ms. The disk pays: ~10 MB instead of ~4 MB, once per runtime.
 *
 * File: "FBS0RAW1" | u32 header length | header JSON | the non-zero pages, in index order | the
 * rest of the state (globals, WASI file system, clock) as a page-less persist.ts snapshot file.
 * The header carries S0's identity (kernel/host.ts, `baseIdentity`), computed when the file was
 * written, so a start does not hash S0 again. A file that fails any check (magic, lengths, crc32,
 * runtime) reads as absent: the caller makes S0 again and rewrites it.
 */
import { mkdir, open, rename, rm, writeFile, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'
import { crc32 } from 'node:zlib'
import { PAGE_BYTES } from '../sandbox/memory-image'
import type { MachineState } from '../sandbox/protocol'
import { decodeSnapshot, encodeSnapshot, snapshotFromFile, snapshotToFile } from './persist'
import { readExactly } from '../sandbox/read-whole'

const MAGIC = Buffer.from('FBS0RAW1')

interface Header {
  runtimeHash: string
  identity: string
  pageCount: number
  /** Indices of the pages stored, ascending; the others are zero. */
  present: number[]
  restLength: number
  /** crc32 of everything after the header (the pages, then the rest). */
  crc32: number
}

export interface CachedS0 {
  state: MachineState
  identity: string
}

export async function writeS0Cache(
  path: string,
  s0: MachineState,
  identity: string,
  runtimeHash: string
): Promise<void> {
  const { memory } = s0
  const present: number[] = []
  const pages: Uint8Array[] = []
  for (let index = 0; index < memory.pageCount; index++) {
    const page = memory.pages[index]
    if (page) {
      present.push(index)
      pages.push(page)
    }
  }
  const rest = snapshotToFile(
    await encodeSnapshot({ ...s0, memory: { pageCount: 0, pages: [] } }, null, runtimeHash)
  )
  const body = Buffer.concat([...pages, rest])
  const header: Header = {
    runtimeHash,
    identity,
    pageCount: memory.pageCount,
    present,
    restLength: rest.byteLength,
    crc32: crc32(body)
  }
  const headerBytes = Buffer.from(JSON.stringify(header))
  const length = Buffer.alloc(4)
  length.writeUInt32LE(headerBytes.byteLength)
  await mkdir(dirname(path), { recursive: true })
  const temp = `${path}.${process.pid}.tmp`
  try {
    await writeFile(temp, Buffer.concat([MAGIC, length, headerBytes, body]))
    await rename(temp, path) // atomic: readers see the old file or the whole new one
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined)
    throw error
  }
}

/** S0 from the cache file, or null when it is absent, damaged or from another runtime. */
export async function readS0Cache(path: string, runtimeHash: string): Promise<CachedS0 | null> {
  let file: FileHandle
  try {
    file = await open(path, 'r')
  } catch {
    return null
  }
  try {
    const { size } = await file.stat()
    const prefix = Buffer.alloc(MAGIC.length + 4)
    await readExactly(file, prefix, 0)
    if (!prefix.subarray(0, MAGIC.length).equals(MAGIC)) return null
    const headerLength = prefix.readUInt32LE(MAGIC.length)
    const headerBytes = Buffer.alloc(headerLength)
    await readExactly(file, headerBytes, prefix.length)
    const header = JSON.parse(headerBytes.toString('utf8')) as Header
    const bodyStart = prefix.length + headerLength
    const pagesBytes = header.present.length * PAGE_BYTES
    if (
      header.runtimeHash !== runtimeHash ||
      size !== bodyStart + pagesBytes + header.restLength ||
      header.present.some(
        (index, i) => index < 0 || index >= header.pageCount || index <= (header.present[i - 1] ?? -1)
      )
    )
      return null
    // One shared slab, read into directly: the pages go to the workers without a copy.
    const slab = new Uint8Array(new SharedArrayBuffer(pagesBytes))
    await readExactly(file, slab, bodyStart)
    const restBytes = Buffer.alloc(header.restLength)
    await readExactly(file, restBytes, bodyStart + pagesBytes)
    if (crc32(restBytes, crc32(slab)) !== header.crc32) return null
    const rest = await decodeSnapshot(snapshotFromFile(restBytes), null, runtimeHash, 's0')
    if (!rest.ok) return null
    const pages: (Uint8Array | null)[] = new Array<Uint8Array | null>(header.pageCount).fill(null)
    header.present.forEach((index, slot) => {
      pages[index] = slab.subarray(slot * PAGE_BYTES, (slot + 1) * PAGE_BYTES)
    })
    return {
      state: { ...rest.value, memory: { pageCount: header.pageCount, pages } },
      identity: header.identity
    }
  } catch {
    return null
  } finally {
    await file.close()
  }
}
