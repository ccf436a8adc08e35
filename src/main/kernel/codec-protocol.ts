/** Messages between the kernel (main thread) and a codec thread (codec-worker.ts). */
import type { EncodedBlock, PageSlot } from './block-codec'

/** A stored page to decode: against its slot's base (format 6 on), or alone (`slot` null, before). */
export interface StoredPage {
  block: EncodedBlock
  slot: PageSlot | null
}

export type ToCodec =
  | { id: number; op: 'encode'; pages: { bytes: Uint8Array; slot: PageSlot }[] }
  /** `what[i]` names page i in the error when it is damaged ("page 12"). */
  | { id: number; op: 'decode'; pages: StoredPage[]; what: string[] }

export type FromCodec =
  | { id: number; ok: true; encoded: EncodedBlock[] }
  | { id: number; ok: true; decoded: Uint8Array[] }
  | { id: number; ok: false; message: string }
