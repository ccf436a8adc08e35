/**
 * Append-only, named migrations in the style of llm/sqlite-utils: each runs in one transaction that also
 * records its name in `fuelbook_migrations` and bumps `PRAGMA user_version` to its 1-based position, so a
 * file is always at exactly one known version. Never edit or reorder a shipped migration.
 */
import type Database from 'better-sqlite3'
import { m001_initial } from './m001_initial'
import { m002_sandbox_budget } from './m002_sandbox_budget'
import { m003_session_fuel } from './m003_session_fuel'
import { m004_packages } from './m004_packages'
import { m005_run_profiles } from './m005_run_profiles'
import { m006_package_bytecode } from './m006_package_bytecode'

export interface Migration {
  /** `m<NNN>_<what>`; recorded in the file. */
  name: string
  /** SQL script, or a function for data rewrites. Runs inside the migration's transaction. */
  up: string | ((db: Database.Database) => void)
  /**
   * Table rebuilds (the 12-step ALTER TABLE recipe) need foreign keys off; they are turned off around the
   * transaction and `PRAGMA foreign_key_check` must come back empty before it commits.
   */
  foreignKeysOff?: boolean
}

export const MIGRATIONS: readonly Migration[] = [
  { name: 'm001_initial', up: m001_initial },
  { name: 'm002_sandbox_budget', up: m002_sandbox_budget },
  { name: 'm003_session_fuel', up: m003_session_fuel },
  { name: 'm004_packages', up: m004_packages },
  { name: 'm005_run_profiles', up: m005_run_profiles },
  { name: 'm006_package_bytecode', up: m006_package_bytecode }
]

/** The schema version this build writes: the number of migrations it knows. */
export const SCHEMA_VERSION = MIGRATIONS.length

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS fuelbook_migrations (
  name TEXT PRIMARY KEY NOT NULL,
  applied_at INTEGER NOT NULL
)`

/** Names of the migrations recorded in the file, oldest first ([] for a blank database). */
export function appliedMigrations(db: Database.Database): string[] {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'fuelbook_migrations'")
    .get()
  if (!table) return []
  return (db.prepare('SELECT name FROM fuelbook_migrations ORDER BY rowid').all() as { name: string }[]).map(
    (r) => r.name
  )
}

/**
 * Applies every migration after the file's `user_version`, each in its own transaction. Throws (with the
 * failed migration rolled back, earlier ones kept) when a migration fails.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): string[] {
  const from = db.pragma('user_version', { simple: true }) as number
  const applied: string[] = []
  for (let i = from; i < migrations.length; i++) {
    const m = migrations[i]!
    if (m.foreignKeysOff) db.pragma('foreign_keys = OFF')
    try {
      db.transaction(() => {
        db.exec(MIGRATIONS_TABLE)
        if (typeof m.up === 'string') db.exec(m.up)
        else m.up(db)
        if (m.foreignKeysOff) {
          const broken = db.pragma('foreign_key_check') as { table: string }[]
          if (broken.length > 0) {
            throw new Error(
              `migration ${m.name} left ${broken.length} broken references (first in ${broken[0]!.table})`
            )
          }
        }
        db.prepare('INSERT INTO fuelbook_migrations (name, applied_at) VALUES (?, ?)').run(m.name, Date.now())
        db.pragma(`user_version = ${i + 1}`)
      }).immediate()
    } catch (e) {
      throw new Error(`migration ${m.name} failed: ${(e as Error).message}`, { cause: e })
    } finally {
      if (m.foreignKeysOff) db.pragma('foreign_keys = ON')
    }
    applied.push(m.name)
  }
  return applied
}
