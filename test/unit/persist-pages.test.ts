/**
 * Memory pages of a saved kernel state (src/main/kernel/block-codec.ts, persist.ts): from format 7
 * each page is the blocks that differ from the base's page at its index, keyed by the sha384 of
 * what is stored; pages of format 6 (the XOR with the base page, keyed by the page's index and
 * bytes) and older formats (stored alone, keyed by their bytes) still read.
 */
import { createHash, randomBytes } from 'node:crypto'
import { brotliCompressSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { decodePage, encodePage, pageKey, storedKey } from '../../src/main/kernel/block-codec'
import { decodeSnapshot, encodeSnapshot, SNAPSHOT_FORMAT } from '../../src/main/kernel/persist'
import type { MachineState } from '../../src/main/sandbox/protocol'
import type { PersistedPage, PersistedSnapshot } from '../../src/shared/snapshot'

const PAGE = 65536

function sharedPage(fill: (bytes: Uint8Array) => void): Uint8Array {
  const page = new Uint8Array(new SharedArrayBuffer(PAGE))
  fill(page)
  return page
}

/** A page of varied bytes with some zeros, as a heap page is (pseudo-random, reproducible). */
function heapPage(seed: number): Uint8Array {
  return sharedPage((bytes) => {
    let x = seed * 2654435761 + 1
    for (let i = 0; i < PAGE; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0
      bytes[i] = i % 4 === 3 ? 0 : x >>> 24
    }
  })
}

/** `page` with a few scattered bytes changed, as a trivial cell leaves a page it touched. */
function touched(page: Uint8Array, seed: number): Uint8Array {
  return sharedPage((bytes) => {
    bytes.set(page)
    for (let i = 0; i < 40; i++) {
      const at = (i * 1553 + seed) % PAGE
      bytes[at] = bytes[at]! ^ 0x5a
    }
  })
}

function stateOf(pages: (Uint8Array | null)[]): MachineState {
  return {
    id: 'test',
    memory: { pageCount: pages.length, pages },
    globals: { __stack_pointer: 1234 },
    wasi: {
      fs: { rootIno: 1, nextIno: 2, nodes: [{ kind: 'dir', ino: 1, entries: [], mtimeNs: 0n }], fds: [] },
      clock: { monotonicFloorNs: 0n, virtualNs: 0n, random: [1, 2, 3, 4] }
    }
  }
}

async function restored(snapshot: PersistedSnapshot, base: MachineState): Promise<MachineState> {
  const result = await decodeSnapshot(snapshot, base, 'runtime', 'restored')
  if (!result.ok) throw new Error(result.error)
  return result.value
}

const bytesOf = (page: Uint8Array | null | undefined): Buffer => Buffer.from(page ?? new Uint8Array(PAGE))

describe('one page against its base', () => {
  it('a page a run barely changed is stored as its difference, far smaller than the page alone', () => {
    const base = heapPage(1)
    const page = touched(base, 7)
    const block = encodePage(page, { index: 3, base })
    expect(block.hash).toBe(storedKey(block.data))
    expect(block.hash).toMatch(/^[0-9a-f]{96}$/)
    expect(block.data.byteLength).toBeLessThan(brotliCompressSync(page).byteLength / 10)
    expect(Buffer.from(decodePage(block, { index: 3, base }, 'page 3'))).toEqual(Buffer.from(page))
  })

  it('a page changed at its first and last bytes, or in every block, round-trips', () => {
    const base = heapPage(6)
    const ends = sharedPage((bytes) => {
      bytes.set(base)
      bytes[0] = bytes[0]! ^ 1
      bytes[PAGE - 1] = bytes[PAGE - 1]! ^ 0x80
    })
    const everyBlock = touched(base, 11)
    for (let at = 0; at < PAGE; at += 256) everyBlock[at + 100] = everyBlock[at + 100]! ^ 0xff
    const zeros = sharedPage(() => {})
    for (const page of [ends, everyBlock, zeros, base]) {
      const block = encodePage(page, { index: 2, base })
      expect(Buffer.from(decodePage(block, { index: 2, base }, 'page 2'))).toEqual(Buffer.from(page))
    }
    // Only the two blocks that changed are kept: far less than a page.
    expect(encodePage(ends, { index: 2, base }).data.byteLength).toBeLessThan(600)
  })

  it('decodes into a page of a larger buffer, at any offset, and writes nothing beside it', () => {
    const base = heapPage(8)
    const page = touched(base, 13)
    const random = sharedPage((bytes) => bytes.set(randomBytes(PAGE)))
    for (const stored of [page, random]) {
      const block = encodePage(stored, { index: 4, base })
      for (const offset of [PAGE, 3]) {
        const slab = new Uint8Array(new SharedArrayBuffer(3 * PAGE)).fill(0xee)
        const into = slab.subarray(offset, offset + PAGE)
        expect(decodePage(block, { index: 4, base }, 'page 4', into)).toBe(into)
        expect(Buffer.from(into)).toEqual(Buffer.from(stored))
        expect([slab[offset - 1], slab[offset + PAGE]]).toEqual([0xee, 0xee])
      }
    }
  })

  it('a page of new data (random) is not made larger by its base', () => {
    const base = heapPage(2)
    const page = sharedPage((bytes) => bytes.set(randomBytes(PAGE)))
    const block = encodePage(page, { index: 0, base })
    expect(block.data.byteLength).toBeLessThanOrEqual(brotliCompressSync(page).byteLength + 64)
    expect(Buffer.from(decodePage(block, { index: 0, base }, 'page 0'))).toEqual(Buffer.from(page))
  })

  it('a key names the stored bytes: the same change against the same base page shares it, any other does not', () => {
    const base = heapPage(3)
    const page = touched(base, 1)
    const twin = sharedPage((bytes) => bytes.set(page))
    expect(encodePage(twin, { index: 1, base }).hash).toBe(encodePage(page, { index: 1, base }).hash)
    expect(encodePage(touched(base, 2), { index: 1, base }).hash).not.toBe(
      encodePage(page, { index: 1, base }).hash
    )
    // Never a file chunk's key (sha256 of its bytes), which shares the table: not even its length.
    expect(encodePage(page, { index: 1, base }).hash.length).not.toBe(
      createHash('sha256').update(page).digest('hex').length
    )
  })

  it('a page of format 6 (its XOR with the base page, keyed by its index and bytes) still reads', () => {
    const base = heapPage(8)
    const page = touched(base, 3)
    const xor = new Uint8Array(PAGE).map((_, i) => page[i]! ^ base[i]!)
    const compressed = brotliCompressSync(xor)
    const block = { hash: pageKey(4, page), data: new Uint8Array([1, ...compressed]) }
    expect(Buffer.from(decodePage(block, { index: 4, base }, 'page 4'))).toEqual(Buffer.from(page))
    expect(() => decodePage(block, { index: 5, base }, 'page 5')).toThrow('page 5 does not match its hash')
  })

  it('read against another base, or with a flipped bit, a page is refused, not restored wrong', () => {
    const base = heapPage(4)
    const block = encodePage(touched(base, 9), { index: 5, base })
    expect(() => decodePage(block, { index: 5, base: heapPage(5) }, 'page 5')).toThrow(
      'page 5 does not match its base page'
    )
    const flipped = new Uint8Array(block.data)
    flipped[flipped.byteLength - 1] = flipped[flipped.byteLength - 1]! ^ 1
    expect(() => decodePage({ ...block, data: flipped }, { index: 5, base }, 'page 5')).toThrow(/page 5/)
    const unknown = new Uint8Array(block.data)
    unknown[0] = 9
    expect(() => decodePage({ ...block, data: unknown }, { index: 5, base }, 'page 5')).toThrow(
      'page 5 has an unknown encoding'
    )
  })
})

describe('a snapshot against S0', () => {
  const s0 = stateOf([heapPage(10), heapPage(11), null, heapPage(13)])

  it('round-trips changed, zeroed, new and grown pages, and is far smaller than the pages alone', async () => {
    const head = stateOf([
      s0.memory.pages[0]!, // unchanged: not stored
      touched(s0.memory.pages[1]!, 1), // barely changed
      heapPage(20), // was zero in S0
      null, // zeroed
      heapPage(21) // beyond S0
    ])
    const snapshot = await encodeSnapshot(head, s0, 'runtime')
    expect(snapshot.format).toBe(SNAPSHOT_FORMAT)
    expect(snapshot.pages.map((p) => p.index)).toEqual([1, 2, 3, 4])
    const back = await restored(snapshot, s0)
    expect(back.memory.pageCount).toBe(5)
    for (let i = 0; i < 5; i++) expect(bytesOf(back.memory.pages[i])).toEqual(bytesOf(head.memory.pages[i]))
    const stored = snapshot.pages.find((p) => p.index === 1)!.data.byteLength
    expect(stored).toBeLessThan(brotliCompressSync(head.memory.pages[1]!).byteLength / 10)
  })

  it('a head too large to decode in place goes to the codec threads, and its pages land in its slab', async () => {
    // 300 changed pages: more than the calling thread decodes itself (codec-threads.ts).
    const bases = Array.from({ length: 300 }, (_, i) => heapPage(100 + i))
    const base = stateOf(bases)
    const head = stateOf(bases.map((page, i) => touched(page, i)))
    const back = await restored(await encodeSnapshot(head, base, 'runtime'), base)
    expect(back.memory.pages.every((page, i) => Buffer.compare(page!, head.memory.pages[i]!) === 0)).toBe(
      true
    )
  })

  it('exporting a restored head again gives the same pages (the stored encodings are reused)', async () => {
    const head = stateOf([touched(s0.memory.pages[0]!, 2), s0.memory.pages[1]!, null, null])
    const first = await encodeSnapshot(head, s0, 'runtime')
    const back = await restored(first, s0)
    const again = await encodeSnapshot(back, s0, 'runtime')
    expect(again.pages.map((p) => [p.index, p.hash])).toEqual(first.pages.map((p) => [p.index, p.hash]))
  })

  it('a head saved in format 5 (pages alone, keyed by their bytes) still reads, and is saved in 7 again', async () => {
    const head = stateOf([touched(s0.memory.pages[0]!, 3), s0.memory.pages[1]!, null, s0.memory.pages[3]!])
    const current = await encodeSnapshot(head, s0, 'runtime')
    const page = head.memory.pages[0]!
    const old: PersistedSnapshot = {
      ...current,
      format: 5,
      pages: [
        {
          index: 0,
          hash: createHash('sha256').update(page).digest('hex'),
          data: new Uint8Array(brotliCompressSync(page))
        }
      ]
    }
    const back = await restored(old, s0)
    expect(bytesOf(back.memory.pages[0])).toEqual(bytesOf(page))
    // What an export makes now, not the format-5 bytes it was read from.
    const again = await encodeSnapshot(back, s0, 'runtime')
    const base = s0.memory.pages[0]!
    expect(again.pages.map((p) => [p.index, p.hash])).toEqual([
      [0, encodePage(page, { index: 0, base }).hash]
    ])
    expect(await restored(again, s0)).toBeTruthy()
  })

  it('a head saved in format 6 (XOR with S0 brotli-compressed) still reads, and is saved in 7 again', async () => {
    const head = stateOf([touched(s0.memory.pages[0]!, 6), s0.memory.pages[1]!, heapPage(22), null])
    const current = await encodeSnapshot(head, s0, 'runtime')
    const format6 = (index: number): PersistedPage => {
      const page = head.memory.pages[index] ?? new Uint8Array(PAGE)
      const base = s0.memory.pages[index] ?? null
      const stored = base === null ? page : page.map((byte, i) => byte ^ base[i]!)
      const data = new Uint8Array([base === null ? 0 : 1, ...brotliCompressSync(stored)])
      return { index, hash: pageKey(index, page), data }
    }
    expect(current.pages.map((p) => p.index)).toEqual([0, 2, 3])
    const old: PersistedSnapshot = { ...current, format: 6, pages: [0, 2, 3].map(format6) }
    const back = await restored(old, s0)
    for (let i = 0; i < 4; i++)
      expect(bytesOf(back.memory.pages[i]).equals(bytesOf(head.memory.pages[i]))).toBe(true)
    // Encoded again as format 7, not the format-6 bytes it was read from.
    const again = await encodeSnapshot(back, s0, 'runtime')
    expect(again.pages.map((p) => [p.index, p.hash])).toEqual(current.pages.map((p) => [p.index, p.hash]))
    expect(again.pages.every((p) => p.hash.length === 96)).toBe(true)
  })

  it("a page equal to S0's but another object (a repacked image) is not stored, export after export", async () => {
    const copy = sharedPage((bytes) => bytes.set(s0.memory.pages[1]!))
    const changed = touched(s0.memory.pages[0]!, 5)
    const head = stateOf([changed, copy, null, s0.memory.pages[3]!])
    for (let i = 0; i < 2; i++) {
      const snapshot = await encodeSnapshot(head, s0, 'runtime')
      expect(snapshot.pages.map((p) => p.index)).toEqual([0])
    }
    // The same page object against another base is compared again, not taken as equal.
    const other = stateOf([s0.memory.pages[0]!, heapPage(40), null, s0.memory.pages[3]!])
    const snapshot = await encodeSnapshot(head, other, 'runtime')
    expect(snapshot.pages.map((p) => p.index)).toEqual([0, 1])
    expect(bytesOf((await restored(snapshot, other)).memory.pages[1])).toEqual(bytesOf(copy))
  })

  it('a head read against another S0 is refused as damaged', async () => {
    const head = stateOf([touched(s0.memory.pages[0]!, 4), s0.memory.pages[1]!, null, null])
    const snapshot = await encodeSnapshot(head, s0, 'runtime')
    const other = stateOf([heapPage(30), heapPage(31), null, null])
    const result = await decodeSnapshot(snapshot, other, 'runtime', 'x')
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error).toMatch(/damaged \(page 0 does not match its base page\)/)
  })
})
