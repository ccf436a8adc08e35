/**
 * The sandbox file system's share of a cell's resource budget (src/main/kernel/README.md, "Budget"):
 * its files live in the worker's heap, outside the cell's linear memory, so their size is counted
 * and capped here. What counts is the logical size of every file (a sparse 3 GiB file counts 3 GiB:
 * the host would hold it) plus a fixed charge per directory entry (so a million empty files count
 * too). Over the quota, the write fails with ENOSPC and the run's output says which quota it was.
 */
import type { FsImage } from './fs-image'

/** What one directory entry costs the host (inode object, map entry, name), roughly and generously. */
export const ENTRY_BYTES = 256

export class FsQuota {
  /** Set once the quota refused a write in this run (for the one-line note and the stats). */
  refused = false

  constructor(
    readonly limitBytes: number,
    public usedBytes: number,
    /** Called the first time a write is refused in this run. */
    private readonly onFirstRefusal: () => void = () => undefined
  ) {}

  /** What the files may still grow by. */
  get availableBytes(): number {
    return Math.max(0, this.limitBytes - this.usedBytes)
  }

  /** Takes `bytes` from the quota; false (and nothing taken) when it would go over. */
  reserve(bytes: number): boolean {
    if (bytes <= 0 || this.usedBytes + bytes <= this.limitBytes) {
      this.usedBytes += bytes
      return true
    }
    if (!this.refused) {
      this.refused = true
      this.onFirstRefusal()
    }
    return false
  }

  /** Counts bytes that already exist whatever the quota (a file that is reachable again). */
  force(bytes: number): void {
    this.usedBytes += bytes
  }

  release(bytes: number): void {
    this.usedBytes = Math.max(0, this.usedBytes - bytes)
  }
}

/** Bytes an image holds against the quota: every file's size and every entry. */
export function imageUsage(image: FsImage): number {
  let bytes = 0
  for (const node of image.nodes) bytes += ENTRY_BYTES + (node.kind === 'file' ? node.data.byteLength : 0)
  return bytes
}

/** No quota (the read-only tree, tests that build a file system by hand). */
export const UNLIMITED = (): FsQuota => new FsQuota(Number.POSITIVE_INFINITY, 0)
