/**
 * Turns what the guest writes (stdout/stderr bytes, `fuelbook.emit` records) into Outputs through the
 * one output model (src/shared/output-model.ts), handed out in batches. Runs inside the worker,
 * synchronously from wasm imports, so every path is O(bytes kept): once the budget is spent a write
 * costs one counter increment, and a record is never decoded past what the model could keep.
 */
import type { ErrorOutput, Output } from '../../shared/notebook'
import type { FuelProfile } from '../../shared/fuel-profile'
import type { Result } from '../../shared/result'
import { EMIT, malformedRecord, readGuestRecord } from '../../shared/output-json'
import { appendOutput, ERROR_MAX_BYTES, OutputArea } from '../../shared/output-model'
import type { OutputSink, StreamName } from './wasi/host'

export { EMIT }

/** Thrown out of the guest's emit import: the profiled code used the budget it was given. */
export class ProfileBudgetReached extends Error {
  constructor() {
    super('the profiled code used its budget')
  }
}

/**
 * Records larger than this are not decoded (a string of that size alone is a host buffer the cell
 * could grow to the memory limit). A display record that large could not fit the output cap anyway;
 * an error record that large is kept as its name and a note.
 */
export const RECORD_READ_MAX_BYTES = 8 * 1024 * 1024

export interface OutputBatch {
  outputs: Output[]
  /** The batch replaces everything shown so far (the cell called clear_output). */
  replace: boolean
}

export class OutputCollector implements OutputSink {
  private readonly area: OutputArea
  private batch: Output[] = []
  private replaceNext = false
  reply: unknown = null
  /** The profile a profiled run sent (the last one), or why it could not be read. */
  profile: Result<FuelProfile> | null = null
  /** The last error the guest reported (the run's exception, for classifying MemoryError). */
  lastError: ErrorOutput | null = null
  private readonly decoders = { stdout: new TextDecoder('utf-8'), stderr: new TextDecoder('utf-8') }

  constructor(
    capBytes: number,
    private readonly executionCount: number | null,
    /** Called when a batch is worth sending (throttled by the caller unless `urgent`). */
    private readonly onBatchReady: (urgent: boolean) => void
  ) {
    this.area = new OutputArea(capBytes)
  }

  /** The outputs kept so far (merged), without the marker. */
  get all(): readonly Output[] {
    return this.area.outputs
  }

  stream(name: StreamName, bytes: Uint8Array): void {
    const room = this.area.room
    if (room <= 0) {
      this.area.dropped.bytes += bytes.byteLength
      return
    }
    // Decode only what could be kept (a 100 MB write past the cap is never turned into a string).
    const kept = bytes.byteLength <= room ? bytes : bytes.subarray(0, room)
    this.area.dropped.bytes += bytes.byteLength - kept.byteLength
    const text = this.decoders[name].decode(kept, { stream: kept === bytes })
    if (text !== '') this.add({ type: 'stream', name, text })
  }

  rich(kind: number, bytes: Uint8Array): void {
    if (bytes.byteLength > RECORD_READ_MAX_BYTES) {
      this.oversizedRecord(kind, bytes)
      return
    }
    const isOutput =
      kind === EMIT.displayData || kind === EMIT.executeResult || kind === EMIT.updateDisplayData
    if (isOutput && bytes.byteLength > this.area.room) {
      // Could not fit whatever it holds (its JSON only gets shorter once read): not worth decoding.
      this.area.dropped.bytes += bytes.byteLength
      this.area.dropped.outputs += 1
      return
    }
    let text: string
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    } catch {
      this.add(malformedRecord(`kind ${kind}: not UTF-8`))
      return
    }
    const record = readGuestRecord(kind, text, this.executionCount)
    switch (record.kind) {
      case 'reply':
        this.reply = record.reply
        return
      case 'profile':
        this.profile = record.profile
        // The profiled code used its budget: end the run here (the instance is thrown away), so
        // code that catches the driver's BudgetReached cannot run on unprofiled.
        if (record.profile.ok && record.profile.value.budgetReached) throw new ProfileBudgetReached()
        return
      case 'clear':
        if (this.area.clear(record.wait)) {
          this.batch = []
          this.replaceNext = true
          this.onBatchReady(false)
        }
        return
      case 'update':
        // The shown outputs change in place: the next batch carries the whole list as a
        // replacement, the way clear_output reaches the UI.
        if (this.area.update(record.displayId, record.output)) {
          this.batch = [...this.area.outputs]
          this.replaceNext = true
          this.onBatchReady(false)
        }
        return
      case 'output':
        if (record.output.type === 'error' && kind === EMIT.error) this.lastError = record.output
        this.add(record.output, record.displayId)
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

  /** The run's outputs: everything kept, then the `truncated` marker if anything was dropped. */
  result(): Output[] {
    return this.area.result()
  }

  /** The marker, if any, as the last live batch entry (call once, at the end of the run). */
  finish(): void {
    const result = this.area.result()
    const last = result[result.length - 1]
    if (last?.type === 'truncated') {
      this.batch.push(last)
      this.onBatchReady(false)
    }
  }

  private add(output: Output, displayId?: string): void {
    const { kept, replaced } = this.area.add(output, displayId)
    if (replaced) {
      this.batch = []
      this.replaceNext = true
    }
    if (kept === null) return
    appendOutput(this.batch, kept)
    this.onBatchReady(false)
  }

  private oversizedRecord(kind: number, bytes: Uint8Array): void {
    if (kind !== EMIT.error) {
      this.area.dropped.bytes += bytes.byteLength
      this.area.dropped.outputs += 1
      return
    }
    // The driver writes "ename" first: read it from the start of the record, not the whole of it.
    const head = new TextDecoder().decode(bytes.subarray(0, 4096))
    const ename = /^\{\s*"ename"\s*:\s*"([A-Za-z_][\w.]{0,200})"/.exec(head)?.[1]
    const error: ErrorOutput = ename
      ? {
          type: 'error',
          ename,
          evalue: `(the message and traceback, ${Math.round(bytes.byteLength / 2 ** 20)} MiB, are too large to keep; errors keep up to ${ERROR_MAX_BYTES / 1024} KiB)`,
          traceback: []
        }
      : malformedRecord(`kind ${kind}: ${bytes.byteLength} bytes, too large to read`)
    this.lastError = error
    this.add(error)
  }
}
