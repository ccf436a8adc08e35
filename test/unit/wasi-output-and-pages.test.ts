/**
 * The pure pieces under the worker: the output collector (merge, cap, clear_output, batches)
 * and memory page images (sharing unchanged pages, zero pages, exact restore, data segments, the
 * page arena captures copy into).
 */
import wabtInit from 'wabt'
import { describe, expect, it } from 'vitest'
import {
  activeDataSegments,
  captureMemory,
  imageWithCopied,
  PAGE_BYTES,
  restoreMemory,
  retainedBytes
} from '../../src/main/sandbox/memory-image'
import { EMIT, OutputCollector } from '../../src/main/sandbox/output'
import { PageArena } from '../../src/main/sandbox/page-arena'

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)
const record = (value: unknown): Uint8Array => bytes(JSON.stringify(value))

describe('OutputCollector', () => {
  it('merges contiguous stream text of the same name and keeps the order of rich outputs', () => {
    const c = new OutputCollector(1000, 7, () => undefined)
    c.stream('stdout', bytes('a'))
    c.stream('stdout', bytes('b\n'))
    c.stream('stderr', bytes('warn\n'))
    c.rich(EMIT.executeResult, record({ data: { 'text/plain': '2' }, metadata: {} }))
    c.stream('stdout', bytes('c'))
    c.finish()
    expect(c.all).toEqual([
      { type: 'stream', name: 'stdout', text: 'ab\n' },
      { type: 'stream', name: 'stderr', text: 'warn\n' },
      { type: 'execute_result', data: { 'text/plain': '2' }, metadata: {}, executionCount: 7 },
      { type: 'stream', name: 'stdout', text: 'c' }
    ])
  })

  it('decodes UTF-8 split across writes', () => {
    const c = new OutputCollector(1000, null, () => undefined)
    const euro = bytes('€')
    c.stream('stdout', euro.subarray(0, 1))
    c.stream('stdout', euro.subarray(1))
    expect(c.all).toEqual([{ type: 'stream', name: 'stdout', text: '€' }])
  })

  it('caps output at the byte budget, counts what it dropped, keeps errors, and marks the end', () => {
    const c = new OutputCollector(10, null, () => undefined)
    c.stream('stdout', bytes('0123456789abc'))
    c.stream('stdout', bytes('more'))
    c.rich(EMIT.displayData, record({ data: { 'text/plain': 'x' }, metadata: {} }))
    c.rich(EMIT.error, record({ ename: 'E', evalue: 'v', traceback: ['t'], lineno: 1 }))
    const dropped = 3 + 4 + record({ data: { 'text/plain': 'x' }, metadata: {} }).byteLength
    expect(c.result()).toEqual([
      { type: 'stream', name: 'stdout', text: '0123456789' },
      { type: 'error', ename: 'E', evalue: 'v', traceback: ['t'], lineno: 1 },
      { type: 'truncated', droppedBytes: dropped, droppedOutputs: 1 }
    ])
  })

  it('hands out batches, and clear_output replaces what was shown (now, or at the next output with wait)', () => {
    let ready = 0
    const c = new OutputCollector(1000, null, () => ready++)
    c.stream('stdout', bytes('one'))
    expect(c.takeBatch()).toEqual({
      outputs: [{ type: 'stream', name: 'stdout', text: 'one' }],
      replace: false
    })
    expect(c.takeBatch()).toBeNull()
    c.rich(EMIT.clearOutput, record({ wait: true }))
    expect(c.all).toHaveLength(1)
    c.stream('stdout', bytes('two'))
    expect(c.all).toEqual([{ type: 'stream', name: 'stdout', text: 'two' }])
    expect(c.takeBatch()).toEqual({
      outputs: [{ type: 'stream', name: 'stdout', text: 'two' }],
      replace: true
    })
    c.rich(EMIT.clearOutput, record({ wait: false }))
    expect(c.all).toEqual([])
    expect(c.takeBatch()).toEqual({ outputs: [], replace: true })
    c.rich(EMIT.reply, record({ variables: [] }))
    expect(c.reply).toEqual({ variables: [] })
    expect(ready).toBeGreaterThan(0)
  })

  it('update_display replaces every output shown with that display id, in place, and the next batch carries the whole list', () => {
    const c = new OutputCollector(1000, null, () => undefined)
    const shown = (text: string, id?: string) =>
      record({ data: { 'text/plain': text }, metadata: {}, ...(id ? { transient: { display_id: id } } : {}) })
    c.rich(EMIT.displayData, shown('0%', 'bar'))
    c.stream('stdout', bytes('between\n'))
    c.rich(EMIT.displayData, shown('0% again', 'bar'))
    c.rich(EMIT.displayData, shown('other', 'other'))
    expect(c.takeBatch()?.replace).toBe(false)
    c.rich(EMIT.updateDisplayData, shown('50%', 'bar'))
    const bar = { type: 'display_data', data: { 'text/plain': '50%' }, metadata: {} }
    const expected = [
      bar,
      { type: 'stream', name: 'stdout', text: 'between\n' },
      bar,
      { type: 'display_data', data: { 'text/plain': 'other' }, metadata: {} }
    ]
    expect(c.all).toEqual(expected)
    expect(c.takeBatch()).toEqual({ outputs: expected, replace: true })
    // An id this run never showed changes nothing; after clear_output the old ids are gone too.
    c.rich(EMIT.updateDisplayData, shown('?', 'unknown'))
    expect(c.takeBatch()).toBeNull()
    c.rich(EMIT.clearOutput, record({ wait: false }))
    c.rich(EMIT.updateDisplayData, shown('100%', 'bar'))
    expect(c.all).toEqual([])
  })
})

describe('memory images', () => {
  it('captures only changed pages, shares unchanged ones and stores zero pages as null', () => {
    const memory = new WebAssembly.Memory({ initial: 4, maximum: 10 })
    const view = new Uint8Array(memory.buffer)
    view[5] = 1
    view[2 * PAGE_BYTES + 7] = 2
    const first = captureMemory(memory, null)
    expect(first.image.pageCount).toBe(4)
    expect(first.image.pages.map((p) => p !== null)).toEqual([true, false, true, false])
    expect(first.stats).toMatchObject({ changedPages: 2, zeroPages: 2 })
    expect(first.image.pages[0]!.buffer).toBeInstanceOf(SharedArrayBuffer)

    view[2 * PAGE_BYTES + 8] = 3
    memory.grow(1)
    new Uint8Array(memory.buffer)[4 * PAGE_BYTES] = 4
    const second = captureMemory(memory, first.image)
    expect(second.stats.changedPages).toBe(2)
    expect(second.image.pages[0]).toBe(first.image.pages[0]) // shared, not copied
    expect(second.image.pages[2]).not.toBe(first.image.pages[2])
    expect(first.image.pages[2]![8]).toBe(0) // the first image is unchanged

    const restored = restoreMemory(second.image, 10)
    expect(restored.buffer.byteLength).toBe(5 * PAGE_BYTES) // exactly the image's size
    expect(Buffer.from(restored.buffer).equals(Buffer.from(memory.buffer))).toBe(true)
    expect(restored.grow(5)).toBe(5)
    expect(() => restored.grow(1)).toThrow() // the cap is the maximum
  })

  it("rebuilds a state sent back from another thread from its copied pages and the start state's page objects", () => {
    const memory = new WebAssembly.Memory({ initial: 4, maximum: 10 })
    const view = new Uint8Array(memory.buffer)
    view[5] = 1
    view[PAGE_BYTES + 3] = 2
    const start = captureMemory(memory, null).image
    view[PAGE_BYTES + 4] = 9
    memory.grow(1)
    new Uint8Array(memory.buffer)[4 * PAGE_BYTES + 1] = 7
    const { image, copied } = captureMemory(memory, start)
    expect(copied).toEqual([1, 4])
    // What the pool receives: only the copied pages, new objects (structured cloning), bytes shared.
    const sent = structuredClone(copied.map((index) => image.pages[index]!))
    const received = imageWithCopied(image.pageCount, start, copied, sent)
    expect(received.pageCount).toBe(5)
    expect(received.pages[0]).toBe(start.pages[0])
    expect(received.pages[2]).toBeNull()
    expect(received.pages[1]).toBe(sent[0])
    expect(received.pages[1]![4]).toBe(9)
    expect(Buffer.from(restoreMemory(received, 10).buffer).equals(Buffer.from(memory.buffer))).toBe(true)
    // From boot (no start state) every page not sent is zero.
    const booted = captureMemory(memory, null)
    const fromBoot = imageWithCopied(
      5,
      null,
      booted.copied,
      booted.copied.map((i) => booted.image.pages[i]!)
    )
    expect(Buffer.from(restoreMemory(fromBoot, 10).buffer).equals(Buffer.from(memory.buffer))).toBe(true)
    expect(() => imageWithCopied(5, start, [1], [])).toThrow('0 pages sent for 1 copied')
  })

  it('reads the active data segments of a module', async () => {
    const wabt = await wabtInit()
    const parsed = wabt.parseWat(
      't.wat',
      '(module (memory 2) (data (i32.const 16) "hi") (data (i32.const 70000) "there"))'
    )
    const wasm = new Uint8Array(parsed.toBinary({}).buffer)
    parsed.destroy()
    const segments = activeDataSegments(wasm)
    expect(segments.map((s) => [s.offset, new TextDecoder().decode(s.bytes)])).toEqual([
      [16, 'hi'],
      [70000, 'there']
    ])
  })
})

describe('memory images over many runs', () => {
  it('never pin much more memory than they describe (old slabs are repacked)', () => {
    const memory = new WebAssembly.Memory({ initial: 200, maximum: 200 })
    const view = new Uint8Array(memory.buffer)
    for (let i = 0; i < 200; i++) view[i * PAGE_BYTES] = 1
    let image = captureMemory(memory, null).image
    // Each "run" changes 20 hot pages and one cold page that no later run touches: without
    // repacking, every run's slab would stay alive through its cold page (21x the bytes).
    for (let run = 0; run < 150; run++) {
      for (let hot = 0; hot < 20; hot++) view[hot * PAGE_BYTES + 1] = run & 0xff
      view[(20 + run) * PAGE_BYTES + 1] = 1
      const captured = captureMemory(memory, image)
      // A repack copies every page: none may be relinked to the old slabs it lets go.
      if (captured.copied.length > 21) expect(captured.copied.length).toBe(200)
      image = captured.image
      expect(retainedBytes(image.pages)).toBeLessThanOrEqual(
        2 * 200 * PAGE_BYTES + 8 * 2 ** 20 + 21 * PAGE_BYTES
      )
    }
    expect(Buffer.from(restoreMemory(image, 200).buffer).equals(Buffer.from(memory.buffer))).toBe(true)
  })
})

describe('the page arena', () => {
  it('captures into prepared slots without ever handing one out twice, and past them into new memory', () => {
    const arena = new PageArena()
    arena.prepare(3)
    expect(arena.ready).toBe(3)
    const memory = new WebAssembly.Memory({ initial: 4, maximum: 4 })
    const view = new Uint8Array(memory.buffer)
    view[1] = 1
    view[PAGE_BYTES + 1] = 2
    const take = (count: number): Uint8Array[] => arena.take(count)
    const first = captureMemory(memory, null, take)
    expect(first.copied).toEqual([0, 1])
    expect(arena.ready).toBe(1)
    const [a, b] = [first.image.pages[0]!, first.image.pages[1]!]
    // Prepared slots are adjacent pages of one shared slab (restoreMemory copies them in one go).
    expect(a.buffer).toBeInstanceOf(SharedArrayBuffer)
    expect(b.buffer).toBe(a.buffer)
    expect(b.byteOffset).toBe(a.byteOffset + PAGE_BYTES)

    // Two changed pages, one slot left: that slot, then new memory; the pages taken before keep their bytes.
    view[1] = 3
    view[3 * PAGE_BYTES] = 4
    const second = captureMemory(memory, first.image, take)
    expect(second.copied).toEqual([0, 3])
    expect(second.image.pages[0]!.buffer).toBe(a.buffer)
    expect(second.image.pages[0]!.byteOffset).toBe(b.byteOffset + PAGE_BYTES)
    expect(second.image.pages[3]!.buffer).not.toBe(a.buffer)
    expect([a[1], b[1]]).toEqual([1, 2])
    expect(second.image.pages[1]).toBe(b) // unchanged: shared
    expect(Buffer.from(restoreMemory(second.image, 4).buffer).equals(Buffer.from(memory.buffer))).toBe(true)
    expect(arena.ready).toBe(0)

    // Preparing makes only what is missing; slots left from before are handed out first.
    arena.prepare(1)
    const [left] = arena.take(1)
    arena.prepare(2)
    arena.prepare(3)
    const next = arena.take(3)
    expect(new Set(next.map((page) => page.buffer)).size).toBe(2)
    expect(next).not.toContain(left)
    expect(arena.ready).toBe(0)
  })
})
