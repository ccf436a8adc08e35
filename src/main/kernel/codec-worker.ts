/**
 * worker_threads entry (built as out/main/codec-worker.js): encodes and decodes stored pages
 * (block-codec.ts) for the kernel, so the main thread spends no time hashing and compressing the
 * pages a run changed.
 */
import { parentPort } from 'node:worker_threads'
import { decodeBlock, decodePage, encodePage } from './block-codec'
import type { FromCodec, ToCodec } from './codec-protocol'

const port = parentPort
if (port === null) throw new Error('codec-worker.ts must run in a worker thread')

/**
 * The bytes in an ArrayBuffer of their own, which is transferred, not copied, to the main thread.
 * node:zlib's results are views into larger buffers (its output chunk, or Buffer's shared pool),
 * which must neither be detached here nor kept alive there.
 */
function owned(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes)
}

port.on('message', (message: ToCodec) => {
  let reply: FromCodec
  let transfer: ArrayBuffer[] = []
  try {
    if (message.op === 'encode') {
      const encoded = message.pages.map(({ bytes, slot }) => {
        const block = encodePage(bytes, slot)
        return { hash: block.hash, data: owned(block.data) }
      })
      transfer = encoded.map((block) => block.data.buffer as ArrayBuffer)
      reply = { id: message.id, ok: true, encoded }
    } else {
      const decoded = message.pages.map(({ block, slot }, i) => {
        const what = message.what[i]!
        return owned(slot === null ? decodeBlock(block, what) : decodePage(block, slot, what))
      })
      transfer = decoded.map((bytes) => bytes.buffer as ArrayBuffer)
      reply = { id: message.id, ok: true, decoded }
    }
  } catch (error) {
    reply = { id: message.id, ok: false, message: error instanceof Error ? error.message : String(error) }
  }
  port.postMessage(reply, transfer)
})
