/**
 * worker_threads entry (built as out/main/codec-worker.js): encodes and decodes stored pages
 * (block-codec.ts) for the kernel, so the main thread spends no time hashing and compressing the
 * pages a run changed.
 */
import { parentPort } from 'node:worker_threads'
import { decodeOwnedPage, encodePage } from './block-codec'
import type { FromCodec, ToCodec } from './codec-protocol'
import { errorMessage } from '../../shared/result'

const port = parentPort
if (port === null) throw new Error('codec-worker.ts must run in a worker thread')

port.on('message', (message: ToCodec) => {
  let reply: FromCodec
  let transfer: ArrayBuffer[] = []
  try {
    if (message.op === 'encode') {
      // Each in an ArrayBuffer of its own, which is transferred, not copied, to the main thread.
      const encoded = message.pages.map((page) => encodePage(page.bytes, page.slot))
      transfer = encoded.map((block) => block.data.buffer as ArrayBuffer)
      reply = { id: message.id, ok: true, encoded }
    } else {
      const decoded = message.pages.map(({ block, slot }, i) =>
        decodeOwnedPage(block, slot, message.what[i]!)
      )
      transfer = decoded.map((bytes) => bytes.buffer as ArrayBuffer)
      reply = { id: message.id, ok: true, decoded }
    }
  } catch (error) {
    reply = { id: message.id, ok: false, message: errorMessage(error) }
  }
  port.postMessage(reply, transfer)
})
