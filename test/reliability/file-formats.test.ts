/**
 * File-format attacks: a .fuelbook file is a document from someone else, so everything SQLite can carry
 * besides Fuelbook's own tables is hostile until proven otherwise. Each case opens the file through
 * the service as the UI does, and where it matters through `fuelbook run`, and checks that
 * - the user gets a clear error (naming the file) or a clean open,
 * - the file's bytes are exactly as before (sha256) and no file appears beside it,
 * - nothing runs outside the sandbox: the host file a trigger would write never appears.
 * Truncated and bit-flipped notebooks are damaged-files.test.ts; every refusal message of the store
 * is test/integration/store-open-errors.test.ts.
 */
import Database from 'better-sqlite3'
import { createHash, randomBytes } from 'node:crypto'
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { deflateSync, inflateSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunRecord } from '../../src/shared/notebook'
import { encodePage } from '../../src/main/kernel/block-codec'
import { cli } from '../integration/cli-helpers'
import { textOf } from '../helpers/kernel-host'
import { startService, type ServiceHarness } from '../helpers/service-harness'
import { readableMessage } from './corpus'
import { Recorder } from './record'

let h: ServiceHarness
let dir: string
/** A closed notebook with a saved kernel (`x = 42`), a run history and a second, unrun cell. */
let original: string
let checkCellId = ''
/** The host file a hostile trigger or view tries to create: it must never exist. */
let marker: string
const recorder = new Recorder('file-formats', 'File-format attacks: hostile .fuelbook files')

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex')
const listing = (file: string): string[] => readdirSync(dirname(file)).sort()

let n = 0
/** A fresh copy of the original notebook in its own folder (so the folder listing is the copy's). */
function copyOfOriginal(name = 'nb.fuelbook'): string {
  const folder = join(dir, `case-${++n}`)
  mkdirSync(folder)
  const file = join(folder, name)
  copyFileSync(original, file)
  return file
}

function tamper(file: string, edit: (db: Database.Database) => void): void {
  const db = new Database(file)
  edit(db)
  db.close()
}

type Opened = { kind: 'refused'; error: string } | { kind: 'opened'; notice: string | null }

async function openThroughService(file: string): Promise<Opened> {
  const opened = await h.service.openNotebook(file)
  if (!opened.ok) return { kind: 'refused', error: opened.error }
  return { kind: 'opened', notice: opened.value.kernel.notice }
}

/** Runs the notebook's check cell (`print(x)`) in an open notebook. */
async function runCheck(file: string): Promise<RunRecord> {
  const [run] = await h.run(file, [checkCellId])
  return run!
}

interface Untouched {
  bytes: boolean
  siblings: boolean
  marker: boolean
}

/** Records what the case did to the file and the host; asserts it is nothing. */
function expectUntouched(file: string, before: { hash: string; siblings: string[] }): Untouched {
  const result = {
    bytes: sha256(file) === before.hash,
    siblings: JSON.stringify(listing(file)) === JSON.stringify(before.siblings),
    marker: !existsSync(marker)
  }
  expect(result).toEqual({ bytes: true, siblings: true, marker: true })
  return result
}

const snapshotOf = (file: string) => ({
  hash: existsSync(file) && statSync(file).isFile() ? sha256(file) : 'not a file',
  siblings: listing(file)
})

beforeAll(async () => {
  h = await startService()
  dir = mkdtempSync(join(tmpdir(), 'fuelbook-formats-'))
  marker = join(dir, 'trigger-fired')
  const created = await h.service.createNotebook()
  if (!created.ok) throw new Error(created.error)
  const path = created.value.path
  const first = created.value.cells[0]!.id
  await h.service.updateCell(path, first, {
    source: "x = 42\nopen('/tmp/kept', 'w').write('data')\nprint('ready')"
  })
  const check = await h.service.insertCell(path, { type: 'code', source: 'print(x)' })
  if (!check.ok) throw new Error(check.error)
  checkCellId = check.value.id
  await h.run(path, [first])
  await h.service.closeNotebook(path)
  original = join(dir, 'original.fuelbook')
  copyFileSync(path, original)
}, 120_000)

afterAll(async () => {
  await h?.close()
  rmSync(dir, { recursive: true, force: true })
  recorder.save()
})

describe('schema objects Fuelbook never makes', () => {
  const HOSTILE = {
    'a trigger that would write a host file when a run is saved': (m: string) =>
      `CREATE TRIGGER leak AFTER INSERT ON runs BEGIN SELECT writefile('${m}', 'fired'); END`,
    'a trigger that deletes every cell when a run is saved': () =>
      'CREATE TRIGGER wipe AFTER INSERT ON runs BEGIN DELETE FROM cells; END',
    'a trigger on the notebook row (fires on any edit)': () =>
      "CREATE TRIGGER retitle AFTER UPDATE ON notebook BEGIN UPDATE notebook SET title = 'owned'; END",
    'a view calling a host function': (m: string) =>
      `CREATE VIEW peek AS SELECT writefile('${m}', 'fired') AS r`
  }

  for (const [title, sql] of Object.entries(HOSTILE)) {
    it(`${title}: refused through the service and \`fuelbook run\`, nothing fires, bytes untouched`, async () => {
      const file = copyOfOriginal()
      tamper(file, (db) => db.exec(sql(marker)))
      const before = snapshotOf(file)
      const opened = await openThroughService(file)
      if (opened.kind === 'opened') {
        // Whatever opened must not run the trigger: try to save a run as the user would.
        await runCheck(file)
        await h.service.closeNotebook(file)
      }
      const run = await cli(['run', file])
      const observed =
        opened.kind === 'refused' ? `refused: ${opened.error}` : `opened (notice: ${opened.notice ?? 'none'})`
      const untouched = {
        bytes: sha256(file) === before.hash,
        siblings: JSON.stringify(listing(file)) === JSON.stringify(before.siblings),
        marker: !existsSync(marker)
      }
      const pass =
        opened.kind === 'refused' &&
        opened.error.includes(file) &&
        /never makes/.test(opened.error) &&
        run.code === 1 &&
        run.stderr.includes(opened.error) &&
        untouched.bytes &&
        untouched.siblings &&
        untouched.marker
      recorder.add({
        case: title,
        expected:
          'refused with a message naming the file and the trigger or view; never fires; bytes untouched',
        observed: `${observed.slice(0, 200)}; fuelbook run exit ${run.code}`,
        pass,
        detail: `bytes ${untouched.bytes ? 'same' : 'CHANGED'}, host file ${untouched.marker ? 'absent' : 'CREATED'}`
      })
      expect(opened).toMatchObject({ kind: 'refused', error: expect.stringMatching(/never makes/) })
      expect((opened as { error: string }).error).toContain(file)
      expect(run.code).toBe(1)
      expect(run.stderr).toContain((opened as { error: string }).error)
      expectUntouched(file, before)
    }, 60_000)
  }
})

/**
 * Opens the file as the UI does. A refused file must name the file and keep its bytes and the files
 * beside it; an opened notebook is closed, opened again and its check cell (`print(x)`) run: it must
 * end with a truthful status. Neither may create the host file a trigger aims at.
 */
async function outcomeOf(
  file: string,
  expectedOutput = '42'
): Promise<{ pass: boolean; observed: string; untouched: Untouched }> {
  const before = snapshotOf(file)
  let opened: Opened
  try {
    opened = await openThroughService(file)
  } catch (error) {
    return {
      pass: false,
      observed: `openNotebook threw: ${(error as Error).message}`,
      untouched: untouchedSince(file, before)
    }
  }
  if (opened.kind === 'refused')
    return {
      pass: opened.error.includes(file),
      observed: `refused: ${opened.error}`,
      untouched: untouchedSince(file, before)
    }
  await h.service.closeNotebook(file)
  // A writable open is an edit session: SQLite rewrites the header (change counter, journal mode) and
  // replays or removes what a crash left beside the file. Only refused files must keep their bytes.
  const untouched = { bytes: true, siblings: true, marker: !existsSync(marker) }
  await openThroughService(file)
  try {
    const run = await runCheck(file)
    const said = run.status === 'ok' ? textOf(run.outputs).trim() : readableMessage(run)
    return {
      pass: run.status === 'ok' ? said === expectedOutput : said !== '',
      observed: `opened${opened.notice ? ` with a notice (${opened.notice})` : ''}; the check cell ended ${run.status}: ${said.slice(0, 140)}`,
      untouched
    }
  } finally {
    await h.service.closeNotebook(file)
  }
}

function untouchedSince(file: string, before: { hash: string; siblings: string[] }): Untouched {
  return {
    bytes: snapshotOf(file).hash === before.hash,
    siblings: JSON.stringify(listing(file)) === JSON.stringify(before.siblings),
    marker: !existsSync(marker)
  }
}

/** Records the case, then asserts it: a truthful outcome, and the file and the host as they were. */
function record(
  title: string,
  expected: string,
  r: { pass: boolean; observed: string; untouched: Untouched }
): void {
  const { bytes, siblings, marker: noMarker } = r.untouched
  recorder.add({
    case: title,
    expected,
    observed: r.observed.slice(0, 240),
    pass: r.pass && bytes && siblings && noMarker,
    detail: /^(refused|exit)/.test(r.observed)
      ? `bytes ${bytes ? 'unchanged' : 'CHANGED'}, files beside it ${siblings ? 'unchanged' : 'CHANGED'}${noMarker ? '' : ', host file CREATED'}`
      : noMarker
        ? ''
        : 'host file CREATED'
  })
  expect(r.pass, r.observed).toBe(true)
  expect(r.untouched).toEqual({ bytes: true, siblings: true, marker: true })
}

describe('what lies beside or instead of the notebook', () => {
  it("another application's SQLite file named x.fuelbook: refused by the service and `fuelbook run`", async () => {
    const file = copyOfOriginal()
    tamper(file, (db) => db.pragma('application_id = 1234'))
    const run = await cli(['run', file])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/another application \(application id 0x4d2\)/)
    const r = await outcomeOf(file)
    record('another application’s SQLite file named `x.fuelbook`', 'refused', r)
    expect(r.observed).toMatch(/^refused: .*another application/)
  })

  /** A `-wal` beside `file` made by a writer that ran `sql` on a copy of it and then crashed. */
  function walBeside(file: string, sql: string): void {
    const writer = join(dirname(file), 'writer.fuelbook')
    copyFileSync(file, writer)
    const db = new Database(writer)
    db.pragma('journal_mode = WAL')
    db.exec(sql)
    copyFileSync(`${writer}-wal`, `${file}-wal`)
    db.close()
    rmSync(writer)
  }

  it('a -wal beside it that adds a trigger (what a crash of a hostile writer leaves): refused, never fires', async () => {
    const file = copyOfOriginal()
    walBeside(
      file,
      `CREATE TRIGGER leak AFTER INSERT ON runs BEGIN SELECT writefile('${marker}', 'fired'); END`
    )
    const r = await outcomeOf(file)
    record(
      'a `-wal` beside it that adds a trigger',
      'refused; never fires; the file and its -wal untouched',
      r
    )
    expect(r.observed).toMatch(/^refused: .*trigger.*never makes/)
  })

  it('a -wal beside it that makes it another application’s file: refused, file and -wal untouched', async () => {
    const file = copyOfOriginal()
    walBeside(file, 'PRAGMA application_id = 1234; UPDATE notebook SET title = title')
    const r = await outcomeOf(file)
    record(
      'a `-wal` beside it that changes the application id',
      'refused; the file and its -wal untouched',
      r
    )
    expect(r.observed).toMatch(/^refused: .*another application/)
  })

  it('a -wal of another notebook beside it is replayed as after a crash, and checked like any file', async () => {
    const file = copyOfOriginal()
    walBeside(file, 'UPDATE cells SET source = \'print("from the -wal")\'')
    // SQLite ties a -wal to no particular file: replaying it is crash recovery.
    record(
      'a `-wal` of another notebook beside it',
      'replayed as after a crash (SQLite ties a -wal to no file), then checked like any file',
      await outcomeOf(file, 'from the -wal')
    )
  })

  it('a rollback journal of garbage beside it', async () => {
    const file = copyOfOriginal()
    writeFileSync(`${file}-journal`, randomBytes(64 * 1024))
    const r = await outcomeOf(file)
    record('a `-journal` of random bytes beside it', 'a clear error or a clean open', r)
  })

  it('a symlink to a notebook opens the notebook; a symlink to a host file is refused; a dangling one is missing', async () => {
    const file = copyOfOriginal()
    const link = join(dirname(file), 'link.fuelbook')
    symlinkSync(file, link)
    const before = snapshotOf(file)
    const r = await outcomeOf(link)
    record('a symlink to a notebook', 'opens the notebook it points to', r)
    expect(r.observed).toMatch(/ended ok: 42/)

    const passwd = join(dirname(file), 'passwd.fuelbook')
    symlinkSync('/etc/passwd', passwd)
    const hostBefore = sha256('/etc/passwd')
    const toHost = await outcomeOf(passwd)
    record('a symlink to `/etc/passwd` named `x.fuelbook`', 'refused (not SQLite)', toHost)
    expect(toHost.observed).toMatch(/^refused: .*not an SQLite database/)
    expect(sha256('/etc/passwd')).toBe(hostBefore)

    const dangling = join(dirname(file), 'dangling.fuelbook')
    symlinkSync(join(dirname(file), 'nowhere'), dangling)
    const missing = await outcomeOf(dangling)
    record('a dangling symlink named `x.fuelbook`', 'refused: does not exist', missing)
    expect(missing.observed).toMatch(/^refused: .*does not exist/)
    expect(before.hash).toBeTruthy()
  })

  it('a read-only notebook through `fuelbook run`: says so, stores nothing, bytes untouched', async () => {
    const file = copyOfOriginal()
    chmodSync(file, 0o444)
    try {
      const before = snapshotOf(file)
      const run = await cli(['run', file])
      record('a read-only notebook through `fuelbook run`', 'exit 1, says it is read-only', {
        pass: run.code === 1 && /read-only/.test(run.stderr),
        observed: `exit ${run.code}: ${run.stderr.trim()}`,
        untouched: untouchedSince(file, before)
      })
    } finally {
      chmodSync(file, 0o644)
    }
  })

  it('a folder named x.fuelbook through `fuelbook run` and the service', async () => {
    const folder = join(dir, 'folder.fuelbook')
    mkdirSync(folder)
    const run = await cli(['run', folder])
    const r = await outcomeOf(folder)
    record('a folder named `x.fuelbook`', 'refused: is a folder', {
      ...r,
      pass: r.pass && run.code === 1 && /is a folder/.test(run.stderr),
      observed: `${r.observed}; fuelbook run exit ${run.code}`
    })
    expect(statSync(folder).isDirectory()).toBe(true)
  })
})

describe('hostile outputs in the file', () => {
  function withOutputBody(body: string): string {
    const file = copyOfOriginal()
    tamper(file, (db) =>
      db.prepare('UPDATE outputs SET body = ? WHERE id = (SELECT max(id) FROM outputs)').run(body)
    )
    return file
  }

  it('an output of 64 MB', async () => {
    const file = withOutputBody(
      JSON.stringify({ type: 'stream', name: 'stdout', text: 'x'.repeat(64 * 2 ** 20) })
    )
    record('an output of 64 MB in the file', 'a clear error or a clean open', await outcomeOf(file))
  }, 60_000)

  it('an output nested 100,000 arrays deep', async () => {
    const file = withOutputBody(
      `{"type":"display_data","data":{"application/json":${'['.repeat(100_000)}${']'.repeat(100_000)}},"metadata":{}}`
    )
    record('an output nested 100,000 arrays deep', 'a clear error or a clean open', await outcomeOf(file))
  }, 60_000)
})

describe('a tampered saved kernel (checksums recomputed, so only the content is wrong)', () => {
  it('every memory page of the head replaced by random bytes', async () => {
    const file = copyOfOriginal()
    tamper(file, (db) => {
      const slots = db.prepare('SELECT page_index, hash FROM kernel_head_pages').all() as {
        page_index: number
        hash: string
      }[]
      const insert = db.prepare('INSERT OR IGNORE INTO kernel_pages (hash, data) VALUES (?, ?)')
      const point = db.prepare('UPDATE kernel_head_pages SET hash = ? WHERE page_index = ?')
      for (const slot of slots) {
        // Stored as the kernel stores a page (format 7: keyed by its stored bytes), so every
        // check passes and only the content is wrong.
        const garbage = encodePage(randomBytes(65536), { index: slot.page_index, base: null })
        insert.run(garbage.hash, garbage.data)
        point.run(garbage.hash, slot.page_index)
      }
      db.exec(
        'DELETE FROM kernel_pages WHERE hash NOT IN (SELECT hash FROM kernel_head_pages UNION SELECT hash FROM kernel_head_chunks)'
      )
    })
    record(
      'every memory page of the saved kernel replaced by random bytes (keys recomputed)',
      'opens; the next cell ends with a truthful status, inside the sandbox',
      await outcomeOf(file)
    )
  }, 60_000)

  interface StateDocument {
    globals: Record<string, unknown>
    wasi: { fs: { nodes: { kind: string; size?: number; chunks?: string[] }[] } }
  }

  /** Rewrites the saved kernel's state document and deflates it again (so its adler32 is right). */
  function rewriteState(file: string, edit: (doc: StateDocument) => void): void {
    tamper(file, (db) => {
      const { state } = db.prepare('SELECT state FROM kernel_head WHERE id = 1').get() as { state: Buffer }
      const doc = JSON.parse(inflateSync(state).toString('utf8')) as StateDocument
      edit(doc)
      db.prepare('UPDATE kernel_head SET state = ? WHERE id = 1').run(deflateSync(JSON.stringify(doc)))
    })
  }

  it('the state document claims a 3 GiB file in the sandbox', async () => {
    const file = copyOfOriginal()
    let files = 0
    rewriteState(file, (doc) => {
      for (const node of doc.wasi.fs.nodes)
        if (node.kind === 'file') {
          node.size = 3 * 2 ** 30
          node.chunks = []
          files++
        }
    })
    expect(files).toBeGreaterThan(0)
    record(
      'the saved kernel’s state document claims a 3 GiB file (zlib checksum recomputed)',
      'opens with a notice, or the next cell ends with a truthful status',
      await outcomeOf(file)
    )
  }, 60_000)

  it('the state document with wild globals (the stack pointer)', async () => {
    const file = copyOfOriginal()
    rewriteState(file, (doc) => {
      for (const name of Object.keys(doc.globals))
        if (typeof doc.globals[name] === 'number') doc.globals[name] = 0x7fffffff
    })
    record(
      'the saved kernel’s state document with every global set to 0x7fffffff (zlib checksum recomputed)',
      'opens with a notice, or the next cell ends with a truthful status',
      await outcomeOf(file)
    )
  }, 60_000)
})
