/**
 * Room on the disk for a commit. A commit that SQLite starts on a disk too small for it appends frames
 * to the `-wal` until the disk is full and then rolls back, but the `-wal` keeps its size: the disk
 * stays full, closing cannot fold the `-wal` into the file, and the notebook cannot be opened again
 * until space is freed elsewhere. So a large commit is refused before it writes anything when the disk
 * clearly lacks the room (see the store README, "Full disk").
 */
import fs from 'node:fs'
import path from 'node:path'
import { formatBytes } from '../../shared/format'

const MIB = 1024 * 1024

/**
 * Bytes a commit of `bytes` of blobs needs free: its `-wal` frames, then the same pages again when the
 * checkpoint copies them into the file, plus SQLite's own pages (b-tree interior pages, the frame
 * headers) and room for the edits that follow.
 */
export function roomNeeded(bytes: number): number {
  return 2 * bytes + 4 * MIB
}

/** Free bytes for an unprivileged writer on the disk holding `file`, or null when the OS cannot say. */
export function freeBytes(file: string): number | null {
  try {
    const stats = fs.statfsSync(path.dirname(file))
    return stats.bavail * stats.bsize
  } catch {
    return null
  }
}

/** The plain reason a commit of `bytes` will not fit on the disk holding `file`, or null when it fits. */
export function lackOfRoom(file: string, bytes: number): string | null {
  const free = freeBytes(file)
  const needed = roomNeeded(bytes)
  if (free === null || free >= needed) return null
  return `the disk holding ${path.dirname(file)} is full: saving needs about ${formatBytes(needed)}, ${formatBytes(free)} is free`
}

/** SQLite result codes that mean the disk (or the file system under it) refused a write. */
export function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown }).code
  return (
    code === 'SQLITE_FULL' ||
    code === 'ENOSPC' ||
    (typeof code === 'string' && code.startsWith('SQLITE_IOERR'))
  )
}
