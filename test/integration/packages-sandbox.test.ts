/**
 * Stored wheels in the sandbox: importable from a read-only mount, importlib.metadata and
 * importlib.resources work, they are there in isolated runs and after a head restore, a wheel's
 * bytes never enter a snapshot, and putting them on sys.path costs the cell no fuel.
 */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { bytecodeFile } from '../../src/main/packages'
import type { MountedWheel } from '../../src/main/sandbox/wasi/fs-image'
import { LIMITS, textOf, useTestHost } from '../helpers/kernel-host'
import { buildWheel } from '../helpers/wheels'

const host = useTestHost()

function mounted(spec: Parameters<typeof buildWheel>[0]): MountedWheel {
  const wheel = buildWheel(spec)
  return { filename: wheel.filename, sha256: wheel.sha256, bytes: wheel.bytes }
}

/** The wheel with a bytecode cache mounted beside it. */
function withCache(wheel: MountedWheel, cache: Uint8Array): MountedWheel {
  return { ...wheel, bytecode: { sha256: createHash('sha256').update(cache).digest('hex'), bytes: cache } }
}

const greeter = mounted({
  name: 'greeter',
  version: '1.2.0',
  files: {
    'greeter/__init__.py':
      'from importlib import resources\n' +
      'def hello(name):\n    return f"hello {name}"\n' +
      'def motto():\n    return resources.files(__name__).joinpath("data/motto.txt").read_text()\n',
    'greeter/data/motto.txt': 'fuel is finite\n'
  }
})

describe('stored wheels in the sandbox', () => {
  it('imports a mounted wheel, reads its metadata and its data files', async () => {
    const kernel = host().createKernel()
    kernel.setPackages([greeter])
    const run = await kernel.run(
      'import greeter, importlib.metadata\n' +
        'print(greeter.hello("wasm"))\n' +
        'print(importlib.metadata.version("greeter"))\n' +
        'print(greeter.motto(), end="")\n' +
        'print(greeter.__file__)',
      { limits: LIMITS }
    )
    expect(run.status, JSON.stringify(run.outputs)).toBe('ok')
    expect(textOf(run.outputs)).toBe(
      'hello wasm\n1.2.0\nfuel is finite\n/usr/local/lib/fuelbook-packages/greeter-1.2.0-py3-none-any.whl/greeter/__init__.py\n'
    )
    await kernel.dispose()
  })

  it('is importable in isolated runs, refuses writes, and stays out of snapshots', async () => {
    const kernel = host().createKernel()
    kernel.setPackages([greeter])
    const isolated = await kernel.run('import greeter; print(greeter.hello("iso"))', {
      limits: LIMITS,
      isolated: true
    })
    expect(textOf(isolated.outputs)).toBe('hello iso\n')
    const write = await kernel.run(
      "open('/usr/local/lib/fuelbook-packages/greeter-1.2.0-py3-none-any.whl', 'ab')",
      { limits: LIMITS }
    )
    expect(write.status).toBe('error')
    expect(JSON.stringify(write.outputs)).toContain('Read-only file system')
    await kernel.run('import greeter', { limits: LIMITS })
    const snapshot = await kernel.exportHead()
    const json = JSON.stringify(snapshot, (_k, v: unknown) => (v instanceof Uint8Array ? v.byteLength : v))
    expect(json.length).toBeLessThan(greeter.bytes.byteLength * 50)
    // The head restored in a new kernel finds the wheel again once the notebook mounts it.
    const reopened = host().createKernel()
    expect((await reopened.importHead(snapshot!)).ok).toBe(true)
    reopened.setPackages([greeter])
    const again = await reopened.run(
      'import importlib.metadata; print(importlib.metadata.version("greeter"), greeter.motto(), end="")',
      {
        limits: LIMITS
      }
    )
    expect(textOf(again.outputs)).toBe('1.2.0 fuel is finite\n')
    await kernel.dispose()
    await reopened.dispose()
  })

  it('costs the cell no fuel: mounting runs unmetered before the cell', async () => {
    const plain = host().createKernel()
    const withWheels = host().createKernel()
    withWheels.setPackages([greeter])
    const options = { limits: LIMITS, deterministic: true }
    const a = await plain.run('x = sum(range(1000))', options)
    const b = await withWheels.run('x = sum(range(1000))', options)
    const sync = await plain.run(
      "import sys\nwanted = ['/usr/local/lib/fuelbook-packages/greeter-1.2.0-py3-none-any.whl']\n" +
        "mounted = [p for p in sys.path if p.startswith('/usr/local/lib/fuelbook-packages/')]\n" +
        'if mounted != wanted: sys.path[:] = [p for p in sys.path if p not in mounted] + wanted',
      options
    )
    // What the driver's `packages` op does, metered, costs far more than the difference between
    // the two runs (a few dozen fuel: the allocator's state after the unmetered op).
    expect(Math.abs(b.fuelConsumed - a.fuelConsumed)).toBeLessThan(sync.fuelConsumed / 10)
    await plain.dispose()
    await withWheels.dispose()
  })

  it('a removed wheel leaves sys.path; a file a cell kept open on it is closed, not fatal', async () => {
    const kernel = host().createKernel()
    kernel.setPackages([greeter])
    await kernel.run("f = open('/usr/local/lib/fuelbook-packages/greeter-1.2.0-py3-none-any.whl', 'rb')", {
      limits: LIMITS
    })
    kernel.setPackages([])
    const run = await kernel.run(
      'import sys\nprint([p for p in sys.path if "fuelbook-packages" in p])\ntry:\n    f.read(2)\nexcept OSError as e:\n    print(type(e).__name__)',
      { limits: LIMITS }
    )
    expect(run.status).toBe('ok')
    expect(textOf(run.outputs)).toBe('[]\nOSError\n')
    expect(createHash('sha256').update(greeter.bytes).digest('hex')).toBe(greeter.sha256)
    await kernel.dispose()
  })
})

const library = mounted({
  name: 'tracer',
  version: '1.0',
  files: {
    'tracer/__init__.py': 'from .core import fail, twice\nfrom . import tables\n',
    'tracer/core.py':
      'def twice(x):\n    return 2 * x\n\n\ndef fail():\n    raise ValueError("raised in the library")\n',
    // Enough code that compiling it costs far more than reading its bytecode.
    'tracer/tables.py': Array.from(
      { length: 300 },
      (_, i) => `def f${i}(a, b=${i}):\n    return {"k": [a, b, ${i}], "s": {'x', 'y${i}'}}\n`
    ).join(''),
    'tracer/py2only.py': "print 'not Python 3'\n"
  }
})

describe('the bytecode cache of a wheel', () => {
  const IMPORT = 'import tracer\nprint(tracer.twice(21))'

  it('is compiled by the sandbox, byte-identical every time, without the modules that do not compile', async () => {
    const kernel = host().createKernel()
    const first = await kernel.compileWheel(library)
    const second = await kernel.compileWheel(library)
    expect(first.entries.map((e) => e.path)).toEqual([
      'tracer/__init__.py',
      'tracer/core.py',
      'tracer/tables.py'
    ])
    expect(first.skipped).toEqual(['tracer/py2only.py'])
    expect(Buffer.from(bytecodeFile(second.entries)).equals(Buffer.from(bytecodeFile(first.entries)))).toBe(
      true
    )
    await kernel.dispose()
  })

  it("makes the import cheaper, the same in every kernel, with the wheel's own files and source lines", async () => {
    const cache = bytecodeFile((await host().createKernel().compileWheel(library)).entries)
    const options = { limits: LIMITS, deterministic: true }
    const plain = host().createKernel()
    plain.setPackages([library])
    const cached = host().createKernel()
    cached.setPackages([withCache(library, cache)])
    const other = host().createKernel()
    other.setPackages([withCache(library, cache)])
    const [a, b, c] = [
      await plain.run(IMPORT, options),
      await cached.run(IMPORT, options),
      await other.run(IMPORT, options)
    ]
    for (const run of [a, b, c]) expect(textOf(run.outputs)).toBe('42\n')
    expect(b.fuelConsumed).toBe(c.fuelConsumed)
    expect(b.fuelConsumed).toBeLessThan(a.fuelConsumed / 2)
    const where = await cached.run(
      'import inspect, tracer.core\nprint(tracer.core.__file__)\nprint(tracer.core.twice.__code__.co_filename)\n' +
        'print(type(tracer.__loader__).__name__, tracer.__path__)\nprint(inspect.getsource(tracer.core.twice), end="")',
      options
    )
    const file = '/usr/local/lib/fuelbook-packages/tracer-1.0-py3-none-any.whl/tracer/core.py'
    expect(textOf(where.outputs)).toBe(
      `${file}\n${file}\nWheelImporter ['/usr/local/lib/fuelbook-packages/tracer-1.0-py3-none-any.whl/tracer']\n` +
        'def twice(x):\n    return 2 * x\n'
    )
    const failed = await cached.run('tracer.fail()', options)
    expect(failed.status).toBe('error')
    const traceback = JSON.stringify(failed.outputs)
    expect(traceback).toContain('raise ValueError(\\"raised in the library\\")')
    expect(traceback).toContain(file)
    for (const k of [plain, cached, other]) await k.dispose()
  })

  it('falls back to the source when the cache is damaged', async () => {
    const cache = bytecodeFile((await host().createKernel().compileWheel(library)).entries)
    const options = { limits: LIMITS, deterministic: true }
    for (const at of [10, cache.byteLength - 40, Math.floor(cache.byteLength / 2)]) {
      const damaged = Uint8Array.from(cache)
      damaged[at] = damaged[at]! ^ 0xff
      const kernel = host().createKernel()
      kernel.setPackages([withCache(library, damaged)])
      const run = await kernel.run(`${IMPORT}\nprint(len(tracer.tables.f7(1)))`, options)
      expect(run.status, JSON.stringify(run.outputs)).toBe('ok')
      expect(textOf(run.outputs)).toBe('42\n2\n')
      await kernel.dispose()
    }
  })
})
