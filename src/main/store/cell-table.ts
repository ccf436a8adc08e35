/**
 * The cells table. Positions are dense (0..n-1) and unique; SQLite checks UNIQUE row by row, so shifts go
 * through negative numbers (two UPDATEs) instead of relying on update order.
 */
import type Database from 'better-sqlite3'
import type { Cell, CellId, CellType } from '../../shared/notebook'
import type { CellPatch } from './types'

interface CellRow {
  id: string
  position: number
  type: CellType
  source: string
  metadata: string
  isolated: number
}

const MAX_POSITION = Number.MAX_SAFE_INTEGER

function toCell(row: CellRow): Cell {
  return {
    id: row.id,
    type: row.type,
    source: row.source,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    isolated: row.isolated === 1
  }
}

export class CellTable {
  private readonly all: Database.Statement<[], CellRow>
  private readonly byId: Database.Statement<[string], CellRow>
  private readonly count: Database.Statement<[], { n: number }>
  private readonly exists: Database.Statement<[string]>
  private readonly insertRow: Database.Statement
  private readonly updateRow: Database.Statement
  private readonly deleteRow: Database.Statement<[string]>
  private readonly setPosition: Database.Statement<[number, string]>
  private readonly shiftOut: Database.Statement<{ from: number; to: number; delta: number }>
  private readonly shiftBack: Database.Statement<[]>

  constructor(db: Database.Database) {
    this.all = db.prepare('SELECT * FROM cells ORDER BY position')
    this.byId = db.prepare('SELECT * FROM cells WHERE id = ?')
    this.count = db.prepare('SELECT count(*) AS n FROM cells')
    this.exists = db.prepare('SELECT 1 FROM cells WHERE id = ?')
    this.insertRow = db.prepare(
      'INSERT INTO cells (id, position, type, source, metadata, isolated) VALUES (@id, @position, @type, @source, @metadata, @isolated)'
    )
    this.updateRow = db.prepare(
      'UPDATE cells SET type = @type, source = @source, metadata = @metadata, isolated = @isolated WHERE id = @id'
    )
    this.deleteRow = db.prepare('DELETE FROM cells WHERE id = ?')
    this.setPosition = db.prepare('UPDATE cells SET position = ? WHERE id = ?')
    this.shiftOut = db.prepare(
      'UPDATE cells SET position = -(position + @delta) - 1 WHERE position >= @from AND position < @to'
    )
    this.shiftBack = db.prepare('UPDATE cells SET position = -position - 1 WHERE position < 0')
  }

  list(): Cell[] {
    return this.all.all().map(toCell)
  }

  size(): number {
    return this.count.get()!.n
  }

  has(id: CellId): boolean {
    return this.exists.get(id) !== undefined
  }

  get(id: CellId): { cell: Cell; index: number } | null {
    const row = this.byId.get(id)
    return row ? { cell: toCell(row), index: row.position } : null
  }

  /** Inserts at `index` (clamped to 0..count). Call inside a transaction. */
  insert(cell: Cell, index: number): void {
    if (this.byId.get(cell.id)) throw new Error(`cell ${cell.id} already exists in this notebook`)
    const at = clamp(Math.trunc(index), 0, this.size())
    this.shift(at, MAX_POSITION, 1)
    this.insertRow.run({
      id: cell.id,
      position: at,
      type: cell.type,
      source: wellFormed(cell.source),
      metadata: JSON.stringify(cell.metadata ?? {}),
      isolated: cell.isolated ? 1 : 0
    })
  }

  update(id: CellId, patch: CellPatch): Cell {
    const found = this.get(id)
    if (!found) throw new Error(`cell ${id} is not in this notebook`)
    const cell: Cell = { ...found.cell }
    if (patch.source !== undefined) cell.source = wellFormed(patch.source)
    if (patch.type !== undefined) cell.type = patch.type
    if (patch.metadata !== undefined) cell.metadata = patch.metadata
    if (patch.isolated !== undefined) cell.isolated = patch.isolated
    this.updateRow.run({
      id,
      type: cell.type,
      source: cell.source,
      metadata: JSON.stringify(cell.metadata),
      isolated: cell.isolated ? 1 : 0
    })
    return cell
  }

  /** Deletes the cell (its runs and outputs go with it: ON DELETE CASCADE). Call inside a transaction. */
  delete(id: CellId): { cell: Cell; index: number } {
    const found = this.get(id)
    if (!found) throw new Error(`cell ${id} is not in this notebook`)
    this.deleteRow.run(id)
    this.shift(found.index + 1, MAX_POSITION, -1)
    return found
  }

  /** Moves the cell so that it ends up at `toIndex` (clamped). Call inside a transaction. */
  move(id: CellId, toIndex: number): void {
    const found = this.get(id)
    if (!found) throw new Error(`cell ${id} is not in this notebook`)
    const n = this.size()
    const from = found.index
    const to = clamp(Math.trunc(toIndex), 0, n - 1)
    if (from === to) return
    this.setPosition.run(n, id) // park it on the free slot past the end
    if (from < to) this.shift(from + 1, to + 1, -1)
    else this.shift(to, from, 1)
    this.setPosition.run(to, id)
  }

  /** Adds `delta` to every position in [from, to). */
  private shift(from: number, to: number, delta: number): void {
    const moved = this.shiftOut.run({ from, to, delta }).changes
    if (moved > 0) this.shiftBack.run()
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Number.isNaN(v) ? hi : Math.min(hi, Math.max(lo, v))
}

/**
 * A lone UTF-16 surrogate (possible in a JS string, e.g. pasted) has no UTF-8 form: SQLite would
 * store bytes that other readers (Python's sqlite3, the CLI) refuse and that read back as three
 * U+FFFD. Store U+FFFD, as the kernel's TextEncoder does for the code it runs.
 */
function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
}
