/**
 * The file system's part of a saved kernel state (src/main/kernel/persist.ts): file contents as
 * chunks keyed by hash, stored compressed or, when brotli cannot shrink them, as they are (a view of
 * the file, no second copy); chunks the notebook file already holds travel without their bytes.
 */
import { randomBytes } from 'node:crypto'
import { brotliCompressSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { decodeSnapshot, encodeSnapshot } from '../../src/main/kernel/persist'
import type { MachineState } from '../../src/main/sandbox/protocol'
import type { FsImage } from '../../src/main/sandbox/wasi/fs-image'
import type { PersistedSnapshot } from '../../src/shared/snapshot'

const CHUNK = 65536

/** A state with no memory pages and two files in /tmp: random bytes and zeros. */
function stateWith(random: Uint8Array, zeros: Uint8Array): MachineState {
  const fs: FsImage = {
    rootIno: 1000,
    nextIno: 1004,
    nodes: [
      { kind: 'dir', ino: 1000, entries: [['tmp', 1001]], mtimeNs: 0n },
      {
        kind: 'dir',
        ino: 1001,
        entries: [
          ['random', 1002],
          ['zeros', 1003]
        ],
        mtimeNs: 0n
      },
      { kind: 'file', ino: 1002, data: random, mtimeNs: 1n },
      { kind: 'file', ino: 1003, data: zeros, mtimeNs: 2n }
    ],
    fds: [null]
  }
  return {
    id: 'test',
    memory: { pageCount: 0, pages: [] },
    globals: {},
    wasi: { fs, clock: { monotonicFloorNs: 0n, virtualNs: 0n, random: [1, 2, 3, 4] } }
  }
}

function shared(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(new SharedArrayBuffer(bytes.byteLength))
  copy.set(bytes)
  return copy
}

function fileBytes(state: MachineState, ino: number): Uint8Array {
  const node = state.wasi.fs.nodes.find((n) => n.ino === ino)
  if (node?.kind !== 'file') throw new Error(`no file ${ino}`)
  return node.data
}

async function decoded(snapshot: PersistedSnapshot): Promise<MachineState> {
  const result = await decodeSnapshot(snapshot, null, 'runtime', 'restored')
  if (!result.ok) throw new Error(result.error)
  return result.value
}

describe('file contents in a saved kernel state', () => {
  const random = shared(randomBytes(2 * CHUNK + 1000))
  const zeros = shared(new Uint8Array(3 * CHUNK))

  it('stores incompressible chunks as views of the file and compressible ones compressed, and reads both back', async () => {
    const snapshot = await encodeSnapshot(stateWith(random, zeros), null, 'runtime')
    const chunks = snapshot.chunks ?? []
    // Three chunks of random data, one chunk of zeros (the same hash three times, kept once).
    expect(chunks).toHaveLength(4)
    const raw = chunks.filter((c) => c.data?.buffer === random.buffer)
    expect(raw.map((c) => c.data!.byteLength)).toEqual([CHUNK, CHUNK, 1000])
    const zero = chunks.find((c) => c.data?.buffer !== random.buffer)!
    expect(zero.data!.byteLength).toBeLessThan(100)

    const state = await decoded(structuredClone(snapshot))
    expect(Buffer.from(fileBytes(state, 1002)).equals(Buffer.from(random))).toBe(true)
    expect(Buffer.from(fileBytes(state, 1003)).equals(Buffer.from(zeros))).toBe(true)
    // Restored files live in shared memory, so they reach a worker without a copy.
    expect(fileBytes(state, 1002).buffer).toBeInstanceOf(SharedArrayBuffer)
  })

  it('names the chunks the notebook file already holds without their bytes', async () => {
    const first = await encodeSnapshot(stateWith(random, zeros), null, 'runtime')
    const stored = new Set((first.chunks ?? []).map((c) => c.hash))
    const again = await encodeSnapshot(stateWith(random, zeros), null, 'runtime', stored)
    expect(again.chunks?.map((c) => c.hash)).toEqual(first.chunks?.map((c) => c.hash))
    expect(again.chunks?.every((c) => c.data === null)).toBe(true)
    // Alone, such a snapshot cannot be read: its bytes are in the file it is saved to.
    const alone = await decodeSnapshot(again, null, 'runtime', 'x')
    expect(!alone.ok && alone.error).toMatch(/damaged \(a file chunk is missing\)/)
  })

  it('refuses a stored chunk with a changed byte, whether it was kept as it is or compressed', async () => {
    const snapshot = await encodeSnapshot(stateWith(random, zeros), null, 'runtime')
    for (const index of [0, 3]) {
      const chunks = snapshot.chunks!.map((c) => ({ hash: c.hash, data: new Uint8Array(c.data!) }))
      chunks[index]!.data[10]! ^= 1
      const result = await decodeSnapshot({ ...snapshot, chunks }, null, 'runtime', 'x')
      expect(result.ok).toBe(false)
      expect(!result.ok && result.error).toMatch(/^the saved kernel state is damaged/)
    }
  })

  it('still reads format 4, which compressed every chunk', async () => {
    const current = await encodeSnapshot(stateWith(random, zeros), null, 'runtime')
    const chunks = current.chunks!.map((c) => {
      const raw = c.data!.buffer === random.buffer
      return { hash: c.hash, data: raw ? new Uint8Array(brotliCompressSync(c.data!)) : c.data! }
    })
    const state = await decoded({ ...current, format: 4, chunks })
    expect(Buffer.from(fileBytes(state, 1002)).equals(Buffer.from(random))).toBe(true)
  })

  it('reads back the wheel list and the permission bits the state had, and leaves them unknown when it had none', async () => {
    // A state read back without its wheel list makes its next run set sys.path again first, which
    // moves that cell's fuel (src/main/kernel/README.md, "Determinism").
    const base = stateWith(random, zeros)
    const state: MachineState = {
      ...base,
      packages: ['six-1.16.0-py2.py3-none-any.whl'],
      wasi: { ...base.wasi, fs: { ...base.wasi.fs, modes: [[1002, 0o600]] } }
    }
    const back = await decoded(await encodeSnapshot(state, null, 'runtime'))
    expect(back.packages).toEqual(['six-1.16.0-py2.py3-none-any.whl'])
    expect(back.wasi.fs.modes).toEqual([[1002, 0o600]])
    const none = await decoded(await encodeSnapshot({ ...base, packages: [] }, null, 'runtime'))
    expect(none.packages).toEqual([])
    const unknown = await decoded(await encodeSnapshot(base, null, 'runtime'))
    expect('packages' in unknown).toBe(false)
    expect(unknown.wasi.fs.modes).toBeUndefined()
  })
})
