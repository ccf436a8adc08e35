import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { KEEP_RUN_OUTPUTS_PER_CELL, NotebookStore, SCHEMA_VERSION } from '../../src/main/store'
import { MIGRATIONS } from '../../src/main/store/migrations'
import type { Output } from '../../src/shared/notebook'
import {
  SETTINGS,
  base64Image,
  codeCell,
  makeRun,
  makeSnapshot,
  sampleOutputs,
  tempDir
} from '../helpers/store-fixtures'

let dir: string
let file: string
let open: NotebookStore[] = []

function create(title = 'Notebook', settings = SETTINGS): NotebookStore {
  const r = NotebookStore.create(file, { title, settings })
  if (!r.ok) throw new Error(r.error)
  open.push(r.value)
  return r.value
}

function reopen(store: NotebookStore): NotebookStore {
  store.close()
  const r = NotebookStore.open(store.path)
  if (!r.ok) throw new Error(r.error)
  open.push(r.value)
  return r.value
}

/** A raw connection for looking inside the file; only on closed notebooks. */
function raw(f = file): Database.Database {
  return new Database(f, { readonly: true })
}

beforeEach(() => {
  dir = tempDir()
  file = path.join(dir, 'nb.fuelbook')
})

afterEach(() => {
  for (const s of open) s.close()
  open = []
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('a new notebook', () => {
  it('starts empty with its title, settings and a pristine kernel', () => {
    const before = Date.now()
    const nb = create('My analysis').load()
    expect(nb.title).toBe('My analysis')
    expect(nb.settings).toEqual(SETTINGS)
    expect(nb.cells).toEqual([])
    expect(nb.lastRuns).toEqual({})
    expect(nb.head).toEqual({ cellId: null, executionCount: null, nextExecutionCount: 1, pageCount: null })
    expect(nb.createdAt).toBeGreaterThanOrEqual(before)
  })

  it('never overwrites an existing file', () => {
    fs.writeFileSync(file, 'precious')
    const r = NotebookStore.create(file, { title: 'x', settings: SETTINGS })
    expect(r).toEqual({ ok: false, error: expect.stringContaining('already exists') })
    expect(fs.readFileSync(file, 'utf8')).toBe('precious')
    expect(fs.readdirSync(dir)).toEqual(['nb.fuelbook'])
  })

  it('reports a missing folder', () => {
    const r = NotebookStore.create(path.join(dir, 'nope', 'x.fuelbook'), { title: 'x', settings: SETTINGS })
    expect(r).toEqual({ ok: false, error: expect.stringContaining('does not exist') })
  })

  it('is one self-contained rollback-journal file once closed, with the Fuelbook id and version', () => {
    create().close()
    expect(fs.readdirSync(dir)).toEqual(['nb.fuelbook'])
    expect(fs.readFileSync(file)[18]).toBe(1) // write version 1 = rollback journal, 2 = WAL
    for (const write of [true, false]) {
      const r = NotebookStore.open(file)
      if (!r.ok) throw new Error(r.error)
      if (write) r.value.insertCell(codeCell('a'), 0)
      r.value.close()
      expect(fs.readdirSync(dir)).toEqual(['nb.fuelbook'])
      expect(fs.readFileSync(file)[18]).toBe(1)
    }
    const db = raw()
    expect(db.pragma('application_id', { simple: true })).toBe(0x4675426b)
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    expect(db.prepare('SELECT name FROM fuelbook_migrations').all()).toEqual(
      MIGRATIONS.map((m) => ({ name: m.name }))
    )
    db.close()
  })

  it('has indexes for the queries the UI makes', () => {
    create().close()
    const db = raw()
    const plan = (sql: string): string =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(' | ')
    expect(plan('SELECT * FROM cells ORDER BY position')).toContain('cells_by_position')
    expect(plan("SELECT * FROM runs WHERE cell_id = 'a' ORDER BY id DESC")).toContain('runs_by_cell')
    expect(plan('SELECT * FROM outputs WHERE run_id = 1 ORDER BY seq')).toContain('outputs_by_run')
    db.close()
  })
})

describe('cells', () => {
  it('insert, update, move and delete keep a dense order and come back after reopening', () => {
    let s = create()
    s.insertCell(codeCell('a'), 0)
    s.insertCell(codeCell('c'), 5) // clamped: append
    s.insertCell(
      {
        id: 'b',
        type: 'markdown',
        source: '# B',
        metadata: { collapsed: true, tags: ['x'] },
        isolated: false
      },
      1
    )
    expect(s.listCells().map((c) => c.id)).toEqual(['a', 'b', 'c'])
    expect(s.updateCell('a', { source: 'y = 2', isolated: true })).toEqual({
      id: 'a',
      type: 'code',
      source: 'y = 2',
      metadata: {},
      isolated: true
    })
    s.moveCell('a', 2)
    expect(s.listCells().map((c) => c.id)).toEqual(['b', 'c', 'a'])
    s.moveCell('a', 0)
    expect(s.listCells().map((c) => c.id)).toEqual(['a', 'b', 'c'])
    s.insertCell(codeCell('d'), 1)
    expect(s.deleteCell('b')).toEqual({
      cell: expect.objectContaining({ id: 'b', type: 'markdown' }),
      index: 2
    })
    const before = s.listCells()
    s = reopen(s)
    expect(s.listCells()).toEqual(before)
    expect(before.map((c) => c.id)).toEqual(['a', 'd', 'c'])
    s.close()
    const db = raw()
    expect(db.prepare('SELECT id, position FROM cells ORDER BY position').all()).toEqual([
      { id: 'a', position: 0 },
      { id: 'd', position: 1 },
      { id: 'c', position: 2 }
    ])
    db.close()
  })

  it('batch: many calls in one transaction, all or nothing', () => {
    const s = create()
    s.batch(() => {
      for (let i = 0; i < 50; i++) s.insertCell(codeCell(`c${i}`), i)
      s.commitRun(makeRun('c0', 1))
    })
    expect(s.listCells()).toHaveLength(50)
    expect(() =>
      s.batch(() => {
        s.insertCell(codeCell('late'), 0)
        s.deleteCell('missing')
      })
    ).toThrow(/not in this notebook/)
    expect(s.listCells()).toHaveLength(50)
    expect(s.getCell('late')).toBeNull()
  })

  it('refuses unknown and duplicate cells with a clear error', () => {
    const s = create()
    s.insertCell(codeCell('a'), 0)
    expect(() => s.insertCell(codeCell('a'), 0)).toThrow(/already exists/)
    expect(() => s.updateCell('zz', { source: '' })).toThrow(/not in this notebook/)
    expect(() => s.deleteCell('zz')).toThrow(/not in this notebook/)
    expect(s.listCells().map((c) => c.id)).toEqual(['a'])
  })

  it('stamps modifiedAt on edits; title and settings round-trip', () => {
    let s = create()
    const created = s.load().modifiedAt
    s.setTitle('Renamed')
    const settings = {
      limits: { fuel: 5, memoryBytes: 6, timeoutMs: 7, outputBytes: 8, fsBytes: 9 },
      deterministic: true
    }
    s.setSettings(settings)
    s = reopen(s)
    const nb = s.load()
    expect(nb.title).toBe('Renamed')
    expect(nb.settings).toEqual(settings)
    expect(nb.modifiedAt).toBeGreaterThanOrEqual(created)
  })
})

describe('runs', () => {
  it('a committed run comes back exactly: stats, outputs, image blobs, history', () => {
    let s = create()
    s.insertCell(codeCell('a'), 0)
    s.insertCell(codeCell('b'), 1)
    const image = base64Image(30_000)
    const outputs: Output[] = [
      { type: 'stream', name: 'stdout', text: 'héllo ✓\n' },
      { type: 'stream', name: 'stderr', text: 'warn\n' },
      {
        type: 'display_data',
        data: { 'image/png': image, 'text/plain': '<Figure>' },
        metadata: { width: 3 }
      },
      {
        type: 'execute_result',
        data: { 'application/json': { a: [1, null] } },
        metadata: {},
        executionCount: 1
      },
      { type: 'error', ename: 'ValueError', evalue: 'bad', traceback: ['line 1', 'line 2'], lineno: 3 }
    ]
    const first = s.commitRun({
      ...makeRun('a', 1, outputs),
      status: 'error',
      exitCode: 1,
      message: null,
      wallMs: 3.25
    })
    expect(first.id).toBeGreaterThan(0)
    expect(first.outputs).toEqual(outputs)
    const killed = s.commitRun({
      ...makeRun('a', 2, []),
      status: 'out_of_fuel',
      message: 'out of fuel after 400 M'
    })
    const isolated = s.commitRun({
      ...makeRun('b', 0, sampleOutputs(0)),
      executionCount: null,
      isolated: true
    })
    s = reopen(s)
    const nb = s.load()
    expect(nb.lastRuns).toEqual({ a: killed, b: isolated })
    expect(s.getRun(first.id)).toEqual(first)
    expect(s.getRun(999)).toBeNull()
    expect(s.getCell('b')).toEqual(codeCell('b'))
    expect(s.getCell('zz')).toBeNull()
    expect(s.getSettings()).toEqual(SETTINGS)
    expect(s.listRuns('a')).toEqual([
      {
        id: killed.id,
        executionCount: 2,
        status: 'out_of_fuel',
        fuelConsumed: killed.fuelConsumed,
        fuelBudget: killed.fuelBudget,
        wallMs: killed.wallMs,
        startedAt: killed.startedAt,
        isolated: false
      },
      expect.objectContaining({ id: first.id, status: 'error', wallMs: 3.25 })
    ])
    expect(nb.head.nextExecutionCount).toBe(3) // isolated runs do not count
    s.close()
    const db = raw()
    const blob = db.prepare('SELECT mime, length(data) AS n FROM output_blobs').all()
    expect(blob).toEqual([{ mime: 'image/png', n: 30_000 }])
    expect(
      db
        .prepare(
          "SELECT json_extract(body, '$.data.\"image/png\"') AS v FROM outputs WHERE type = 'display_data'"
        )
        .get()
    ).toEqual({ v: null })
    db.close()
  })

  it(`keeps outputs of the last ${KEEP_RUN_OUTPUTS_PER_CELL} runs per cell and stats of all`, () => {
    const s = create()
    s.insertCell(codeCell('a'), 0)
    s.insertCell(codeCell('b'), 1)
    const runs = []
    for (let n = 1; n <= KEEP_RUN_OUTPUTS_PER_CELL + 5; n++)
      runs.push(s.commitRun(makeRun('a', n, sampleOutputs(n, 5000))))
    const other = s.commitRun(makeRun('b', 99))
    expect(s.listRuns('a').map((r) => r.id)).toEqual(runs.map((r) => r.id).reverse())
    for (const [i, r] of runs.entries()) {
      const got = s.getRun(r.id)!
      expect(got.fuelConsumed).toBe(r.fuelConsumed)
      expect(got.outputs).toEqual(i < 5 ? [] : r.outputs)
    }
    expect(s.getRun(other.id)!.outputs).toEqual(other.outputs)
    s.close()
    const db = raw()
    expect(db.prepare('SELECT count(*) AS n FROM output_blobs').get()).toEqual({
      n: KEEP_RUN_OUTPUTS_PER_CELL
    })
    expect(db.prepare("SELECT count(*) AS n FROM runs WHERE outputs_state = 'pruned'").get()).toEqual({
      n: 5
    })
    db.close()
  })

  it("stores outputs over the notebook's output cap truncated, with the marker", () => {
    const s = create('t', { ...SETTINGS, limits: { ...SETTINGS.limits, outputBytes: 200 } })
    s.insertCell(codeCell('a'), 0)
    const long = 'x'.repeat(1000)
    const run = s.commitRun(
      makeRun('a', 1, [
        { type: 'stream', name: 'stdout', text: 'ok\n' },
        { type: 'stream', name: 'stdout', text: long },
        { type: 'stream', name: 'stderr', text: 'late' }
      ])
    )
    const outputs = s.getRun(run.id)!.outputs
    expect(outputs).toEqual(run.outputs)
    // The shared output model's rules: consecutive stdout merges, the crossing stream is cut.
    expect(outputs.map((o) => o.type)).toEqual(['stream', 'truncated'])
    const cut = outputs[0] as { text: string }
    expect(cut.text.startsWith('ok\n')).toBe(true)
    expect(long.startsWith(cut.text.slice(3))).toBe(true)
    expect(cut.text.length).toBe(200)
  })

  it('clear outputs: cleared cells lose outputs of every run, stats stay, other cells untouched', () => {
    let s = create()
    s.insertCell(codeCell('a'), 0)
    s.insertCell(codeCell('b'), 1)
    const a1 = s.commitRun(makeRun('a', 1))
    s.commitRun(makeRun('a', 2))
    const b1 = s.commitRun(makeRun('b', 3))
    s.clearOutputs(['a'])
    s = reopen(s)
    expect(Object.keys(s.load().lastRuns)).toEqual(['b'])
    expect(s.load().lastRuns.b).toEqual(b1)
    expect(s.listRuns('a')).toHaveLength(2)
    expect(s.getRun(a1.id)).toEqual({ ...a1, outputs: [] })
    const a3 = s.commitRun(makeRun('a', 4))
    expect(s.load().lastRuns.a).toEqual(a3)
    s.clearOutputs()
    expect(s.load().lastRuns).toEqual({})
    expect(s.listRuns('b')).toHaveLength(1)
  })

  it('deleting a cell deletes its runs and outputs (foreign keys are on)', () => {
    const s = create()
    s.insertCell(codeCell('a'), 0)
    const run = s.commitRun(makeRun('a', 1, sampleOutputs(1, 8000)))
    s.deleteCell('a')
    expect(s.getRun(run.id)).toBeNull()
    s.close()
    const db = raw()
    for (const t of ['runs', 'outputs', 'output_blobs']) {
      expect(db.prepare(`SELECT count(*) AS n FROM ${t}`).get()).toEqual({ n: 0 })
    }
    db.close()
  })

  it('a run for an unknown cell is refused and leaves nothing behind', () => {
    const s = create()
    expect(() => s.commitRun(makeRun('ghost', 1))).toThrow(/cell ghost is no longer in .*not saved/)
    expect(s.load().head.nextExecutionCount).toBe(1)
  })
})

describe('kernel head', () => {
  const pageCount = (s: NotebookStore): number => {
    s.close()
    const db = raw(s.path)
    const n = (db.prepare('SELECT count(*) AS n FROM kernel_pages').get() as { n: number }).n
    db.close()
    return n
  }

  it('round-trips, stores shared pages once and collects pages the head no longer uses', () => {
    let s = create()
    s.insertCell(codeCell('a'), 0)
    s.insertCell(codeCell('b'), 1)
    const a = makeSnapshot(12, (i) => i % 3) // 3 distinct pages
    s.commitRun(makeRun('a', 1), { snapshot: a, cellId: 'a', executionCount: 1 })
    s = reopen(s)
    const head = s.loadHead()!
    expect(head.cellId).toBe('a')
    expect(head.executionCount).toBe(1)
    expect({ ...head.snapshot, pages: [], state: [] }).toEqual({ ...a, pages: [], state: [] })
    expect(Buffer.from(head.snapshot.state).equals(Buffer.from(a.state))).toBe(true)
    expect(head.snapshot.pages.map((p) => [p.index, p.hash])).toEqual(a.pages.map((p) => [p.index, p.hash]))
    for (const [i, p] of head.snapshot.pages.entries())
      expect(Buffer.from(p.data).equals(Buffer.from(a.pages[i]!.data))).toBe(true)
    expect(s.load().head).toEqual({ cellId: 'a', executionCount: 1, nextExecutionCount: 2, pageCount: 12 })
    expect(pageCount(s)).toBe(3)

    // b keeps fills 0 and 1, drops 2, adds 7 and grows: 4 distinct pages, fill 2 collected.
    s = reopen(s)
    const b = makeSnapshot(14, (i) => (i % 3 === 2 ? 7 : i % 3))
    s.commitRun(makeRun('b', 2), { snapshot: b, cellId: 'b', executionCount: 2 })
    expect(s.loadHead()!.snapshot.pages.map((p) => p.hash)).toEqual(b.pages.map((p) => p.hash))
    expect(pageCount(s)).toBe(3)

    // Shrinking drops slots past the end.
    s = reopen(s)
    s.saveHead({ snapshot: makeSnapshot(2, () => 0), cellId: 'b', executionCount: 2 })
    expect(s.loadHead()!.snapshot.pages).toHaveLength(2)
    expect(pageCount(s)).toBe(1)

    // Restart kernel: pristine head, no pages; the [n] counter is the service's to reset.
    s = reopen(s)
    s.saveHead(null)
    expect(s.loadHead()).toBeNull()
    expect(s.load().head).toEqual({
      cellId: null,
      executionCount: null,
      nextExecutionCount: 3,
      pageCount: null
    })
    expect(pageCount(s)).toBe(0)
    s = reopen(s)
    s.commitRun(makeRun('a', 1)) // the service restarted its count
    expect(s.load().head.nextExecutionCount).toBe(2)
  })

  it('keeps the session fuel of the runs since the last restart; imported runs do not count', () => {
    let s = create()
    s.insertCell(codeCell('a'), 0)
    expect(s.sessionFuel()).toBe(0)
    s.commitRun({ ...makeRun('a', 1), fuelConsumed: 1000 })
    s.commitRun({ ...makeRun('a', 2), fuelConsumed: 234, isolated: true, executionCount: null })
    s.commitRun({ ...makeRun('a', 3), fuelConsumed: 5000 }, null, { ranInKernel: false })
    expect(s.sessionFuel()).toBe(1234)
    s = reopen(s)
    expect(s.sessionFuel()).toBe(1234)
    s.saveHead({ snapshot: makeSnapshot(2, () => 0), cellId: 'a', executionCount: 1 })
    s.restartKernel()
    expect(s.sessionFuel()).toBe(0)
    expect(s.loadHead()).toBeNull()
    expect(s.load().head.nextExecutionCount).toBe(1)
    s = reopen(s)
    expect(s.sessionFuel()).toBe(0)
  })

  it('a failed commit does not move the head (and the next save still dedups correctly)', () => {
    const s = create()
    s.insertCell(codeCell('a'), 0)
    const a = makeSnapshot(4, (i) => i)
    s.saveHead({ snapshot: a, cellId: 'a', executionCount: 1 })
    expect(() =>
      s.commitRun(makeRun('ghost', 2), { snapshot: makeSnapshot(4, () => 9), cellId: 'a', executionCount: 2 })
    ).toThrow()
    expect(s.loadHead()!.snapshot.pages.map((p) => p.hash)).toEqual(a.pages.map((p) => p.hash))
    s.saveHead({ snapshot: makeSnapshot(4, (i) => (i === 0 ? 9 : i)), cellId: 'a', executionCount: 2 })
    expect(s.loadHead()!.snapshot.pages).toHaveLength(4)
    expect(pageCount(s)).toBe(4)
  })

  it('file chunks outlive a head move that keeps them, go with one that drops them; a page index given twice is refused', () => {
    let s = create()
    s.insertCell(codeCell('a'), 0)
    const chunk = (fill: number) => {
      const data = new Uint8Array(300).fill(fill)
      return { hash: createHash('sha256').update(data).digest('hex'), data }
    }
    const withChunks = (fill: number, chunks: { hash: string; data: Uint8Array | null }[]) => ({
      ...makeSnapshot(2, (i) => fill + i),
      chunks
    })
    s.saveHead({ snapshot: withChunks(10, [chunk(1), chunk(2)]), cellId: 'a', executionCount: 1 })
    expect(pageCount(s)).toBe(4)
    // The pages move, the chunks stay (the second head names them without their bytes).
    s = reopen(s)
    s.saveHead({
      snapshot: withChunks(20, [
        { hash: chunk(1).hash, data: null },
        { hash: chunk(2).hash, data: null }
      ]),
      cellId: 'a',
      executionCount: 2
    })
    expect(
      s.loadHead()!.snapshot.chunks!.map((c) => Buffer.from(c.data!).equals(Buffer.from(chunk(1).data)))
    ).toEqual([true, false])
    expect(pageCount(s)).toBe(4)
    // A new chunk list: the dropped chunk goes, in the same save.
    s = reopen(s)
    s.saveHead({
      snapshot: withChunks(20, [chunk(3), { hash: chunk(2).hash, data: null }]),
      cellId: 'a',
      executionCount: 3
    })
    expect(s.loadHead()!.snapshot.chunks!.map((c) => c.hash)).toEqual([chunk(3).hash, chunk(2).hash])
    expect(pageCount(s)).toBe(4)
    s = reopen(s)
    const twice = makeSnapshot(2, () => 5)
    twice.pages[1] = { ...twice.pages[1]!, index: 0 }
    expect(() => s.saveHead({ snapshot: twice, cellId: 'a', executionCount: 4 })).toThrow(/page 0 twice/)
    expect(s.loadHead()!.executionCount).toBe(3)
    expect(pageCount(s)).toBe(4)
  })

  it('deleting the head cell keeps the state but forgets the cell', () => {
    const s = create()
    s.insertCell(codeCell('a'), 0)
    s.saveHead({ snapshot: makeSnapshot(2, (i) => i), cellId: 'a', executionCount: 1 })
    s.deleteCell('a')
    expect(s.loadHead()).toMatchObject({ cellId: null, executionCount: 1 })
  })
})

describe('save as', () => {
  it('copies through the backup API into a single file and leaves the original working', async () => {
    const s = create('Original')
    s.insertCell(codeCell('a'), 0)
    const run = s.commitRun(makeRun('a', 1, sampleOutputs(1, 6000)), {
      snapshot: makeSnapshot(3, (i) => i),
      cellId: 'a',
      executionCount: 1
    })
    const copyPath = path.join(dir, 'copy.fuelbook')
    fs.writeFileSync(copyPath, 'old file the user agreed to replace')
    expect(await s.saveAs(copyPath)).toEqual({ ok: true, value: undefined })
    expect(fs.readdirSync(dir).sort()).toEqual(['copy.fuelbook', 'nb.fuelbook', 'nb.fuelbook-wal'])
    expect(fs.readFileSync(copyPath)[18]).toBe(1)
    s.insertCell(codeCell('b'), 1) // the original continues
    const copy = NotebookStore.open(copyPath)
    if (!copy.ok) throw new Error(copy.error)
    open.push(copy.value)
    const nb = copy.value.load()
    expect(nb.title).toBe('Original')
    expect(nb.cells.map((c) => c.id)).toEqual(['a'])
    expect(nb.lastRuns.a).toEqual(run)
    expect(copy.value.loadHead()!.snapshot.pages).toHaveLength(3)
  })

  it('refuses to overwrite the notebook itself and reports a missing folder', async () => {
    const s = create()
    expect(await s.saveAs(file)).toEqual({
      ok: false,
      error: expect.stringContaining('this notebook itself')
    })
    expect(await s.saveAs(path.join(dir, 'sub', '..', 'nb.fuelbook'))).toMatchObject({ ok: false })
    expect(await s.saveAs(path.join(dir, 'missing', 'x.fuelbook'))).toEqual({
      ok: false,
      error: expect.stringContaining('does not exist')
    })
    expect(fs.readdirSync(dir).filter((f) => !f.startsWith('nb.fuelbook'))).toEqual([])
  })
})

describe('maintenance', () => {
  it('VACUUM shrinks the file after history is cleared', () => {
    const s = create()
    s.insertCell(codeCell('a'), 0)
    for (let n = 1; n <= 10; n++) s.commitRun(makeRun('a', n, sampleOutputs(n, 50_000)))
    s.clearOutputs()
    s.close()
    const before = fs.statSync(file).size
    const r = NotebookStore.open(file)
    if (!r.ok) throw new Error(r.error)
    r.value.vacuum()
    r.value.close()
    expect(fs.statSync(file).size).toBeLessThan(before - 10 * 50_000 * 0.9) // the images' bytes went back to the disk
  })
})
