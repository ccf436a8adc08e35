/**
 * Crash safety at the everyday scale: 50 SIGKILLs of a process committing runs, on one notebook
 * (test/helpers/sigkill-churn.ts; test/reliability/sigkill.test.ts runs the same at 200).
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { NotebookStore } from '../../src/main/store'
import { sigkillChurn } from '../helpers/sigkill-churn'
import { SETTINGS, tempDir } from '../helpers/store-fixtures'

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

it(`survives ${KILLS} SIGKILLs mid-write with every committed run intact`, async () => {
  const result = await sigkillChurn(file, { kills: KILLS, seed: 12345, firstChildId: 1 })
  expect(result.problems).toEqual([])
  expect(result.committed.size).toBeGreaterThan(KILLS)
}, 120_000)
