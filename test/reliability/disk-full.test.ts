/**
 * A run whose result does not fit on the disk that holds the notebook: the run is not kept, the
 * kernel goes back to the saved head, the user is told once why, later runs work and the file stays
 * intact and openable. As root each test gets a real 24 MiB tmpfs that the run fills; elsewhere (or if
 * mounting fails) the service test makes the store's commit fail the way a full disk makes it fail and
 * the store test, which needs SQLite to meet a real full disk, does not run. Test names say which ran.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, expect, it, vi } from 'vitest'
import { DEFAULT_SETTINGS } from '../../src/main/service/defaults'
import { NotebookStore } from '../../src/main/store'
import { textOf } from '../helpers/kernel-host'
import { useService } from '../helpers/service-harness'
import { codeCell, makeRun, makeSnapshot } from '../helpers/store-fixtures'

const DISK_MIB = 24
const MIB = 1024 * 1024

interface Disk {
  dir: string
  /** A real file system that fills up, or the simulated failure. */
  real: boolean
  label: string
}

const disks: Disk[] = []

function smallDisk(): Disk {
  const dir = fs.mkdtempSync(join(tmpdir(), 'fuelbook-disk-'))
  const disk = ((): Disk => {
    if (process.getuid?.() !== 0)
      return { dir, real: false, label: 'simulated write failure: not root, no tmpfs' }
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${DISK_MIB}m`, 'tmpfs', dir], { stdio: 'pipe' })
      return { dir, real: true, label: `a real ${DISK_MIB} MiB tmpfs` }
    } catch (error) {
      const why = String((error as { stderr?: unknown }).stderr ?? error).trim()
      return { dir, real: false, label: `simulated write failure: mounting a tmpfs failed (${why})` }
    }
  })()
  disks.push(disk)
  return disk
}

/** The file checked by SQLite itself, outside Fuelbook. */
function integrity(path: string): unknown {
  const db = new Database(path, { readonly: true })
  try {
    return db.pragma('integrity_check', { simple: true })
  } finally {
    db.close()
  }
}

const serviceDisk = smallDisk()
const storeDisk = smallDisk()
const service = useService()

afterAll(() => {
  for (const disk of disks) {
    if (disk.real) execFileSync('umount', [disk.dir])
    fs.rmSync(disk.dir, { recursive: true, force: true })
  }
})

const NOT_KEPT =
  '; the kernel is back to its last saved state, so what this cell did is not kept. Later runs work once the cause is fixed.'

it(`a run that fills the disk is not kept, the user is told once why, later runs work, the file is intact (${serviceDisk.label})`, async () => {
  const h = service()
  const runIn = h.runSource
  const path = join(serviceDisk.dir, 'full.fuelbook')
  const created = NotebookStore.create(path, { title: 'Full disk', settings: DEFAULT_SETTINGS })
  if (!created.ok) throw new Error(created.error)
  created.value.close()
  expect((await h.service.openNotebook(path)).ok).toBe(true)
  const set = await h.service.setSettings(path, {
    ...DEFAULT_SETTINGS,
    limits: { ...DEFAULT_SETTINGS.limits, timeoutMs: 60_000 }
  })
  if (!set.ok) throw new Error(set.error)

  expect((await runIn(path, 'x = 1')).id).toBeGreaterThan(0)
  if (!serviceDisk.real) {
    const sessions = (h.service as unknown as { sessions: Map<string, { store: NotebookStore }> }).sessions
    const store = sessions.get(path)!.store
    const commitRun = store.commitRun.bind(store)
    store.commitRun = () => {
      store.commitRun = commitRun
      throw new Error('database or disk is full')
    }
  }
  // 32 MiB of random bytes in the sandbox's /tmp: the kernel state to save no longer fits the disk.
  const noticesBefore = h.events.length
  const filling = await runIn(
    path,
    "import os\nx = 2\nwith open('/tmp/big', 'wb') as f:\n    for _ in range(32): f.write(os.urandom(2**20))\nprint('written')"
  )
  expect(filling.status).toBe('ok')
  expect(textOf(filling.outputs)).toBe('written\n')
  expect(filling.id).toBe(0)
  const told = h.events
    .slice(noticesBefore)
    .flatMap((e) => (e.type === 'runFinished' || e.type === 'kernelChanged' ? [e.kernel.notice] : []))
    .filter((notice) => notice !== null)
  expect(told.length).toBeGreaterThan(0)
  expect(new Set(told).size).toBe(1)
  const why = serviceDisk.real
    ? `the disk holding ${serviceDisk.dir} is full: saving needs about`
    : 'database or disk is full'
  expect(told[0]).toContain(`This run's result could not be saved (${why}`)
  expect(told[0]).toContain(NOT_KEPT)

  const after = await runIn(path, "import os\nprint(x, os.path.exists('/tmp/big'))")
  expect(textOf(after.outputs)).toBe('1 False\n')
  expect(after.id).toBeGreaterThan(0)
  const doc = await h.service.openNotebook(path)
  expect(doc.ok && doc.value.kernel.notice).toBeNull()

  // The file: closed, checked by SQLite, reopened with its runs and its kernel.
  expect((await h.service.closeNotebook(path)).ok).toBe(true)
  expect(fs.existsSync(`${path}-wal`)).toBe(false)
  expect(integrity(path)).toBe('ok')
  const reopened = await h.service.openNotebook(path)
  if (!reopened.ok) throw new Error(reopened.error)
  expect(reopened.value.kernel.notice).toBeNull()
  const again = await runIn(path, 'print(x + 1)')
  expect(textOf(again.outputs)).toBe('2\n')
  expect((await h.service.closeNotebook(path)).ok).toBe(true)
}, 180_000)

it.runIf(storeDisk.real)(
  `a commit that meets a full disk after the space check gives the -wal's space back; what was committed stays (${storeDisk.label})`,
  () => {
    const path = join(storeDisk.dir, 'raced.fuelbook')
    const created = NotebookStore.create(path, { title: 'Raced', settings: DEFAULT_SETTINGS })
    if (!created.ok) throw new Error(created.error)
    const store = created.value
    store.insertCell(codeCell('a'), 0)
    const kept = store.commitRun(makeRun('a', 1), {
      snapshot: makeSnapshot(4, (i) => i),
      cellId: 'a',
      executionCount: 1
    })
    // Another program fills the disk between the check and the write: the check sees plenty of room.
    const statfs = vi.spyOn(fs, 'statfsSync').mockReturnValue({ bavail: 1 << 30, bsize: 4096 } as fs.StatsFs)
    try {
      // 256 distinct pages of 128 KiB: 32 MiB of blobs on a 24 MiB disk.
      const head = { snapshot: makeSnapshot(256, (i) => i, 128 * 1024), cellId: 'a', executionCount: 2 }
      expect(() => store.commitRun(makeRun('a', 2), head)).toThrow(/full/)
    } finally {
      statfs.mockRestore()
    }
    // The rolled-back frames no longer fill the disk, so the notebook still saves small things.
    expect(fs.statSync(`${path}-wal`).size).toBeLessThan(MIB)
    const next = store.commitRun(makeRun('a', 3), null)
    store.close()
    expect(fs.existsSync(`${path}-wal`)).toBe(false)
    expect(integrity(path)).toBe('ok')
    const reopened = NotebookStore.open(path)
    if (!reopened.ok) throw new Error(reopened.error)
    expect(reopened.value.listRuns('a').map((r) => r.id)).toEqual([next.id, kept.id])
    expect(reopened.value.loadHead()?.executionCount).toBe(1)
    reopened.value.close()
  }
)
