/**
 * What a cell can make the host hold, and what it can do to the notebook's saving, through the
 * service as the UI drives it: each finding of the sandbox resource probe, reproduced.
 */
import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ErrorOutput, Limits, RunRecord } from '../../src/shared/notebook'
import { DEFAULT_SETTINGS } from '../../src/main/service/defaults'
import type { NotebookStore } from '../../src/main/store'
import { textOf } from '../helpers/kernel-host'
import { startService, type ServiceHarness } from '../helpers/service-harness'

let h: ServiceHarness

beforeAll(async () => {
  h = await startService()
}, 120_000)

afterAll(async () => {
  await h?.close()
  rmSync(h.dataDir, { recursive: true, force: true })
})

async function notebook(limits: Partial<Limits> = {}): Promise<string> {
  const created = await h.service.createNotebook()
  if (!created.ok) throw new Error(created.error)
  const path = created.value.path
  const set = await h.service.setSettings(path, {
    ...DEFAULT_SETTINGS,
    limits: { ...DEFAULT_SETTINGS.limits, timeoutMs: 60_000, ...limits }
  })
  if (!set.ok) throw new Error(set.error)
  return path
}

async function runIn(path: string, source: string): Promise<RunRecord> {
  const cell = await h.service.insertCell(path, { type: 'code', source })
  if (!cell.ok) throw new Error(cell.error)
  const [run] = await h.run(path, [cell.value.id])
  return run!
}

/** The run as the notebook shows it after a reload (what the file holds). */
async function storedRun(path: string, run: RunRecord): Promise<RunRecord> {
  const got = await h.service.getRun(path, run.id)
  if (!got.ok) throw new Error(got.error)
  return got.value
}

const errorOf = (run: RunRecord): ErrorOutput | undefined =>
  run.outputs.find((o): o is ErrorOutput => o.type === 'error')

describe('outputs', () => {
  it('a cell that prints up to the output cap and then raises keeps its traceback in the file', async () => {
    const path = await notebook({ outputBytes: 64 * 1024 })
    const run = await runIn(path, "print('x' * 200_000)\nraise ValueError('the reason')")
    expect(run.status).toBe('error')
    for (const shown of [run, await storedRun(path, run)]) {
      expect(shown.outputs.map((o) => o.type)).toEqual(['stream', 'error', 'truncated'])
      expect(errorOf(shown)).toMatchObject({ ename: 'ValueError', evalue: 'the reason' })
      expect(errorOf(shown)!.traceback.join('\n')).toContain('ValueError: the reason')
    }
  }, 60_000)

  it('error records count against the output cap: a flood of them keeps a bounded few, then the marker', async () => {
    const path = await notebook({ outputBytes: 256 * 1024 })
    const run = await runIn(
      path,
      [
        'import _fuelbook, json',
        "record = json.dumps({'ename': 'Flood', 'evalue': 'e' * 2_000_000, 'traceback': []}).encode()",
        'for _ in range(50): _fuelbook.emit(3, record)',
        "print('done')"
      ].join('\n')
    )
    expect(run.status).toBe('ok')
    const stored = await storedRun(path, run)
    const json = JSON.stringify(stored.outputs)
    // The cap plus one bounded error past it, whatever the cell sent.
    expect(json.length).toBeLessThan(256 * 1024 + 80 * 1024)
    const marker = stored.outputs[stored.outputs.length - 1]
    expect(marker).toMatchObject({ type: 'truncated' })
    const kept = stored.outputs.filter((o) => o.type === 'error').length
    expect(kept + (marker as { droppedOutputs: number }).droppedOutputs).toBe(50)
    expect(kept).toBeLessThan(25)
  }, 60_000)

  it.each([
    ['b"null"', 1],
    ['b"[1, 2]"', 2],
    ['b"{\\"data\\": 5}"', 1],
    ['b"{\\"ename\\": 3}"', 3],
    ['b"\\xff\\xfe"', 3],
    ['b"{"', 1],
    ['b"{}"', 99],
    ['b"{\\"data\\": {}}" * 2', 1],
    ['b"[" * 100_000 + b"]" * 100_000', 1],
    ['("{\\"data\\": " + "[" * 5000 + "]" * 5000 + "}").encode()', 1]
  ])(
    'a malformed display record (%s, kind %i) ends as a clear error output',
    async (payload, kind) => {
      const path = await notebook()
      const run = await runIn(path, `import _fuelbook\n_fuelbook.emit(${kind}, ${payload})\nprint('after')`)
      expect(run.status).toBe('ok')
      expect(run.message).toBeNull()
      const error = errorOf(run)
      expect(error?.evalue).toMatch(/^the cell sent a malformed display record/)
      expect(run.outputs.some((o) => o.type === 'stream' && o.text === 'after\n')).toBe(true)
    },
    60_000
  )
})

describe('the file-system quota', () => {
  const MiB = 1024 * 1024

  it('a sparse file larger than the quota fails with ENOSPC naming the quota; the host never holds it', async () => {
    const path = await notebook({ fsBytes: 8 * MiB })
    const run = await runIn(path, "import os\nopen('/tmp/s', 'wb').close()\nos.truncate('/tmp/s', 3 * 2**30)")
    expect(run.status).toBe('error')
    expect(errorOf(run)).toMatchObject({ ename: 'OSError' })
    expect(errorOf(run)!.evalue).toMatch(/No space left on device/)
    const stderr = run.outputs.map((o) => (o.type === 'stream' && o.name === 'stderr' ? o.text : '')).join('')
    expect(stderr).toContain('the sandbox file system is full: its quota is 8 MiB')
  }, 60_000)

  it('real data stops at the quota, the files written so far stay, and the stats show the use', async () => {
    const path = await notebook({ fsBytes: 8 * MiB })
    const run = await runIn(
      path,
      [
        'import os',
        'written = 0',
        'try:',
        '    for i in range(20):',
        "        with open(f'/tmp/f{i}', 'wb') as f: f.write(os.urandom(MiB := 2**20))",
        '        written += 1',
        'except OSError as e:',
        "    print('stopped', e.errno, written)"
      ].join('\n')
    )
    expect(run.status).toBe('ok')
    expect(textOf(run.outputs)).toMatch(/^stopped 51 7\n/)
    expect(run.fsBytes).toBeGreaterThan(7 * MiB)
    expect(run.fsBytes).toBeLessThanOrEqual(8 * MiB)
    expect((await storedRun(path, run)).fsBytes).toBe(run.fsBytes)
  }, 60_000)

  it('hard links and files kept open after unlinking still count', async () => {
    const path = await notebook({ fsBytes: 8 * MiB })
    const run = await runIn(
      path,
      [
        'import os',
        'kept = []',
        'n = 0',
        'try:',
        '    for i in range(20):',
        "        with open(f'/tmp/a{i}', 'wb') as f: f.write(b'x' * 2**20)",
        "        os.link(f'/tmp/a{i}', f'/tmp/b{i}')",
        "        os.unlink(f'/tmp/a{i}')",
        "        f = open(f'/tmp/b{i}', 'rb'); kept.append(f)",
        "        os.unlink(f'/tmp/b{i}')",
        '        n += 1',
        'except OSError as e:',
        "    print('stopped', e.errno, n)"
      ].join('\n')
    )
    expect(run.status).toBe('ok')
    expect(textOf(run.outputs)).toMatch(/^stopped 51 7\n/)
  }, 60_000)

  it('files deleted in the run give their space back', async () => {
    const path = await notebook({ fsBytes: 8 * MiB })
    const run = await runIn(
      path,
      [
        'import os',
        'for i in range(40):',
        "    with open('/tmp/t', 'wb') as f: f.write(b'y' * 2**20)",
        "    os.rename('/tmp/t', '/tmp/u')",
        "    os.remove('/tmp/u')",
        "print('ok')"
      ].join('\n')
    )
    expect(run.status).toBe('ok')
    expect(run.fsBytes).toBeLessThan(64 * 1024)
  }, 60_000)
})

describe('saving the kernel state', () => {
  const MiB = 1024 * 1024

  it('a file near the quota in /tmp saves, reopens and keeps running (no string in the way)', async () => {
    const path = await notebook({ fsBytes: 48 * MiB })
    expect((await runIn(path, 'x = 1')).status).toBe('ok')
    const big = await runIn(
      path,
      "import os\nwith open('/tmp/big', 'wb') as f:\n    for _ in range(44): f.write(os.urandom(2**20))"
    )
    expect(big.status).toBe('ok')
    const saved = await runIn(path, 'y = 2')
    expect(saved.id).toBeGreaterThan(0)
    expect((await h.service.closeNotebook(path)).ok).toBe(true)
    expect((await h.service.openNotebook(path)).ok).toBe(true)
    const after = await runIn(path, "import os\nprint(x, y, os.path.getsize('/tmp/big'))")
    expect(after.status).toBe('ok')
    expect(textOf(after.outputs)).toBe(`1 2 ${44 * MiB}\n`)
  }, 120_000)

  it('when a run cannot be saved, the kernel goes back to the stored head and the user is told', async () => {
    const path = await notebook()
    expect((await runIn(path, 'x = 1')).status).toBe('ok')
    // A simulated write failure, as a full disk gives it: the store refuses the run's commit once.
    const sessions = (h.service as unknown as { sessions: Map<string, { store: NotebookStore }> }).sessions
    const store = sessions.get(path)!.store
    const commitRun = store.commitRun.bind(store)
    store.commitRun = () => {
      store.commitRun = commitRun
      throw new Error('database or disk is full')
    }
    const failed = await runIn(path, 'x = 2\nz = 3')
    expect(failed.id).toBe(0)
    const doc = await h.service.openNotebook(path)
    if (!doc.ok) throw new Error(doc.error)
    expect(doc.value.kernel.notice).toMatch(
      /could not be saved \(database or disk is full\).*back to its last saved state/
    )
    const after = await runIn(path, "print(x, 'z' in globals())")
    expect(textOf(after.outputs)).toBe('1 False\n')
  }, 60_000)
})
