/**
 * A run's fuel profile in the file (m005): stored with the run, read back through the shared codec
 * (so an edited or damaged one reads as none, never as a broken document), and dropped with the
 * outputs when they are pruned or cleared.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { KEEP_RUN_OUTPUTS_PER_CELL, NotebookStore } from '../../src/main/store'
import { PROFILE_MAX_LINES } from '../../src/shared/fuel-profile'
import { SETTINGS, codeCell, makeRun, sampleProfile, tempDir } from '../helpers/store-fixtures'

let dir: string
let file: string

beforeEach(() => {
  dir = tempDir()
  file = path.join(dir, 'profiles.fuelbook')
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

const PROFILE = sampleProfile()

function withCell(): NotebookStore {
  const created = NotebookStore.create(file, { title: 'p', settings: SETTINGS })
  if (!created.ok) throw new Error(created.error)
  created.value.insertCell(codeCell('a'), 0)
  return created.value
}

function reopened(): NotebookStore {
  const opened = NotebookStore.open(file)
  if (!opened.ok) throw new Error(opened.error)
  return opened.value
}

it('keeps a run’s profile through close and reopen', () => {
  const store = withCell()
  const run = store.commitRun({ ...makeRun('a', 1), profile: PROFILE })
  expect(run.profile).toEqual(PROFILE)
  store.close()
  const again = reopened()
  expect(again.load().lastRuns['a']!.profile).toEqual(PROFILE)
  expect(again.getRun(run.id)!.profile).toEqual(PROFILE)
  again.close()
})

it('reads a profile edited into something else as none, and bounds an oversized one', () => {
  const store = withCell()
  const bad = store.commitRun(makeRun('a', 1))
  const big = store.commitRun(makeRun('a', 2))
  store.close()
  const db = new Database(file)
  db.prepare('UPDATE runs SET profile = ? WHERE id = ?').run('{"lines": "not a list"', bad.id)
  const lines = Array.from({ length: PROFILE_MAX_LINES + 5 }, (_, i) => ({ file: 'x', line: i, fuel: 1 }))
  db.prepare('UPDATE runs SET profile = ? WHERE id = ?').run(JSON.stringify({ ...PROFILE, lines }), big.id)
  db.close()
  const again = reopened()
  expect(again.getRun(bad.id)!.profile).toBeNull()
  const bounded = again.getRun(big.id)!.profile!
  expect(bounded.lines).toHaveLength(PROFILE_MAX_LINES)
  expect(bounded.droppedLines).toBe(5)
  again.close()
})

it('drops profiles with the outputs: pruned runs and cleared cells keep only their stats', () => {
  const store = withCell()
  const first = store.commitRun({ ...makeRun('a', 1), profile: PROFILE })
  for (let n = 2; n <= KEEP_RUN_OUTPUTS_PER_CELL + 1; n++)
    store.commitRun({ ...makeRun('a', n), profile: PROFILE })
  expect(store.getRun(first.id)!.profile).toBeNull()
  expect(store.getRun(first.id + 1)!.profile).toEqual(PROFILE)
  store.clearOutputs(['a'])
  expect(store.getRun(first.id + 1)!.profile).toBeNull()
  store.close()
  const db = new Database(file, { readonly: true })
  expect(db.prepare('SELECT count(*) AS n FROM runs WHERE profile IS NOT NULL').get()).toEqual({ n: 0 })
  db.close()
})
