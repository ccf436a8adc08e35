/**
 * Crash safety: a second process edits and commits runs in a loop and is SIGKILLed at random moments (some
 * while it is still opening the file), 50 times in a row on the same notebook. After every kill the file
 * passes integrity_check and holds every run whose commitRun had returned, and it opens and loads again.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { NotebookStore } from '../../src/main/store'
import { SETTINGS, tempDir } from '../helpers/store-fixtures'
import { startStoreChild } from '../helpers/store-child-process'

const KILLS = 50
let dir: string
let file: string

beforeAll(() => {
  dir = tempDir('fuelbook-crash-')
  file = path.join(dir, 'crash.fuelbook')
  const r = NotebookStore.create(file, { title: 'crash', settings: SETTINGS })
  if (!r.ok) throw new Error(r.error)
  r.value.close()
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

function checkFile(committed: Set<number>): void {
  // A plain connection, as `sqlite3` would open it after the crash (it replays the WAL).
  const db = new Database(file)
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(db.pragma('foreign_key_check')).toEqual([])
    const ids = new Set((db.prepare('SELECT id FROM runs').all() as { id: number }[]).map((r) => r.id))
    const lost = [...committed].filter((id) => !ids.has(id))
    expect(lost, 'runs whose commit had returned').toEqual([])
    const positions = (
      db.prepare('SELECT position FROM cells ORDER BY position').all() as { position: number }[]
    ).map((r) => r.position)
    expect(positions).toEqual(positions.map((_, i) => i))
    expect(
      db
        .prepare(
          'SELECT count(*) AS n FROM kernel_pages WHERE hash NOT IN (SELECT hash FROM kernel_head_pages)'
        )
        .get()
    ).toEqual({ n: 0 })
  } finally {
    db.close()
  }
}

it(`survives ${KILLS} SIGKILLs mid-write with every committed run intact`, async () => {
  const committed = new Set<number>()
  let seed = 12345
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed % n
  }
  let killedWhileOpening = 0
  for (let i = 0; i < KILLS; i++) {
    const child = await startStoreChild(['churn', file, String(i + 1)])
    if (i % 5 === 4) {
      // Kill during start-up: open, WAL recovery, journal-mode switch.
      await new Promise((r) => setTimeout(r, random(60)))
    } else {
      const first = await child.ready
      expect(first).toBe('ready')
      await new Promise((r) => setTimeout(r, 5 + random(120)))
    }
    child.process.kill('SIGKILL')
    await child.exited
    if (child.lines.length === 0 || child.lines[0] !== 'ready') killedWhileOpening++
    for (const line of child.lines) {
      if (line.startsWith('error')) throw new Error(line)
      if (line.startsWith('run ')) committed.add(Number(line.slice(4)))
    }
    checkFile(committed)
  }
  expect(committed.size).toBeGreaterThan(KILLS)
  const r = NotebookStore.open(file)
  if (!r.ok) throw new Error(r.error)
  const nb = r.value.load()
  expect(nb.cells.length).toBeGreaterThan(0)
  r.value.close()
  console.log(
    `crash test: ${committed.size} committed runs survived ${KILLS} kills (${killedWhileOpening} while opening)`
  )
}, 120_000)
