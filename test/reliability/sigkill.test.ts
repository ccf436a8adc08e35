/**
 * File-format faults, part 1: the store's crash test at larger scale. The store's own
 * child process (test/helpers/store-child.ts `churn`: edits cells and commits runs, some with a new
 * kernel head, printing each run id only after its commit returned) is SIGKILLed 200 times in a
 * row on one notebook, a fifth of the time while it is still opening the file. After every kill the
 * file passes integrity_check and holds every run whose commit had returned, its cell positions are
 * dense and no kernel page is orphaned; at the end it opens and loads through NotebookStore.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { NotebookStore } from '../../src/main/store'
import { startStoreChild } from '../helpers/store-child-process'
import { SETTINGS, tempDir } from '../helpers/store-fixtures'
import { Recorder } from './record'

const KILLS = Number(process.env.FUELBOOK_KILLS ?? 200)
let dir: string
let file: string
const recorder = new Recorder('sigkill', 'File-format faults: SIGKILL mid-write')

beforeAll(() => {
  dir = tempDir('fuelbook-kill200-')
  file = path.join(dir, 'crash.fuelbook')
  const r = NotebookStore.create(file, { title: 'crash', settings: SETTINGS })
  if (!r.ok) throw new Error(r.error)
  r.value.close()
})
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
  recorder.save()
})

/** Problems with the file as a plain SQLite connection finds it after the crash (it replays the WAL). */
function fileProblems(committed: Set<number>): string[] {
  const db = new Database(file)
  try {
    const problems: string[] = []
    const integrity = db.pragma('integrity_check', { simple: true })
    if (integrity !== 'ok') problems.push(`integrity_check: ${String(integrity)}`)
    if ((db.pragma('foreign_key_check') as unknown[]).length > 0) problems.push('foreign_key_check failed')
    const ids = new Set((db.prepare('SELECT id FROM runs').all() as { id: number }[]).map((r) => r.id))
    const lost = [...committed].filter((id) => !ids.has(id))
    if (lost.length > 0) problems.push(`lost committed runs ${lost.slice(0, 5).join(', ')}`)
    const positions = (
      db.prepare('SELECT position FROM cells ORDER BY position').all() as { position: number }[]
    ).map((r) => r.position)
    if (positions.some((p, i) => p !== i)) problems.push('cell positions not dense')
    const orphans = db
      .prepare(
        'SELECT count(*) AS n FROM kernel_pages WHERE hash NOT IN (SELECT hash FROM kernel_head_pages)'
      )
      .get() as { n: number }
    if (orphans.n > 0) problems.push(`${orphans.n} orphaned kernel pages`)
    return problems
  } finally {
    db.close()
  }
}

it(`survives ${KILLS} SIGKILLs mid-write with every committed run intact`, async () => {
  const committed = new Set<number>()
  let seed = 424242
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed % n
  }
  let killedWhileOpening = 0
  const problems: string[] = []
  const t0 = performance.now()
  for (let i = 0; i < KILLS && problems.length === 0; i++) {
    const child = await startStoreChild(['churn', file, String(1000 + i)])
    if (i % 5 === 4) {
      await new Promise((r) => setTimeout(r, random(60)))
    } else {
      const first = await child.ready
      if (first !== 'ready') problems.push(`kill ${i}: child said ${first}`)
      await new Promise((r) => setTimeout(r, 5 + random(80)))
    }
    child.process.kill('SIGKILL')
    await child.exited
    if (child.lines[0] !== 'ready') killedWhileOpening++
    for (const line of child.lines) {
      if (line.startsWith('error')) problems.push(`kill ${i}: ${line}`)
      if (line.startsWith('run ')) committed.add(Number(line.slice(4)))
    }
    problems.push(...fileProblems(committed).map((p) => `after kill ${i + 1}: ${p}`))
  }
  const opened = NotebookStore.open(file)
  if (!opened.ok) problems.push(`open after the kills: ${opened.error}`)
  else {
    const nb = opened.value.load()
    if (nb.cells.length === 0) problems.push('no cells after the kills')
    opened.value.close()
  }
  recorder.add({
    case: `${KILLS} SIGKILLs of a process committing runs and kernel heads (${killedWhileOpening} while opening)`,
    expected: 'integrity_check ok, every committed run present, dense positions, no orphaned pages, opens',
    observed: `${committed.size} committed runs survived in ${((performance.now() - t0) / 1000).toFixed(0)} s${problems.length ? `; ${problems.length} problems` : '; all checks ok'}`,
    pass: problems.length === 0 && committed.size > KILLS,
    detail: problems.slice(0, 3).join('; ')
  })
  expect(problems).toEqual([])
  expect(committed.size).toBeGreaterThan(KILLS)
}, 600_000)
