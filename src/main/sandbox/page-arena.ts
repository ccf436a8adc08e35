/**
 * Where a worker's captures put the pages a run changed: shared memory that is already paged in.
 *
 * A fresh SharedArrayBuffer costs a page fault per 4 KiB on its first write, and on this project's
 * 2-core VM that was most of a capture: copying 33 changed pages into a new 2 MiB slab took ~1 ms
 * on a quiet machine and ~20 ms under load, against ~0.2 ms into memory already touched
 * (bench/kernel.bench.ts, "where a trivial run goes"). V8 frees dead SharedArrayBuffers late, so
 * their memory is rarely reused. The arena is filled ahead: between runs, once the answer is posted
 * (`prepare`), it makes sure enough touched page slots are ready, so the faults are taken while
 * nothing waits for the worker.
 *
 * Slots are handed out once and never written again by the arena (memory-image.ts: pages are
 * immutable); a slab is freed by the garbage collector when no page in it is referenced any more.
 */
import { freshPages, PAGE_BYTES, pageViews } from './memory-image'

export class PageArena {
  private slab: Uint8Array | null = null
  /** Page slots of `slab` already handed out. */
  private used = 0

  /** Free prepared slots. */
  get ready(): number {
    return this.slab === null ? 0 : this.slab.byteLength / PAGE_BYTES - this.used
  }

  /**
   * `count` page-sized views of shared memory, adjacent in one slab (restoreMemory copies runs of
   * adjacent pages in one go): prepared slots when there are enough, else a slab of their own.
   */
  take(count: number): Uint8Array[] {
    if (count === 0 || this.ready < count) return freshPages(count)
    const first = this.used
    this.used += count
    return pageViews(this.slab!, first, count)
  }

  /**
   * Makes sure at least `count` prepared slots are ready; call it off a run's path. A new slab has
   * exactly `count` slots (a page pins its whole slab, so spare slots would inflate what a head
   * keeps alive) and is written once so that the OS backs it now; slots left in the old one stay
   * unused.
   */
  prepare(count: number): void {
    if (count <= 0 || this.ready >= count) return
    const slab = new Uint8Array(new SharedArrayBuffer(count * PAGE_BYTES))
    touch(slab)
    this.slab = slab
    this.used = 0
  }
}

/** Writes one byte per 4 KiB (the OS page size), which makes the OS back the whole buffer. */
function touch(bytes: Uint8Array): void {
  for (let offset = 0; offset < bytes.byteLength; offset += 4096) bytes[offset] = 0
}
