/**
 * The contract between the kernel (which makes snapshots) and the store (which keeps them).
 * The store knows nothing of wasm: it stores pages by content hash, so pages shared between
 * snapshots are written once.
 */

export interface PersistedPage {
  /** Page number in linear memory (64 KiB pages). */
  index: number
  /** Content hash of the uncompressed page (hex sha256), the key pages are shared by. */
  hash: string
  /** The page, compressed by the kernel. */
  data: Uint8Array
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
}
