/**
 * Turns what the guest writes (stdout/stderr bytes, `fuelbook.emit` records) into Outputs:
 * contiguous stream text merged, capped at the run's output budget, handed out in batches.
 * Runs inside the worker, synchronously from wasm imports, so every path is O(bytes written)
 * and a flood past the cap costs one counter increment per write.
 */
import type { ErrorOutput, Output } from '../../shared/notebook'
import type { OutputSink, StreamName } from './wasi/host'

/** Record kinds of `fuelbook.emit` (runtime/fuelbook_entry.c). */
export const EMIT = { displayData: 1, executeResult: 2, error: 3, reply: 4, clearOutput: 5 } as const

export interface OutputBatch {
  outputs: Output[]
  /** The batch replaces everything shown so far (the cell called clear_output). */
  replace: boolean
}

export class OutputCollector implements OutputSink {
  /** Every output of the run so far, merged. */
  readonly all: Output[] = []
  private batch: Output[] = []
  private replaceNext = false
  /** clear_output(wait=True): clear when the next output arrives. */
  private clearPending = false
  private usedBytes = 0
  droppedBytes = 0
  reply: unknown = null
  lastError: ErrorOutput | null = null
  private readonly decoders = { stdout: new TextDecoder('utf-8'), stderr: new TextDecoder('utf-8') }

  constructor(
    private readonly capBytes: number,
    private readonly executionCount: number | null,
    /** Called when a batch is worth sending (throttled by the caller unless `urgent`). */
    private readonly onBatchReady: (urgent: boolean) => void
  ) {}

  stream(name: StreamName, bytes: Uint8Array): void {
    const room = this.capBytes - this.usedBytes
    if (room <= 0) {
      this.droppedBytes += bytes.byteLength
      return
    }
    const kept = bytes.byteLength <= room ? bytes : bytes.subarray(0, room)
    this.droppedBytes += bytes.byteLength - kept.byteLength
    this.usedBytes += kept.byteLength
    const text = this.decoders[name].decode(kept, { stream: kept === bytes })
    if (text !== '') this.push({ type: 'stream', name, text })
  }

  rich(kind: number, bytes: Uint8Array): void {
    let record: Record<string, unknown>
    try {
      record = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>
    } catch {
      this.push({
        type: 'stream',
        name: 'stderr',
        text: `fuelbook: unreadable output record of kind ${kind}\n`
      })
      return
    }
    switch (kind) {
      case EMIT.reply:
        this.reply = record
        return
      case EMIT.clearOutput:
        if (record.wait === true) this.clearPending = true
        else this.clear()
        return
      case EMIT.error: {
        // Errors are kept past the cap: the traceback is what the user needs most.
        const error: ErrorOutput = {
          type: 'error',
          ename: String(record.ename ?? 'Error'),
          evalue: String(record.evalue ?? ''),
          traceback: Array.isArray(record.traceback) ? record.traceback.map(String) : [],
          lineno: typeof record.lineno === 'number' ? record.lineno : null
        }
        this.lastError = error
        this.push(error)
        return
      }
      case EMIT.displayData:
      case EMIT.executeResult: {
        if (this.usedBytes + bytes.byteLength > this.capBytes) {
          this.droppedBytes += bytes.byteLength
          return
        }
        this.usedBytes += bytes.byteLength
        const data = (record.data ?? {}) as Record<string, unknown>
        const metadata = (record.metadata ?? {}) as Record<string, unknown>
        this.push(
          kind === EMIT.displayData
            ? { type: 'display_data', data, metadata }
            : { type: 'execute_result', data, metadata, executionCount: this.executionCount }
        )
        return
      }
      default:
        this.push({ type: 'stream', name: 'stderr', text: `fuelbook: unknown output record kind ${kind}\n` })
    }
  }

  beforeSleep(): void {
    this.onBatchReady(true)
  }

  /** Takes the outputs produced since the last call. */
  takeBatch(): OutputBatch | null {
    if (this.batch.length === 0 && !this.replaceNext) return null
    const batch = { outputs: this.batch, replace: this.replaceNext }
    this.batch = []
    this.replaceNext = false
    return batch
  }

  /** Adds the `truncated` marker if anything was dropped. Call once, at the end of the run. */
  finish(): void {
    if (this.droppedBytes > 0) this.push({ type: 'truncated', droppedBytes: this.droppedBytes })
  }

  private clear(): void {
    this.all.length = 0
    this.batch = []
    this.replaceNext = true
    this.clearPending = false
  }

  private push(output: Output): void {
    if (this.clearPending) this.clear()
    appendMerged(this.all, output)
    appendMerged(this.batch, output)
    this.onBatchReady(false)
  }
}

/** Appends, merging stream text into a preceding stream output of the same name (JupyterLab's rule). */
function appendMerged(list: Output[], output: Output): void {
  const last = list[list.length - 1]
  if (output.type === 'stream' && last?.type === 'stream' && last.name === output.name) {
    list[list.length - 1] = { ...last, text: last.text + output.text }
  } else {
    list.push(output)
  }
}
