/**
 * A run whose result does not fit on the disk that holds the notebook: the run is not kept, the
 * kernel goes back to the saved head, the user is told once, later runs work and the file stays
 * intact. As root the notebook lives on a real 24 MiB tmpfs that the run fills; elsewhere (or if
 * mounting fails) the store's commit fails the way a full disk makes it fail. The test's name says
 * which of the two ran.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, expect, it } from 'vitest'
import { DEFAULT_SETTINGS } from '../../src/main/service/defaults'
import { NotebookStore } from '../../src/main/store'
import { textOf } from '../helpers/kernel-host'
import { useService } from '../helpers/service-harness'

const DISK_MIB = 24

interface Disk {
  dir: string
  /** A real file system that fills up, or the simulated failure. */
  real: boolean
  label: string
}

function smallDisk(): Disk {
  const dir = mkdtempSync(join(tmpdir(), 'fuelbook-disk-'))
  if (process.getuid?.() !== 0)
    return { dir, real: false, label: 'simulated write failure: not root, no tmpfs' }
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${DISK_MIB}m`, 'tmpfs', dir], { stdio: 'pipe' })
    return { dir, real: true, label: `a real ${DISK_MIB} MiB tmpfs` }
  } catch (error) {
    const why = String((error as { stderr?: unknown }).stderr ?? error).trim()
    return { dir, real: false, label: `simulated write failure: mounting a tmpfs failed (${why})` }
  }
}

const disk = smallDisk()
const service = useService()

afterAll(() => {
  if (disk.real) execFileSync('umount', [disk.dir])
  rmSync(disk.dir, { recursive: true, force: true })
})

it(`a run that fills the disk is not kept, the user is told once, later runs work, the file is intact (${disk.label})`, async () => {
  const h = service()
  const runIn = h.runSource
  const path = join(disk.dir, 'full.fuelbook')
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
  if (!disk.real) {
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
  expect(told[0]).toBe(
    "This run's result could not be saved (database or disk is full); the kernel is back to its last saved state, so what this cell did is not kept. Later runs work once the cause is fixed."
  )

  const after = await runIn(path, "import os\nprint(x, os.path.exists('/tmp/big'))")
  expect(textOf(after.outputs)).toBe('1 False\n')
  expect(after.id).toBeGreaterThan(0)
  const doc = await h.service.openNotebook(path)
  expect(doc.ok && doc.value.kernel.notice).toBeNull()

  // The file: closed, checked by SQLite, reopened with its runs and its kernel.
  expect((await h.service.closeNotebook(path)).ok).toBe(true)
  console.log(execFileSync('sh', ['-c', `ls -la ${disk.dir}; df ${disk.dir}`]).toString())
  const db = new Database(path, { readonly: true })
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
  db.close()
  const reopened = await h.service.openNotebook(path)
  if (!reopened.ok) throw new Error(reopened.error)
  expect(reopened.value.kernel.notice).toBeNull()
  const again = await runIn(path, 'print(x + 1)')
  expect(textOf(again.outputs)).toBe('2\n')
}, 180_000)
