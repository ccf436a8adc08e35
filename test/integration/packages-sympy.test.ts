/**
 * A real, large pure-Python package in a notebook: sympy and mpmath as wheels built from Debian's
 * python3-sympy and python3-mpmath (test/helpers/debian-wheels.ts), installed from a folder of
 * wheels with `%pip install --no-index --find-links`, imported and used inside the sandbox, giving
 * what native CPython gives from the same sources. Importing sympy runs hundreds of modules: from the
 * bytecode cache stored with the wheels it still takes about 8 times the default fuel budget (75
 * times compiling them: bench/packages.bench.ts), so with the defaults the cell stops as out of fuel,
 * and with the budget raised in the notebook's settings it runs; closed, copied elsewhere with no
 * wheelhouse, it re-runs with the same outputs and fuel.
 */
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, renameSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunRecord } from '../../src/shared/notebook'
import { DEFAULT_LIMITS } from '../../src/shared/limits'
import { buildDebianWheels, NATIVE_PYTHON3, SYMPY_DISTS, type DebianWheel } from '../helpers/debian-wheels'
import { startService, type ServiceHarness } from '../helpers/service-harness'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { bytecodeFile } from '../../src/main/packages'
import type { MountedWheel } from '../../src/main/sandbox/wasi/fs-image'
import { LIMITS, textOf, useTestHost } from '../helpers/kernel-host'

const INTEGRATE = "import sympy\nx = sympy.symbols('x')\nprint(sympy.integrate(x**2 * sympy.sin(x), x))"
/** Checks a wheel as pip would: every file listed in RECORD with its sha256 and size, RECORD itself unhashed. */
const VERIFY_RECORD = `
import base64, csv, hashlib, io, sys, zipfile
for path in sys.argv[1:]:
    z = zipfile.ZipFile(path)
    record = [n for n in z.namelist() if n.endswith('.dist-info/RECORD')][0]
    rows = list(csv.reader(io.StringIO(z.read(record).decode())))
    listed = {r[0] for r in rows}
    assert listed == set(z.namelist()), (path, set(z.namelist()) ^ listed)
    for name, digest, size in rows:
        if name == record:
            assert digest == '' and size == '', name
            continue
        data = z.read(name)
        want = 'sha256=' + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()
        assert digest == want and int(size) == len(data), name
    print(path.rsplit('/', 1)[1], len(rows))
`

let svc: ServiceHarness
let wheelhouse: string
let built: DebianWheel[]

beforeAll(async () => {
  wheelhouse = join(mkdtempSync(join(tmpdir(), 'fuelbook-sympy-')), 'wheelhouse')
  built = buildDebianWheels(SYMPY_DISTS, wheelhouse)
  svc = await startService()
}, 120_000)

afterAll(async () => {
  await svc?.close()
})

const stdout = (run: RunRecord): string =>
  run.outputs.map((o) => (o.type === 'stream' && o.name === 'stdout' ? o.text : '')).join('')

describe('sympy from Debian-built wheels', () => {
  it('builds proper wheels: METADATA with the dependency, RECORD hashes that native Python verifies', () => {
    expect(built.map((w) => w.filename)).toEqual([
      'mpmath-1.2.1-py3-none-any.whl',
      'sympy-1.11.1-py3-none-any.whl'
    ])
    const verified = spawnSync(
      NATIVE_PYTHON3,
      ['-I', '-c', VERIFY_RECORD, ...built.map((w) => join(wheelhouse, w.filename))],
      { encoding: 'utf8' }
    )
    expect(verified.stderr).toBe('')
    expect(verified.stdout).toMatch(
      /^mpmath-1\.2\.1-py3-none-any\.whl \d+\nsympy-1\.11\.1-py3-none-any\.whl \d+\n$/
    )
  })

  it('installs from a wheelhouse; the import runs out of the default budget, then integrates as native does with a larger one, and re-runs elsewhere from the file alone', async () => {
    const created = await svc.service.createNotebook()
    if (!created.ok) throw new Error(created.error)
    const path = created.value.path
    const cell = created.value.cells[0]!.id
    await svc.service.updateCell(path, cell, {
      source: `%pip install --no-index --find-links ${wheelhouse} sympy\n${INTEGRATE}\nimport importlib.metadata as md\nprint(md.version('sympy'), md.requires('sympy'))`
    })
    expect(created.value.settings.limits.fuel).toBe(DEFAULT_LIMITS.fuel)
    const [defaults] = await svc.run(path, [cell])
    expect(defaults!.status).toBe('out_of_fuel')
    // The install happened before the cell ran and is kept; only the cell's run was stopped.
    const listed = await svc.service.listPackages(path)
    expect(listed.ok && listed.value.map((p) => `${p.displayName} ${p.version} ${p.bytes}`)).toEqual(
      [...built].map((w) => `${w.dist} ${w.version} ${w.bytes}`)
    )

    const raised = await svc.service.setSettings(path, {
      // Deterministic: otherwise the hash seed differs per run, sympy iterates its sets of terms in
      // another order and integrate() spends a slightly different fuel (measured: 0.1%).
      deterministic: true,
      // The timeout too: on a loaded machine the import alone can take over 15 s.
      limits: { ...created.value.settings.limits, fuel: 50_000_000_000, timeoutMs: 180_000 }
    })
    expect(raised.ok).toBe(true)
    // Both runs compared below start from a restarted kernel (the re-run elsewhere does too).
    await svc.service.restartKernel(path)
    const [run] = await svc.run(path, [cell])
    expect(run!.status, JSON.stringify(run!.outputs)).toBe('ok')
    const native = spawnSync(NATIVE_PYTHON3, ['-I', '-c', INTEGRATE], { encoding: 'utf8' })
    expect(native.stderr).toBe('')
    expect(native.stdout).toBe('-x**2*cos(x) + 2*x*sin(x) + 2*cos(x)\n')
    expect(stdout(run!)).toBe(
      `Installed in this notebook: sympy 1.11.1, mpmath 1.2.1\n${native.stdout}1.11.1 ['mpmath>=0.19']\n`
    )
    expect(run!.fuelConsumed).toBeGreaterThan(DEFAULT_LIMITS.fuel)

    // Closed, copied to another folder, the wheelhouse gone: the file alone re-runs it, same outputs, same fuel.
    await svc.service.closeNotebook(path)
    renameSync(wheelhouse, `${wheelhouse}-gone`)
    const elsewhere = join(mkdtempSync(join(tmpdir(), 'fuelbook-sympy-elsewhere-')), 'algebra.fuelbook')
    copyFileSync(path, elsewhere)
    try {
      expect((await svc.service.openNotebook(elsewhere)).ok).toBe(true)
      await svc.service.restartKernel(elsewhere)
      const [again] = await svc.run(elsewhere, [cell])
      expect(again!.status, JSON.stringify(again!.outputs)).toBe('ok')
      expect(again!.outputs).toEqual(run!.outputs)
      expect(again!.fuelConsumed).toBe(run!.fuelConsumed)
    } finally {
      renameSync(`${wheelhouse}-gone`, wheelhouse)
      await svc.service.closeNotebook(elsewhere)
    }
  }, 600_000)
})

/** The wheel with a bytecode cache mounted beside it. */
function withCache(wheel: MountedWheel, cache: Uint8Array): MountedWheel {
  return { ...wheel, bytecode: { sha256: createHash('sha256').update(cache).digest('hex'), bytes: cache } }
}

const host = useTestHost()

describe('sympy from its bytecode cache', () => {
  it('imports for a fraction of the fuel, the same in every kernel, with source lines in tracebacks; a damaged cache still imports', async () => {
    const wheels: MountedWheel[] = built.map((w) => {
      const bytes = readFileSync(join(wheelhouse, w.filename))
      return { filename: w.filename, sha256: createHash('sha256').update(bytes).digest('hex'), bytes }
    })
    const compiler = host().createKernel()
    const compiled = []
    for (const wheel of wheels) compiled.push(await compiler.compileWheel(wheel))
    const caches = compiled.map((c) => bytecodeFile(c.entries))
    await compiler.dispose()
    const cached = wheels.map((w, i) => withCache(w, caches[i]!))
    const options = { limits: { ...LIMITS, fuel: 50_000_000_000, timeoutMs: 300_000 }, deterministic: true }
    const importIn = async (mount: MountedWheel[], code = 'import sympy\nprint(sympy.__version__)') => {
      const kernel = host().createKernel()
      kernel.setPackages(mount)
      const run = await kernel.run(code, options)
      expect(run.status, JSON.stringify(run.outputs)).toBe('ok')
      expect(textOf(run.outputs)).toBe('1.11.1\n')
      return { kernel, fuel: run.fuelConsumed }
    }
    const plain = await importIn(wheels)
    const first = await importIn(cached)
    const second = await importIn(cached)
    // Fuel is deterministic: another kernel (a reopened notebook) pays exactly the same.
    expect(second.fuel).toBe(first.fuel)
    expect(first.fuel).toBeLessThanOrEqual(plain.fuel / 4)

    // Library code's tracebacks and source still come from the wheel.
    const failed = await first.kernel.run("sympy.Integer('not a number')", options)
    expect(failed.status).toBe('error')
    const traceback = failed.outputs.flatMap((o) => (o.type === 'error' ? o.traceback : [])).join('\n')
    expect(traceback).toContain(
      '/usr/local/lib/fuelbook-packages/sympy-1.11.1-py3-none-any.whl/sympy/core/numbers.py", line'
    )
    expect(traceback).toMatch(/sympy\/core\/numbers\.py", line \d+, in __new__\n +\S/)
    const source = await first.kernel.run(
      'import inspect\nprint(inspect.getsource(sympy.Integer.__new__).splitlines()[1].strip())',
      options
    )
    expect(textOf(source.outputs)).toBe('def __new__(cls, i):\n')
    for (const k of [plain, first, second]) await k.kernel.dispose()

    // Bytes flipped in the cache of modules the import runs: those compile from their source.
    const damaged = Buffer.from(caches[1]!)
    for (const module of ['sympy/__init__.py', 'sympy/core/numbers.py', 'sympy/core/basic.py']) {
      const entry = compiled[1]!.entries.find((e) => e.path === module)!
      const at = damaged.indexOf(Buffer.from(entry.pyc)) + Math.floor(entry.pyc.byteLength / 2)
      damaged[at] = damaged[at]! ^ 0xff
    }
    const rescued = await importIn([cached[0]!, withCache(wheels[1]!, damaged)])
    expect(rescued.fuel).toBeGreaterThan(first.fuel)
    await rescued.kernel.dispose()
  }, 900_000)
})
