/**
 * Runs and their outputs. Stats are kept for every run; outputs only for the newest
 * KEEP_RUN_OUTPUTS_PER_CELL runs of each cell, so a cell run in a loop cannot grow the file without bound.
 */
import type Database from 'better-sqlite3'
import { decodeFuelProfile, encodeFuelProfile, type FuelProfile } from '../../shared/fuel-profile'
import { runCostOf, type CellId, type Output, type RunRecord, type RunStatus } from '../../shared/notebook'
import { capOutputs, decodeOutput, encodeOutput } from './output-codec'
import type { RunSummary } from './types'

export const KEEP_RUN_OUTPUTS_PER_CELL = 20

interface RunRow {
  id: number
  cell_id: string
  execution_count: number | null
  source: string
  started_at: number
  finished_at: number
  status: RunStatus
  exit_code: number | null
  message: string | null
  isolated: number
  fuel_consumed: number
  fuel_budget: number
  memory_pages: number
  memory_bytes: number
  peak_memory_bytes: number
  wall_ms: number
  outputs_state: 'kept' | 'pruned' | 'cleared'
  fs_bytes: number | null
  profile: string | null
}

interface OutputRow {
  id: number
  run_id: number
  body: string
  mime: string | null
  data: Buffer | null
}

function toRecord(row: RunRow, outputs: Output[]): RunRecord {
  return {
    id: row.id,
    cellId: row.cell_id,
    executionCount: row.execution_count,
    source: row.source,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    status: row.status,
    exitCode: row.exit_code,
    message: row.message,
    isolated: row.isolated === 1,
    fuelConsumed: row.fuel_consumed,
    fuelBudget: row.fuel_budget,
    memoryPages: row.memory_pages,
    memoryBytes: row.memory_bytes,
    peakMemoryBytes: row.peak_memory_bytes,
    wallMs: row.wall_ms,
    // Absent, not null, for runs stored before the file system's size was recorded.
    ...(row.fs_bytes === null ? {} : { fsBytes: row.fs_bytes }),
    outputs,
    profile: readProfile(row.profile)
  }
}

/** A stored profile, checked like any other (the file may have been edited); one that is not reads as none. */
function readProfile(json: string | null): FuelProfile | null {
  if (json === null) return null
  const read = decodeFuelProfile(json)
  return read.ok ? read.value : null
}

/** Groups joined output/blob rows (ordered by run, seq) into decoded outputs per run id. */
function decodeRows(rows: OutputRow[]): Map<number, Output[]> {
  const byRun = new Map<number, Output[]>()
  for (let i = 0; i < rows.length;) {
    const first = rows[i]!
    const blobs: { mime: string; data: Buffer }[] = []
    let j = i
    for (; j < rows.length && rows[j]!.id === first.id; j++) {
      const r = rows[j]!
      if (r.mime !== null && r.data !== null) blobs.push({ mime: r.mime, data: r.data })
    }
    let list = byRun.get(first.run_id)
    if (!list) byRun.set(first.run_id, (list = []))
    list.push(decodeOutput(first.body, blobs))
    i = j
  }
  return byRun
}

const OUTPUT_COLUMNS =
  'o.id, o.run_id, o.body, b.mime, b.data FROM outputs o LEFT JOIN output_blobs b ON b.output_id = o.id'

export class RunHistory {
  private readonly insertRun: Database.Statement
  private readonly insertOutput: Database.Statement<[number, number, string, string]>
  private readonly insertBlob: Database.Statement<[number | bigint, string, Buffer]>
  private readonly pruneRuns: Database.Statement<[string, string, number]>
  private readonly deleteOutputs: Database.Statement<[number]>
  private readonly listRows: Database.Statement<[string], RunRow>
  private readonly runById: Database.Statement<[number], RunRow>
  private readonly outputsOfRun: Database.Statement<[number], OutputRow>
  private readonly lastRunRows: Database.Statement<[], RunRow>
  private readonly lastRunOutputs: Database.Statement<[], OutputRow>
  private readonly clearCell: Database.Statement<[string], { id: number }>
  private readonly clearAllRuns: Database.Statement<[]>
  private readonly deleteAllOutputs: Database.Statement<[]>

  constructor(db: Database.Database) {
    this.insertRun =
      db.prepare(`INSERT INTO runs (cell_id, execution_count, source, started_at, finished_at, status,
        exit_code, message, isolated, fuel_consumed, fuel_budget, memory_pages, memory_bytes, peak_memory_bytes, wall_ms,
        fs_bytes, profile)
      VALUES (@cellId, @executionCount, @source, @startedAt, @finishedAt, @status, @exitCode, @message, @isolated,
        @fuelConsumed, @fuelBudget, @memoryPages, @memoryBytes, @peakMemoryBytes, @wallMs, @fsBytes, @profile)`)
    this.insertOutput = db.prepare('INSERT INTO outputs (run_id, seq, type, body) VALUES (?, ?, ?, ?)')
    this.insertBlob = db.prepare('INSERT INTO output_blobs (output_id, mime, data) VALUES (?, ?, ?)')
    // A profile goes with the outputs: pruned and cleared runs keep their stats only.
    this.pruneRuns = db.prepare(`UPDATE runs SET outputs_state = 'pruned', profile = NULL
      WHERE cell_id = ? AND outputs_state = 'kept'
        AND id <= (SELECT id FROM runs WHERE cell_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)
      RETURNING id`)
    this.deleteOutputs = db.prepare('DELETE FROM outputs WHERE run_id = ?')
    this.listRows = db.prepare('SELECT * FROM runs WHERE cell_id = ? ORDER BY id DESC')
    this.runById = db.prepare('SELECT * FROM runs WHERE id = ?')
    this.outputsOfRun = db.prepare(`SELECT ${OUTPUT_COLUMNS} WHERE o.run_id = ? ORDER BY o.seq`)
    const lastIds = 'SELECT max(id) FROM runs GROUP BY cell_id'
    this.lastRunRows = db.prepare(
      `SELECT * FROM runs WHERE id IN (${lastIds}) AND outputs_state != 'cleared'`
    )
    this.lastRunOutputs = db.prepare(
      `SELECT ${OUTPUT_COLUMNS} WHERE o.run_id IN (${lastIds}) ORDER BY o.run_id, o.seq`
    )
    this.clearCell = db.prepare(
      `UPDATE runs SET outputs_state = 'cleared', profile = NULL WHERE cell_id = ? AND outputs_state = 'kept' RETURNING id`
    )
    this.clearAllRuns = db.prepare(
      `UPDATE runs SET outputs_state = 'cleared', profile = NULL WHERE outputs_state = 'kept'`
    )
    this.deleteAllOutputs = db.prepare('DELETE FROM outputs')
  }

  /**
   * Stores a run and its outputs (capped at `outputCapBytes`), then prunes the cell's old outputs.
   * Call inside a transaction. Returns the run as stored.
   */
  insert(run: Omit<RunRecord, 'id'>, outputCapBytes: number): RunRecord {
    const outputs = capOutputs(run.outputs, outputCapBytes) as Output[]
    const id = Number(
      this.insertRun.run({
        cellId: run.cellId,
        executionCount: run.executionCount,
        source: run.source,
        startedAt: run.startedAt,
        finishedAt: run.finishedAt,
        status: run.status,
        exitCode: run.exitCode,
        message: run.message,
        isolated: run.isolated ? 1 : 0,
        ...runCostOf(run),
        fsBytes: run.fsBytes ?? null,
        profile: run.profile === null ? null : encodeFuelProfile(run.profile)
      }).lastInsertRowid
    )
    outputs.forEach((o, seq) => {
      const enc = encodeOutput(o)
      const outputId = this.insertOutput.run(id, seq, enc.type, enc.body).lastInsertRowid
      for (const b of enc.blobs) this.insertBlob.run(outputId, b.mime, b.data)
    })
    for (const { id: old } of this.pruneRuns.all(run.cellId, run.cellId, KEEP_RUN_OUTPUTS_PER_CELL) as {
      id: number
    }[]) {
      this.deleteOutputs.run(old)
    }
    return { ...run, id, outputs }
  }

  list(cellId: CellId): RunSummary[] {
    return this.listRows.all(cellId).map((r) => ({
      id: r.id,
      executionCount: r.execution_count,
      status: r.status,
      fuelConsumed: r.fuel_consumed,
      fuelBudget: r.fuel_budget,
      wallMs: r.wall_ms,
      startedAt: r.started_at,
      isolated: r.isolated === 1
    }))
  }

  /** A run with its outputs ([] once pruned or cleared), or null. */
  get(runId: number): RunRecord | null {
    const row = this.runById.get(runId)
    if (!row) return null
    return toRecord(row, decodeRows(this.outputsOfRun.all(runId)).get(runId) ?? [])
  }

  /** The newest run of every cell, unless its outputs were cleared. */
  lastRuns(): Record<CellId, RunRecord> {
    const outputs = decodeRows(this.lastRunOutputs.all())
    const result: Record<CellId, RunRecord> = {}
    for (const row of this.lastRunRows.all()) result[row.cell_id] = toRecord(row, outputs.get(row.id) ?? [])
    return result
  }

  /**
   * "Clear outputs": deletes the outputs of every run of these cells (all cells when omitted), so a cleared
   * notebook shared with someone holds no old outputs; the stats of every run stay. Call inside a transaction.
   */
  clearOutputs(cellIds?: readonly CellId[]): void {
    if (!cellIds) {
      this.clearAllRuns.run()
      this.deleteAllOutputs.run()
      return
    }
    for (const cellId of cellIds) {
      for (const { id } of this.clearCell.all(cellId)) this.deleteOutputs.run(id)
    }
  }
}
