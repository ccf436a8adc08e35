/**
 * The `packages` table: the wheels a notebook carries, one version per distribution. Rows are small;
 * the wheel bytes are read one wheel at a time, when a run mounts them or the resolver reads METADATA.
 */
import type Database from 'better-sqlite3'
import type { PackageInfo } from '../../shared/packages'

interface PackageRow {
  name: string
  display_name: string
  version: string
  filename: string
  sha256: string
  bytes: number
  requested_by: string
  installed_at: number
}

/** A wheel to store: its row and its bytes exactly as downloaded. */
export interface NewPackage extends Omit<PackageInfo, 'installedAt'> {
  wheel: Uint8Array
}

export class PackageTable {
  private readonly rows: Database.Statement<[], PackageRow>
  private readonly wheelOf: Database.Statement<[string], { wheel: Buffer }>
  private readonly upsert: Database.Statement
  private readonly deleteRow: Database.Statement<[string]>

  constructor(db: Database.Database) {
    this.rows = db.prepare(
      'SELECT name, display_name, version, filename, sha256, bytes, requested_by, installed_at FROM packages ORDER BY name'
    )
    this.wheelOf = db.prepare('SELECT wheel FROM packages WHERE name = ?')
    this.upsert = db.prepare(`INSERT OR REPLACE INTO packages
        (name, display_name, version, filename, sha256, bytes, requested_by, installed_at, wheel)
      VALUES (@name, @displayName, @version, @filename, @sha256, @bytes, @requestedBy, @installedAt, @wheel)`)
    this.deleteRow = db.prepare('DELETE FROM packages WHERE name = ?')
  }

  list(): PackageInfo[] {
    return this.rows.all().map((r) => ({
      name: r.name,
      displayName: r.display_name,
      version: r.version,
      filename: r.filename,
      sha256: r.sha256,
      bytes: r.bytes,
      requestedBy: r.requested_by,
      installedAt: r.installed_at
    }))
  }

  wheel(name: string): Uint8Array | null {
    return this.wheelOf.get(name)?.wheel ?? null
  }

  put(packages: NewPackage[], now: number): void {
    for (const p of packages) {
      const wheel = Buffer.from(p.wheel.buffer, p.wheel.byteOffset, p.wheel.byteLength)
      this.upsert.run({ ...p, installedAt: now, wheel })
    }
  }

  remove(names: string[]): void {
    for (const name of names) this.deleteRow.run(name)
  }
}
