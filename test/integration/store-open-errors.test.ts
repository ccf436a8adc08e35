/**
 * Every way opening a file can fail gives a message naming the file and the next step, and leaves the
 * file's bytes exactly as they were.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { NotebookStore, SCHEMA_VERSION } from '../../src/main/store'
import { SETTINGS, codeCell, makeRun, sampleOutputs, sha256File, tempDir } from '../helpers/store-fixtures'
import { startStoreChild } from '../helpers/store-child-process'

let dir: string
beforeAll(() => {
  dir = tempDir()
})
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

let n = 0
/** A closed notebook with some content, at a fresh path. */
function notebook(cells = 3): string {
  const file = path.join(dir, `nb-${++n}.fuelbook`)
  const r = NotebookStore.create(file, { title: 'T', settings: SETTINGS })
  if (!r.ok) throw new Error(r.error)
  for (let i = 0; i < cells; i++) {
    r.value.insertCell(codeCell(`c${i}`, `print(${i})\n`.repeat(40)), i)
    r.value.commitRun(makeRun(`c${i}`, i + 1, sampleOutputs(i, 3000)))
  }
  r.value.close()
  return file
}

function expectRefused(file: string, message: RegExp): void {
  const before = fs.existsSync(file) && fs.statSync(file).isFile() ? sha256File(file) : null
  const siblings = fs.readdirSync(path.dirname(file)).sort()
  const r = NotebookStore.open(file)
  if (r.ok) r.value.close()
  expect(r.ok).toBe(false)
  if (!r.ok) {
    expect(r.error).toMatch(message)
    expect(r.error).toContain(file)
  }
  if (before !== null) expect(sha256File(file)).toBe(before)
  expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(siblings)
}

describe('open refuses, naming the file and the next step', () => {
  it('a missing file', () => expectRefused(path.join(dir, 'gone.fuelbook'), /does not exist.*Open/))

  it('a folder', () => {
    const folder = path.join(dir, 'folder.fuelbook')
    fs.mkdirSync(folder)
    expectRefused(folder, /is a folder/)
  })

  it('an empty file', () => {
    const file = path.join(dir, 'empty.fuelbook')
    fs.writeFileSync(file, '')
    expectRefused(file, /is empty, not a Fuelbook notebook/)
  })

  it('a file that is not SQLite', () => {
    const file = path.join(dir, 'notes.fuelbook')
    fs.writeFileSync(file, '{"cells": [], "nbformat": 4}\n'.repeat(20))
    expectRefused(file, /not an SQLite database.*Import/)
  })

  it('an SQLite database that is not a Fuelbook', () => {
    const file = path.join(dir, 'other.db')
    const db = new Database(file)
    db.exec('CREATE TABLE cells (x); INSERT INTO cells VALUES (1)')
    db.close()
    expectRefused(file, /SQLite database but not a Fuelbook notebook/)
  })

  it("another application's SQLite file", () => {
    const file = path.join(dir, 'other-app.db')
    const db = new Database(file)
    db.pragma('application_id = 1234')
    db.exec('CREATE TABLE t (x)')
    db.close()
    expectRefused(file, /another application \(application id 0x4d2\)/)
  })

  it('a notebook from a newer Fuelbook (user_version)', () => {
    const file = notebook()
    const db = new Database(file)
    const newer = SCHEMA_VERSION + 3
    db.pragma(`user_version = ${newer}`)
    db.close()
    expectRefused(
      file,
      new RegExp(
        `newer Fuelbook \\(format version ${newer}; this version reads up to ${SCHEMA_VERSION}\\)\\. Update Fuelbook`
      )
    )
  })

  it('a notebook from a newer Fuelbook (unknown migration recorded)', () => {
    const file = notebook()
    const db = new Database(file)
    db.prepare('INSERT INTO fuelbook_migrations VALUES (?, 0)').run('m002_future')
    db.close()
    expectRefused(file, /newer Fuelbook \(migration m002_future/)
  })

  it('a notebook missing one of its tables', () => {
    const file = notebook()
    const db = new Database(file)
    db.exec('DROP TABLE output_blobs')
    db.close()
    expectRefused(file, /damaged.*missing table output_blobs.*backup/)
  })

  it('a corrupt notebook (quick_check)', () => {
    const file = notebook(30)
    const bytes = fs.readFileSync(file)
    const pageSize = bytes.readUInt16BE(16)
    // Scribble over the middle of every page after the schema page: b-tree headers and cells break.
    for (let p = 1; p * pageSize < bytes.length; p++) bytes.fill(0x5a, p * pageSize + 40, p * pageSize + 120)
    fs.writeFileSync(file, bytes)
    expectRefused(
      file,
      /is damaged \(SQLite reports: .+\)\. Open a backup copy, or try `sqlite3 .* \.recover`/
    )
  })

  it('damage only PRAGMA quick_check sees (every table still reads)', () => {
    const file = notebook()
    const bytes = fs.readFileSync(file)
    bytes.writeUInt32BE(5, 36) // header: freelist page count
    fs.writeFileSync(file, bytes)
    expectRefused(file, /is damaged \(SQLite reports: Freelist: size is 0 but should be 5\)/)
  })

  it('a truncated notebook', () => {
    const file = notebook(30)
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2))
    expectRefused(file, /is damaged/)
  })

  it.each([
    [
      'a trigger (code SQLite would run on our writes)',
      'CREATE TRIGGER wipe AFTER INSERT ON runs BEGIN DELETE FROM cells; END',
      /contains a trigger \(“wipe”\) that Fuelbook never makes.*did not open it/
    ],
    [
      'a trigger calling a function Fuelbook does not have',
      "CREATE TRIGGER leak AFTER INSERT ON runs BEGIN SELECT writefile('/tmp/x', 'y'); END",
      /contains a trigger \(“leak”\) that Fuelbook never makes/
    ],
    [
      'a view',
      'CREATE VIEW peek AS SELECT * FROM cells',
      /contains a view \(“peek”\) that Fuelbook never makes/
    ]
  ])('a notebook carrying %s', (_what, sql, message) => {
    const file = notebook()
    const db = new Database(file)
    db.exec(sql)
    db.close()
    expectRefused(file, message)
  })

  it('a notebook whose -wal adds a trigger: refused, and neither the file nor its -wal changes', () => {
    const file = notebook()
    const writer = path.join(dir, 'wal-writer.fuelbook')
    fs.copyFileSync(file, writer)
    const db = new Database(writer)
    db.pragma('journal_mode = WAL')
    db.exec('CREATE TRIGGER wipe AFTER INSERT ON runs BEGIN DELETE FROM cells; END')
    fs.copyFileSync(`${writer}-wal`, `${file}-wal`)
    db.close()
    fs.rmSync(writer)
    const wal = sha256File(`${file}-wal`)
    expectRefused(file, /contains a trigger \(“wipe”\)/)
    expect(sha256File(`${file}-wal`)).toBe(wal)
  })

  it('a notebook open in another running Fuelbook', async () => {
    const file = notebook()
    const child = await startStoreChild(['hold', file])
    try {
      expect(await child.ready).toBe('ready')
      expectRefused(file, /open in another Fuelbook window or program\. Close it there/)
    } finally {
      child.process.kill('SIGKILL')
      await child.exited
    }
    // The lock dies with the process: the notebook opens again, intact.
    const r = NotebookStore.open(file)
    expect(r.ok).toBe(true)
    if (r.ok) {
      expect(r.value.listCells()).toHaveLength(3)
      r.value.close()
    }
  }, 30_000)

  it('a notebook already open in this process', () => {
    const file = notebook()
    const first = NotebookStore.open(file)
    if (!first.ok) throw new Error(first.error)
    try {
      expectRefused(file, /open in another Fuelbook window/)
    } finally {
      first.value.close()
    }
  })
})

describe('a read-only notebook', () => {
  const files: string[] = []
  afterEach(() => {
    for (const f of files.splice(0)) fs.chmodSync(f, 0o644)
  })

  it('opens read-only with a notice, reads everything, refuses writes, and keeps its bytes', async () => {
    const file = notebook()
    fs.chmodSync(file, 0o444)
    files.push(file)
    const before = sha256File(file)
    const r = NotebookStore.open(file)
    if (!r.ok) throw new Error(r.error)
    const s = r.value
    expect(s.readOnly).toBe(true)
    expect(s.notices).toEqual([expect.stringMatching(/read-only.*Save As/)])
    const nb = s.load()
    expect(nb.cells).toHaveLength(3)
    expect(Object.keys(nb.lastRuns)).toHaveLength(3)
    expect(() => s.insertCell(codeCell('x'), 0)).toThrow(/read-only/)
    expect(() => s.commitRun(makeRun('c0', 9))).toThrow(/read-only/)
    const copy = path.join(dir, 'writable-copy.fuelbook')
    expect(await s.saveAs(copy)).toEqual({ ok: true, value: undefined })
    s.close()
    expect(sha256File(file)).toBe(before)
    expect(fs.readdirSync(dir).filter((f) => f.startsWith(path.basename(file)))).toEqual([
      path.basename(file)
    ])
    const c = NotebookStore.open(copy)
    expect(c.ok && !c.value.readOnly).toBe(true)
    if (c.ok) c.value.close()
  })

  it('left by a crash (WAL not yet replayed) still shows every commit, and recovers once writable', () => {
    const file = notebook(1)
    const live = NotebookStore.open(file)
    if (!live.ok) throw new Error(live.error)
    live.value.commitRun(makeRun('c0', 2))
    // What a crash leaves: the database plus its -wal, copied while the writer is still running.
    const crashed = path.join(dir, 'crashed.fuelbook')
    fs.copyFileSync(file, crashed)
    fs.copyFileSync(`${file}-wal`, `${crashed}-wal`)
    live.value.close()
    fs.chmodSync(crashed, 0o444)
    files.push(crashed)
    const before = sha256File(crashed)
    const r = NotebookStore.open(crashed)
    if (!r.ok) throw new Error(r.error)
    expect(r.value.readOnly).toBe(true)
    expect(r.value.listRuns('c0')).toHaveLength(2)
    r.value.close()
    expect(sha256File(crashed)).toBe(before)
    fs.chmodSync(crashed, 0o644)
    const w = NotebookStore.open(crashed)
    if (!w.ok) throw new Error(w.error)
    expect(w.value.listRuns('c0')).toHaveLength(2)
    w.value.close()
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('crashed'))).toEqual(['crashed.fuelbook'])
  })
})
