/**
 * Opening and creating .fuelbook files: every check that can refuse a file runs before anything is written
 * to it, so a refused file keeps its exact bytes.
 *
 * Journal mode and durability (also in README.md):
 * - `locking_mode = EXCLUSIVE`: the open notebook holds an OS file lock until close, so a second Fuelbook
 *   (or a writer like `sqlite3`) gets a clear "open in another Fuelbook" instead of two apps interleaving
 *   edits. The OS drops the lock when the process dies, so a crash never leaves a stale lock. In WAL mode it
 *   also means no `-shm` file.
 * - `journal_mode = WAL` while open: a commit is one append to the `-wal` file, no fsync, so a run result
 *   commits in well under a millisecond and typing can be saved as it happens.
 * - `synchronous = NORMAL`: with WAL this survives any application crash (a commit that returned is in
 *   the OS page cache, which a killed process cannot lose) and is never corrupted by a power cut, which can
 *   only roll back the last commits since the last checkpoint. FULL would add an fsync per commit (≈0.4 ms
 *   here, far more on laptops' disks) to protect against power loss only.
 * - On close the WAL is checkpointed and the file switched back to `journal_mode = DELETE`, so a notebook
 *   at rest is one self-contained file: safe to copy, mail, commit to git, or open from read-only media.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import Database from 'better-sqlite3'
import { MIGRATIONS, appliedMigrations, migrate, type Migration } from './migrations'
import { sqliteOptions } from './native-binding'
import {
  FUELBOOK_APPLICATION_ID,
  checkApplicationId,
  checkVersion,
  damagedMessage,
  describeFsError,
  describeOpenError,
  foreignSchemaMessage,
  isReadOnlyFile,
  newerMessage,
  q,
  readHeader,
  readOnlyNotice
} from './file-checks'
import { fail, type Result } from '../../shared/result'
import type { CreateOptions } from './types'

const PAGE_SIZE = 16384

/** How long to wait for another connection's lock before calling the file "open elsewhere". */
const LOCK_WAIT_MS = 100

const REQUIRED_TABLES = [
  'fuelbook_migrations',
  'notebook',
  'cells',
  'runs',
  'outputs',
  'output_blobs',
  'kernel_pages',
  'kernel_head',
  'kernel_head_pages'
]

export interface OpenedDatabase {
  db: Database.Database
  path: string
  readOnly: boolean
  notices: string[]
}

/** Read-only checks inside one transaction; returns a user message for the first problem, or null. */
function validate(
  db: Database.Database,
  file: string,
  readOnly: boolean,
  migrations: readonly Migration[]
): string | null {
  const supported = migrations.length
  // BEGIN EXCLUSIVE takes (and, in exclusive locking mode, keeps) the write lock without writing anything.
  db.exec(readOnly ? 'BEGIN' : 'BEGIN EXCLUSIVE')
  try {
    // The first read takes the lock: SQLITE_BUSY here means another process has the file open.
    const appId = db.pragma('application_id', { simple: true }) as number
    const idProblem = checkApplicationId(file, appId)
    if (idProblem) return idProblem
    const version = db.pragma('user_version', { simple: true }) as number
    const versionProblem = checkVersion(file, version, supported)
    if (versionProblem) return versionProblem
    const tables = new Set(
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
        (r) => r.name
      )
    )
    const known = new Set(migrations.map((m) => m.name))
    const unknown = tables.has('fuelbook_migrations')
      ? appliedMigrations(db).filter((n) => !known.has(n))
      : []
    if (unknown.length > 0) return newerMessage(file, `migration ${unknown[0]}`, supported)
    const foreign = db
      .prepare(
        "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view') ORDER BY rowid LIMIT 1"
      )
      .get() as { type: string; name: string } | undefined
    if (foreign) return foreignSchemaMessage(file, foreign)
    if (version === supported) {
      const missing = REQUIRED_TABLES.find((t) => !tables.has(t))
      if (missing) return damagedMessage(file, `missing table ${missing}`)
      if (!db.prepare('SELECT 1 FROM notebook WHERE id = 1').get())
        return damagedMessage(file, 'missing its notebook row')
    }
    const check = db.pragma('quick_check') as { quick_check: string }[]
    if (check.length !== 1 || check[0]!.quick_check !== 'ok') {
      return damagedMessage(file, check.map((r) => r.quick_check).join('\n'))
    }
    if (readOnly && version < supported) {
      return `${q(file)} uses an older Fuelbook format and is read-only, so it cannot be upgraded. Make it writable, then open it again.`
    }
    return null
  } finally {
    // A failed read may already have ended the transaction; rolling back again would hide its error.
    if (db.inTransaction) db.exec('ROLLBACK')
  }
}

/**
 * A `-wal` beside the file is replayed by any open and folded into the file when the connection closes,
 * refused or not; and SQLite ties a `-wal` to no particular file. So what the file plus its `-wal` hold
 * is checked on a private copy first: a refused file and its `-wal` keep their bytes. Only after a crash
 * (or when a `-wal` was put there), so the copy costs nothing on a normal open.
 */
function checkWithWal(file: string, migrations: readonly Migration[]): string | null {
  if (!fs.existsSync(`${file}-wal`)) return null
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fuelbook-wal-check-'))
  try {
    const copy = path.join(dir, 'check.fuelbook')
    fs.copyFileSync(file, copy)
    fs.copyFileSync(`${file}-wal`, `${copy}-wal`)
    const db = new Database(copy, sqliteOptions({ fileMustExist: true, timeout: LOCK_WAIT_MS }))
    try {
      db.pragma('trusted_schema = OFF')
      return validate(db, file, false, migrations)
    } finally {
      db.close()
    }
  } catch (e) {
    return describeOpenError(file, e)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** `migrations` is for tests of future migrations; the app always uses MIGRATIONS. */
export function openDatabase(
  file: string,
  migrations: readonly Migration[] = MIGRATIONS
): Result<OpenedDatabase> {
  const abs = path.resolve(file)
  let stat: fs.Stats
  try {
    stat = fs.statSync(abs)
  } catch (e) {
    return fail(describeFsError(abs, e))
  }
  if (stat.isDirectory())
    return fail(describeFsError(abs, Object.assign(new Error('is a folder'), { code: 'EISDIR' })))
  const header = readHeader(abs)
  if (!header.ok) return fail(header.error)
  const headerProblem =
    checkApplicationId(abs, header.value.applicationId) ??
    checkVersion(abs, header.value.userVersion, migrations.length)
  if (headerProblem) return fail(headerProblem)
  const walProblem = checkWithWal(abs, migrations)
  if (walProblem) return fail(walProblem)

  const readOnly = isReadOnlyFile(abs, stat)
  let db: Database.Database
  try {
    db = new Database(abs, sqliteOptions({ readonly: readOnly, fileMustExist: true, timeout: LOCK_WAIT_MS }))
  } catch (e) {
    return fail(describeOpenError(abs, e))
  }
  try {
    // Must come before the first read: see the header comment. A read-only file has no writer to keep out,
    // and normal locking lets SQLite read a WAL a crash left behind (through a -shm it creates).
    if (!readOnly) db.pragma('locking_mode = EXCLUSIVE')
    // Functions with side effects never run from the file's own schema (CHECK, DEFAULT, index
    // expressions): https://sqlite.org/security.html. Triggers and views are refused in validate().
    db.pragma('trusted_schema = OFF')
    const problem = validate(db, abs, readOnly, migrations)
    if (problem) {
      db.close()
      return fail(problem)
    }
    db.pragma('foreign_keys = ON')
    if (!readOnly) {
      db.pragma('synchronous = NORMAL')
      // Upgrade while still in rollback-journal mode: a failed migration rolls back to the exact old bytes.
      try {
        migrate(db, migrations)
      } catch (e) {
        db.close()
        return fail(
          `${q(abs)} could not be upgraded to this version of Fuelbook (${(e as Error).message}). The file was not changed; open it with the Fuelbook version that saved it, and please report this.`
        )
      }
      db.pragma('journal_mode = WAL')
      // Checkpoint every 256 pages (4 MiB) and keep the WAL file at most that big afterwards: bounds both
      // the -wal a crash leaves and what a power cut could roll back.
      db.pragma('wal_autocheckpoint = 256')
      db.pragma(`journal_size_limit = ${256 * PAGE_SIZE}`)
    }
    return { ok: true, value: { db, path: abs, readOnly, notices: readOnly ? [readOnlyNotice(abs)] : [] } }
  } catch (e) {
    try {
      db.close()
    } catch {
      // already closed or unusable: nothing more to release
    }
    return fail(describeOpenError(abs, e))
  }
}

export function tempSibling(target: string, purpose: string): string {
  return path.join(
    path.dirname(target),
    `.${path.basename(target)}.${purpose}-${process.pid}-${randomBytes(4).toString('hex')}`
  )
}

export function removeQuietly(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) fs.rmSync(f, { force: true })
}

/**
 * Builds a new notebook in a temporary file next to `file` and links it into place, so the name never
 * shows a half-made notebook and an existing file is never overwritten.
 */
export function createDatabase(file: string, init: CreateOptions, now = Date.now()): Result<string> {
  const abs = path.resolve(file)
  if (fs.existsSync(abs)) return fail(`${q(abs)} already exists. Choose another name, or open it instead.`)
  const dir = path.dirname(abs)
  if (!fs.existsSync(dir)) return fail(`The folder ${q(dir)} does not exist. Choose another place to save.`)
  const tmp = tempSibling(abs, 'creating')
  try {
    const db = new Database(tmp, sqliteOptions({}))
    try {
      // 16 KiB pages: outputs and kernel pages are blobs of tens of KiB, and with 4 KiB pages their overflow
      // chains made quick_check (on every open) and load ~35% slower; commits cost the same (bench/store).
      db.pragma(`page_size = ${PAGE_SIZE}`)
      db.pragma(`application_id = ${FUELBOOK_APPLICATION_ID}`)
      migrate(db)
      const { limits, deterministic } = init.settings
      db.prepare(
        `INSERT INTO notebook (id, title, created_at, modified_at, fuel_limit, memory_limit_bytes, timeout_ms,
           output_limit_bytes, fs_quota_bytes, deterministic, next_execution_count)
         VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`
      ).run(
        init.title,
        now,
        now,
        limits.fuel,
        limits.memoryBytes,
        limits.timeoutMs,
        limits.outputBytes,
        limits.fsBytes,
        deterministic ? 1 : 0
      )
    } finally {
      db.close()
    }
    linkIntoPlace(tmp, abs)
    return { ok: true, value: abs }
  } catch (e) {
    const code = (e as { code?: string }).code
    if (code === 'EEXIST') return fail(`${q(abs)} already exists. Choose another name, or open it instead.`)
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'SQLITE_CANTOPEN') {
      return fail(`Cannot create ${q(abs)}: the folder is not writable. Choose another place to save.`)
    }
    return fail(`Cannot create ${q(abs)}: ${(e as Error).message}.`)
  } finally {
    removeQuietly(tmp)
  }
}

/** Atomic "create if absent": link(2) fails instead of replacing; rename where links are unsupported. */
function linkIntoPlace(tmp: string, target: string): void {
  try {
    fs.linkSync(tmp, target)
  } catch (e) {
    const code = (e as { code?: string }).code
    if (code === 'EEXIST') throw e
    if (fs.existsSync(target)) throw Object.assign(new Error('exists'), { code: 'EEXIST' })
    fs.renameSync(tmp, target)
  }
}
