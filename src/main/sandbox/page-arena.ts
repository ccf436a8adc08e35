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
  /** Prepared page slots, in order: adjacent within each slab they were cut from. */
  private slots: Uint8Array[] = []

  /** Free prepared slots. */
  get ready(): number {
    return this.slots.length
  }

  /**
   * `count` page-sized views of shared memory never handed out before: prepared slots first, then,
   * when there are too few, new ones (their faults are then taken on the run's path).
   */
  take(count: number): Uint8Array[] {
    const taken = this.slots.splice(0, count)
    return taken.length === count ? taken : taken.concat(freshPages(count - taken.length))
  }

  /**
   * Makes sure at least `count` prepared slots are ready; call it off a run's path. Only what is
   * missing is made, in one slab written once so that the OS backs it now; slots left from before
   * are handed out first, so none is wasted (a page pins its whole slab, and spare slots would
   * inflate what a head keeps alive).
   */
  prepare(count: number): void {
    const missing = count - this.slots.length
    if (missing <= 0) return
    const slab = new Uint8Array(new SharedArrayBuffer(missing * PAGE_BYTES))
    touch(slab)
    this.slots.push(...pageViews(slab, 0, missing))
  }
}

/** Writes one byte per 4 KiB (the OS page size), which makes the OS back the whole buffer. */
function touch(bytes: Uint8Array): void {
  for (let offset = 0; offset < bytes.byteLength; offset += 4096) bytes[offset] = 0
}
