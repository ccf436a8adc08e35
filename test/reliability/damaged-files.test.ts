/**
 * File-format faults, part 2: truncated and bit-flipped copies of a real notebook
 * (cells, outputs with a binary blob, run history, a saved kernel head), each opened through the
 * service as the UI would. Every copy must give a clear error or a clean open — never an exception
 * escaping the service, never a notebook that opens as if nothing happened but holds other data:
 * - refused: open fails with a message naming the file and the next step;
 * - clean: cells and last runs equal the original's, and the restored kernel (when no notice says
 *   it was not restored) reads back the original variables;
 * - kernel refused: the damage was in the saved kernel state, the notebook opens with a notice;
 * - value changed: SQLite has no checksums of its own, so a flipped bit inside a text value (a
 *   cell's source, an output's text) reads back as a different character. Counted and reported,
 *   and it must stay a one-value change (no cell or run lost or reordered).
 */
import Database from 'better-sqlite3'
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { NotebookDocument, RunRecord } from '../../src/shared/notebook'
import { startService, type ServiceHarness } from '../helpers/service-harness'
import { textOf } from '../helpers/kernel-host'
import { Recorder } from './record'

const FLIPS = Number(process.env.FUELBOOK_FLIPS ?? (process.env.CI ? 60 : 120))

let h: ServiceHarness
let dir: string
let original: string
let reference: { cells: string; runs: string }
const recorder = new Recorder('damaged-files', 'File-format faults: truncated and bit-flipped notebooks')

const PNG_BASE64 = Buffer.from(Array.from({ length: 6000 }, (_, i) => (i * 7) & 0xff)).toString('base64')

async function addCell(path: string, type: 'code' | 'markdown', source: string): Promise<string> {
  const cell = await h.service.insertCell(path, { type, source })
  if (!cell.ok) throw new Error(cell.error)
  return cell.value.id
}

/** What must survive: cells in order and each cell's last run (status, outputs, stats). */
function essence(doc: NotebookDocument): { cells: string; runs: string } {
  const cells = JSON.stringify(doc.cells)
  const runs = JSON.stringify(doc.cells.map((c) => doc.lastRuns[c.id] ?? null))
  return { cells, runs }
}

let checkCellId = ''

beforeAll(async () => {
  h = await startService()
  dir = mkdtempSync(join(tmpdir(), 'fuelbook-damaged-'))
  const created = await h.service.createNotebook()
  if (!created.ok) throw new Error(created.error)
  const path = created.value.path
  await h.service.deleteCell(path, created.value.cells[0]!.id)
  const ids = [
    await addCell(path, 'code', 'x = 42\nbig = list(range(100000))\nprint("ready")'),
    await addCell(path, 'markdown', '# Results\nSome *emphasis* and a [link](https://example.com).'),
    await addCell(
      path,
      'code',
      'import json\nprint(json.dumps({"k": [1, 2, 3]}))\nfor i in range(300): print("line", i)\nx + 1'
    ),
    await addCell(path, 'code', `display({"image/png": "${PNG_BASE64}", "text/plain": "<image>"}, raw=True)`),
    await addCell(path, 'code', '1 / 0')
  ]
  checkCellId = await addCell(path, 'code', 'print(x, sum(big))')
  await h.run(path, [ids[0]!, ids[2]!, ids[3]!, ids[4]!])
  await h.run(path, [ids[0]!]) // a second run: history and a moved head
  await h.service.closeNotebook(path)
  original = join(dir, 'original.fuelbook')
  copyFileSync(path, original)
  const reopened = await h.service.openNotebook(original)
  if (!reopened.ok) throw new Error(reopened.error)
  reference = essence(reopened.value)
  await h.service.closeNotebook(original)
}, 180_000)

afterAll(async () => {
  await h?.close()
  rmSync(dir, { recursive: true, force: true })
  recorder.save()
})

type Outcome = 'refused' | 'clean' | 'kernel refused' | 'value changed' | 'WRONG'

/** Runs the check cell; ends with its result, with the notice if the run was cancelled, or after 30 s. */
function runCheck(
  file: string
): Promise<{ kind: 'done'; run: RunRecord } | { kind: 'cancelled'; notice: string } | { kind: 'hung' }> {
  return new Promise((resolve) => {
    let notice = ''
    const timer = setTimeout(() => finish({ kind: 'hung' }), 30_000)
    const off = h.service.onEvent((e) => {
      if (e.path !== file) return
      if (e.type === 'kernelChanged') notice = e.kernel.notice ?? notice
      if (e.type === 'runFinished' && e.run.cellId === checkCellId) finish({ kind: 'done', run: e.run })
      if (e.type === 'runCancelled' && e.cellIds.includes(checkCellId))
        setTimeout(() => finish({ kind: 'cancelled', notice }), 0)
    })
    function finish(result: Parameters<typeof resolve>[0]): void {
      clearTimeout(timer)
      off()
      resolve(result)
    }
    void h.service.runCells(file, [checkCellId]).then((r) => {
      if (!r.ok || r.value.queued.length === 0)
        finish({ kind: 'cancelled', notice: r.ok ? 'check cell missing' : r.error })
    })
  })
}

async function openCopy(file: string): Promise<{ outcome: Outcome; detail: string }> {
  let opened
  try {
    opened = await h.service.openNotebook(file)
  } catch (error) {
    return { outcome: 'WRONG', detail: `openNotebook threw: ${(error as Error).message}` }
  }
  if (!opened.ok) {
    const clear =
      opened.error.includes(file) &&
      /damaged|not a Fuelbook|not an SQLite|Open a backup|Could not open/.test(opened.error)
    return clear
      ? { outcome: 'refused', detail: opened.error }
      : { outcome: 'WRONG', detail: `unclear error: ${opened.error}` }
  }
  try {
    const doc = opened.value
    const got = essence(doc)
    const notice = doc.kernel.notice
    if (notice === null && doc.kernel.headCellId !== null) {
      // The kernel came back: its variables must be the original's.
      const check = await runCheck(file)
      if (check.kind === 'cancelled') {
        // The run could not be saved into the damaged file: the user is told why.
        return /damaged|malformed|corrupt/i.test(check.notice)
          ? { outcome: 'refused', detail: `on the first write: ${check.notice}` }
          : { outcome: 'WRONG', detail: `run cancelled with an unclear notice: ${check.notice}` }
      }
      if (check.kind === 'hung') return { outcome: 'WRONG', detail: "the check cell's run never finished" }
      const printed = textOf(check.run.outputs)
      if (check.run.status !== 'ok' || printed !== `42 ${(99999 * 100000) / 2}\n`)
        return {
          outcome: 'WRONG',
          detail: `restored kernel: ${check.run.status} ${JSON.stringify(printed.slice(0, 100))}`
        }
    }
    if (got.cells === reference.cells && got.runs === reference.runs)
      return notice === null
        ? { outcome: 'clean', detail: '' }
        : { outcome: 'kernel refused', detail: notice }
    // Same structure, one value different: the limit of a file format without checksums.
    const sameShape =
      doc.cells.length === JSON.parse(reference.cells).length &&
      doc.cells.every((c, i) => c.id === (JSON.parse(reference.cells) as { id: string }[])[i]?.id)
    return sameShape
      ? { outcome: 'value changed', detail: 'a value inside a cell or run differs' }
      : { outcome: 'WRONG', detail: 'cells lost or reordered without an error' }
  } catch (error) {
    return { outcome: 'WRONG', detail: `threw after open: ${(error as Error).message}` }
  } finally {
    await h.service.closeNotebook(file)
  }
}

it(`truncated and ${FLIPS} bit-flipped copies of a real notebook: a clear error or a clean open, never a crash`, async () => {
  const size = statSync(original).size
  const bytes = readFileSync(original)
  const counts: Record<Outcome, number> = {
    refused: 0,
    clean: 0,
    'kernel refused': 0,
    'value changed': 0,
    WRONG: 0
  }
  const wrong: string[] = []
  const examples = new Map<Outcome, string>()
  const tally = (label: string, r: { outcome: Outcome; detail: string }) => {
    counts[r.outcome]++
    if (r.outcome === 'WRONG') wrong.push(`${label}: ${r.detail}`)
    if (!examples.has(r.outcome) && r.detail) examples.set(r.outcome, `${label}: ${r.detail.slice(0, 160)}`)
  }

  // Truncations: empty, inside the header, at and around page boundaries, half, one byte short.
  const pageSize = bytes.readUInt16BE(16) === 1 ? 65536 : bytes.readUInt16BE(16)
  const cuts = [
    0,
    50,
    99,
    100,
    1024,
    pageSize - 1,
    pageSize,
    pageSize + 1,
    2 * pageSize,
    Math.floor(size / 2),
    size - pageSize,
    size - 1
  ]
  for (const cut of cuts) {
    const file = join(dir, `cut-${cut}.fuelbook`)
    copyFileSync(original, file)
    truncateSync(file, cut)
    tally(`truncated to ${cut} bytes`, await openCopy(file))
  }

  // Bit flips: the header's fields, then single bits at seeded random offsets over the whole file.
  let seed = Number(process.env.FUELBOOK_FLIP_SEED ?? 0x5eed)
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed % n
  }
  const offsets = [0, 15, 16, 18, 21, 28, 40, 44, 56, 60, 68, 92, 96]
  while (offsets.length < FLIPS) offsets.push(100 + random(size - 100))
  for (const [i, offset] of offsets.entries()) {
    const file = join(dir, `flip-${i}.fuelbook`)
    const copy = Buffer.from(bytes)
    copy[offset]! ^= 1 << random(8)
    writeFileSync(file, copy)
    tally(`bit flipped at byte ${offset}`, await openCopy(file))
    rmSync(file, { force: true })
  }

  const total = cuts.length + offsets.length
  recorder.add({
    case: `${cuts.length} truncated copies + ${offsets.length} single-bit flips of a ${(size / 1024).toFixed(0)} KiB notebook, opened through the service`,
    expected: 'clear error or clean open; never a crash or an undetected structural change',
    observed: Object.entries(counts)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(', '),
    pass: counts.WRONG === 0,
    detail: [...examples.values(), ...wrong.slice(0, 3)].join(' | ')
  })
  console.log(`damaged files (${total}):`, counts)
  expect(wrong).toEqual([])
}, 600_000)

it('damage only a read finds (an output that is not JSON; quick_check passes): that output reads as a clear error, the rest opens', async () => {
  const file = join(dir, 'bad-output.fuelbook')
  copyFileSync(original, file)
  const db = new Database(file)
  db.prepare("UPDATE outputs SET body = '{not json' WHERE id = (SELECT max(id) FROM outputs)").run()
  db.close()
  const opened = await h.service.openNotebook(file)
  const outputs = opened.ok ? Object.values(opened.value.lastRuns).flatMap((run) => run.outputs) : []
  const unreadable = outputs.find((o) => o.type === 'error' && o.ename === 'UnreadableOutput')
  recorder.add({
    case: 'an output row that is not JSON (SQLite itself sees no damage)',
    expected: 'opens; that output shows as "could not be read from the file"',
    observed: opened.ok
      ? `opened; ${unreadable?.type === 'error' ? unreadable.evalue : 'no unreadable output shown'}`
      : opened.error,
    pass: unreadable !== undefined
  })
  expect(unreadable).toMatchObject({ evalue: expect.stringMatching(/could not be read from the file/) })
  if (opened.ok) await h.service.closeNotebook(file)
})

it('a flipped bit in the saved kernel state document: the head is refused with a notice, not restored wrong', async () => {
  const file = join(dir, 'bad-state.fuelbook')
  copyFileSync(original, file)
  const db = new Database(file)
  const { state } = db.prepare('SELECT state FROM kernel_head WHERE id = 1').get() as { state: Buffer }
  state[state.length >> 1]! ^= 0x10
  db.prepare('UPDATE kernel_head SET state = ? WHERE id = 1').run(state)
  db.close()
  const r = await openCopy(file)
  recorder.add({
    case: "one bit flipped in the saved kernel's state document (globals, in-memory files)",
    expected: 'opens with a notice that the variables were not restored',
    observed: `${r.outcome}: ${r.detail.slice(0, 160)}`,
    pass: r.outcome === 'kernel refused'
  })
  expect(r.outcome, r.detail).toBe('kernel refused')
})

it('a page the saved head names but the file lacks (as a damaged index of kernel_pages shows it): the head is refused with a notice, not restored wrong', async () => {
  const file = join(dir, 'lost-page.fuelbook')
  copyFileSync(original, file)
  const db = new Database(file)
  // With foreign keys off the delete leaves the head's slot dangling, as a flipped bit in
  // kernel_pages' primary-key index does for a lookup by hash (found by the bit flips above).
  db.pragma('foreign_keys = OFF')
  db.prepare(
    'DELETE FROM kernel_pages WHERE hash = (SELECT hash FROM kernel_head_pages ORDER BY page_index LIMIT 1 OFFSET 5)'
  ).run()
  db.close()
  const r = await openCopy(file)
  recorder.add({
    case: 'a memory page the saved kernel head names is missing from the file',
    expected: 'opens with a notice that the variables were not restored',
    observed: `${r.outcome}: ${r.detail.slice(0, 160)}`,
    pass: r.outcome === 'kernel refused'
  })
  expect(r.outcome, r.detail).toBe('kernel refused')
  expect(r.detail).toMatch(/lacks the saved kernel state's block/)
})
