import { copyFileSync, existsSync, readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { NotebookDocument } from '../../src/shared/notebook'
import { NotebookStore } from '../../src/main/store'
import { startService, type ServiceHarness } from '../helpers/service-harness'

// The whole stack behind the UI: store + kernel + service, driven through NotebookApi and its events.
let h: ServiceHarness

beforeAll(async () => {
  h = await startService()
})

afterAll(async () => {
  await h.close()
})

async function newNotebook(): Promise<NotebookDocument> {
  const created = await h.service.createNotebook()
  if (!created.ok) throw new Error(created.error)
  return created.value
}

async function addCode(path: string, source: string): Promise<string> {
  const cell = await h.service.insertCell(path, { type: 'code', source })
  if (!cell.ok) throw new Error(cell.error)
  return cell.value.id
}

function stdout(run: { outputs: { type: string; text?: string }[] }): string {
  return run.outputs
    .filter((o) => o.type === 'stream')
    .map((o) => o.text)
    .join('')
}

describe('NotebookService', () => {
  it('creates an untitled notebook in the data folder with one empty code cell', async () => {
    const doc = await newNotebook()
    expect(doc.untitled).toBe(true)
    expect(doc.path.startsWith(h.dataDir)).toBe(true)
    expect(doc.cells).toHaveLength(1)
    expect(doc.cells[0]).toMatchObject({ type: 'code', source: '' })
    expect((await h.service.listRecent()).map((r) => r.path)).toContain(doc.path)
  })

  it('runs cells in order with shared state, streams events and stores each result', async () => {
    const doc = await newNotebook()
    const a = await addCode(doc.path, 'x = 41\nprint("set")')
    const b = await addCode(doc.path, 'print(x + 1)\nx + 1')
    const [ra, rb] = await h.run(doc.path, [a, b])
    expect(ra).toMatchObject({ status: 'ok', executionCount: 1 })
    expect(stdout(ra!)).toBe('set\n')
    expect(rb).toMatchObject({ status: 'ok', executionCount: 2 })
    expect(stdout(rb!)).toBe('42\n')
    expect(rb!.outputs.find((o) => o.type === 'execute_result')).toMatchObject({
      data: { 'text/plain': '42' },
      executionCount: 2
    })
    expect(rb!.fuelConsumed).toBeGreaterThan(0)
    expect(rb!.memoryPages).toBeGreaterThanOrEqual(160)
    expect(rb!.memoryBytes).toBe(rb!.memoryPages * 65536)
    const types = h.events.filter((e) => e.path === doc.path).map((e) => e.type)
    expect(types).toContain('runQueued')
    expect(types).toContain('runStarted')
    expect(types).toContain('runOutput')
    expect(types.filter((t) => t === 'runFinished')).toHaveLength(2)
    const reopened = await h.service.openNotebook(doc.path)
    expect(reopened.ok && reopened.value.lastRuns[b]?.status).toBe('ok')
    expect(reopened.ok && reopened.value.kernel.headExecutionCount).toBe(2)
  })

  it('keeps the head after a killed run and says so', async () => {
    const doc = await newNotebook()
    await h.service.setSettings(doc.path, {
      ...doc.settings,
      limits: { ...doc.settings.limits, fuel: 50_000_000 }
    })
    const a = await addCode(doc.path, 'kept = "yes"')
    const loop = await addCode(doc.path, 'kept = "no"\nwhile True: pass')
    const read = await addCode(doc.path, 'print(kept)')
    const [, rl, rr] = await h.run(doc.path, [a, loop, read])
    expect(rl).toMatchObject({ status: 'out_of_fuel' })
    expect(rl!.message).toMatch(/fuel/)
    expect(stdout(rr!)).toBe('yes\n')
  })

  it('names cells in tracebacks by their [n], after a killed run and a reopen too', async () => {
    const doc = await newNotebook()
    await h.service.setSettings(doc.path, {
      ...doc.settings,
      limits: { ...doc.settings.limits, fuel: 50_000_000 }
    })
    const set = await addCode(doc.path, 'x = 0')
    const loop = await addCode(doc.path, 'while True: pass')
    const define = await addCode(doc.path, 'def f(a):\n    return 1 / a')
    const call = await addCode(doc.path, 'f(x)')
    const traceback = (run: { outputs: { type: string }[] } | undefined): string => {
      const error = run?.outputs.find((o) => o.type === 'error') as { traceback: string[] } | undefined
      return error ? error.traceback.join('\n') : ''
    }
    const runs = await h.run(doc.path, [set, loop, define, call])
    expect(runs.map((r) => r?.executionCount)).toEqual([1, 2, 3, 4])
    expect(runs[1]).toMatchObject({ status: 'out_of_fuel' })
    expect(traceback(runs[3])).toContain('File "<cell-4>", line 1, in <module>\n    f(x)')
    expect(traceback(runs[3])).toContain('File "<cell-3>", line 2, in f\n    return 1 / a')
    await h.service.closeNotebook(doc.path)
    await h.service.openNotebook(doc.path)
    const [again] = await h.run(doc.path, [call])
    expect(again).toMatchObject({ executionCount: 5 })
    expect(traceback(again)).toContain('File "<cell-5>", line 1, in <module>')
    expect(traceback(again)).toContain('File "<cell-3>", line 2, in f\n    return 1 / a')
  })

  it('applies per-run limits to that run only and never writes them to the notebook', async () => {
    const doc = await newNotebook()
    const cell = await addCode(doc.path, '6 * 7')
    const writes = vi.spyOn(NotebookStore.prototype, 'setSettings')
    const [overridden] = await h.run(doc.path, [cell], { limits: { fuel: 5_000_000 } })
    expect(writes).not.toHaveBeenCalled()
    writes.mockRestore()
    expect(overridden).toMatchObject({ status: 'ok', fuelBudget: 5_000_000 })
    const reopened = await h.service.openNotebook(doc.path)
    expect(reopened.ok && reopened.value.settings).toEqual(doc.settings)
    const [saved] = await h.run(doc.path, [cell])
    expect(saved).toMatchObject({ status: 'ok', fuelBudget: doc.settings.limits.fuel })
    // The live fuel bar measures each run against its own budget from the start.
    const started = h.events.filter((e) => e.type === 'runStarted' && e.path === doc.path)
    expect(started.map((e) => e.type === 'runStarted' && e.fuelBudget)).toEqual([
      5_000_000,
      doc.settings.limits.fuel
    ])
  })

  it('numbers a live result [n] as it is stored, after a reopen too', async () => {
    const doc = await newNotebook()
    const cell = await addCode(doc.path, '6 * 7')
    await h.run(doc.path, [cell])
    await h.service.closeNotebook(doc.path)
    await h.service.openNotebook(doc.path)
    const live: unknown[] = []
    const off = h.service.onEvent((e) => {
      if (e.type === 'runOutput' && e.path === doc.path)
        for (const o of e.outputs) if (o.type === 'execute_result') live.push(o.executionCount)
    })
    const [stored] = await h.run(doc.path, [cell])
    off()
    expect(stored).toMatchObject({ executionCount: 2 })
    expect(live).toEqual([2])
  })

  it('closes and reopens a notebook with cells, outputs and variables intact', async () => {
    const doc = await newNotebook()
    const a = await addCode(doc.path, 'import json\ndata = {"k": [1, 2, 3]}\nprint(json.dumps(data))')
    await h.run(doc.path, [a])
    const copy = join(h.dataDir, 'kept.fuelbook')
    const saved = await h.service.saveNotebookAs(doc.path, copy)
    expect(saved.ok).toBe(true)
    expect(existsSync(doc.path)).toBe(false) // the untitled file is gone once saved under a name
    expect((await h.service.closeNotebook(copy)).ok).toBe(true)
    const reopened = await h.service.openNotebook(copy)
    if (!reopened.ok) throw new Error(reopened.error)
    expect(reopened.value.untitled).toBe(false)
    expect(reopened.value.cells.map((c) => c.source)).toContain(
      'import json\ndata = {"k": [1, 2, 3]}\nprint(json.dumps(data))'
    )
    expect(stdout(reopened.value.lastRuns[a]!)).toBe('{"k": [1, 2, 3]}\n')
    const b = await addCode(copy, 'print(sum(data["k"]), json.dumps(1))')
    const [rb] = await h.run(copy, [b])
    expect(stdout(rb!)).toBe('6 1\n')
    expect(rb!.executionCount).toBe(2)
  })

  it('restarts the kernel: variables are gone, outputs stay', async () => {
    const doc = await newNotebook()
    const a = await addCode(doc.path, 'gone = 1')
    await h.run(doc.path, [a])
    const restarted = await h.service.restartKernel(doc.path)
    expect(restarted.ok && restarted.value.headCellId).toBe(null)
    const b = await addCode(doc.path, 'print("gone" in globals())')
    const [rb] = await h.run(doc.path, [b])
    expect(stdout(rb!)).toBe('False\n')
    expect(rb!.executionCount).toBe(1) // as in Jupyter, [n] starts again after a restart
  })

  /** A closed notebook with one run (`old = 1`, cell `a`) whose saved head claims another runtime. */
  async function closedNotebookWithForeignHead(): Promise<{ doc: NotebookDocument; a: string }> {
    const doc = await newNotebook()
    const a = await addCode(doc.path, 'old = 1')
    await h.run(doc.path, [a])
    await h.service.closeNotebook(doc.path)
    const opened = NotebookStore.open(doc.path)
    if (!opened.ok) throw new Error(opened.error)
    const head = opened.value.loadHead()!
    opened.value.saveHead({ ...head, snapshot: { ...head.snapshot, runtimeHash: 'f'.repeat(64) } })
    opened.value.close()
    return { doc, a }
  }

  it('opens a notebook whose saved head is from another runtime with a fresh kernel and a notice', async () => {
    const { doc, a } = await closedNotebookWithForeignHead()
    const reopened = await h.service.openNotebook(doc.path)
    if (!reopened.ok) throw new Error(reopened.error)
    expect(reopened.value.kernel.headCellId).toBe(null)
    expect(reopened.value.kernel.notice).toMatch(/not restored/)
    expect(reopened.value.lastRuns[a]?.status).toBe('ok') // outputs are kept
    const b = await addCode(doc.path, 'print("old" in globals())')
    const [rb] = await h.run(doc.path, [b])
    expect(stdout(rb!)).toBe('False\n')
  })

  it('opens a notebook with a fresh kernel when asked (fuelbook run): its saved head is never read', async () => {
    // A head that would be refused if it were read: no notice says so, so it was not.
    const { doc, a } = await closedNotebookWithForeignHead()
    const reopened = await h.service.openNotebook(doc.path, { freshKernel: true })
    if (!reopened.ok) throw new Error(reopened.error)
    expect(reopened.value.kernel).toMatchObject({ headCellId: null, nextExecutionCount: 1, notice: null })
    expect(reopened.value.lastRuns[a]?.status).toBe('ok') // outputs are kept
    const b = await addCode(doc.path, 'print("old" in globals())')
    const [rb] = await h.run(doc.path, [b])
    expect(stdout(rb!)).toBe('False\n')
    expect(rb!.executionCount).toBe(1) // as after Restart
    await h.service.closeNotebook(doc.path)
    const file = NotebookStore.open(doc.path)
    if (!file.ok) throw new Error(file.error)
    expect(file.value.loadHead()?.cellId).toBe(b) // the dropped head is gone from the file too
    file.value.close()
  })

  it('interrupt empties the queue and rolls back the running cell', async () => {
    const doc = await newNotebook()
    const a = await addCode(doc.path, 'v = 1')
    await h.run(doc.path, [a])
    const sleeper = await addCode(doc.path, 'v = 2\nimport time\ntime.sleep(1000)')
    const queued = await addCode(doc.path, 'v = 3')
    const finished = new Promise((resolve) =>
      h.service.onEvent((e) => e.type === 'runFinished' && e.run.cellId === sleeper && resolve(e.run))
    )
    const cancelled = new Promise((resolve) =>
      h.service.onEvent((e) => e.type === 'runCancelled' && e.path === doc.path && resolve(e.cellIds))
    )
    const started = new Promise((resolve) =>
      h.service.onEvent((e) => e.type === 'runStarted' && e.cellId === sleeper && resolve(e))
    )
    await h.service.runCells(doc.path, [sleeper, queued])
    await started
    await h.service.interrupt(doc.path)
    expect(await cancelled).toEqual([queued])
    expect(await finished).toMatchObject({ status: 'interrupted' })
    const check = await addCode(doc.path, 'print(v)')
    const [rc] = await h.run(doc.path, [check])
    expect(stdout(rc!)).toBe('1\n')
  })

  it('a queue stores the kernel head once, with its last run, and the file then holds every run and that head', async () => {
    const doc = await newNotebook()
    const ids = [
      await addCode(doc.path, 'q = 1'),
      await addCode(doc.path, 'q += 1'),
      await addCode(doc.path, 'q += 1')
    ]
    const commits = vi.spyOn(NotebookStore.prototype, 'commitRun')
    try {
      const runs = await h.run(doc.path, ids)
      expect(runs.map((r) => r?.status)).toEqual(['ok', 'ok', 'ok'])
      // Only the last run of the queue carried the head; the runs before it left theirs to it.
      expect(commits.mock.calls.map(([, head]) => head?.executionCount ?? null)).toEqual([null, null, 3])
    } finally {
      commits.mockRestore()
    }
    await h.service.closeNotebook(doc.path)
    const reopened = await h.service.openNotebook(doc.path)
    if (!reopened.ok) throw new Error(reopened.error)
    expect(reopened.value.kernel).toMatchObject({ headCellId: ids[2], headExecutionCount: 3, notice: null })
    expect(ids.map((id) => reopened.value.lastRuns[id]?.status)).toEqual(['ok', 'ok', 'ok'])
    const check = await addCode(doc.path, 'print(q)')
    expect(stdout((await h.run(doc.path, [check]))[0]!)).toBe('3\n')
  })

  it('stopOnError: a failing run cancels the rest of the queue, and the head the runs before it left is stored', async () => {
    const doc = await newNotebook()
    const a = await addCode(doc.path, 'w = 1')
    const b = await addCode(doc.path, 'w = 2')
    const bad = await addCode(doc.path, 'w = 3\nraise ValueError("no")')
    const after = await addCode(doc.path, 'w = 4')
    const cancelled = new Promise((resolve) =>
      h.service.onEvent(
        (e) =>
          e.type === 'runCancelled' && e.path === doc.path && resolve({ cellIds: e.cellIds, after: e.after })
      )
    )
    const failed = new Promise((resolve) =>
      h.service.onEvent((e) => e.type === 'runFinished' && e.run.cellId === bad && resolve(e.run))
    )
    await h.service.runCells(doc.path, [a, b, bad, after], { stopOnError: true })
    expect(await failed).toMatchObject({ status: 'error', executionCount: 3 })
    // The event names the run that stopped the queue, so the app can say why the rest did not run.
    expect(await cancelled).toEqual({ cellIds: [after], after: { executionCount: 3, status: 'error' } })
    await h.service.closeNotebook(doc.path)
    const reopened = await h.service.openNotebook(doc.path)
    if (!reopened.ok) throw new Error(reopened.error)
    // A Python error moves the head (its assignment before the raise is kept), as it does run by run.
    expect(reopened.value.kernel).toMatchObject({ headCellId: bad, headExecutionCount: 3 })
    expect(reopened.value.lastRuns[after]).toBeUndefined()
    const check = await addCode(doc.path, 'print(w)')
    expect(stdout((await h.run(doc.path, [check]))[0]!)).toBe('3\n')
  })

  it('a queue whose last run is killed stores the head of the run before it', async () => {
    const doc = await newNotebook()
    await h.service.setSettings(doc.path, {
      ...doc.settings,
      limits: { ...doc.settings.limits, fuel: 50_000_000 }
    })
    const a = await addCode(doc.path, 'k = 1')
    const b = await addCode(doc.path, 'k = 2')
    const spin = await addCode(doc.path, 'k = 3\nwhile True: pass')
    const runs = await h.run(doc.path, [a, b, spin])
    expect(runs.map((r) => r?.status)).toEqual(['ok', 'ok', 'out_of_fuel'])
    await h.service.closeNotebook(doc.path)
    const reopened = await h.service.openNotebook(doc.path)
    if (!reopened.ok) throw new Error(reopened.error)
    expect(reopened.value.kernel).toMatchObject({ headCellId: b, headExecutionCount: 2 })
    const check = await addCode(doc.path, 'print(k)')
    expect(stdout((await h.run(doc.path, [check]))[0]!)).toBe('2\n')
  })

  it('answers variables and completion from the head without moving it', async () => {
    const doc = await newNotebook()
    const a = await addCode(doc.path, 'numbers = list(range(10))\nname = "fuel"')
    await h.run(doc.path, [a])
    const vars = await h.service.variables(doc.path)
    expect(vars.ok && vars.value.find((v) => v.name === 'numbers')).toMatchObject({ type: 'list', size: 10 })
    const completion = await h.service.complete(doc.path, 'numb', 4)
    expect(completion.ok && completion.value.matches).toContain('numbers')
    const info = await h.service.openNotebook(doc.path)
    expect(info.ok && info.value.kernel.headExecutionCount).toBe(1)
  })

  it('refuses a malformed file with a clear message and leaves it untouched', async () => {
    const bad = join(h.dataDir, 'bad.fuelbook')
    copyFileSync(__filename, bad)
    const before = createHash('sha256').update(readFileSync(bad)).digest('hex')
    const opened = await h.service.openNotebook(bad)
    expect(opened.ok).toBe(false)
    expect(!opened.ok && opened.error).toMatch(/not a (SQLite|Fuelbook)/i)
    expect(createHash('sha256').update(readFileSync(bad)).digest('hex')).toBe(before)
  })

  it('exports to HTML and .ipynb', async () => {
    const doc = await newNotebook()
    const a = await addCode(doc.path, 'print("<b>exported</b>")')
    await h.run(doc.path, [a])
    const html = await h.service.exportNotebook(doc.path, 'html')
    expect(html.ok && html.value.content).toContain('&lt;b&gt;exported&lt;/b&gt;')
    const ipynb = await h.service.exportNotebook(doc.path, 'ipynb')
    expect(ipynb.ok && JSON.parse(ipynb.value.content).nbformat).toBe(4)
  })

  it('the title follows the file name through Save As unless the user renamed it', async () => {
    const doc = await newNotebook()
    expect(doc.title).toBe('Untitled' + doc.path.replace(/.*Untitled/, '').replace('.fuelbook', ''))
    const sales = join(h.dataDir, 'sales.fuelbook')
    const saved = await h.service.saveNotebookAs(doc.path, sales)
    expect(saved.ok && saved.value.title).toBe('sales')
    expect((await h.service.listRecent()).find((r) => r.path === sales)?.title).toBe('sales')
    const html = await h.service.exportNotebook(sales, 'html')
    expect(html.ok && html.value.filename).toBe('sales.html')
    expect(html.ok && html.value.content).toContain('<h1>sales</h1>')
    const ipynb = await h.service.exportNotebook(sales, 'ipynb')
    expect(ipynb.ok && ipynb.value.filename).toBe('sales.ipynb')
    expect(ipynb.ok && JSON.parse(ipynb.value.content).metadata.title).toBe('sales')

    // Renamed by the user: the title stays through the next Save As; an empty title follows the file again.
    expect((await h.service.setTitle(sales, 'Q3 sales')).ok).toBe(true)
    const q3 = join(h.dataDir, 'q3.fuelbook')
    const copied = await h.service.saveNotebookAs(sales, q3)
    expect(copied.ok && copied.value.title).toBe('Q3 sales')
    expect((await h.service.setTitle(q3, '  ')).ok).toBe(true)
    expect((await h.service.listRecent()).find((r) => r.path === q3)?.title).toBe('q3')
  })

  it('"fuel this session" is the fuel since the last restart, the same after Save As and a reopen', async () => {
    const doc = await newNotebook()
    const a = await addCode(doc.path, 'x = sum(range(10000))')
    const b = await addCode(doc.path, 'while True: pass')
    const [ra, rb] = await h.run(doc.path, [a, b])
    const total = ra!.fuelConsumed + rb!.fuelConsumed
    expect(rb!.status).toBe('out_of_fuel')
    const kernelFuel = (): number =>
      (h.events.findLast((e) => e.type === 'runFinished') as { kernel: { sessionFuel: number } }).kernel
        .sessionFuel
    expect(kernelFuel()).toBe(total)
    const copy = join(h.dataDir, 'session-fuel.fuelbook')
    const saved = await h.service.saveNotebookAs(doc.path, copy)
    expect(saved.ok && saved.value.kernel.sessionFuel).toBe(total)
    await h.service.closeNotebook(copy)
    const reopened = await h.service.openNotebook(copy)
    expect(reopened.ok && reopened.value.kernel.sessionFuel).toBe(total)
    const [ra2] = await h.run(copy, [a])
    expect(kernelFuel()).toBe(total + ra2!.fuelConsumed)

    const restarted = await h.service.restartKernel(copy)
    expect(restarted.ok && restarted.value.sessionFuel).toBe(0)
    await h.service.closeNotebook(copy)
    const afterRestart = await h.service.openNotebook(copy)
    expect(afterRestart.ok && afterRestart.value.kernel).toMatchObject({
      sessionFuel: 0,
      nextExecutionCount: 1
    })
  })
})
