/**
 * What a cell cannot reach (host files, sockets, environment), determinism, and the kernel state
 * as the store keeps it (serialised head, refused when from another runtime), plus runPython.
 */
import { describe, expect, it } from 'vitest'
import type { Kernel, KernelRunOptions } from '../../src/main/kernel'
import { createKernelHost, SNAPSHOT_FORMAT } from '../../src/main/kernel'
import { baseIdentity } from '../../src/main/kernel/host'
import { closeSharedKernelHost, runPython } from '../../src/main/library'
import type { RunTimings } from '../../src/main/sandbox/protocol'
import { LIMITS, RESOURCES_DIR, TEST_CACHE_DIR, textOf, useTestHost } from '../helpers/kernel-host'

const host = useTestHost()

const run = (kernel: Kernel, code: string, options: Omit<Partial<KernelRunOptions>, 'limits'> = {}) =>
  kernel.run(code, { ...options, limits: LIMITS })

/** Where the kernel's last run started (Kernel.run's own figures, as the bench reads them). */
const timingsOf = (kernel: Kernel): RunTimings | null =>
  (kernel as unknown as { lastTimings: RunTimings | null }).lastTimings

async function printed(kernel: Kernel, code: string): Promise<string> {
  const r = await run(kernel, code)
  expect(r.status, JSON.stringify(r.outputs)).toBe('ok')
  return textOf(r.outputs)
}

describe('sandbox: no host file, socket or environment', () => {
  it('cannot read or write host files', async () => {
    const kernel = host().createKernel()
    const code = [
      'import os',
      'def attempt(f):',
      '    try:',
      '        f()',
      '        return "allowed"',
      '    except OSError as e:',
      '        return type(e).__name__',
      'print(attempt(lambda: open("/etc/passwd").read()))',
      'print(attempt(lambda: open("/etc/evil", "w")))',
      'print(attempt(lambda: open("/usr/local/lib/python311.zip", "ab")))',
      'print(attempt(lambda: open("/usr/local/lib/evil.py", "w")))',
      'print(attempt(lambda: os.remove("/usr/local/lib/python311.zip")))',
      'print(attempt(lambda: open("/../../etc/hostname").read()))',
      'print(sorted(os.listdir("/")))',
      'print(os.getcwd())'
    ].join('\n')
    expect(await printed(kernel, code)).toBe(
      [
        'FileNotFoundError',
        'FileNotFoundError',
        'OSError',
        'OSError',
        'OSError',
        'PermissionError',
        "['tmp']",
        '/',
        ''
      ].join('\n')
    )
  })

  it('has no sockets and no host environment, and reads nothing from stdin', async () => {
    const kernel = host().createKernel()
    const out = await printed(
      kernel,
      [
        'import os, socket, sys',
        'try:',
        '    socket.create_connection(("example.com", 80), timeout=1)',
        '    print("connected")',
        'except Exception as e:',
        '    print("no network:", type(e).__name__)',
        'print(sorted(k for k in os.environ if k in ("HOME", "PATH", "USER")))',
        'print(repr(sys.stdin.read()))'
      ].join('\n')
    )
    // No way to connect anywhere: the runtime says so with its one sandbox error.
    expect(out).toBe("no network: SandboxError\n[]\n''\n")
  })

  it('writes /tmp in memory, and the files belong to the kernel state (sqlite3 included)', async () => {
    const kernel = host().createKernel()
    await printed(
      kernel,
      'import sqlite3\ndb = sqlite3.connect("/tmp/t.db")\ndb.execute("create table t (v)")\ndb.execute("insert into t values (1)")\ndb.commit()\ndb.close()'
    )
    // A run killed in the middle of a write transaction must not leave it half-applied.
    const killed = await kernel.run(
      'db = sqlite3.connect("/tmp/t.db")\ndb.execute("insert into t values (2)")\nwhile True: pass',
      { limits: { ...LIMITS, fuel: 50_000_000 } }
    )
    expect(killed.status).toBe('out_of_fuel')
    expect(
      await printed(
        kernel,
        'db = sqlite3.connect("/tmp/t.db")\nprint(db.execute("select * from t").fetchall())'
      )
    ).toBe('[(1,)]\n')
  })
})

describe('determinism', () => {
  const cell = [
    'import random, time, os, uuid',
    'print(random.random(), os.urandom(8).hex(), uuid.uuid4(), hash("abc"), {"b", "a", "c"})',
    'print(time.time(), time.monotonic())'
  ].join('\n')

  it('gives byte-identical output and identical fuel for the same cell from the same head', async () => {
    const a = host().createKernel()
    const b = host().createKernel()
    for (const k of [a, b]) await run(k, 'import json\nseeded = [1, 2, 3]', { deterministic: true })
    const first = await run(a, cell, { deterministic: true })
    const second = await run(b, cell, { deterministic: true })
    expect(first.status).toBe('ok')
    expect(second.outputs).toEqual(first.outputs)
    expect(second.fuelConsumed).toBe(first.fuelConsumed)
    const isolatedA = await run(a, cell, { deterministic: true, isolated: true })
    const isolatedB = await run(a, cell, { deterministic: true, isolated: true })
    expect(isolatedB.outputs).toEqual(isolatedA.outputs)
    expect(isolatedB.fuelConsumed).toBe(isolatedA.fuelConsumed)
  })

  it('runs a cell on the instance that made the head as on a copy of the head restored: same outputs, fuel and head', async () => {
    const kept = host().createKernel()
    await run(kept, 'import json\nseeded = [1, 2, 3]', { deterministic: true })
    const fresh = host().createKernel()
    expect(await fresh.importHead(structuredClone((await kept.exportHead())!))).toEqual({
      ok: true,
      value: null
    })
    const onKept = await run(kept, cell, { deterministic: true })
    expect(timingsOf(kept)).toMatchObject({ residentHit: true, instanceKept: true })
    const onNew = await run(fresh, cell, { deterministic: true })
    expect(timingsOf(fresh)?.residentHit).toBe(false)
    expect(onKept.status).toBe('ok')
    expect(onNew.outputs).toEqual(onKept.outputs)
    expect(onNew.fuelConsumed).toBe(onKept.fuelConsumed)
    const pages = async (k: Kernel): Promise<string[]> =>
      (await k.exportHead())!.pages.map((p) => `${p.index}:${p.hash}`)
    expect(await pages(fresh)).toEqual(await pages(kept))
  })

  it("starts a run on a kept instance without the last run's meter records", async () => {
    const kernel = host().createKernel()
    const limits = { ...LIMITS, memoryBytes: 64 * 2 ** 20 }
    const caught = 'try:\n    bytearray(1500 * 2**20)\nexcept MemoryError:\n    pass'
    expect((await kernel.run(caught, { limits })).status).toBe('ok')
    const over = await kernel.run('bytearray(200 * 2**20)', { limits })
    expect(timingsOf(kernel)).toMatchObject({ residentHit: true, instanceKept: true })
    expect(over.status).toBe('out_of_memory')
    expect(over.message).toBe('MemoryError: tried to allocate 200 MiB (limit 64 MiB)')
  })

  it('reseeds random from crypto in normal mode: the same head gives different numbers', async () => {
    const kernel = host().createKernel()
    const one = await run(kernel, 'import random\nrandom.random()', { isolated: true })
    const two = await run(kernel, 'import random\nrandom.random()', { isolated: true })
    expect(one.outputs).not.toEqual(two.outputs)
  })

  it('reseeds random also when the head holds a cached gauss value: two runs from it differ', async () => {
    const kernel = host().createKernel()
    // random.gauss() makes two values at a time and keeps the second for the next call.
    await run(kernel, 'import random\nrandom.gauss(0, 1)')
    const one = await run(kernel, 'random.gauss(0, 1)', { keepHead: true })
    const two = await run(kernel, 'random.gauss(0, 1)', { keepHead: true })
    expect(one.status).toBe('ok')
    expect(one.outputs).not.toEqual(two.outputs)
  })

  it("a cell's fuel does not grow with the number of cells the kernel ran before it", async () => {
    // The driver once handed linecache every earlier cell's source on every run: `1+1` cost
    // ~1,100 fuel more per earlier run (~345 k as the 2nd run of a kernel, ~540 k as the 200th).
    const kernel = host().createKernel()
    const fuel: number[] = []
    for (let i = 0; i < 200; i++) fuel.push((await run(kernel, '1+1', { deterministic: true })).fuelConsumed)
    // Fuel is deterministic, but single runs of one chain are not equal: the allocator's pools and
    // the cyclic GC's passes move a run's fuel by up to ~40 k. Ten runs' median is steady.
    const median = (runs: number[]): number => [...runs].sort((a, b) => a - b)[runs.length >> 1]!
    expect(median(fuel.slice(-10))).toBeLessThanOrEqual(median(fuel.slice(1, 11)))
  })

  it("an error cell's fuel does not grow with the number of cells the kernel ran before it", async () => {
    // A kernel's first traceback once handed linecache every earlier cell's source: `1/0` cost
    // ~1,150 fuel more per earlier run (~0.95 M after 10 runs, ~2.1 M after 1,000).
    const kernel = host().createKernel()
    const failing = async (): Promise<number> => {
      const result = await run(kernel, '1/0', { deterministic: true, keepHead: true })
      expect(result.status).toBe('error')
      return result.fuelConsumed
    }
    for (let i = 0; i < 10; i++) await run(kernel, '1+1', { deterministic: true })
    const early = await failing()
    for (let i = 0; i < 200; i++) await run(kernel, '1+1', { deterministic: true })
    // Runs of one chain differ by up to ~40 k (the allocator's pools, the cyclic GC's passes);
    // 200 earlier cells once added ~230 k.
    expect(await failing()).toBeLessThan(early + 80_000)
  })

  it('keeps time.monotonic() moving forward from run to run', async () => {
    const kernel = host().createKernel()
    await run(kernel, 'import time\nt0 = time.monotonic()')
    expect(await printed(kernel, 'print(time.monotonic() > t0)')).toBe('True\n')
  })
})

describe('persisted kernel state', () => {
  it('round-trips the head (variables, functions, /tmp files, open file positions) through serialisation', async () => {
    const kernel = host().createKernel()
    expect(await kernel.exportHead()).toBeNull()
    await printed(
      kernel,
      'import json\ndata = {"k": list(range(1000))}\ndef f(v): return v * 2\nopen("/tmp/saved.txt", "w").write("kept")\nfh = open("/tmp/saved.txt")\nfh.read(2)'
    )
    const snapshot = await kernel.exportHead()
    expect(snapshot).not.toBeNull()
    expect(snapshot!.format).toBe(SNAPSHOT_FORMAT)
    // Identity of the base the pages are relative to: the runtime and S0's bytes (see baseIdentity).
    expect(snapshot!.runtimeHash).toBe(baseIdentity(host().runtimeHash, host().s0))
    expect(snapshot!.pages.length).toBeLessThan(snapshot!.pageCount)
    for (const page of snapshot!.pages) expect(page.hash).toMatch(/^[0-9a-f]{96}$/)

    const restored = host().createKernel()
    expect(await restored.importHead(structuredClone(snapshot!))).toEqual({ ok: true, value: null })
    expect(restored.headMemoryBytes).toBe(kernel.headMemoryBytes)
    expect(
      await printed(restored, 'print(len(data["k"]), f(21), open("/tmp/saved.txt").read(), fh.read())')
    ).toBe('1000 42 kept pt\n')
  })

  it('refuses a snapshot from another runtime or format with a reason, and keeps its head', async () => {
    const kernel = host().createKernel()
    await run(kernel, 'mine = 1')
    const snapshot = (await kernel.exportHead())!
    const other = await kernel.importHead({ ...snapshot, runtimeHash: 'f'.repeat(64) })
    expect(other.ok).toBe(false)
    expect(!other.ok && other.error).toMatch(/another Python runtime/)
    const newer = await kernel.importHead({ ...snapshot, format: SNAPSHOT_FORMAT + 1 })
    expect(!newer.ok && newer.error).toMatch(/format/)
    const damaged = await kernel.importHead({ ...snapshot, state: new Uint8Array([1, 2, 3]) })
    expect(!damaged.ok && damaged.error).toMatch(/damaged/)
    const page = snapshot.pages[0]!
    const flipped = new Uint8Array(page.data)
    flipped[flipped.length >> 1]! ^= 0x10
    const badPage = await kernel.importHead({ ...snapshot, pages: [{ ...page, data: flipped }] })
    expect(!badPage.ok && badPage.error).toMatch(new RegExp(`damaged \\(page ${page.index} `))
    expect(await printed(kernel, 'print(mine)')).toBe('1\n')
  })

  it('keeps the pages a run did not change as the same objects, so a later export encodes only the changed ones', async () => {
    const kernel = host().createKernel()
    type Head = { head: { memory: { pages: (Uint8Array | null)[] } } }
    const pagesOf = (): (Uint8Array | null)[] => (kernel as unknown as Head).head.memory.pages
    await printed(kernel, 'a = 1')
    const before = await kernel.exportHead()
    const first = pagesOf()
    await printed(kernel, 'b = 2')
    const second = pagesOf()
    const renewed = second.filter((page, i) => page !== first[i]).length
    expect(renewed).toBeGreaterThan(0)
    expect(renewed).toBeLessThan(second.length / 2)
    // Exported again after the second run: the pages it did not change are the same entries.
    const after = (await kernel.exportHead())!
    const byIndex = new Map(before!.pages.map((p) => [p.index, p]))
    for (const page of after.pages)
      if (second[page.index] === first[page.index]) expect(page.data).toBe(byIndex.get(page.index)!.data)
    // And the result is what encoding from scratch gives.
    const fresh = host().createKernel()
    expect(await fresh.importHead(structuredClone(after))).toEqual({ ok: true, value: null })
    expect(await printed(fresh, 'print(a + b)')).toBe('3\n')
  })
})

describe('isolated runs', () => {
  it('start from memory a worker prepared between runs, and see nothing of the run before, even one that crashed', async () => {
    const kernel = host().createKernel()
    const timings = (): { spareHit: boolean } | null =>
      (kernel as unknown as { lastTimings: { spareHit: boolean } | null }).lastTimings
    const idle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 200))
    expect((await run(kernel, 'leak = 41', { isolated: true })).status).toBe('ok')
    await idle()
    const second = await run(kernel, 'print("leak" in globals(), 1 + 1)', { isolated: true })
    expect(textOf(second.outputs)).toBe('False 2\n')
    expect(timings()?.spareHit).toBe(true)
    expect((await run(kernel, 'import os\nos.abort()', { isolated: true })).status).toBe('crashed')
    await idle()
    const after = await run(kernel, 'print("leak" in globals(), 2 + 2)', { isolated: true })
    expect(textOf(after.outputs)).toBe('False 4\n')
    expect(timings()?.spareHit).toBe(true)
  })

  it('give the same outputs and fuel on the instance a crashed run left as before the crash', async () => {
    const kernel = host().createKernel()
    const idle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 200))
    const cell = 'x = [str(i) for i in range(50)]\nprint(len(x))'
    const first = await run(kernel, cell, { isolated: true, deterministic: true })
    await idle()
    // Trapped in the middle of the interpreter: its memory and globals were left mid-call.
    expect((await run(kernel, 'import os\nos.abort()', { isolated: true })).status).toBe('crashed')
    await idle()
    const again = await run(kernel, cell, { isolated: true, deterministic: true })
    expect(timingsOf(kernel)).toMatchObject({ spareHit: true, instanceKept: true })
    expect(again.outputs).toEqual(first.outputs)
    expect(again.fuelConsumed).toBe(first.fuelConsumed)
  })
})

describe('runPython (library API)', () => {
  it('runs code isolated and reports memory pages, data length and fuel', async () => {
    process.env.FUELBOOK_RUNTIME_DIR = RESOURCES_DIR
    process.env.FUELBOOK_CACHE_DIR = TEST_CACHE_DIR
    try {
      const hello = await runPython("print('hello world')")
      expect(hello).toMatchObject({
        status: 'ok',
        stdout: 'hello world\n',
        stderr: '',
        error: null,
        fuelBudget: 400_000_000
      })
      expect(hello.fuelConsumed).toBeGreaterThan(0)
      expect(hello.memoryBytes).toBe(hello.memoryPages * 65536)
      const nothingShared = await runPython('print(x)')
      expect(nothingShared.status).toBe('error')
      expect(nothingShared.error?.ename).toBe('NameError')
      const limited = await runPython('while True: pass', { fuel: 10_000_000 })
      expect(limited.status).toBe('out_of_fuel')
      const slow = await runPython('import time\ntime.sleep(5)', { timeoutMs: 300 })
      expect(slow.status).toBe('timeout')
    } finally {
      await closeSharedKernelHost()
    }
  })
})

describe('limits at the edges', () => {
  it('accepts fractional or unbounded fuel and an unbounded timeout', async () => {
    const kernel = host().createKernel()
    const r = await kernel.run('print(1)', {
      limits: { ...LIMITS, fuel: Number.POSITIVE_INFINITY, timeoutMs: Number.POSITIVE_INFINITY }
    })
    expect(r.status).toBe('ok')
    const fractional = await kernel.run('print(2)', { limits: { ...LIMITS, fuel: 50_000_000.5 } })
    expect(fractional.status).toBe('ok')
    const empty = await kernel.run('print(3)', { limits: { ...LIMITS, fuel: -1 } })
    expect(empty.status).toBe('out_of_fuel')
  })
})

describe('kernel host start', () => {
  it('takes runs at once, before the background warm-up is done, and finishes them all', async () => {
    const fresh = await createKernelHost({
      resourcesDir: RESOURCES_DIR,
      cacheDir: TEST_CACHE_DIR,
      poolSize: 2
    })
    try {
      const kernels = [fresh.createKernel(), fresh.createKernel(), fresh.createKernel()]
      const results = await Promise.all(
        kernels.flatMap((k, i) => [run(k, `v = ${i}`), run(k, 'print(v)'), k.variables()])
      )
      const printed = [1, 4, 7].map((i) => textOf((results[i] as { outputs: { type: string }[] }).outputs))
      expect(printed).toEqual(['0\n', '1\n', '2\n'])
      await fresh.whenWarmed()
    } finally {
      await fresh.close()
    }
  })
})
