/**
 * Fuel profiles through the service: a profiled run's profile travels in runFinished, is stored with
 * the run and comes back after a reopen; "profile with a budget of N" re-runs a cell from the head
 * with profiling and changes nothing (head, variables, runs, session fuel).
 */
import { describe, expect, it } from 'vitest'
import type { NotebookDocument } from '../../src/shared/notebook'
import { cellLineFuel, encodeFuelProfile } from '../../src/shared/fuel-profile'
import { useService } from '../helpers/service-harness'

const h = useService()

const HOT_LOOP = [
  'def total(n):',
  '    s = 0',
  '    for i in range(n):',
  '        s += i * i',
  '    return s',
  '',
  'print(total(20_000))'
].join('\n')

async function newNotebook(deterministic = true): Promise<NotebookDocument> {
  const created = await h().service.createNotebook()
  if (!created.ok) throw new Error(created.error)
  const doc = created.value
  await h().service.setSettings(doc.path, { ...doc.settings, deterministic })
  return doc
}

async function addCode(path: string, source: string): Promise<string> {
  const cell = await h().service.insertCell(path, { type: 'code', source })
  if (!cell.ok) throw new Error(cell.error)
  return cell.value.id
}

async function reopen(path: string): Promise<NotebookDocument> {
  await h().service.closeNotebook(path)
  const opened = await h().service.openNotebook(path)
  if (!opened.ok) throw new Error(opened.error)
  return opened.value
}

describe('a profiled run', () => {
  it('carries its profile in runFinished, is stored with it and comes back after a reopen', async () => {
    const doc = await newNotebook()
    const cell = await addCode(doc.path, HOT_LOOP)
    const [run] = await h().run(doc.path, [cell], { profile: true })
    expect(run).toMatchObject({ status: 'ok', executionCount: 1 })
    const profile = run!.profile!
    expect(profile).not.toBeNull()
    expect(profile.lines[0]).toMatchObject({ file: profile.cellFile, line: 4 })
    const byLine = cellLineFuel(profile)
    expect(((byLine.get(3) ?? 0) + (byLine.get(4) ?? 0)) / profile.totalFuel).toBeGreaterThanOrEqual(0.9)

    const stored = await h().service.getRun(doc.path, run!.id)
    expect(stored.ok && stored.value.profile).toEqual(profile)
    const reopened = await reopen(doc.path)
    expect(encodeFuelProfile(reopened.lastRuns[cell]!.profile!)).toBe(encodeFuelProfile(profile))

    // The next unprofiled run of the cell has none, and its fuel is the code's alone.
    const [plain] = await h().run(doc.path, [cell])
    expect(plain!.profile).toBeNull()
    expect(plain!.fuelConsumed).toBeGreaterThan(0)
    expect((await reopen(doc.path)).lastRuns[cell]!.profile).toBeNull()
  })

  it('keeps the profile a %%fuelprof cell sends, and clearing the outputs drops it', async () => {
    const doc = await newNotebook()
    const cell = await addCode(doc.path, '%%fuelprof\ns = 0\nfor i in range(2_000):\n    s += i')
    const [run] = await h().run(doc.path, [cell])
    expect(run!.status).toBe('ok')
    expect(run!.profile?.lines.length).toBeGreaterThan(0)
    await h().service.clearOutputs(doc.path, [cell])
    const stored = await h().service.getRun(doc.path, run!.id)
    expect(stored.ok && stored.value.profile).toBeNull()
  })
})

describe('a %%fuelprof cell profiled by the service', () => {
  // The magic's line is blanked under the service's profiler: one profile of the body, on the cell's lines.
  const MAGIC = '\n%%fuelprof\ns = 0\nfor i in range(2_000):\n    s += i * i'

  it('is profiled once, on its own lines, when run with a profile', async () => {
    const doc = await newNotebook()
    const cell = await addCode(doc.path, MAGIC)
    const [run] = await h().run(doc.path, [cell], { profile: true })
    expect(run!.status).toBe('ok')
    expect(run!.profile!.lines[0]).toMatchObject({ file: run!.profile!.cellFile, line: 5 })
    expect(run!.profile!.lines.every((row) => row.file === run!.profile!.cellFile)).toBe(true)
  })

  it("has the budget it would have unprofiled, the profiler's own fuel on top", async () => {
    // ~24 M fuel unprofiled; traced, the profiler spends ~1 G on top, over the default 400 M budget.
    const code = [
      '%%fuelprof',
      'def norm(v):',
      '    return sum(x * x for x in v) ** 0.5',
      'data = [list(range(50)) for _ in range(300)]',
      'out = [norm(row) for row in data]',
      'print(len(out), round(sum(out)))'
    ].join('\n')
    const doc = await newNotebook()
    const cell = await addCode(doc.path, code)
    const [run] = await h().run(doc.path, [cell])
    expect(run!.status).toBe('ok')
    expect(run!.fuelBudget).toBe(400_000_000)
    expect(run!.fuelConsumed).toBeLessThan(100_000_000)
    expect(run!.profile!.lines[0]).toMatchObject({ file: run!.profile!.cellFile, line: 3 })
  })

  it('and with a budget', async () => {
    const doc = await newNotebook()
    const cell = await addCode(doc.path, MAGIC)
    const profiled = await h().service.profileWithBudget(doc.path, cell, 400_000_000)
    if (!profiled.ok) throw new Error(profiled.error)
    expect(profiled.value.status).toBe('ok')
    expect(profiled.value.profile!.lines[0]).toMatchObject({
      file: profiled.value.profile!.cellFile,
      line: 5
    })
  })
})

describe('profile with a budget of N', () => {
  it('re-runs the cell from the head with profiling and changes nothing', async () => {
    const doc = await newNotebook()
    const setup = await addCode(doc.path, 'x = 1')
    const spin = await addCode(doc.path, 'x += 1\nwhile True:\n    x += 1')
    await h().run(doc.path, [setup])
    const [killed] = await h().run(doc.path, [spin], { limits: { fuel: 5_000_000 } })
    expect(killed).toMatchObject({ status: 'out_of_fuel', profile: null })

    const before = await reopen(doc.path)
    const runsBefore = await h().service.listRuns(doc.path, spin)
    const eventsBefore = h().events.length

    const profiled = await h().service.profileWithBudget(doc.path, spin, 5_000_000)
    if (!profiled.ok) throw new Error(profiled.error)
    expect(profiled.value).toMatchObject({
      cellId: spin,
      source: 'x += 1\nwhile True:\n    x += 1',
      status: 'out_of_fuel',
      fuelBudget: 5_000_000
    })
    const profile = profiled.value.profile!
    expect(profile.budgetReached).toBe(true)
    // Out of fuel reads as its budget spent: the fuel the budget was checked against.
    expect(profiled.value.fuelConsumed).toBe(profile.totalFuel)
    expect(profiled.value.fuelConsumed).toBeGreaterThanOrEqual(5_000_000)
    const byLine = cellLineFuel(profile)
    expect(((byLine.get(2) ?? 0) + (byLine.get(3) ?? 0)) / profile.totalFuel).toBeGreaterThanOrEqual(0.9)
    expect([2, 3]).toContain(profile.lines[0]!.line)

    // Nothing announced, nothing stored, the head and its variables as they were.
    expect(
      h()
        .events.slice(eventsBefore)
        .filter((e) => e.path === doc.path)
    ).toEqual([])
    expect(await h().service.listRuns(doc.path, spin)).toEqual(runsBefore)
    const after = await reopen(doc.path)
    expect(after.kernel).toEqual(before.kernel)
    expect(after.lastRuns).toEqual(before.lastRuns)
    const vars = await h().service.variables(doc.path)
    expect(vars.ok && vars.value.find((v) => v.name === 'x')).toMatchObject({ repr: '1' })
  })

  it('throws away what a completed re-run did: the same profile each time, the head as it was', async () => {
    const doc = await newNotebook()
    const setup = await addCode(doc.path, 'counter = 0')
    const cell = await addCode(doc.path, `counter += 1\n${HOT_LOOP}`)
    await h().run(doc.path, [setup])
    const first = await h().service.profileWithBudget(doc.path, cell, 400_000_000)
    const second = await h().service.profileWithBudget(doc.path, cell, 400_000_000)
    if (!first.ok || !second.ok) throw new Error('profile refused')
    expect(first.value.status).toBe('ok')
    expect(first.value.profile!.lines[0]).toMatchObject({ line: 5 })
    expect(encodeFuelProfile(second.value.profile!)).toBe(encodeFuelProfile(first.value.profile!))
    const vars = await h().service.variables(doc.path)
    expect(vars.ok && vars.value.find((v) => v.name === 'counter')).toMatchObject({ repr: '0' })
    const [check] = await h().run(doc.path, [await addCode(doc.path, 'print(counter)')])
    expect(check!.outputs).toEqual([{ type: 'stream', name: 'stdout', text: '0\n' }])
  })

  it('is stopped by interrupt, like a queued run', async () => {
    const doc = await newNotebook()
    const cell = await addCode(doc.path, 'while True:\n    pass')
    const pending = h().service.profileWithBudget(doc.path, cell, 1_000_000_000_000)
    await new Promise((resolve) => setTimeout(resolve, 500))
    await h().service.interrupt(doc.path)
    const stopped = await pending
    expect(stopped.ok && stopped.value).toMatchObject({ status: 'interrupted', profile: null })
  })

  it('refuses a cell that is not code, or not there, with a message', async () => {
    const doc = await newNotebook()
    const text = await h().service.insertCell(doc.path, { type: 'markdown', source: '# hi' })
    if (!text.ok) throw new Error(text.error)
    expect(await h().service.profileWithBudget(doc.path, text.value.id, 1_000_000)).toEqual({
      ok: false,
      error: 'Only code cells can be profiled.'
    })
    expect(await h().service.profileWithBudget(doc.path, 'gone', 1_000_000)).toEqual({
      ok: false,
      error: 'That cell is no longer in the notebook.'
    })
  })
})
