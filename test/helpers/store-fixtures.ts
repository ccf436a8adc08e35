/** Builders for store tests and the store bench: settings, cells, runs, outputs and snapshots. */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { FuelProfile } from '../../src/shared/fuel-profile'
import type { Cell, NotebookSettings, Output, RunRecord } from '../../src/shared/notebook'
import type { PersistedSnapshot } from '../../src/shared/snapshot'

export const SETTINGS: NotebookSettings = {
  limits: {
    fuel: 400_000_000,
    memoryBytes: 256 * 1024 * 1024,
    timeoutMs: 30_000,
    outputBytes: 1024 * 1024,
    fsBytes: 256 * 1024 * 1024
  },
  deterministic: false
}

export function tempDir(prefix = 'fuelbook-store-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}

export function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex')
}

export function codeCell(id: string, source = `x = ${JSON.stringify(id)}`): Cell {
  return { id, type: 'code', source, metadata: {}, isolated: false }
}

/** A PNG-sized base64 payload (random bytes so it does not compress away). */
export function base64Image(bytes: number, seed = 1): string {
  const buf = Buffer.alloc(bytes)
  let x = seed >>> 0 || 1
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    buf[i] = x & 0xff
  }
  return buf.toString('base64')
}

export function sampleOutputs(n: number, imageBytes = 0): Output[] {
  const outputs: Output[] = [{ type: 'stream', name: 'stdout', text: `hello ${n}\n` }]
  outputs.push({
    type: 'execute_result',
    data: {
      'text/plain': `${n}`,
      ...(imageBytes > 0 ? { 'image/png': base64Image(imageBytes, n + 1) } : {})
    },
    metadata: {},
    executionCount: n
  })
  return outputs
}

export function makeRun(
  cellId: string,
  n: number,
  outputs: Output[] = sampleOutputs(n)
): Omit<RunRecord, 'id'> {
  return {
    cellId,
    executionCount: n,
    source: `x = ${n}`,
    startedAt: 1_700_000_000_000 + n * 1000,
    finishedAt: 1_700_000_000_000 + n * 1000 + 12,
    status: 'ok',
    exitCode: null,
    message: null,
    isolated: false,
    fuelConsumed: 1_000_000 + n,
    fuelBudget: 400_000_000,
    memoryPages: 300,
    memoryBytes: 300 * 65536,
    peakMemoryBytes: 310 * 65536,
    wallMs: 12.5,
    outputs,
    profile: null
  }
}

/** A small profile of a cell's run: most of its fuel on line 1, some in a library file. */
export function sampleProfile(): FuelProfile {
  return {
    cellFile: '<cell-1>',
    totalFuel: 900_000,
    overheadFuel: 120_000,
    lineEventCost: 6000,
    callEventCost: 5800,
    events: 7,
    budgetReached: false,
    lines: [
      { file: '<cell-1>', line: 1, fuel: 800_000 },
      { file: '/usr/local/lib/python3.11/io.py', line: 12, fuel: 100_000 }
    ],
    droppedLines: 0,
    functions: [
      { name: '<module>', file: '<cell-1>', firstLine: 1, selfFuel: 800_000, totalFuel: 900_000, calls: 1 }
    ],
    droppedFunctions: 0
  }
}

/** A snapshot whose page i holds `fill(i)`; pages with the same fill share a hash (and so one row). */
export function makeSnapshot(
  pageCount: number,
  fill: (i: number) => number,
  pageBytes = 256
): PersistedSnapshot {
  const pages = []
  for (let i = 0; i < pageCount; i++) {
    const data = new Uint8Array(pageBytes).fill(fill(i) & 0xff)
    pages.push({ index: i, hash: createHash('sha256').update(data).digest('hex'), data })
  }
  return { format: 1, runtimeHash: 'runtime-sha256-test', pageCount, pages, state: new Uint8Array([1, 2, 3]) }
}
