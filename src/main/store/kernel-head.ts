/**
 * The persisted kernel head (docs/architecture.md). Pages live in kernel_pages keyed by content hash and are written
 * once: moving the head writes only the pages whose hash the file does not hold yet and rewrites only the
 * page-table slots that changed; pages no slot references any more are deleted in the same transaction.
 */
import type Database from 'better-sqlite3'
import type { PersistedSnapshot } from '../../shared/snapshot'
import type { HeadSnapshot } from './types'

interface HeadRow {
  cell_id: string | null
  execution_count: number | null
  runtime_hash: string
  format: number
  page_count: number
  state: Buffer
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

export class KernelHead {
  /** page_index → hash of the stored head; loaded lazily, dropped whenever a transaction fails. */
  private slots: Map<number, string> | null = null
  private readonly headRow: Database.Statement<[], HeadRow>
  private readonly headInfo: Database.Statement<[], Omit<HeadRow, 'state'>>
  private readonly slotRows: Database.Statement<[], { page_index: number; hash: string }>
  private readonly pagesOfHead: Database.Statement<[], { page_index: number; hash: string; data: Buffer }>
  private readonly insertPage: Database.Statement<[string, Buffer]>
  private readonly setSlot: Database.Statement<[number, string]>
  private readonly deleteSlot: Database.Statement<[number]>
  private readonly deletePageIfUnused: Database.Statement<{ hash: string }>
  private readonly upsertHead: Database.Statement
  private readonly deleteHead: Database.Statement<[]>
  private readonly deleteAllSlots: Database.Statement<[]>
  private readonly deleteUnusedPages: Database.Statement<[]>
  private readonly chunkRows: Database.Statement<[], { hash: string; data: Buffer }>
  private readonly chunkHashes: Database.Statement<[], { hash: string }>
  private readonly deleteChunks: Database.Statement<[]>
  private readonly insertChunk: Database.Statement<[number, string]>

  constructor(db: Database.Database) {
    this.headRow = db.prepare(
      'SELECT cell_id, execution_count, runtime_hash, format, page_count, state FROM kernel_head WHERE id = 1'
    )
    this.headInfo = db.prepare(
      'SELECT cell_id, execution_count, runtime_hash, format, page_count FROM kernel_head WHERE id = 1'
    )
    this.slotRows = db.prepare('SELECT page_index, hash FROM kernel_head_pages')
    this.pagesOfHead = db.prepare(
      'SELECT s.page_index, s.hash, p.data FROM kernel_head_pages s JOIN kernel_pages p ON p.hash = s.hash ORDER BY s.page_index'
    )
    this.insertPage = db.prepare('INSERT OR IGNORE INTO kernel_pages (hash, data) VALUES (?, ?)')
    this.setSlot = db.prepare('INSERT OR REPLACE INTO kernel_head_pages (page_index, hash) VALUES (?, ?)')
    this.deleteSlot = db.prepare('DELETE FROM kernel_head_pages WHERE page_index = ?')
    this.deletePageIfUnused = db.prepare(
      `DELETE FROM kernel_pages WHERE hash = @hash AND NOT EXISTS (SELECT 1 FROM kernel_head_pages WHERE hash = @hash)
        AND NOT EXISTS (SELECT 1 FROM kernel_head_chunks WHERE hash = @hash)`
    )
    this.chunkRows = db.prepare(
      'SELECT c.hash, p.data FROM kernel_head_chunks c JOIN kernel_pages p ON p.hash = c.hash ORDER BY c.seq'
    )
    this.chunkHashes = db.prepare('SELECT hash FROM kernel_head_chunks')
    this.deleteChunks = db.prepare('DELETE FROM kernel_head_chunks')
    this.insertChunk = db.prepare('INSERT INTO kernel_head_chunks (seq, hash) VALUES (?, ?)')
    this.upsertHead = db.prepare(`INSERT OR REPLACE INTO kernel_head
        (id, cell_id, execution_count, runtime_hash, format, page_count, state, saved_at)
      VALUES (1, @cellId, @executionCount, @runtimeHash, @format, @pageCount, @state, @savedAt)`)
    this.deleteHead = db.prepare('DELETE FROM kernel_head')
    this.deleteAllSlots = db.prepare('DELETE FROM kernel_head_pages')
    this.deleteUnusedPages = db.prepare(
      'DELETE FROM kernel_pages WHERE hash NOT IN (SELECT hash FROM kernel_head_pages UNION SELECT hash FROM kernel_head_chunks)'
    )
  }

  /** Forget cached state: call when a transaction that used this object rolled back. */
  invalidate(): void {
    this.slots = null
  }

  info(): Omit<HeadRow, 'state'> | null {
    return this.headInfo.get() ?? null
  }

  load(): HeadSnapshot | null {
    const row = this.headRow.get()
    if (!row) return null
    const pages = this.pagesOfHead.all().map((p) => ({ index: p.page_index, hash: p.hash, data: p.data }))
    const snapshot: PersistedSnapshot = {
      format: row.format,
      runtimeHash: row.runtime_hash,
      pageCount: row.page_count,
      pages,
      state: row.state
    }
    const chunks = this.chunkRows.all()
    if (chunks.length > 0) snapshot.chunks = chunks
    return { snapshot, cellId: row.cell_id, executionCount: row.execution_count }
  }

  /** Replaces the head (null = pristine kernel). Call inside a transaction. */
  save(head: HeadSnapshot | null, now: number): void {
    if (!head) {
      this.deleteHead.run()
      this.deleteAllSlots.run()
      this.deleteChunks.run()
      this.deleteUnusedPages.run()
      this.slots = new Map()
      return
    }
    const { snapshot } = head
    const old = this.currentSlots()
    const oldHashes = new Set(old.values())
    const next = new Map<number, string>()
    for (const page of snapshot.pages) {
      if (!Number.isInteger(page.index) || page.index < 0 || page.index >= snapshot.pageCount) {
        throw new Error(`snapshot page index ${page.index} is outside its ${snapshot.pageCount} pages`)
      }
      if (!oldHashes.has(page.hash)) this.insertPage.run(page.hash, asBuffer(page.data))
      if (old.get(page.index) !== page.hash) this.setSlot.run(page.index, page.hash)
      next.set(page.index, page.hash)
    }
    for (const index of old.keys()) if (!next.has(index)) this.deleteSlot.run(index)
    // File chunks: only chunks the file does not hold yet are written (one small row per chunk).
    const oldChunks = this.chunkHashes.all().map((r) => r.hash)
    const known = new Set([...oldHashes, ...oldChunks])
    this.deleteChunks.run()
    ;(snapshot.chunks ?? []).forEach((chunk, seq) => {
      if (!known.has(chunk.hash)) {
        if (chunk.data === null)
          throw new Error(`the kernel state names a file chunk this file does not hold`)
        this.insertPage.run(chunk.hash, asBuffer(chunk.data))
        known.add(chunk.hash)
      }
      this.insertChunk.run(seq, chunk.hash)
    })
    const nextHashes = new Set([...next.values(), ...(snapshot.chunks ?? []).map((c) => c.hash)])
    for (const hash of new Set([...oldHashes, ...oldChunks]))
      if (!nextHashes.has(hash)) this.deletePageIfUnused.run({ hash })
    this.upsertHead.run({
      cellId: head.cellId,
      executionCount: head.executionCount,
      runtimeHash: snapshot.runtimeHash,
      format: snapshot.format,
      pageCount: snapshot.pageCount,
      state: asBuffer(snapshot.state),
      savedAt: now
    })
    this.slots = next
  }

  /** Bytes of blobs that saving `snapshot` would add: its pages and chunks the file does not hold yet. */
  bytesToWrite(snapshot: PersistedSnapshot): number {
    const known = this.storedHashes()
    let bytes = snapshot.state.byteLength
    for (const blob of [...snapshot.pages, ...(snapshot.chunks ?? [])]) {
      if (known.has(blob.hash)) continue
      known.add(blob.hash)
      bytes += blob.data?.byteLength ?? 0
    }
    return bytes
  }

  /** Hashes of the pages and file chunks the stored head holds: a new head need not carry their bytes. */
  storedHashes(): Set<string> {
    return new Set([...this.currentSlots().values(), ...this.chunkHashes.all().map((r) => r.hash)])
  }

  /** Deletes pages no slot references (normally none: save() collects as it goes). Returns how many. */
  collectGarbage(): number {
    return this.deleteUnusedPages.run().changes
  }

  private currentSlots(): Map<number, string> {
    if (!this.slots) this.slots = new Map(this.slotRows.all().map((r) => [r.page_index, r.hash]))
    return this.slots
  }
}
