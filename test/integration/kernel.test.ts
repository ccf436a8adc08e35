/**
 * The kernel as a notebook user sees it: state carried between cells, every killed run rolled
 * back (checked by reading a variable afterwards), isolated runs, restart, limits and statuses.
 */
import { describe, expect, it } from 'vitest'
import type { Kernel, KernelRunOptions } from '../../src/main/kernel'
import type { WorkerPool } from '../../src/main/sandbox/pool'
import { LIMITS, textOf, useTestHost } from '../helpers/kernel-host'

const host = useTestHost()

function runner(kernel: Kernel) {
  return (
    code: string,
    options: Omit<Partial<KernelRunOptions>, 'limits'> & { limits?: Partial<typeof LIMITS> } = {}
  ) => kernel.run(code, { ...options, limits: { ...LIMITS, ...options.limits } })
}

async function value(kernel: Kernel, expr: string): Promise<string> {
  const r = await runner(kernel)(`print(repr(${expr}))`)
  expect(r.status, JSON.stringify(r.outputs)).toBe('ok')
  return textOf(r.outputs).trim()
}

describe('kernel: the run_python_code examples', () => {
  it("runs print('hello world') with fuel and memory reported", async () => {
    const r = await runner(host().createKernel())("print('hello world')", { isolated: true })
    expect(r.status).toBe('ok')
    expect(textOf(r.outputs)).toBe('hello world\n')
    expect(r.fuelConsumed).toBeGreaterThan(10_000)
    expect(r.fuelConsumed).toBeLessThan(5_000_000)
    expect(r.fuelBudget).toBe(400_000_000)
    expect(r.memoryPages).toBeGreaterThanOrEqual(160)
    expect(r.memoryBytes).toBe(r.memoryPages * 65536)
  })

  it('keeps stdout and stderr in the order the cell wrote them (a warning or a !cmd notice after a print)', async () => {
    const r = await runner(host().createKernel())(
      'import sys, warnings\nprint("a")\nprint("b", file=sys.stderr)\nprint("c")\n!ls\nprint("d")\n' +
        'warnings.warn("careful")\nprint("e", sys.stderr is sys.__stderr__, sys.stderr.fileno())',
      { isolated: true }
    )
    expect(r.status, JSON.stringify(r.outputs)).toBe('ok')
    const streams = r.outputs.map((o) =>
      o.type === 'stream' ? `${o.name}: ${o.text.split('\n')[0]}` : o.type
    )
    expect(streams).toEqual([
      'stdout: a',
      'stderr: b',
      'stdout: c',
      'stderr: shell commands are not available in the sandbox: !ls was not run',
      'stdout: d',
      'stderr: <cell-1>:7: UserWarning: careful',
      'stdout: e True 2'
    ])
  })

  it('completes 10,000 prints and runs out of fuel on 100,000 under a 400 M budget', async () => {
    const run = runner(host().createKernel())
    const small = await run('for i in range(10000): print(i)', { isolated: true })
    expect(small.status).toBe('ok')
    expect(textOf(small.outputs).split('\n')).toHaveLength(10001)
    const big = await run('for i in range(100000): print(i)', { isolated: true })
    expect(big.status).toBe('out_of_fuel')
    expect(big.fuelConsumed).toBeGreaterThanOrEqual(400_000_000)
    expect(big.message).toMatch(/out of fuel/)
    // Recorded for the report.
    console.log(
      `10,000 prints: ok, ${small.fuelConsumed} fuel; 100,000 prints: ${big.status} at ${big.fuelConsumed}`
    )
  })
})

describe('kernel: state across runs', () => {
  it('keeps variables, functions, classes and imports from cell to cell', async () => {
    const kernel = host().createKernel()
    const run = runner(kernel)
    expect(
      (
        await run(
          'x = 41\ndef inc(v):\n    return v + 1\nclass Box:\n    def __init__(self, v): self.v = v\nimport json'
        )
      ).status
    ).toBe('ok')
    const r = await run('print(inc(x), Box(3).v, json.dumps({"a": [1]}))')
    expect(textOf(r.outputs)).toBe('42 3 {"a": [1]}\n')
    expect(r.headAdvanced).toBe(true)
    // The caller (the notebook session) numbers runs; the kernel stamps the number on the result.
    const shown = await run('x', { executionCount: 3 })
    expect(shown.outputs).toEqual([
      { type: 'execute_result', data: { 'text/plain': '41' }, metadata: {}, executionCount: 3 }
    ])
  })

  it('advances the head on a Python exception and on sys.exit, as Jupyter does', async () => {
    const kernel = host().createKernel()
    const run = runner(kernel)
    const error = await run('y = 1\nraise ValueError("boom")')
    expect(error.status).toBe('error')
    expect(error.headAdvanced).toBe(true)
    expect(error.outputs.at(-1)).toMatchObject({
      type: 'error',
      ename: 'ValueError',
      evalue: 'boom',
      lineno: 2
    })
    const exit = await run('y = 2\nimport sys\nsys.exit(3)')
    expect(exit).toMatchObject({ status: 'exit', exitCode: 3, headAdvanced: true })
    expect(await value(kernel, 'y')).toBe('2')
  })
})

describe('kernel: killed runs leave the head unchanged', () => {
  it('rolls back after out_of_fuel (variables and /tmp files)', async () => {
    const kernel = host().createKernel()
    const run = runner(kernel)
    await run('x = 1\nopen("/tmp/f.txt", "w").write("before")')
    const r = await run('x = 2\nopen("/tmp/f.txt", "w").write("after")\nwhile True: pass', {
      limits: { fuel: 30_000_000 }
    })
    expect(r.status).toBe('out_of_fuel')
    expect(r.headAdvanced).toBe(false)
    expect(await value(kernel, 'x')).toBe('1')
    expect(await value(kernel, 'open("/tmp/f.txt").read()')).toBe("'before'")
  })

  it('rolls back after a timeout, and time.sleep really sleeps', async () => {
    const kernel = host().createKernel()
    const run = runner(kernel)
    await run('x = 1')
    const t0 = performance.now()
    const sleep = await run('import time\nt = time.monotonic()\ntime.sleep(0.5)\nprint(time.monotonic() - t)')
    const wall = performance.now() - t0
    expect(sleep.status).toBe('ok')
    expect(Number(textOf(sleep.outputs))).toBeGreaterThanOrEqual(0.5)
    expect(wall).toBeGreaterThanOrEqual(490)
    const r = await run('x = 2\nwhile True: time.sleep(0.05)', { limits: { timeoutMs: 700 } })
    expect(r.status).toBe('timeout')
    expect(r.message).toMatch(/timed out after 0.7 s/)
    // It ran until its limit (how promptly it was stopped after that is a bench figure, not a test's).
    expect(r.wallMs).toBeGreaterThanOrEqual(700)
    expect(await value(kernel, 'x')).toBe('1')
  })

  it('rolls back after an interrupt, and keeps what the cell printed before it', async () => {
    const kernel = host().createKernel()
    const run = runner(kernel)
    await run('x = 1')
    let printed!: () => void
    const started = new Promise<void>((resolve) => (printed = resolve))
    const pending = run('x = 2\nprint("started", flush=True)\nimport time\nwhile True: time.sleep(0.01)', {
      limits: { fuel: 1e12 },
      onOutput: (outputs) => {
        if (textOf(outputs).includes('started')) printed()
      }
    })
    await started
    kernel.interrupt()
    const r = await pending
    expect(r.status).toBe('interrupted')
    expect(textOf(r.outputs)).toBe('started\n')
    expect(await value(kernel, 'x')).toBe('1')
  })

  it('rolls back after a memory bomb (out_of_memory) and the kernel stays usable', async () => {
    const kernel = host().createKernel()
    const run = runner(kernel)
    await run('x = 1')
    const r = await run('x = 2\nhog = []\nwhile True: hog.append(bytearray(10**7))', {
      limits: { memoryBytes: 128 * 1024 * 1024, fuel: 4_000_000_000 }
    })
    expect(r.status).toBe('out_of_memory')
    expect(r.headAdvanced).toBe(false)
    expect(r.memoryBytes).toBeLessThanOrEqual(128 * 1024 * 1024)
    expect(await value(kernel, 'x')).toBe('1')
    expect(kernel.headMemoryBytes).toBeLessThan(64 * 1024 * 1024)
  })

  it('reports wasm traps as crashed (abort, C stack overflow) and os._exit as exit, head unchanged', async () => {
    const kernel = host().createKernel()
    const run = runner(kernel)
    await run('x = 1')
    const abort = await run('x = 2\nimport os\nos.abort()')
    expect(abort.status).toBe('crashed')
    expect(abort.message).toMatch(/crashed: .*unreachable/)
    const deep = await run(
      'x = 3\nimport sys\nsys.setrecursionlimit(10**7)\nl = []\nfor _ in range(200000): l = [l]\nrepr(l)',
      { limits: { fuel: 4_000_000_000 } }
    )
    expect(deep.status).toBe('crashed')
    expect(deep.message).toMatch(/crashed/)
    const exit = await run('x = 4\nimport os\nos._exit(7)')
    expect(exit).toMatchObject({ status: 'exit', exitCode: 7, headAdvanced: false })
    expect(await value(kernel, 'x')).toBe('1')
  })
})

describe('kernel: isolated runs, restart, parallel kernels', () => {
  it('runs an isolated cell from S0: it cannot see the head and does not move it', async () => {
    const kernel = host().createKernel()
    const run = runner(kernel)
    await run('secret = 1')
    const r = await run('print(secret)', { isolated: true })
    expect(r.status).toBe('error')
    expect(r.outputs.at(-1)).toMatchObject({ ename: 'NameError' })
    const set = await run('secret = 2\nleaked = True', { isolated: true })
    expect(set.headAdvanced).toBe(false)
    expect(await value(kernel, 'secret')).toBe('1')
    expect(await value(kernel, '"leaked" in globals()')).toBe('False')
  })

  it('restart forgets everything (head := S0)', async () => {
    const kernel = host().createKernel()
    const run = runner(kernel)
    await run('gone = 1\nopen("/tmp/gone", "w").write("x")')
    kernel.restart()
    expect(await value(kernel, '"gone" in globals()')).toBe('False')
    expect(await value(kernel, '__import__("os").listdir("/tmp")')).toBe('[]')
  })

  it('runs two kernels in parallel without interference', async () => {
    const a = host().createKernel()
    const b = host().createKernel()
    const cell = (v: number) =>
      `v = ${v}\ntotal = 0\nfor i in range(100000): total += i\nimport time\ntime.sleep(0.2)\nv += 0`
    const [ra, rb] = await Promise.all([runner(a)(cell(1)), runner(b)(cell(2))])
    expect([ra.status, rb.status]).toEqual(['ok', 'ok'])
    expect([await value(a, 'v'), await value(b, 'v')]).toEqual(['1', '2'])
  })

  it('serialises calls on one kernel: the second run sees the first', async () => {
    const kernel = host().createKernel()
    const run = runner(kernel)
    const [first, second] = await Promise.all([run('import time\ntime.sleep(0.1)\nq = 5'), run('print(q)')])
    expect(first.status).toBe('ok')
    expect(textOf(second.outputs)).toBe('5\n')
  })
})

describe('kernel: output', () => {
  it('caps output with a truncated marker, streams in batches, and a flood does not block the main thread', async () => {
    const kernel = host().createKernel()
    const batches: number[] = []
    let maxLag = 0
    let last = performance.now()
    const timer = setInterval(() => {
      const now = performance.now()
      maxLag = Math.max(maxLag, now - last - 10)
      last = now
    }, 10)
    const r = await runner(kernel)('line = "x" * 99\nfor i in range(300000): print(line)', {
      limits: { fuel: 4_000_000_000, outputBytes: 1_000_000 },
      onOutput: (outputs) => batches.push(outputs.length)
    })
    clearInterval(timer)
    expect(r.status).toBe('ok')
    const text = textOf(r.outputs)
    expect(text.length).toBe(1_000_000)
    expect(r.outputs.at(-1)).toEqual({
      type: 'truncated',
      droppedBytes: 300000 * 100 - 1_000_000,
      droppedOutputs: 0
    })
    expect(batches.length).toBeGreaterThan(0)
    // Generous: the machine running the tests may be busy; a blocked loop would be seconds.
    expect(maxLag).toBeLessThan(300)
  })

  it('a cell that prints nothing sends no message before its answer (no fuel-only batch after the cell)', async () => {
    const kernel = host().createKernel()
    // What the worker sends the pool, before the kernel drops fuel-only batches.
    const pool = (kernel as unknown as { ctx: { pool: { run: WorkerPool['run'] } } }).ctx.pool
    const batches: { outputs: number; fuel: number }[] = []
    const run = pool.run.bind(pool)
    pool.run = (request, options) =>
      run(request, {
        ...options,
        onOutput: (outputs, replace, fuel) => {
          batches.push({ outputs: outputs.length, fuel })
          options.onOutput?.(outputs, replace, fuel)
        }
      })
    for (const code of ['x = 1', 'y = x + 1']) expect((await runner(kernel)(code)).status).toBe('ok')
    expect(batches).toEqual([])
    expect((await runner(kernel)('print(y)')).status).toBe('ok')
    expect(batches).toHaveLength(1)
    expect(batches[0]!.outputs).toBe(1)
  })

  it('shows rich output: display() bundles and the last expression as execute_result', async () => {
    const kernel = host().createKernel()
    const r = await runner(kernel)(
      'class H:\n    def _repr_html_(self): return "<b>hi</b>"\ndisplay(H())\nprint("between")\n{"a": 1}'
    )
    expect(r.outputs[0]).toMatchObject({ type: 'display_data', data: { 'text/html': '<b>hi</b>' } })
    expect(r.outputs[1]).toEqual({ type: 'stream', name: 'stdout', text: 'between\n' })
    expect(r.outputs[2]).toMatchObject({ type: 'execute_result', data: { 'text/plain': "{'a': 1}" } })
  })

  it('answers variables and completions from the head without moving it', async () => {
    const kernel = host().createKernel()
    await runner(kernel)('alpha = [1, 2, 3]\nalphabet = "abc"')
    const vars = await kernel.variables()
    expect(vars).toContainEqual({ name: 'alpha', type: 'list', size: 3, repr: '[1, 2, 3]' })
    const completion = await kernel.complete('x = alp', 7)
    expect(completion).toEqual({ matches: ['alpha', 'alphabet'], from: 4, to: 7 })
    expect(await value(kernel, 'len(alpha)')).toBe('3')
  })
})

describe('kernel: output of killed runs', () => {
  it('shows what a cell printed before it went into a long computation and was stopped', async () => {
    const kernel = host().createKernel()
    const r = await kernel.run('print("before the loop", flush=True)\nwhile True: pass', {
      limits: { ...LIMITS, fuel: 1e12, timeoutMs: 800 }
    })
    expect(r.status).toBe('timeout')
    expect(textOf(r.outputs)).toBe('before the loop\n')
  })
})
