/**
 * worker_threads entry (built as out/main/worker.js): holds the compiled runtime and runs one
 * request at a time. Runs are synchronous wasm calls, so the pool interrupts one by terminating
 * the whole worker; nothing here needs to be cancellable.
 */
import { parentPort } from 'node:worker_threads'
import { Machine } from './machine'
import type { FromWorker, ToWorker } from './protocol'

const port = parentPort
if (port === null) throw new Error('worker.ts must run in a worker thread')

let machine: Machine | null = null
const post = (message: FromWorker): void => port.postMessage(message)

port.on('message', (message: ToWorker) => {
  if (message.type === 'init') {
    machine = new Machine(message.runtime)
    post({ type: 'ready' })
    return
  }
  const { id } = message
  try {
    if (machine === null) throw new Error('run before init')
    const done = machine.run(message, (batch) => post({ type: 'output', id, ...batch }))
    post(done)
    // Off the next run's path: its memory is made ready now, while nothing waits for this worker.
    machine.betweenRuns()
  } catch (error) {
    post({
      type: 'failed',
      id,
      message: error instanceof Error ? (error.stack ?? error.message) : String(error)
    })
  }
})
