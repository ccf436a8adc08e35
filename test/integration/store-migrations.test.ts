/**
 * Schema and migrations. Every checked-in fixture (a notebook saved by an earlier schema version) must open
 * with today's code and load exactly as recorded; the migration runner is exercised from the newest fixture
 * with a stand-in next migration, the way the real m002 will be.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NotebookStore, SCHEMA_VERSION } from '../../src/main/store'
import { MIGRATIONS, appliedMigrations, migrate, type Migration } from '../../src/main/store/migrations'
import { fixtureExpectation } from '../helpers/store-fixture-expectation'
import { sha256File, tempDir } from '../helpers/store-fixtures'
import { openDatabase } from '../../src/main/store/open-database'

const fixtures = path.join(__dirname, '..', 'fixtures', 'store')
const versions = fs
  .readdirSync(fixtures)
  .map((f) => /^v(\d+)\.fuelbook$/.exec(f)?.[1])
  .filter((v): v is string => v !== undefined)
  .map(Number)
  .sort((a, b) => a - b)

let dir: string
beforeAll(() => {
  dir = tempDir('fuelbook-migrations-')
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

function copyFixture(version: number): string {
  const file = path.join(dir, `v${version}-${Math.random().toString(36).slice(2)}.fuelbook`)
  fs.copyFileSync(path.join(fixtures, `v${version}.fuelbook`), file)
  return file
}

/** Tables, columns, foreign keys and indexes: what a schema is, independent of how its SQL was spelled. */
function describeSchema(db: Database.Database): unknown {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string }[]
  return tables.map(({ name }) => ({
    name,
    columns: db.pragma(`table_xinfo(${name})`),
    foreignKeys: db.pragma(`foreign_key_list(${name})`),
    indexes: (db.pragma(`index_list(${name})`) as { name: string; unique: number; origin: string }[])
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((i) => ({ ...i, columns: db.pragma(`index_xinfo(${i.name})`) }))
  }))
}

it('there is a fixture for every shipped schema version', () => {
  expect(versions).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1))
})

interface Expected {
  notebook: {
    settings: { limits: Record<string, number> }
    lastRuns: Record<string, Record<string, unknown>>
  }
  history: Record<string, Record<string, unknown>[]>
}

/** What later migrations add to an older fixture's load: the defaults of their new settings and columns. */
function withLaterDefaults(version: number, expected: Expected): Expected {
  // m002_sandbox_budget: the file-system quota setting, default 256 MiB.
  if (version < 2) expected.notebook.settings.limits.fsBytes = 256 * 1024 * 1024
  // m005_run_profiles: runs stored before have no profile.
  if (version < 5) {
    const runs = [...Object.values(expected.notebook.lastRuns), ...Object.values(expected.history).flat()]
    for (const run of runs) run.profile = null
  }
  return expected
}

describe.each(versions)('a notebook saved with schema v%i', (version) => {
  it('opens, is brought to the current version, and loads exactly as saved', () => {
    const file = copyFixture(version)
    const r = NotebookStore.open(file)
    if (!r.ok) throw new Error(r.error)
    const expected = withLaterDefaults(
      version,
      JSON.parse(fs.readFileSync(path.join(fixtures, `v${version}.expected.json`), 'utf8')) as Expected
    )
    expect(JSON.parse(JSON.stringify(fixtureExpectation(r.value)))).toEqual(expected)
    r.value.close()
    const db = new Database(file, { readonly: true })
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    expect(appliedMigrations(db)).toEqual(MIGRATIONS.map((m) => m.name))
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    db.close()
  })
})

describe('schema.sql', () => {
  it('describes exactly the schema the migrations build', () => {
    const migrated = new Database(':memory:')
    migrate(migrated)
    const documented = new Database(':memory:')
    documented.exec(
      fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'main', 'store', 'schema.sql'), 'utf8')
    )
    expect(describeSchema(documented)).toEqual(describeSchema(migrated))
    migrated.close()
    documented.close()
  })
})

describe('the migration runner', () => {
  const latest = versions[versions.length - 1]!
  // Stand-ins for the next real migrations, run against the newest fixture.
  const addColumn: Migration = {
    name: 'm900_cell_color',
    up: "ALTER TABLE cells ADD COLUMN color TEXT NOT NULL DEFAULT 'none'; UPDATE cells SET color = 'blue' WHERE type = 'markdown';"
  }
  const broken: Migration = {
    name: 'm902_broken',
    up: 'UPDATE cells SET source = 1; SELECT * FROM no_such_table;'
  }

  it('applies pending migrations in order, each recorded with the version bumped', () => {
    const file = copyFixture(latest)
    const db = new Database(file)
    const cellsBefore = db.prepare('SELECT id, source FROM cells ORDER BY position').all()
    expect(migrate(db, [...MIGRATIONS, addColumn])).toEqual(['m900_cell_color'])
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1)
    expect(appliedMigrations(db)).toEqual([...MIGRATIONS.map((m) => m.name), 'm900_cell_color'])
    expect(db.prepare('SELECT id, source FROM cells ORDER BY position').all()).toEqual(cellsBefore)
    expect(db.prepare("SELECT color FROM cells WHERE id = 'intro'").get()).toEqual({ color: 'blue' })
    expect(migrate(db, [...MIGRATIONS, addColumn])).toEqual([]) // idempotent
    db.close()
  })

  it('rolls a failing migration back completely and names it', () => {
    const file = copyFixture(latest)
    const db = new Database(file)
    const sourcesBefore = db.prepare('SELECT source FROM cells').all()
    expect(() => migrate(db, [...MIGRATIONS, addColumn, broken])).toThrow(
      /migration m902_broken failed: no such table/
    )
    // The one before it stays applied; the failed one left nothing.
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1)
    expect(appliedMigrations(db)).not.toContain('m902_broken')
    expect(db.prepare('SELECT source FROM cells').all()).toEqual(sourcesBefore)
    db.close()
  })

  it('refuses to commit a rebuild that leaves broken references', () => {
    const file = copyFixture(latest)
    const db = new Database(file)
    db.pragma('foreign_keys = ON')
    const dropping: Migration = { name: 'm903_lose_cells', foreignKeysOff: true, up: 'DELETE FROM cells' }
    expect(() => migrate(db, [...MIGRATIONS, dropping])).toThrow(
      /m903_lose_cells failed: .*broken references/
    )
    expect(db.prepare('SELECT count(*) AS n FROM cells').get()).toEqual({ n: 5 })
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    db.close()
  })

  it('opening a file upgrades it; an upgrade that fails leaves the file byte for byte as it was', () => {
    const good = copyFixture(latest)
    const opened = openDatabase(good, [...MIGRATIONS, addColumn])
    if (!opened.ok) throw new Error(opened.error)
    opened.value.db.close()
    const db = new Database(good, { readonly: true })
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1)
    db.close()

    // Migrations commit one by one: the one before the failure stays applied, the failed one left nothing.
    const bad = copyFixture(latest)
    const failed = openDatabase(bad, [...MIGRATIONS, addColumn, broken])
    expect(failed).toEqual({
      ok: false,
      error: expect.stringMatching(/could not be upgraded .*m902_broken failed/)
    })
    const after = new Database(bad, { readonly: true })
    expect(appliedMigrations(after)).toEqual([...MIGRATIONS.map((m) => m.name), 'm900_cell_color'])
    after.close()

    const atomic = copyFixture(latest)
    const atomicBefore = sha256File(atomic)
    expect(openDatabase(atomic, [...MIGRATIONS, broken])).toEqual({
      ok: false,
      error: expect.stringMatching(
        /could not be upgraded to this version of Fuelbook \(migration m902_broken failed: no such table: no_such_table\)\. The file was not changed/
      )
    })
    expect(sha256File(atomic)).toBe(atomicBefore)
  })
})

describe('m006_package_bytecode', () => {
  it('a v5 notebook keeps its wheel, with no bytecode cache until one is made; the cache goes with its wheel', () => {
    const file = copyFixture(5)
    const r = NotebookStore.open(file)
    if (!r.ok) throw new Error(r.error)
    const store = r.value
    const [wheel] = store.listPackages()
    expect(wheel?.name).toBe('tiny-pkg')
    const runtime = 'a'.repeat(64)
    expect(store.packageBytecode(wheel!.sha256, runtime)).toBeNull()
    const cache = new Uint8Array([1, 2, 3])
    const made = {
      wheelSha256: wheel!.sha256,
      runtime,
      sha256: 'c'.repeat(64),
      modules: 2,
      skipped: 1,
      cache
    }
    store.putPackageBytecode(made)
    expect(store.packageBytecode(wheel!.sha256, runtime)).toEqual({ ...made, cache: Buffer.from(cache) })
    expect(store.packageBytecodeBytes()).toEqual(new Map([[wheel!.sha256, 3]]))
    // Another runtime's cache replaces it: one per wheel.
    store.putPackageBytecode({ ...made, runtime: 'b'.repeat(64) })
    expect(store.packageBytecode(wheel!.sha256, runtime)).toBeNull()
    store.changePackages({ put: [], remove: ['tiny-pkg'] })
    expect(store.packageBytecodeBytes()).toEqual(new Map())
    store.close()
  })
})
