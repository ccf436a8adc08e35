/**
 * Load: 4 notebooks running 200 cells each at the same time through one service, in
 * browser mode, one WebSocket client per notebook. Every cell depends on the one before (a running
 * sum), prints its notebook and position, and is checked twice: in the event the client received
 * and in the store after reopening. Then every notebook is closed and the process must be back to
 * its baseline: the same threads (no leaked workers) and no kernel memory images still held.
 *
 * Sized down to 100 cells per notebook under CI (FUELBOOK_LOAD_CELLS overrides either way): every
 * check still runs, on 400 runs instead of 800.
 */
import { readFileSync, rmSync } from 'node:fs'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { NotebookDocument, RunRecord } from '../../src/shared/notebook'
import { startBrowserServer, type BrowserServer } from '../../src/main/server/browser-server'
import { encodePages } from '../../src/main/kernel/codec-threads'
import { startService, type ServiceHarness } from '../helpers/service-harness'
import { Recorder } from './record'
import { WsClient } from './ws-client'

const NOTEBOOKS = 4
const CELLS = Number(process.env.FUELBOOK_LOAD_CELLS ?? (process.env.CI ? 100 : 200))

let h: ServiceHarness
let server: BrowserServer
const recorder = new Recorder('load', 'Load: concurrent notebooks through browser mode')
afterAll(async () => {
  await server?.close()
  await h?.close()
  rmSync(h.dataDir, { recursive: true, force: true })
  recorder.save()
})

beforeAll(async () => {
  h = await startService()
  server = await startBrowserServer({
    service: h.service,
    rendererDir: mkdtempSync(join(tmpdir(), 'fuelbook-renderer-')),
    port: 0
  })
}, 120_000)

function threads(): number {
  return Number(/Threads:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN)
}

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

function heldMemory(): { arrayBuffersMB: number; heapMB: number } {
  gc()
  gc()
  const m = process.memoryUsage()
  return { arrayBuffersMB: m.arrayBuffers / 2 ** 20, heapMB: m.heapUsed / 2 ** 20 }
}

const cellSource = (nb: number, i: number): string =>
  i === 0 ? `acc = ${nb * 1000}\nprint(f"nb${nb}:0:{acc}")` : `acc += ${i}\nprint(f"nb${nb}:${i}:{acc}")`
const expectedLine = (nb: number, i: number): string => `nb${nb}:${i}:${nb * 1000 + (i * (i + 1)) / 2}\n`

function stdout(run: RunRecord): string {
  return run.outputs.map((o) => (o.type === 'stream' ? o.text : '')).join('')
}

it('the real server refuses a wrong token and a foreign Origin before the load starts', async () => {
  // The full refusal matrix is test/integration/browser-server.test.ts (fake service); this checks
  // the same doors on the real service the load goes through.
  await expect(WsClient.connect(server.port, 'wrong-token')).rejects.toThrow(/403/)
  await expect(WsClient.connect(server.port, server.token, 'http://evil.example')).rejects.toThrow(/403/)
})

it(`${NOTEBOOKS} notebooks × ${CELLS} cells at once over WebSocket: every result stored, none lost or mixed up, memory back to baseline`, async () => {
  // Baseline after one warm-up notebook, so lazily started threads (libuv pool, workers) are counted.
  const warm = await WsClient.connect(server.port, server.token)
  const warmNb = await warm.value<NotebookDocument>('createNotebook')
  await warm.value('closeNotebook', warmNb.path)
  await warm.close()
  // The codec threads are one bounded pool for the process (kernel/codec-threads.ts), started on
  // demand: a warm-up notebook stores too few pages to start any (a batch of up to 64 is encoded in
  // place). Start them all, as the libuv pool is, so that only threads the load leaves behind count.
  await encodePages(
    Array.from({ length: 128 }, (_, i) => ({
      bytes: new Uint8Array(65536).fill(i),
      slot: { index: i, base: null }
    }))
  )
  const baseThreads = threads()
  const baseMemory = heldMemory()

  const t0 = performance.now()
  const clients = await Promise.all(
    Array.from({ length: NOTEBOOKS }, () => WsClient.connect(server.port, server.token))
  )
  const work = clients.map(async (client, nb) => {
    const doc = await client.value<NotebookDocument>('createNotebook')
    const ids: string[] = [doc.cells[0]!.id]
    await client.value('updateCell', doc.path, ids[0], { source: cellSource(nb, 0) })
    for (let i = 1; i < CELLS; i++) {
      const cell = await client.value<{ id: string }>('insertCell', doc.path, {
        type: 'code',
        source: cellSource(nb, i)
      })
      ids.push(cell.id)
    }
    const received = new Map<string, RunRecord>()
    const foreign: string[] = []
    const done = new Promise<void>((resolve) => {
      client.onEvent((e) => {
        if (e.path !== doc.path) foreign.push(e.path)
        if (e.type === 'runFinished' && e.path === doc.path) {
          received.set(e.run.cellId, e.run)
          if (received.size === CELLS) resolve()
        }
      })
    })
    const queued = await client.value<{ queued: string[] }>('runCells', doc.path, ids)
    expect(queued.queued).toHaveLength(CELLS)
    await done
    return { doc, ids, received, foreign }
  })
  const results = await Promise.all(work)
  const runMs = performance.now() - t0

  const problems: string[] = []
  for (const [nb, { doc, ids, received, foreign }] of results.entries()) {
    if (foreign.length > 0)
      problems.push(`notebook ${nb} received ${foreign.length} events of other notebooks`)
    await clients[nb]!.value('closeNotebook', doc.path)
    const reopened = await clients[nb]!.value<NotebookDocument>('openNotebook', doc.path)
    for (const [i, id] of ids.entries()) {
      const event = received.get(id)
      const stored = reopened.lastRuns[id]
      if (!event || event.status !== 'ok' || stdout(event) !== expectedLine(nb, i))
        problems.push(`nb${nb} cell ${i}: event ${event?.status} ${JSON.stringify(event && stdout(event))}`)
      if (!stored || stored.status !== 'ok' || stored.id !== event?.id)
        problems.push(
          `nb${nb} cell ${i}: stored ${stored?.status} run ${stored?.id} vs event run ${event?.id}`
        )
      else {
        const full = await clients[nb]!.value<RunRecord>('getRun', doc.path, stored.id)
        if (stdout(full) !== expectedLine(nb, i))
          problems.push(`nb${nb} cell ${i}: stored output ${JSON.stringify(stdout(full))}`)
      }
    }
    const counts = ids.map((id) => received.get(id)?.executionCount)
    if (counts.some((n, i) => n !== i + 1)) problems.push(`nb${nb}: execution counts out of order`)
    await clients[nb]!.value('closeNotebook', doc.path)
  }
  await Promise.all(clients.map((c) => c.close()))

  // Let terminated workers and closed sockets go, then compare with the baseline: a worker's thread
  // ends some time after terminate() resolves, longer on a loaded machine, so wait for it (bounded).
  const settleBy = performance.now() + 15_000
  while (threads() > baseThreads && performance.now() < settleBy) await new Promise((r) => setTimeout(r, 250))
  const afterThreads = threads()
  const afterMemory = heldMemory()
  if (afterThreads > baseThreads) problems.push(`threads: ${baseThreads} before, ${afterThreads} after close`)
  // Each notebook's head is a memory image of ≥ 10 MB: holding any of them would show here.
  if (afterMemory.arrayBuffersMB > baseMemory.arrayBuffersMB + 8)
    problems.push(
      `array buffers: ${baseMemory.arrayBuffersMB.toFixed(1)} MB before, ${afterMemory.arrayBuffersMB.toFixed(1)} MB after`
    )

  recorder.add({
    case: `${NOTEBOOKS} notebooks × ${CELLS} cells concurrently, one WebSocket client each`,
    expected: `${NOTEBOOKS * CELLS} results, each stored once, in order, unmixed; threads and buffers back to baseline`,
    observed: `${results.reduce((n, r) => n + r.received.size, 0)} results in ${(runMs / 1000).toFixed(1)} s; threads ${baseThreads} → ${afterThreads}; array buffers ${baseMemory.arrayBuffersMB.toFixed(1)} → ${afterMemory.arrayBuffersMB.toFixed(1)} MB`,
    pass: problems.length === 0,
    detail: problems.slice(0, 5).join('; ')
  })
  expect(problems.slice(0, 20)).toEqual([])
}, 600_000)
