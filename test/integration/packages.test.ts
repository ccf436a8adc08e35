/**
 * `%pip install` end to end through the real NotebookService: a real PEP 691 index on 127.0.0.1
 * over wheels built here, the wheels stored in the .fuelbook file and importable in the sandbox,
 * every refusal the user can meet, and the notebook re-run elsewhere with no index reachable.
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunRecord } from '../../src/shared/notebook'
import { NotebookStore } from '../../src/main/store'
import { startPackageIndex, type PackageIndex } from '../helpers/package-index'
import { startService, type ServiceHarness } from '../helpers/service-harness'
import { buildWheel } from '../helpers/wheels'

const module = (name: string, body: string): Record<string, string> => ({ [`${name}/__init__.py`]: body })

const app = buildWheel({
  name: 'app-kit',
  version: '1.0',
  extras: ['fast'],
  requires: ['mid-lib>=2', 'speedy; extra == "fast"', 'winreg-helper; sys_platform == "win32"'],
  files: module('app_kit', 'import mid_lib\ndef answer():\n    return mid_lib.value() + 1\n')
})
const midOld = buildWheel({
  name: 'mid-lib',
  version: '1.0',
  files: module('mid_lib', 'def value():\n    return 0\n')
})
const mid = buildWheel({
  name: 'mid-lib',
  version: '2.1',
  requires: ['base-lib'],
  files: module('mid_lib', 'import base_lib\ndef value():\n    return base_lib.VALUE * 2\n')
})
const base = buildWheel({ name: 'base-lib', version: '0.3', files: module('base_lib', 'VALUE = 20\n') })
const baseTooNew = buildWheel({
  name: 'base-lib',
  version: '0.4',
  requiresPython: '>=3.12',
  files: module('base_lib', 'VALUE = 99\n')
})
const speedy = buildWheel({ name: 'speedy', version: '3.0', files: module('speedy', 'FAST = True\n') })
const greeter = buildWheel({
  name: 'greeter',
  version: '0.5',
  files: {
    'greeter/__init__.py':
      'from importlib import resources\ndef motto():\n    return resources.files(__name__).joinpath("motto.txt").read_text()\n',
    'greeter/motto.txt': 'fuel is finite'
  }
})
const left = buildWheel({
  name: 'left',
  version: '1.0',
  requires: ['shared-dep<2'],
  files: module('left', '')
})
const right = buildWheel({
  name: 'right',
  version: '1.0',
  requires: ['shared-dep>=2'],
  files: module('right', '')
})
const shared1 = buildWheel({ name: 'shared-dep', version: '1.5', files: module('shared_dep', '') })
const shared2 = buildWheel({ name: 'shared-dep', version: '2.0', files: module('shared_dep', '') })
const compiled = [
  'cp311-cp311-manylinux_2_17_x86_64',
  'cp311-cp311-macosx_11_0_arm64',
  'cp311-cp311-win_amd64'
].map((tag) => buildWheel({ name: 'fastmath', version: '1.0', tag, files: module('fastmath', '') }))
const tampered = buildWheel({ name: 'tampered', version: '1.0', files: module('tampered', '') })

let index: PackageIndex
let svc: ServiceHarness
let work: string

beforeAll(async () => {
  index = await startPackageIndex([
    { wheel: app, metadataFile: true },
    { wheel: midOld },
    { wheel: mid, metadataFile: true },
    { wheel: base },
    { wheel: baseTooNew, requiresPython: '>=3.12' },
    { wheel: speedy },
    { wheel: greeter },
    { wheel: left },
    { wheel: right },
    { wheel: shared1 },
    { wheel: shared2 },
    ...compiled.map((wheel) => ({ wheel })),
    { wheel: tampered, listedSha256: '0'.repeat(64) }
  ])
  svc = await startService()
  await svc.service.setAppSettings({ packageIndexUrl: index.url })
  work = mkdtempSync(join(tmpdir(), 'fuelbook-packages-'))
}, 120_000)

afterAll(async () => {
  await svc?.close()
  await index?.close()
})

async function notebookWith(sources: string[], name: string): Promise<{ path: string; ids: string[] }> {
  const created = await svc.service.createNotebook()
  if (!created.ok) throw new Error(created.error)
  const saved = await svc.service.saveNotebookAs(created.value.path, join(work, `${name}.fuelbook`))
  if (!saved.ok) throw new Error(saved.error)
  const path = saved.value.path
  const ids: string[] = [saved.value.cells[0]!.id]
  await svc.service.updateCell(path, ids[0]!, { source: sources[0]! })
  for (const source of sources.slice(1)) {
    const cell = await svc.service.insertCell(path, { type: 'code', source })
    if (!cell.ok) throw new Error(cell.error)
    ids.push(cell.value.id)
  }
  return { path, ids }
}

const stdout = (run: RunRecord): string =>
  run.outputs.map((o) => (o.type === 'stream' && o.name === 'stdout' ? o.text : '')).join('')
const errorText = (run: RunRecord): string =>
  run.outputs.map((o) => (o.type === 'error' ? `${o.ename}: ${o.evalue}` : '')).join('')

describe('%pip install from a PEP 691 index', () => {
  it('installs a dependency chain with an extra, skips a marker-excluded dependency and old Pythons, then imports', async () => {
    const { path, ids } = await notebookWith(
      [
        '%pip install app-kit[fast]\nimport app_kit, speedy, importlib.metadata\nprint(app_kit.answer(), speedy.FAST, importlib.metadata.version("mid-lib"))'
      ],
      'chain'
    )
    const [run] = await svc.run(path, ids)
    expect(run!.status, JSON.stringify(run!.outputs)).toBe('ok')
    expect(stdout(run!)).toBe(
      'Installed in this notebook: app-kit 1.0, mid-lib 2.1, speedy 3.0, base-lib 0.3\n41 True 2.1\n'
    )
    const listed = await svc.service.listPackages(path)
    expect(listed.ok && listed.value.map((p) => `${p.name} ${p.version} <- ${p.requestedBy}`)).toEqual([
      'app-kit 1.0 <- app-kit[fast]',
      'base-lib 0.3 <- mid-lib 2.1 requires base-lib',
      'mid-lib 2.1 <- app-kit 1.0 requires mid-lib>=2',
      'speedy 3.0 <- app-kit 1.0 requires speedy'
    ])
    // The win32 marker kept winreg-helper out (never asked for); PEP 658 metadata was used when offered.
    expect(index.requests.some((r) => r.includes('winreg'))).toBe(false)
    expect(index.requests).toContain(`GET /files/${app.filename}.metadata`)
    expect(index.requests.some((r) => r.includes(baseTooNew.filename))).toBe(false)
    // The stored wheel is the file as served, byte for byte.
    const stored = listed.ok ? listed.value.find((p) => p.name === 'app-kit') : undefined
    expect(stored?.sha256).toBe(app.sha256)
    expect(stored?.bytes).toBe(app.bytes.byteLength)
  })

  it('reads package data through importlib.resources', async () => {
    const { path, ids } = await notebookWith(
      ['%pip install greeter', 'import greeter\nprint(greeter.motto())'],
      'data'
    )
    const runs = await svc.run(path, ids)
    expect(runs.map((r) => r.status)).toEqual(['ok', 'ok'])
    expect(stdout(runs[1]!)).toBe('fuel is finite\n')
  })

  it('names the conflicting pins and stores nothing', async () => {
    const { path, ids } = await notebookWith(['%pip install left right\nprint("not reached")'], 'conflict')
    const [run] = await svc.run(path, ids)
    expect(run!.status).toBe('error')
    expect(errorText(run!)).toBe(
      'PackageError: cannot install: no version of shared-dep satisfies every requirement: ' +
        'shared-dep<2 (left 1.0 requires shared-dep<2); shared-dep>=2 (right 1.0 requires shared-dep>=2)'
    )
    expect(stdout(run!)).toBe('')
    expect(run!.fuelConsumed).toBe(0)
    const listed = await svc.service.listPackages(path)
    expect(listed.ok && listed.value).toEqual([])
  })

  it('refuses a package with compiled wheels only, naming their platforms', async () => {
    const { path, ids } = await notebookWith(['%pip install fastmath'], 'compiled')
    const [run] = await svc.run(path, ids)
    expect(errorText(run!)).toBe(
      "PackageError: fastmath needs compiled code for Linux, macOS, Windows; Fuelbook's runtime includes the Python standard library only; fastmath cannot be installed"
    )
  })

  it('stores nothing when a download does not match the index sha256', async () => {
    const { path, ids } = await notebookWith(['%pip install greeter tampered'], 'hash')
    const [run] = await svc.run(path, ids)
    expect(errorText(run!)).toMatch(
      /^PackageError: tampered-1\.0-py3-none-any\.whl: sha256 mismatch \(the index says 000000000000…, the download is [0-9a-f]{12}…\); nothing was installed$/
    )
    const listed = await svc.service.listPackages(path)
    expect(listed.ok && listed.value).toEqual([])
  })

  it('without network says so in one line and how to use a folder of wheels, which then works', async () => {
    const { path, ids } = await notebookWith(
      ['%pip install greeter', `%pip install --no-index --find-links ${JSON.stringify(work)} greeter`],
      'offline'
    )
    writeFileSync(join(work, greeter.filename), greeter.bytes)
    const closed = await startPackageIndex([])
    await closed.close()
    await svc.service.setAppSettings({ packageIndexUrl: closed.url })
    try {
      const [refused, fromFolder] = await svc.run(path, ids)
      expect(errorText(refused!)).toMatch(
        /^PackageError: cannot reach the package index http:\/\/127\.0\.0\.1:\d+\/simple\/ \(fetch failed: .*ECONNREFUSED.*\)\. Without network, download the wheels elsewhere and install them from a folder: %pip install --no-index --find-links FOLDER NAME$/
      )
      expect(fromFolder!.status).toBe('ok')
      expect(stdout(fromFolder!)).toBe('Installed in this notebook: greeter 0.5\n')
    } finally {
      await svc.service.setAppSettings({ packageIndexUrl: index.url })
    }
  })

  it('refuses to go over the size cap, with nothing stored', async () => {
    const { path, ids } = await notebookWith(['%pip install greeter'], 'cap')
    await svc.service.setAppSettings({ packagesMaxMegabytes: 1 })
    // Random bytes do not compress: each wheel is over 60 kB.
    const noise = crypto.getRandomValues(new Uint8Array(60_000))
    const folder = join(work, 'bulky')
    mkdirSync(folder, { recursive: true })
    // 20 copies under different versions: more than 1 MB together.
    const versions = Array.from({ length: 20 }, (_v, i) => `1.${i}`)
    for (const version of versions) {
      const wheel = buildWheel({
        name: `bulky${version.replace('.', '')}`,
        version,
        files: { 'x/blob.bin': noise }
      })
      writeFileSync(join(folder, wheel.filename), wheel.bytes)
    }
    try {
      const names = versions.map((v) => `bulky${v.replace('.', '')}`)
      await svc.service.updateCell(path, ids[0]!, {
        source: `%pip install --no-index -f ${folder} ${names.join(' ')}`
      })
      const [run] = await svc.run(path, ids)
      expect(errorText(run!)).toMatch(
        /^PackageError: cannot install: the notebook's packages would take \d+\.\d MB, over its limit of 1\.0 MB \(Settings ▸ Packages size limit\); nothing was installed$/
      )
      const listed = await svc.service.listPackages(path)
      expect(listed.ok && listed.value).toEqual([])
    } finally {
      await svc.service.setAppSettings({ packagesMaxMegabytes: 50 })
    }
  })

  it('lists and removes packages from the sidebar calls and %pip', async () => {
    const { path, ids } = await notebookWith(['%pip install greeter\n%pip list'], 'list')
    const [run] = await svc.run(path, ids)
    expect(stdout(run!)).toBe(
      'Installed in this notebook: greeter 0.5\nPackage  Version\n-------  -------\ngreeter  0.5\n'
    )
    const removed = await svc.service.removePackages(path, ['Greeter'])
    expect(removed.ok && removed.value).toEqual([])
    const again = await svc.service.removePackages(path, ['greeter'])
    expect(again).toEqual({ ok: false, error: 'not installed in this notebook: greeter' })
    const eventsBefore = svc.events.length
    const installed = await svc.service.installPackages(path, ['greeter==0.5'])
    expect(installed.ok && installed.value.summary).toBe('Installed in this notebook: greeter 0.5\n')
    // What the Packages section shows while it waits, then the new list for every client.
    const seen = svc.events
      .slice(eventsBefore)
      .filter((e) => e.path === path && (e.type === 'packagesProgress' || e.type === 'packagesChanged'))
      .map((e) =>
        e.type === 'packagesProgress'
          ? e.text
          : e.type === 'packagesChanged'
            ? e.packages.map((p) => p.name)
            : ''
      )
    expect(seen).toEqual([
      'Resolving greeter…',
      `Downloading ${greeter.filename}…`,
      null,
      ['greeter'],
      // Its bytecode cache is made as part of the install.
      'Compiling greeter…',
      null
    ])
    const refused = await svc.service.installPackages(path, ['fastmath'])
    expect(refused.ok).toBe(false)
    expect(svc.events.at(-1)).toEqual({ type: 'packagesProgress', path, text: null })
  })
})

describe('a notebook carries its packages', () => {
  it('re-runs in another folder with no index reachable: same outputs, same fuel', async () => {
    const { path, ids } = await notebookWith(
      ['%pip install app-kit', 'import app_kit\nprint(app_kit.answer())', 'import greeter'],
      'carried'
    )
    const first = await svc.run(path, ids)
    expect(first.map((r) => r.status)).toEqual(['ok', 'ok', 'error'])
    await svc.service.closeNotebook(path)
    const elsewhere = join(mkdtempSync(join(tmpdir(), 'fuelbook-elsewhere-')), 'carried.fuelbook')
    copyFileSync(path, elsewhere)
    await index.close()
    const before = index.requests.length
    try {
      const reopened = await svc.service.openNotebook(elsewhere)
      expect(reopened.ok).toBe(true)
      // Variables came back with the file; the wheels are mounted again for the next runs.
      const imported = await svc.run(elsewhere, [ids[1]!])
      expect(stdout(imported[0]!)).toBe('41\n')
      await svc.service.restartKernel(elsewhere)
      const second = await svc.run(elsewhere, ids)
      expect(second.map((r) => r.outputs)).toEqual(first.map((r) => r.outputs))
      expect(second.map((r) => r.fuelConsumed)).toEqual(first.map((r) => r.fuelConsumed))
      expect(index.requests.length).toBe(before)
    } finally {
      await svc.service.closeNotebook(elsewhere)
    }
    const store = NotebookStore.open(elsewhere)
    expect(store.ok && store.value.listPackages().map((p) => p.name)).toEqual([
      'app-kit',
      'base-lib',
      'mid-lib'
    ])
    if (store.ok) store.value.close()
  })
})

describe('the bytecode cache beside each wheel', () => {
  const progress = (path: string, from: number): (string | null)[] =>
    svc.events.slice(from).flatMap((e) => (e.type === 'packagesProgress' && e.path === path ? [e.text] : []))
  const rows = (path: string): { wheel_sha256: string; bytes: number; modules: number }[] => {
    const db = new Database(path, { readonly: true })
    try {
      return db.prepare('SELECT wheel_sha256, bytes, modules FROM package_bytecode').all() as {
        wheel_sha256: string
        bytes: number
        modules: number
      }[]
    } finally {
      db.close()
    }
  }

  it('is made at install, rebuilt before a run when missing or damaged in the file, and removed with its wheel', async () => {
    // From a file: the index is closed by the test above.
    const wheelFile = join(work, greeter.filename)
    writeFileSync(wheelFile, greeter.bytes)
    const { path, ids } = await notebookWith(
      [
        `%pip install --no-index ${wheelFile}`,
        'import greeter\nprint(greeter.motto())\nprint(greeter.__file__)'
      ],
      'bytecode'
    )
    const from = svc.events.length
    const first = await svc.run(path, ids)
    expect(
      first.map((r) => r.status),
      JSON.stringify(first.map((r) => r.outputs))
    ).toEqual(['ok', 'ok'])
    expect(progress(path, from)).toContain('Compiling greeter…')
    // Each import below starts from a restarted kernel, as this one does.
    await svc.service.restartKernel(path)
    const imported = (await svc.run(path, [ids[1]!]))[0]!
    expect(stdout(imported)).toBe(
      `fuel is finite\n/usr/local/lib/fuelbook-packages/${greeter.filename}/greeter/__init__.py\n`
    )
    await svc.service.closeNotebook(path)
    const [row] = rows(path)
    expect(rows(path)).toHaveLength(1)
    expect(row).toMatchObject({ wheel_sha256: greeter.sha256, modules: 1 })

    const again = async (what: string): Promise<void> => {
      const since = svc.events.length
      expect((await svc.service.openNotebook(path)).ok).toBe(true)
      await svc.service.restartKernel(path)
      const [run] = await svc.run(path, [ids[1]!])
      expect(run!.outputs, what).toEqual(imported.outputs)
      expect(run!.fuelConsumed, what).toBe(imported.fuelConsumed)
      expect(progress(path, since), what).toEqual(['Compiling greeter…', null])
      await svc.service.closeNotebook(path)
      expect(rows(path), what).toEqual([row])
    }
    // Bytes flipped in the file: the stored sha256 no longer matches, so it is made again.
    const db = new Database(path)
    db.prepare('UPDATE package_bytecode SET cache = ?').run(
      Buffer.from(
        (db.prepare('SELECT cache FROM package_bytecode').get() as { cache: Buffer }).cache.map((b, i) =>
          i % 7 === 3 ? b ^ 0x5a : b
        )
      )
    )
    db.close()
    await again('damaged')
    // A notebook saved before caches existed (or by another runtime): none in the file.
    const old = new Database(path)
    old.prepare('DELETE FROM package_bytecode').run()
    old.close()
    await again('missing')

    // Interrupted while it waits for the cache: the cell never runs; the cache made is kept.
    const none = new Database(path)
    none.prepare('DELETE FROM package_bytecode').run()
    none.close()
    expect((await svc.service.openNotebook(path)).ok).toBe(true)
    const stop = svc.service.onEvent((e) => {
      if (e.type === 'packagesProgress' && e.path === path && e.text === 'Compiling greeter…')
        void svc.service.interrupt(path)
    })
    const [stopped] = await svc.run(path, [ids[1]!])
    stop()
    expect(stopped).toMatchObject({ status: 'interrupted', fuelConsumed: 0, outputs: [] })
    expect(stopped!.message).toMatch(/^interrupted while its packages' bytecode was compiled, before it ran/)
    const [after] = await svc.run(path, [ids[1]!])
    expect(after!.outputs).toEqual(imported.outputs)

    expect((await svc.service.removePackages(path, ['greeter'])).ok).toBe(true)
    await svc.service.closeNotebook(path)
    expect(rows(path)).toEqual([])
  })
})
