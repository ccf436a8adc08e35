/**
 * The contract between the kernel (which makes snapshots) and the store (which keeps them).
 * The store knows nothing of wasm: it stores pages by content hash, so pages shared between
 * snapshots are written once.
 */

export interface PersistedPage {
  /** Page number in linear memory (64 KiB pages). */
  index: number
  /**
   * The key pages are shared by: hex sha384 of the stored bytes (format 7 on), or hex sha256 of the
   * page (format 6: of its index and bytes).
   */
  hash: string
  /** The page, compressed by the kernel. */
  data: Uint8Array
}

/** A piece of the head's file contents (at most 64 KiB before compression), keyed like pages. */
export interface PersistedChunk {
  /** Content hash of the uncompressed bytes (hex sha256): the same key space as pages. */
  hash: string
  /**
   * The bytes, compressed by the kernel; null when the file the snapshot is saved to already holds
   * this hash (the kernel was told so when exporting, and keeps no copy of its own).
   */
  data: Uint8Array | null
}

export interface PersistedSnapshot {
  format: number
  /** sha256 of the runtime the snapshot was taken with; another runtime refuses it. */
  runtimeHash: string
  /** Linear memory size in pages. */
  pageCount: number
  /** Only pages that differ from the runtime's pristine snapshot S0. */
  pages: PersistedPage[]
  /** Everything else the kernel needs (globals, WASI file system, fd table), compressed. */
  state: Uint8Array
  /**
   * The file system's contents, each distinct chunk once, which `state` refers to by hash (absent
   * before format 4, which kept file contents inside `state`).
   */
  chunks?: PersistedChunk[]
}
