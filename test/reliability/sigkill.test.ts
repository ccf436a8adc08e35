/**
 * File-format faults, part 1: the store's crash test (test/helpers/sigkill-churn.ts) at its large
 * scale, 200 SIGKILLs in a row on one notebook (test/integration/store-crash.test.ts runs it at 50),
 * recorded for docs/reliability.md.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { NotebookStore } from '../../src/main/store'
import { sigkillChurn } from '../helpers/sigkill-churn'
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

it(`survives ${KILLS} SIGKILLs mid-write with every committed run intact`, async () => {
  const t0 = performance.now()
  const { committed, killedWhileOpening, problems } = await sigkillChurn(file, {
    kills: KILLS,
    seed: 424242,
    firstChildId: 1000
  })
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
