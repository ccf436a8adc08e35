/**
 * worker_threads entry (built as out/main/worker.js): holds the compiled runtime and runs one
 * request at a time. Runs are synchronous wasm calls, so the pool interrupts one by terminating
 * the whole worker; nothing here needs to be cancellable.
 */
import { parentPort } from 'node:worker_threads'
import { Machine } from './machine'
import {
  heldAfter,
  type FromWorker,
  type MachineState,
  type RunDone,
  type ToWorker,
  type WorkerRunDone,
  type WorkerRunRequest
} from './protocol'

const port = parentPort
if (port === null) throw new Error('worker.ts must run in a worker thread')

let machine: Machine | null = null
/** The state a request may name instead of send (protocol.ts, `heldAfter`). */
let held: MachineState | null = null
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
    const request = { ...message, state: startState(message) }
    const done = machine.run(request, (batch) => post({ type: 'output', id, ...batch }))
    held = heldAfter(request.state, done.state)
    post(sendable(done))
    // Off the next run's path: its memory is made ready now, while nothing waits for this worker.
    machine.betweenRuns()
  } catch (error) {
    held = null
    post({
      type: 'failed',
      id,
      message: error instanceof Error ? (error.stack ?? error.message) : String(error)
    })
  }
})

function startState(request: WorkerRunRequest): MachineState | null {
  const { state } = request
  if (state === null || !('held' in state)) return state
  if (held?.id !== state.held) throw new Error(`the worker does not hold the state ${state.held}`)
  return held
}

/** Of the new state's memory, only the pages this run copied go back: the pool has the others. */
function sendable(done: RunDone): WorkerRunDone {
  if (done.state === null) return { ...done, state: null }
  const { memory, ...rest } = done.state
  const copied = done.copiedPages.map((index) => memory.pages[index]!)
  return { ...done, state: { ...rest, memory: { pageCount: memory.pageCount, copied } } }
}
