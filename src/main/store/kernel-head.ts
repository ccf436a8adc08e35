/**
 * The persisted kernel head (docs/architecture.md). Pages live in kernel_pages keyed by content hash and are written
 * once: moving the head writes only the pages whose hash the file does not hold yet and rewrites only the
 * page-table slots that changed; pages no slot references any more are deleted in the same transaction.
 * Which hashes the head references is known here (cached, dropped when a transaction fails), so a page the new
 * head drops is deleted by its key, and the chunk list is rewritten only when it changed: a trivial cell's head
 * moves ~33 slots, and each statement counts (src/main/store/README.md, "Size discipline").
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

/** The bytes the file holds for a hash the head references; a file without them is damaged. */
function stored(row: { hash: string; data: Buffer | null }): Buffer {
  if (row.data === null)
    throw new Error(`the file lacks the saved kernel state's block ${row.hash.slice(0, 12)}…`)
  return row.data
}

export class KernelHead {
  /** page_index → hash of the stored head; loaded lazily, dropped whenever a transaction fails. */
  private slots: Map<number, string> | null = null
  /** The stored head's file chunks in order (hashes), cached like `slots`. */
  private chunks: string[] | null = null
  private readonly headRow: Database.Statement<[], HeadRow>
  private readonly headInfo: Database.Statement<[], Omit<HeadRow, 'state'>>
  private readonly slotRows: Database.Statement<[], { page_index: number; hash: string }>
  private readonly pagesOfHead: Database.Statement<
    [],
    { page_index: number; hash: string; data: Buffer | null }
  >
  private readonly insertPage: Database.Statement<[string, Buffer]>
  private readonly addSlot: Database.Statement<[number, string]>
  private readonly moveSlot: Database.Statement<[string, number]>
  private readonly deleteSlot: Database.Statement<[number]>
  private readonly deletePage: Database.Statement<[string]>
  private readonly upsertHead: Database.Statement
  private readonly deleteHead: Database.Statement<[]>
  private readonly deleteAllSlots: Database.Statement<[]>
  private readonly deleteUnusedPages: Database.Statement<[]>
  private readonly chunkRows: Database.Statement<[], { hash: string; data: Buffer | null }>
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
    // LEFT JOINs: a slot whose page the lookup does not find (a damaged index of kernel_pages) must
    // show up as missing, not vanish from the result and leave S0's page in its place.
    this.pagesOfHead = db.prepare(
      'SELECT s.page_index, s.hash, p.data FROM kernel_head_pages s LEFT JOIN kernel_pages p ON p.hash = s.hash ORDER BY s.page_index'
    )
    this.insertPage = db.prepare('INSERT OR IGNORE INTO kernel_pages (hash, data) VALUES (?, ?)')
    this.addSlot = db.prepare('INSERT INTO kernel_head_pages (page_index, hash) VALUES (?, ?)')
    this.moveSlot = db.prepare('UPDATE kernel_head_pages SET hash = ? WHERE page_index = ?')
    this.deleteSlot = db.prepare('DELETE FROM kernel_head_pages WHERE page_index = ?')
    // Only for a hash neither the head's slots nor its chunks reference (save knows which); the foreign keys
    // would refuse any other, rolling the save back.
    this.deletePage = db.prepare('DELETE FROM kernel_pages WHERE hash = ?')
    this.chunkRows = db.prepare(
      'SELECT c.hash, p.data FROM kernel_head_chunks c LEFT JOIN kernel_pages p ON p.hash = c.hash ORDER BY c.seq'
    )
    this.chunkHashes = db.prepare('SELECT hash FROM kernel_head_chunks ORDER BY seq')
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
    this.chunks = null
  }

  info(): Omit<HeadRow, 'state'> | null {
    return this.headInfo.get() ?? null
  }

  load(): HeadSnapshot | null {
    const row = this.headRow.get()
    if (!row) return null
    const pages = this.pagesOfHead.all().map((p) => ({ index: p.page_index, hash: p.hash, data: stored(p) }))
    const snapshot: PersistedSnapshot = {
      format: row.format,
      runtimeHash: row.runtime_hash,
      pageCount: row.page_count,
      pages,
      state: row.state
    }
    const chunks = this.chunkRows.all().map((c) => ({ hash: c.hash, data: stored(c) }))
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
      this.chunks = []
      return
    }
    const { snapshot } = head
    const old = this.currentSlots()
    const oldChunks = this.currentChunks()
    const held = new Set([...old.values(), ...oldChunks])
    const next = new Map<number, string>()
    for (const page of snapshot.pages) {
      if (!Number.isInteger(page.index) || page.index < 0 || page.index >= snapshot.pageCount) {
        throw new Error(`snapshot page index ${page.index} is outside its ${snapshot.pageCount} pages`)
      }
      if (next.has(page.index)) throw new Error(`the snapshot holds page ${page.index} twice`)
      next.set(page.index, page.hash)
      const was = old.get(page.index)
      if (was === page.hash) continue
      if (!held.has(page.hash)) {
        this.insertPage.run(page.hash, asBuffer(page.data))
        held.add(page.hash)
      }
      if (was === undefined) this.addSlot.run(page.index, page.hash)
      else this.moveSlot.run(page.hash, page.index)
    }
    for (const index of old.keys()) if (!next.has(index)) this.deleteSlot.run(index)
    // File chunks: only chunks the file does not hold yet are written (one small row per chunk), and the list
    // only when it changed.
    const nextChunks = (snapshot.chunks ?? []).map((chunk) => chunk.hash)
    if (nextChunks.length !== oldChunks.length || nextChunks.some((hash, i) => hash !== oldChunks[i])) {
      this.deleteChunks.run()
      ;(snapshot.chunks ?? []).forEach((chunk, seq) => {
        if (!held.has(chunk.hash)) {
          if (chunk.data === null)
            throw new Error(`the kernel state names a file chunk this file does not hold`)
          this.insertPage.run(chunk.hash, asBuffer(chunk.data))
          held.add(chunk.hash)
        }
        this.insertChunk.run(seq, chunk.hash)
      })
    }
    const kept = new Set([...next.values(), ...nextChunks])
    for (const hash of new Set([...old.values(), ...oldChunks]))
      if (!kept.has(hash)) this.deletePage.run(hash)
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
    this.chunks = nextChunks
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
    return new Set([...this.currentSlots().values(), ...this.currentChunks()])
  }

  /** Deletes pages no slot references (normally none: save() collects as it goes). Returns how many. */
  collectGarbage(): number {
    return this.deleteUnusedPages.run().changes
  }

  private currentSlots(): Map<number, string> {
    if (!this.slots) this.slots = new Map(this.slotRows.all().map((r) => [r.page_index, r.hash]))
    return this.slots
  }

  private currentChunks(): string[] {
    if (!this.chunks) this.chunks = this.chunkHashes.all().map((r) => r.hash)
    return this.chunks
  }
}
