/** Messages between the kernel (main thread) and a codec thread (codec-worker.ts). */
import type { EncodedBlock } from './block-codec'

export type ToCodec =
  | { id: number; op: 'encode'; blocks: Uint8Array[] }
  /** `what[i]` names block i in the error when it is damaged ("page 12"). */
  | { id: number; op: 'decode'; blocks: EncodedBlock[]; what: string[] }

export type FromCodec =
  | { id: number; ok: true; encoded: EncodedBlock[] }
  | { id: number; ok: true; decoded: Uint8Array[] }
  | { id: number; ok: false; message: string }
