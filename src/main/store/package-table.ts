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

/** A wheel's bytecode cache for one runtime (m006, src/main/packages/README.md "Bytecode cache"). */
export interface PackageBytecode {
  wheelSha256: string
  runtime: string
  /** Hex sha256 of `cache`. */
  sha256: string
  modules: number
  skipped: number
  cache: Uint8Array
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
    this.bytecodeOf = db.prepare(
      'SELECT sha256, modules, skipped, cache FROM package_bytecode WHERE wheel_sha256 = ? AND runtime = ?'
    )
    this.bytecodeSizes = db.prepare(
      'SELECT wheel_sha256 AS wheel, SUM(bytes) AS bytes FROM package_bytecode GROUP BY wheel_sha256'
    )
    this.putBytecodeRow = db.prepare(`INSERT OR REPLACE INTO package_bytecode
        (wheel_sha256, runtime, sha256, bytes, modules, skipped, made_at, cache)
      VALUES (@wheelSha256, @runtime, @sha256, @bytes, @modules, @skipped, @madeAt, @cache)`)
    // One cache per wheel: another runtime's is of no use to this one (and is rebuilt if that comes back).
    this.dropOtherRuntimes = db.prepare(
      'DELETE FROM package_bytecode WHERE wheel_sha256 = ? AND runtime <> ?'
    )
    this.dropOrphans = db.prepare(
      'DELETE FROM package_bytecode WHERE wheel_sha256 NOT IN (SELECT sha256 FROM packages)'
    )
  }

  private readonly bytecodeOf: Database.Statement<
    [string, string],
    { sha256: string; modules: number; skipped: number; cache: Buffer }
  >
  private readonly bytecodeSizes: Database.Statement<[], { wheel: string; bytes: number }>
  private readonly putBytecodeRow: Database.Statement
  private readonly dropOtherRuntimes: Database.Statement<[string, string]>
  private readonly dropOrphans: Database.Statement<[]>

  bytecode(wheelSha256: string, runtime: string): PackageBytecode | null {
    const row = this.bytecodeOf.get(wheelSha256, runtime)
    return row ? { wheelSha256, runtime, ...row } : null
  }

  /** Bytes of the bytecode caches, by wheel sha256. */
  bytecodeBytes(): Map<string, number> {
    return new Map(this.bytecodeSizes.all().map((r) => [r.wheel, r.bytes]))
  }

  putBytecode(b: PackageBytecode, now: number): void {
    this.dropOtherRuntimes.run(b.wheelSha256, b.runtime)
    const cache = Buffer.from(b.cache.buffer, b.cache.byteOffset, b.cache.byteLength)
    this.putBytecodeRow.run({ ...b, bytes: b.cache.byteLength, madeAt: now, cache })
  }

  /** Caches whose wheel the notebook no longer stores go with it. */
  dropUnusedBytecode(): void {
    this.dropOrphans.run()
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
