/**
 * Rows of the reliability report: each test file writes what it tried and what happened to
 * artifacts/reliability/<name>.json; test/reliability/report.ts turns them into docs/reliability.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

export const RESULTS_DIR = resolve(__dirname, '..', '..', 'artifacts', 'reliability')

export interface ReportRow {
  /** What was tried, as a reader would say it. */
  case: string
  expected: string
  observed: string
  pass: boolean
  detail?: string
}

export class Recorder {
  readonly rows: ReportRow[] = []
  constructor(
    private readonly name: string,
    private readonly section: string
  ) {}

  add(row: ReportRow): void {
    this.rows.push(row)
  }

  /** Call in afterAll: keeps the rows of the last run of this file. */
  save(extra: Record<string, unknown> = {}): void {
    mkdirSync(RESULTS_DIR, { recursive: true })
    const body = { section: this.section, date: new Date().toISOString(), rows: this.rows, ...extra }
    writeFileSync(join(RESULTS_DIR, `${this.name}.json`), JSON.stringify(body, null, 2) + '\n')
  }
}
