/**
 * The codec threads: where stored blocks are hashed, compressed and decompressed (block-codec.ts),
 * off the main thread. The service stores the head after every run, and a run changes dozens of
 * pages even when it does nothing visible (CPython's allocator and reference counts touch pages
 * all over the heap): ~0.25 ms of CPU each, which used to delay the app's main thread and every
 * `fuelbook run` cell. A small batch (at most 64 pages: a trivial cell changes ~33) is done on the
 * calling thread: since format 7 a page costs ~60 µs (block-codec.ts), and two hops between threads
 * cost more than that under load (src/main/kernel/README.md, "Persistence"). The threads are
 * started by the first larger batch (a process that never makes one never starts them: each is a
 * Node instance of its own, ~100 ms of CPU); idle threads do not keep the process alive.
 */
import { availableParallelism } from 'node:os'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Worker } from 'node:worker_threads'
import { findWorkerScript, startWorker } from '../sandbox/worker-script'
import { decodeOwnedPage, encodePage, type EncodedBlock, type PageSlot } from './block-codec'
import type { FromCodec, StoredPage, ToCodec } from './codec-protocol'

/** Two threads use both cores of a small machine while the main thread waits for them. */
const THREADS = Math.min(2, availableParallelism())
/** Fewer blocks than this go to one thread: a message costs more than it would save. */
const MIN_BLOCKS_PER_THREAD = 8
/**
 * Blocks in flight at a time: a head of hundreds of MB is never copied or decompressed all at
 * once.
 */
const WINDOW = 256
/** At most this many blocks are done on the calling thread (~4 ms at ~60 µs a page). */
const INLINE_MAX_BLOCKS = 64
/**
 * While no thread is running, a saved head of at most this many pages (16 MiB) is decoded on the
 * calling thread, as when a notebook is opened: ~0.1 ms a page in a fresh process, against ~100 ms
 * of CPU for each thread to start (src/main/kernel/README.md, "Cold start").
 */
const INLINE_MAX_DECODE = 256

/** A request before the thread numbers it. */
type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never
type Request = Unnumbered<ToCodec>

type Job = { resolve: (reply: FromCodec) => void; reject: (error: Error) => void }

class CodecThread {
  private readonly worker: Worker
  private readonly jobs = new Map<number, Job>()
  private nextId = 1
  dead = false

  constructor() {
    const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url))
    this.worker = startWorker(findWorkerScript(here, 'codec-worker'))
    this.worker.on('message', (reply: FromCodec) => {
      const job = this.jobs.get(reply.id)
      if (job === undefined) return
      this.jobs.delete(reply.id)
      this.updateKeepAlive()
      job.resolve(reply)
    })
    const fail = (error: Error): void => {
      this.dead = true
      for (const job of this.jobs.values()) job.reject(error)
      this.jobs.clear()
    }
    this.worker.on('error', (error) => fail(new Error(`the codec thread failed: ${error.message}`)))
    this.worker.on('exit', (code) => fail(new Error(`the codec thread exited (code ${code})`)))
    this.updateKeepAlive()
  }

  get load(): number {
    return this.jobs.size
  }

  send(message: Request): Promise<FromCodec> {
    const id = this.nextId++
    return new Promise<FromCodec>((resolve, reject) => {
      this.jobs.set(id, { resolve, reject })
      this.updateKeepAlive()
      this.worker.postMessage({ ...message, id } as ToCodec)
    })
  }

  private updateKeepAlive(): void {
    if (this.jobs.size > 0) this.worker.ref()
    else this.worker.unref()
  }
}

const threads: CodecThread[] = []

/** Every thread running: started as needed, a dead one replaced. */
function startThreads(): CodecThread[] {
  for (let i = threads.length - 1; i >= 0; i--) if (threads[i]!.dead) threads.splice(i, 1)
  while (threads.length < THREADS) threads.push(new CodecThread())
  return threads
}

/** `count` threads with the fewest jobs. */
function leastBusy(count: number): CodecThread[] {
  return [...startThreads()].sort((a, b) => a.load - b.load).slice(0, count)
}

/**
 * `items` cut into runs of at most WINDOW, each run spread over the threads; results in order. A
 * batch of at most INLINE_MAX_BLOCKS is done here by `inline` instead.
 */
async function spread<T, R>(
  items: readonly T[],
  work: (part: T[], thread: CodecThread) => Promise<R[]>,
  inline: (item: T) => R,
  inlineMaxUnstarted = INLINE_MAX_BLOCKS
): Promise<R[]> {
  // Nothing to do starts nothing: reading S0's cache decodes its state's (empty) page list.
  if (items.length === 0) return []
  const unstarted = threads.every((thread) => thread.dead)
  if (items.length <= (unstarted ? inlineMaxUnstarted : INLINE_MAX_BLOCKS)) return items.map(inline)
  const results: R[] = []
  for (let start = 0; start < items.length; start += WINDOW) {
    const window = items.slice(start, start + WINDOW)
    const parts = Math.max(1, Math.min(THREADS, Math.floor(window.length / MIN_BLOCKS_PER_THREAD)))
    const size = Math.ceil(window.length / parts)
    const chosen = leastBusy(parts)
    const done = await Promise.all(
      chosen.map((thread, i) => work(window.slice(i * size, (i + 1) * size), thread))
    )
    for (const part of done) results.push(...part)
  }
  return results
}

/** Hash and compress each memory page against its slot's base (block-codec.ts, encodePage). */
export function encodePages(
  pages: readonly { bytes: Uint8Array; slot: PageSlot }[]
): Promise<EncodedBlock[]> {
  return spread(
    pages,
    async (part, thread) => {
      const reply = await thread.send({ op: 'encode', pages: part })
      if (!reply.ok) throw new Error(reply.message)
      if (!('encoded' in reply)) throw new Error('the codec thread answered the wrong request')
      return reply.encoded
    },
    (page) => encodePage(page.bytes, page.slot)
  )
}

/** Each page's bytes, checked against its key; rejects naming the first damaged one by `what`. */
export async function decodePages(
  pages: readonly (StoredPage & { what: string; into: Uint8Array })[]
): Promise<void> {
  await spread(
    pages,
    async (part, thread) => {
      const reply = await thread.send({
        op: 'decode',
        pages: part.map((p) => ({ block: { hash: p.block.hash, data: p.block.data }, slot: p.slot })),
        what: part.map((p) => p.what)
      })
      if (!reply.ok) throw new Error(reply.message)
      if (!('decoded' in reply)) throw new Error('the codec thread answered the wrong request')
      reply.decoded.forEach((bytes, i) => part[i]!.into.set(bytes))
      return reply.decoded
    },
    (p) => decodeOwnedPage(p.block, p.slot, p.what, p.into),
    INLINE_MAX_DECODE
  )
}
